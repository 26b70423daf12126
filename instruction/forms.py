"""The base of every téléservice form: the same class validates the page, the draft and the
transmission, so that they can never disagree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from instruction.models import Dossier, Foyer, Teleservice


def form_for(teleservice: Teleservice) -> type[DossierForm]:
    return teleservice.flow_class.form_class


class DossierForm(forms.Form):
    def __init__(self, data: Any = None, *, dossier: Dossier, **kwargs: Any) -> None:
        self.dossier = dossier
        super().__init__(data=data, **kwargs)

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

    def summary(self) -> list[tuple[str, str]]:
        """(label, value shown to a person) for the recap, from the bound data."""
        rows = []
        for bound in self:
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
