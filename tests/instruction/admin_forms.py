"""What a browser posts for an admin change page as shown: the main form, and each inline's
management form and rows, with some values changed."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from instruction.models import Teleservice


def change_url(teleservice: Teleservice) -> str:
    return reverse("admin:instruction_teleservice_change", args=[teleservice.pk])


def _fields(form: Any, data: dict[str, Any]) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is True:
            data[key] = "on"
        elif value is not None and value is not False:
            data[key] = value.pk if hasattr(value, "pk") else value


def posted(response: Any, **changes: Any) -> dict[str, Any]:
    """``changes`` are keyed by the posted names (``title``, ``document_rows-0-label``…); a value
    of None removes the entry (an unchecked box)."""
    data: dict[str, Any] = {}
    _fields(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:  # extra rows as shown (unchanged: ignored by the admin)
            _fields(form, data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def post_change(client: Any, teleservice: Teleservice, **changes: Any) -> Any:
    return client.post(change_url(teleservice), posted(client.get(change_url(teleservice)), **changes))
