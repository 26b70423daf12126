from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from instruction.actions.base import AlreadyFiled
from instruction.forms import DossierForm
from instruction.models import Dossier, Foyer, Organisme, Teleservice
from workflows.amounts import Amount
from workflows.palmares import rules


class PalmaresForm(DossierForm):
    """« Le formulaire d'inscription » of the seed: a commune registers for the contest."""

    population_category = forms.ChoiceField(
        label=_("Catégorie de la commune"),
        choices=[("", _("— Choisir —")), *rules.POPULATION_CATEGORIES.items()],
        error_messages={"required": _("Choisissez la catégorie de population de la commune.")},
    )
    current_label = forms.ChoiceField(
        label=_("Label « Villes et Villages fleuris » déjà obtenu"), choices=list(rules.LABELS.items()), initial="aucun"
    )
    contact_name = forms.CharField(
        label=_("Nom du référent fleurissement"),
        max_length=150,
        error_messages={"required": _("Indiquez le nom du référent fleurissement.")},
    )
    contact_phone = forms.CharField(
        label=_("Téléphone du référent"),
        validators=[
            RegexValidator(r"^0\d(\s?\d{2}){4}$", _("Indiquez un numéro à 10 chiffres, par exemple 03 84 00 00 00."))
        ],
        error_messages={"required": _("Indiquez le téléphone du référent.")},
    )
    actions = forms.CharField(
        label=_("Actions de fleurissement et d'embellissement"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=_("Décrivez en quelques lignes les massifs, la gestion des espaces verts, les actions menées."),
        error_messages={"required": _("Décrivez les actions de fleurissement de la commune.")},
    )
    certify = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": _("Cochez la case pour certifier l'exactitude des informations.")},
    )

    one_deposit_per_campaign = True

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        return {"current_label": "aucun"}

    @classmethod
    def refusal_to_start(cls, teleservice: Teleservice, *, foyer: Foyer | None, organisme: Organisme | None) -> Any:
        """Only a commune registers, once per campaign: a second deposit points to the first."""
        if organisme is None or not rules.may_file(organisme.kind):
            return _("Seule une commune peut s'inscrire au Palmarès des Villes et Villages fleuris.")
        campaign = rules.campaign_of(timezone.localdate())
        first = Dossier.objects.filter(teleservice=teleservice, organisme=organisme, campaign=campaign).first()
        if first is None:
            return None
        return AlreadyFiled(
            _("%(commune)s a déjà déposé son inscription pour la campagne %(campaign)s : le dossier %(reference)s.")
            % {"commune": organisme.name, "campaign": campaign, "reference": first.reference},
            first,
        )

    def amount(self) -> Amount | None:
        """The prize follows the ranking: before it, no amount is proposed."""
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        organisme = self.dossier.organisme
        if not rules.may_file(organisme.kind if organisme is not None else None):
            raise forms.ValidationError(
                _("Seule une commune peut s'inscrire au Palmarès des Villes et Villages fleuris.")
            )
        return cleaned
