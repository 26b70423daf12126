import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruction.actions.complement import MAX_COMPLEMENT_DAYS, default_complement_due
from instruction.documents import specs_for
from instruction.models import Dossier, DossierStatus
from instruction.models.dossier import has_jury_visit

OUTCOME_CHOICES = [
    (DossierStatus.ACCEPTED, _("Accepter")),
    (DossierStatus.REJECTED, _("Refuser")),
    (DossierStatus.CLOSED, _("Classer sans suite")),
]


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Décision"), widget=forms.RadioSelect, choices=OUTCOME_CHOICES)
    amount = forms.CharField(label=_("Montant accordé (€)"), required=False, max_length=20)
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire pour un refus, un classement sans suite ou un montant différent du montant calculé."),
    )

    def __init__(self, *args: Any, dossier: Dossier | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if dossier is not None and has_jury_visit(dossier):
            # Palmarès: a commune is accepted only by its ranking, after the jury's visit.
            outcome = cast(forms.ChoiceField, self.fields["outcome"])
            outcome.choices = [c for c in OUTCOME_CHOICES if c[0] != DossierStatus.ACCEPTED]
            del self.fields["amount"]


class ComplementForm(forms.Form):
    message = forms.CharField(
        label=_("Ce que le demandeur doit compléter"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Précisez les informations ou pièces à compléter."),
        max_length=5000,
    )
    documents = forms.MultipleChoiceField(
        label=_("Pièces à transmettre de nouveau"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Le demandeur devra ajouter un nouveau fichier pour chaque pièce cochée."),
    )
    due = forms.DateField(
        label=_("Échéance"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Le demandeur a jusqu'à ce jour inclus pour répondre ; un rappel lui est envoyé avant."),
    )

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        documents = cast(forms.MultipleChoiceField, self.fields["documents"])
        documents.choices = [(spec.code, spec.label) for spec in specs_for(dossier)]
        self.fields["due"].initial = default_complement_due(dossier)
        self.fields["due"].widget.attrs.update(
            min=(timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            max=(timezone.localdate() + dt.timedelta(days=MAX_COMPLEMENT_DAYS)).isoformat(),
        )
        if not documents.choices:
            del self.fields["documents"]


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du renvoi à l'agent"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("L'agent le lit dans l'historique du dossier, qui lui revient en instruction."),
    )


class VisitForm(forms.Form):
    """Palmarès: « Programmer la visite du jury »."""

    visit_on = forms.DateField(
        label=_("Date de la visite du jury"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez la date de la visite du jury."), "invalid": _("Date invalide.")},
    )
    message = forms.CharField(
        label=_("Message à la commune (facultatif)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Par exemple l'heure du rendez-vous et les membres du jury."),
    )


class VisitReportForm(forms.Form):
    report = forms.CharField(
        label=_("Compte rendu de la visite"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=8000,
        error_messages={"required": _("Rédigez le compte rendu de la visite du jury.")},
    )


class RankForm(forms.Form):
    prize = forms.ChoiceField(
        label=_("Catégorie de prix attribuée par le jury"),
        choices=[],
        error_messages={"required": _("Choisissez la catégorie de prix attribuée par le jury.")},
    )
    motivation = forms.CharField(
        label=_("Appréciation du jury (facultatif)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from workflows.palmares import rules

        super().__init__(*args, **kwargs)
        prize = cast(forms.ChoiceField, self.fields["prize"])
        prize.choices = [("", _("— Choisir —")), *rules.PRIZES.items()]
