"""Forms of the foyer and organisme pages. The rules themselves are checked again by the actions
(instruction/actions/spaces.py); the forms use the same messages so that both read alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from instruction.actions import InvalidInput
from instruction.actions.spaces import (
    birth_date_errors,
    duplicate_siret_message,
    postal_code_errors,
    siret_errors,
)
from instruction.models import FoyerMember, Organisme, OrganismeInvitation
from instruction.siret import normalize_siret

EMPTY_CHOICE = [("", _("— Choisir —"))]


def apply_action_errors(form: forms.Form, error: InvalidInput) -> None:
    """Show an action's refusal next to the fields it names (or above the form)."""
    for name, messages in error.errors.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        # ISO, the only format a date input understands, whatever the language of the page.
        super().__init__(format="%Y-%m-%d", **kwargs)


def _postal_code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code postal"),
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
        error_messages={"required": _("Indiquez le code postal.")},
    )


class AddressFields(forms.Form):
    address = forms.CharField(
        label=_("Adresse"),
        max_length=250,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
        error_messages={"required": _("Indiquez l'adresse.")},
    )
    postal_code = _postal_code_field()
    commune = forms.CharField(
        label=_("Commune"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={"required": _("Indiquez la commune.")},
    )

    def clean_postal_code(self) -> str:
        value = self.cleaned_data["postal_code"].strip()
        errors = postal_code_errors(value)
        if errors:
            raise forms.ValidationError(errors)
        return value


class FoyerForm(AddressFields):
    quotient_familial = forms.IntegerField(
        label=_("Quotient familial déclaré (€)"),
        required=False,
        min_value=0,
        max_value=99999,
        help_text=_("Facultatif. Indiqué sur votre attestation de la CAF ou de la MSA ; il préremplit vos demandes."),
        error_messages={
            "invalid": _("Le quotient familial est un nombre entier d'euros, par exemple 450."),
            "min_value": _("Le quotient familial ne peut pas être négatif."),
        },
    )


class PersonFields(forms.Form):
    civility = forms.ChoiceField(
        label=_("Civilité"),
        choices=EMPTY_CHOICE + list(FoyerMember.Civility.choices),
        error_messages={"required": _("Choisissez une civilité.")},
    )
    last_name = forms.CharField(label=_("Nom"), max_length=150, error_messages={"required": _("Indiquez le nom.")})
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, error_messages={"required": _("Indiquez le prénom.")}
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=DateInput(),
        error_messages={
            "required": _("Indiquez la date de naissance."),
            "invalid": _("Saisissez une date valide, par exemple 14/07/2010."),
        },
    )

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        errors = birth_date_errors(value)
        if errors:
            raise forms.ValidationError(errors)
        return value


def known_identity(user: Any) -> dict[str, Any]:
    """What the account (or the certified FranceConnect identity) already says about the person."""
    identity = getattr(user, "franceconnect", None)
    gender = (identity.claims or {}).get("gender") if identity is not None else None
    known = {
        "civility": getattr(user, "civility", "") or {"female": "mme", "male": "m"}.get(str(gender), ""),
        "first_name": user.first_name or (identity.given_name if identity is not None else ""),
        "last_name": user.last_name or (identity.family_name if identity is not None else ""),
        "birth_date": identity.birthdate if identity is not None else None,
    }
    return {name: value for name, value in known.items() if value}


class FoyerCreateForm(PersonFields, FoyerForm):
    """« Créer mon foyer »: the foyer, and what is not known yet of the person who files (they
    become its member « Demandeur »)."""

    field_order = ["civility", "last_name", "first_name", "birth_date", "address", "postal_code", "commune"]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known = known_identity(user)
        for name in self.known:
            del self.fields[name]

    def applicant(self) -> dict[str, Any]:
        return {name: self.known.get(name, self.cleaned_data.get(name)) for name in PersonFields.base_fields}


class MemberForm(PersonFields):
    """« Ajouter un individu » and its edition. The « Demandeur » keeps their link."""

    link = forms.ChoiceField(
        label=_("Lien avec le demandeur"),
        choices=EMPTY_CHOICE + [c for c in FoyerMember.Link.choices if c[0] != FoyerMember.Link.APPLICANT],
        error_messages={"required": _("Choisissez le lien avec le demandeur.")},
    )

    def __init__(self, *args: Any, is_applicant: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if is_applicant:
            del self.fields["link"]


class OrganismeForm(AddressFields):
    kind = forms.ChoiceField(
        label=_("Type d'organisme"),
        choices=EMPTY_CHOICE + list(Organisme.Kind.choices),
        error_messages={"required": _("Choisissez le type d'organisme.")},
    )
    name = forms.CharField(
        label=_("Nom de l'organisme"),
        max_length=250,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": _("Indiquez le nom de l'organisme.")},
    )
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=20,
        help_text=_("14 chiffres, sur votre avis de situation au répertoire SIRENE."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Indiquez le numéro SIRET de l'organisme.")},
    )

    field_order = ["kind", "name", "siret", "address", "postal_code", "commune"]

    def clean_siret(self) -> str:
        value = normalize_siret(self.cleaned_data["siret"])
        errors = siret_errors(value)
        if errors:
            raise forms.ValidationError(errors)
        if Organisme.objects.filter(siret=value).exists():
            raise forms.ValidationError(duplicate_siret_message())
        return value


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse électronique de la personne à inviter"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Indiquez l'adresse électronique de la personne à inviter."),
            "invalid": _("Saisissez une adresse électronique valide, par exemple nom@exemple.fr."),
        },
    )
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=OrganismeInvitation.Role.choices,
        initial=OrganismeInvitation.Role.MEMBER,
        help_text=_("Un administrateur gère aussi les membres de l'organisme."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=OrganismeInvitation.Role.choices)
