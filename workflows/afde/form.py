"""AFDE — allocation familiale départementale étudiant: a parent files for a student child."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from instruction.documents import DocumentSpec
from workflows.afde import rules
from workflows.amounts import Amount
from workflows.child_beneficiary import ChildBeneficiaryForm, quotient_familial_field


class AfdeForm(ChildBeneficiaryForm):
    rules = rules
    no_eligible_child = gettext_lazy(
        "L'AFDE est réservée aux familles ayant un enfant de moins de 26 ans : votre foyer n'en compte "
        "aucun. Ajoutez l'étudiant aux membres de votre foyer pour déposer une demande."
    )
    qf_refusal = gettext_lazy("L'AFDE est réservée aux foyers dont le quotient familial ne dépasse pas 1 099 €.")

    documents = (
        DocumentSpec(
            "avis_imposition",
            gettext_lazy("Dernier avis d'imposition ou de non-imposition"),
            help=gettext_lazy("L'avis le plus récent du foyer, toutes les pages."),
        ),
        DocumentSpec(
            "certificat_scolarite",
            gettext_lazy("Certificat de scolarité de l'année en cours"),
            help=gettext_lazy("Délivré par l'établissement d'enseignement supérieur."),
        ),
        DocumentSpec(
            "diplome_bac",
            gettext_lazy("Diplôme ou relevé de notes du baccalauréat"),
            help=gettext_lazy("Le relevé de notes suffit si le diplôme n'a pas encore été délivré."),
        ),
        DocumentSpec(
            "rib", gettext_lazy("Relevé d'identité bancaire (RIB)"), help=gettext_lazy("Au nom du demandeur.")
        ),
    )
    beneficiary = forms.ChoiceField(
        label=gettext_lazy("Étudiant bénéficiaire"),
        help_text=gettext_lazy("Seuls les enfants du foyer âgés de moins de 26 ans sont proposés."),
        error_messages={
            "required": gettext_lazy("Choisissez l'étudiant bénéficiaire parmi les enfants de votre foyer."),
            "invalid_choice": gettext_lazy(
                "Choisissez l'étudiant bénéficiaire parmi les enfants de votre foyer proposés dans la liste."
            ),
        },
    )
    quotient_familial = quotient_familial_field()
    bac_year = forms.IntegerField(
        label=gettext_lazy("Année d'obtention du baccalauréat"),
        min_value=1900,
        max_value=9999,
        error_messages={
            "required": gettext_lazy("Indiquez l'année d'obtention du baccalauréat."),
            "invalid": gettext_lazy("Indiquez l'année sur 4 chiffres, par exemple 2025."),
        },
    )
    establishment = forms.CharField(
        label=gettext_lazy("Établissement d'enseignement supérieur"),
        max_length=200,
        help_text=gettext_lazy("Université, école, lycée pour un BTS ou une classe préparatoire…"),
        error_messages={"required": gettext_lazy("Indiquez l'établissement d'enseignement supérieur.")},
    )
    course = forms.CharField(
        label=gettext_lazy("Formation suivie"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : licence de droit, BTS comptabilité, DUT informatique."),
        error_messages={"required": gettext_lazy("Indiquez la formation suivie.")},
    )
    year_of_study = forms.ChoiceField(
        label=gettext_lazy("Année d'études"),
        choices=[("", gettext_lazy("— Choisir —")), *rules.YEARS_OF_STUDY.items()],
        error_messages={"required": gettext_lazy("Choisissez l'année d'études.")},
    )
    certify = forms.BooleanField(
        label=gettext_lazy("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": gettext_lazy("Cochez la case pour certifier l'exactitude des informations.")},
    )

    @classmethod
    def qf_is_eligible(cls, quotient_familial: int) -> bool:
        return rules.compute_amount(quotient_familial, rules.MAX_AGE).eligible

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        student = self.selected_beneficiary()
        bac_year = cleaned.get("bac_year")
        if student is not None and bac_year is not None:
            reason = rules.bac_year_refusal(bac_year, student.birth_date, self.today)
            if reason:
                self.add_error("bac_year", reason)
        return cleaned

    def amount(self) -> Amount | None:
        qf = str(self.data.get("quotient_familial", ""))
        student = self.selected_beneficiary()
        if not qf.isdigit() or student is None:
            return None
        return rules.compute_amount(int(qf), student.age_on(self.today))
