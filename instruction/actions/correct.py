"""« Corriger une donnée »: the instructing service intervenes directly on a dossier (seed).

The agent in charge changes one field of the téléservice's form, with a reason. The new value
is validated by the same form class as the applicant's (its field and its ``clean_<field>``),
so that a correction can never store what a transmission would refuse. The applicant sees the
correction in their history and is told by e-mail; the status does not change."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, TransitionRefused, locked_dossier, record
from instruction.forms import DossierForm, form_for
from instruction.models import Dossier, DossierStatus
from instruction.notifications import notify_correction
from instruction.search import refresh_search_vector

REASON_MAX_LENGTH = 1000


def correctable_fields(form: DossierForm) -> dict[str, forms.Field]:
    """The fields an agent may correct, in the form's order. Not the beneficiary (it is a
    member of the applicant's foyer, with its own link) nor the applicant's sworn statements
    (a required check box such as « Je certifie sur l'honneur »): only the applicant can make them."""
    return {
        name: field
        for name, field in form.fields.items()
        if name != form.beneficiary_field and not (isinstance(field, forms.BooleanField) and field.required)
    }


def _shown(form_class: type[DossierForm], dossier: Dossier, data: dict[str, Any], name: str) -> str:
    """The value as a person reads it (a choice's label, « Oui »/« Non »), as on the recap."""
    form = form_class(data=data, dossier=dossier)
    return next(shown for label, shown in form.summary(exclude=[n for n in form.fields if n != name]))


def _stored(value: Any) -> Any:
    """The cleaned value as the form data keeps it (see DossierForm.stored_data)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def correct_field(dossier: Dossier, *, acting_user: Any, field: str, value: Any, reason: str) -> Dossier:
    """Write a new value for one field of the dossier's form data, while it is in instruction."""
    reason = str(reason or "").strip()
    with locked_dossier(dossier, acting_user=acting_user, action="correct_field") as locked:
        # Not during a complement (the applicant has the dossier), not once decided.
        if locked.status != DossierStatus.IN_INSTRUCTION:
            raise TransitionRefused(
                _("Cette action n'est pas possible pour un dossier « %(status)s ».")
                % {"status": locked.get_status_display()}
            )
        form_class = form_for(locked)
        data = dict(locked.data)
        fields = correctable_fields(form_class(data=data, dossier=locked))
        if field not in fields:
            raise InvalidInput({"field": [_("Choisissez une donnée du formulaire à corriger.")]})
        errors: dict[str, list[str]] = {}
        if not reason:
            errors["reason"] = [_("Indiquez le motif de la correction.")]
        elif len(reason) > REASON_MAX_LENGTH:
            errors["reason"] = [_("Le motif ne doit pas dépasser %(max)d caractères.") % {"max": REASON_MAX_LENGTH}]
        corrected = {**data, field: value}
        form = form_class(data=corrected, dossier=locked)
        # Only this field's own errors: another value that a later rule would refuse is not
        # this correction's business (it is checked again at the next transmission).
        form.is_valid()
        if field in form.errors:
            errors["value"] = [str(message) for message in form.errors[field]]
        if errors:
            raise InvalidInput(errors)
        new = _stored(form.cleaned_data[field])
        old = data.get(field, "")
        current = form_class(data=data, dossier=locked)
        current.is_valid()
        # Compared as values, not as text: 390 and 390,00 € are the same rent.
        if new == old or (field not in current.errors and current.cleaned_data.get(field) == form.cleaned_data[field]):
            raise InvalidInput({"value": [_("La nouvelle valeur est identique à la valeur actuelle.")]})
        locked.data = {**data, field: new}
        locked.save(update_fields=["data", "updated"])
        refresh_search_vector([locked.pk])
        event = record(
            locked,
            acting_user=acting_user,
            action="correct_field",
            before=locked.status,
            field=field,
            label=str(fields[field].label),
            old=old,
            new=new,
            old_display=_shown(form_class, locked, data, field),
            new_display=_shown(form_class, locked, locked.data, field),
            reason=reason,
        )
        notify_correction(locked, event)
    return dossier
