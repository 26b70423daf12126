from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from instruction.documents import DocumentSpec
from instruction.forms import DossierForm
from instruction.models import Foyer, Organisme, Teleservice
from workflows.amounts import Amount
from workflows.mille_semaines_collectives import rules

DATE_ERRORS = {"invalid": _("Indiquez une date valide, par exemple 15/07/2026.")}


class MilleSemainesCollectivesForm(DossierForm):
    """A collective stay organised by an association or a holiday centre."""

    documents = (
        DocumentSpec(
            "projet_pedagogique",
            _("Projet pédagogique du séjour"),
            help=_("Les objectifs éducatifs, le programme et l'encadrement."),
        ),
        DocumentSpec(
            "recepisse_declaration",
            _("Récépissé de déclaration du séjour"),
            help=_("Délivré par le service départemental à la jeunesse (SDJES) lors de la déclaration."),
        ),
        DocumentSpec("budget_previsionnel", _("Budget prévisionnel du séjour")),
        DocumentSpec("rib", _("Relevé d'identité bancaire (RIB)"), help=_("Au nom de la structure.")),
    )

    stay_name = forms.CharField(
        label=_("Nom du séjour"), max_length=200, error_messages={"required": _("Indiquez le nom du séjour.")}
    )
    place = forms.CharField(
        label=_("Lieu du séjour"),
        max_length=200,
        help_text=_("Le centre, le camping ou l'hébergement."),
        error_messages={"required": _("Indiquez le lieu du séjour.")},
    )
    commune = forms.CharField(
        label=_("Commune du séjour"), max_length=100, error_messages={"required": _("Indiquez la commune du séjour.")}
    )
    start_date = forms.DateField(
        label=_("Date de début du séjour"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Indiquez la date de début du séjour."), **DATE_ERRORS},
    )
    end_date = forms.DateField(
        label=_("Date de fin du séjour"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Indiquez la date de fin du séjour."), **DATE_ERRORS},
    )
    children = forms.IntegerField(
        label=_("Nombre d'enfants résidant dans le département"),
        min_value=rules.MIN_CHILDREN,
        max_value=rules.MAX_CHILDREN,
        error_messages={
            "required": _("Indiquez le nombre d'enfants du département accueillis."),
            "invalid": _("Indiquez un nombre entier d'enfants."),
            "min_value": _("Indiquez au moins un enfant."),
            "max_value": _("Indiquez au plus 500 enfants par séjour."),
        },
    )
    weeks = forms.IntegerField(
        label=_("Nombre de semaines"),
        help_text=_("Une semaine commencée compte ; pas plus que la durée du séjour."),
        widget=forms.NumberInput(attrs={"min": rules.MIN_WEEKS, "max": rules.MAX_WEEKS}),
        error_messages={
            "required": _("Indiquez le nombre de semaines du séjour."),
            "invalid": _("Indiquez un nombre entier de semaines."),
        },
    )
    certify = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": _("Cochez la case pour certifier l'exactitude des informations.")},
    )

    @classmethod
    def refusal_to_start(cls, teleservice: Teleservice, *, foyer: Foyer | None, organisme: Organisme | None) -> Any:
        return rules.filer_refusal(organisme.kind if organisme is not None else None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisme = self.dossier.organisme
        refusal = rules.filer_refusal(organisme.kind if organisme is not None else None)
        if refusal:
            raise forms.ValidationError(refusal)
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            reason = rules.dates_refusal(start, end)
            if reason:
                self.add_error("end_date", reason)
        weeks = cleaned.get("weeks")
        if weeks is not None:
            reason = rules.weeks_refusal(weeks, start, end)
            if reason:
                self.add_error("weeks", reason)
        return cleaned

    def amount(self) -> Amount | None:
        children, weeks = str(self.data.get("children", "")), str(self.data.get("weeks", ""))
        if not (children.isdigit() and weeks.isdigit()) or int(children) < 1 or int(weeks) < 1:
            return None
        return rules.compute_amount(int(children), int(weeks))
