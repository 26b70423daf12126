"""BDS — bourse départementale du secondaire: a parent files for a collégien or a lycéen."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from instruction.documents import DocumentSpec
from workflows.amounts import Amount
from workflows.bds import rules
from workflows.child_beneficiary import ChildBeneficiaryForm, quotient_familial_field


class BdsForm(ChildBeneficiaryForm):
    rules = rules
    no_eligible_child = gettext_lazy(
        "La bourse départementale du secondaire est réservée aux familles ayant un enfant de 10 à 20 ans "
        "scolarisé au collège ou au lycée : votre foyer n'en compte aucun. Ajoutez l'élève aux membres "
        "de votre foyer pour déposer une demande."
    )
    qf_refusal = gettext_lazy(
        "La bourse départementale du secondaire est réservée aux foyers dont le quotient familial ne dépasse pas 899 €."
    )

    documents = (
        DocumentSpec(
            "avis_imposition",
            gettext_lazy("Dernier avis d'imposition ou de non-imposition"),
            help=gettext_lazy("L'avis le plus récent du foyer, toutes les pages."),
        ),
        DocumentSpec(
            "certificat_scolarite",
            gettext_lazy("Certificat de scolarité de l'année en cours"),
            help=gettext_lazy("Délivré par le collège ou le lycée de l'élève."),
        ),
        DocumentSpec(
            "rib", gettext_lazy("Relevé d'identité bancaire (RIB)"), help=gettext_lazy("Au nom du demandeur.")
        ),
    )
    beneficiary = forms.ChoiceField(
        label=gettext_lazy("Élève bénéficiaire"),
        help_text=gettext_lazy("Seuls les enfants du foyer âgés de 10 à 20 ans sont proposés."),
        error_messages={
            "required": gettext_lazy("Choisissez l'élève bénéficiaire parmi les enfants de votre foyer."),
            "invalid_choice": gettext_lazy(
                "Choisissez l'élève bénéficiaire parmi les enfants de votre foyer proposés dans la liste."
            ),
        },
    )
    quotient_familial = quotient_familial_field()
    class_level = forms.ChoiceField(
        label=gettext_lazy("Classe suivie cette année"),
        choices=[("", gettext_lazy("— Choisir —")), *rules.CLASS_LEVELS.items()],
        help_text=gettext_lazy(
            "Un supplément est accordé aux lycéens (voie générale, technologique ou professionnelle)."
        ),
        error_messages={"required": gettext_lazy("Choisissez la classe suivie par l'élève.")},
    )
    school = forms.CharField(
        label=gettext_lazy("Établissement scolaire"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : collège Jacques Brel, Vesoul."),
        error_messages={"required": gettext_lazy("Indiquez le collège ou le lycée de l'élève.")},
    )
    certify = forms.BooleanField(
        label=gettext_lazy("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": gettext_lazy("Cochez la case pour certifier l'exactitude des informations.")},
    )

    @classmethod
    def qf_is_eligible(cls, quotient_familial: int) -> bool:
        return rules.compute_amount(quotient_familial, "6e").eligible

    def amount(self) -> Amount | None:
        qf = str(self.data.get("quotient_familial", ""))
        if not qf.isdigit():
            return None
        return rules.compute_amount(int(qf), str(self.data.get("class_level", "")))
