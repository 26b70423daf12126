from django import forms
from django.utils.translation import gettext_lazy as _

from instruction.models import DossierStatus


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
