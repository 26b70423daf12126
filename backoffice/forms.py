import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruction.actions.complement import MAX_COMPLEMENT_DAYS, default_complement_due
from instruction.documents import specs_for
from instruction.models import Dossier, DossierStatus


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Décision"),
        widget=forms.RadioSelect,
        choices=[
            (DossierStatus.ACCEPTED, _("Accepter")),
            (DossierStatus.REJECTED, _("Refuser")),
            (DossierStatus.CLOSED, _("Classer sans suite")),
        ],
    )
    amount = forms.CharField(label=_("Montant accordé (€)"), required=False, max_length=20)
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Obligatoire pour un refus ou un classement sans suite."),
    )


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
        documents.choices = [(spec.code, spec.label) for spec in specs_for(dossier.teleservice)]
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
