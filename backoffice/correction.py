"""« Corriger une donnée » on the review screen, in two steps that work without JavaScript: the
agent chooses the field (a GET form: ``?champ=<name>``), then types the new value in that field's
own widget (a list for a choice, a date picker for a date) with the reason, and submits.

The value is checked here with the téléservice form's own field (its French messages), then
again by the action with the whole form class (``clean_<field>`` rules included)."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruction.actions.correct import REASON_MAX_LENGTH, correctable_fields
from instruction.forms import DossierForm
from instruction.models import Dossier

FIELD_PARAM = "champ"
PREFIX = "correction"


class FieldChoiceForm(forms.Form):
    champ = forms.ChoiceField(label=gettext_lazy("Donnée à corriger"))

    def __init__(self, *args: Any, fields: dict[str, forms.Field], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice = self.fields["champ"]
        assert isinstance(choice, forms.ChoiceField)  # noqa: S101 - narrows the type
        choice.choices = [("", _("— Choisir une donnée —"))] + [(name, f.label) for name, f in fields.items()]


class CorrectionForm(forms.Form):
    """The new value of one field (``name``), in a copy of the téléservice form's field."""

    field = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Motif de la correction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy("Le demandeur voit la correction et son motif dans l'historique de sa demande."),
        error_messages={"required": gettext_lazy("Indiquez le motif de la correction.")},
    )

    def __init__(self, data: Any = None, *, name: str, source: forms.Field, current: Any) -> None:
        super().__init__(data, prefix=PREFIX, initial={"field": name, "value": current})
        self.name = name
        value = copy.deepcopy(source)
        value.label = _("Nouvelle valeur : %(label)s") % {"label": source.label}
        value.help_text = source.help_text
        self.fields = {"field": self.fields["field"], "value": value, "reason": self.fields["reason"]}

    def clean_field(self) -> str:
        if self.cleaned_data["field"] != self.name:
            raise forms.ValidationError(_("Choisissez de nouveau la donnée à corriger."))
        return self.name


def posted_field(request: HttpRequest) -> str:
    return str(request.POST.get(f"{PREFIX}-field", ""))


def correction_form(dossier_form: DossierForm, name: str, data: Any = None) -> CorrectionForm | None:
    """The second step for field ``name`` (None when it may not be corrected)."""
    fields = correctable_fields(dossier_form)
    if name not in fields:
        return None
    return CorrectionForm(data, name=name, source=fields[name], current=dossier_form.data.get(name, ""))


def correction_context(
    request: HttpRequest, dossier: Dossier, dossier_form: DossierForm, bound: CorrectionForm | None = None
) -> dict[str, Any]:
    """What the review screen's « Corriger une donnée » panel needs."""
    fields = correctable_fields(dossier_form)
    form = bound or correction_form(dossier_form, str(request.GET.get(FIELD_PARAM, "")))
    current = ""
    if form is not None:
        # Only this field's row: neither the other fields nor the rows of a repeated block (whose
        # fields are not corrected one by one: they are not among correctable_fields()).
        others = [name for name in [*dossier_form.fields, *dossier_form.blocks] if name != form.name]
        current = dossier_form.summary(exclude=others)[0][1]
    return {
        "chooser": FieldChoiceForm(initial={"champ": form.name if form else ""}, fields=fields),
        "form": form,
        "label": fields[form.name].label if form else "",
        "current": current,
    }
