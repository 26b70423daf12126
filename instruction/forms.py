"""The base of every téléservice form: the same class validates the page, the draft and the
transmission, so that they can never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _

from instruction.documents import DocumentSpec
from instruction.models import Dossier, Foyer, FoyerMember, Teleservice


def form_for(teleservice: Teleservice) -> type[DossierForm]:
    return teleservice.flow_class.form_class


class BeneficiarySelect(forms.Select):
    """A drop-down of foyer members whose options carry the member's details, so that the page
    can show them as soon as one is chosen (static/js/filing.js)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members: dict[str, FoyerMember] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(name, value, *args, **kwargs)
        member = self.members.get(str(value))
        if member is not None:
            option["attrs"].update(beneficiary_attrs(member))
        return option


def beneficiary_attrs(member: FoyerMember) -> dict[str, str]:
    return {
        "data-civility": str(member.get_civility_display()),
        "data-last-name": member.last_name,
        "data-first-name": member.first_name,
        "data-birth-date": formats.date_format(member.birth_date, "SHORT_DATE_FORMAT"),
        "data-link": str(member.get_link_display()),
    }


class DossierForm(forms.Form):
    # The supporting documents the téléservice asks for (see instruction/documents.py).
    documents: ClassVar[Sequence[DocumentSpec]] = ()
    # The name of the field choosing a foyer member, if any; its details show next to it.
    beneficiary_field: ClassVar[str | None] = None
    eligible_members: Sequence[FoyerMember] = ()

    def __init__(self, data: Any = None, *, dossier: Dossier, **kwargs: Any) -> None:
        self.dossier = dossier
        super().__init__(data=data, **kwargs)

    def offer_beneficiaries(self, members: Sequence[FoyerMember], label: Any) -> None:
        """Fill the beneficiary drop-down with ``members`` only, each option carrying its details."""
        assert self.beneficiary_field is not None  # noqa: S101 - a programming error, not input
        self.eligible_members = members
        field = self.fields[self.beneficiary_field]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.widget = BeneficiarySelect()
        field.widget.members = {str(m.pk): m for m in members}
        field.choices = [("", _("— Choisir un membre du foyer —"))] + [(str(m.pk), label(m)) for m in members]

    def selected_beneficiary(self) -> FoyerMember | None:
        """The eligible member currently chosen (in the bound data, else the initial data)."""
        if self.beneficiary_field is None:
            return None
        source = self.data if self.is_bound else self.initial
        chosen = str(source.get(self.beneficiary_field, "") or "")
        return next((m for m in self.eligible_members if str(m.pk) == chosen), None)

    @classmethod
    def raw_from(cls, raw: Any) -> dict[str, Any]:
        """What the applicant typed, kept as text for the draft (only the declared fields)."""
        kept: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.BooleanField):
                kept[name] = bool(raw.get(name))
            else:
                kept[name] = str(raw.get(name, "") or "")[:2000]
        return kept

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        return {}

    def stored_data(self) -> dict[str, Any]:
        """The cleaned values as JSON, in a form that binds back to the same values: booleans
        stay booleans, everything else becomes the text a person would have typed."""
        stored: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if isinstance(value, bool):
                stored[name] = value
            elif isinstance(value, dt.date):
                stored[name] = value.isoformat()
            else:
                stored[name] = "" if value is None else str(value)
        return stored

    def summary(self, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
        """(label, value shown to a person) for the recap, from the bound data."""
        rows = []
        for bound in self:
            if bound.name in exclude:
                continue
            raw = self.data.get(bound.name, "")
            field = bound.field
            if isinstance(field, forms.ChoiceField):
                shown = {str(k): v for k, v in field.choices}.get(str(raw), raw)  # type: ignore[union-attr,misc]
            elif isinstance(field, forms.BooleanField):
                shown = _("Oui") if raw else _("Non")
            else:
                shown = raw
            rows.append((str(bound.label), str(shown) if shown not in ("", None) else "—"))
        return rows
