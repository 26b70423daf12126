"""The base of every téléservice form: the same class validates the page, the draft and the
transmission, so that they can never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _

from instruction import blocks as blocks_module
from instruction.blocks import BlockRows, RepeatedBlock
from instruction.documents import DocumentSpec
from instruction.models import Dossier, Foyer, FoyerMember, Organisme, Teleservice
from workflows.amounts import Amount


def form_for(target: Teleservice | Dossier) -> type[DossierForm]:
    """The form class of a téléservice's current version, or of the version a dossier was filed
    with (a draft follows the current one); see instruction/versions.py."""
    from instruction.versions import form_class_of, version_for

    return form_class_of(version_for(target))


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
    # Raised when a change of fields or rules must not apply to dossiers already transmitted;
    # the older classes stay reachable by their number (instruction/versions.py).
    version: ClassVar[int] = 1
    previous_versions: ClassVar[Mapping[int, type[DossierForm]]] = {}
    # A yearly campaign: one deposit per organisme (or foyer) and campaign (Palmarès).
    one_deposit_per_campaign: ClassVar[bool] = False
    # Repeated blocks (instruction/blocks.py): name → one row's form, kept as a list of dicts.
    blocks: ClassVar[Mapping[str, RepeatedBlock]] = {}

    def __init__(self, data: Any = None, *, dossier: Dossier, **kwargs: Any) -> None:
        self.dossier = dossier
        super().__init__(data=data, **kwargs)
        self.block_rows: dict[str, BlockRows] = {
            name: self._rows_of(name, block) for name, block in self.blocks.items()
        }

    def _rows_of(self, name: str, block: RepeatedBlock) -> BlockRows:
        source = self.data if self.is_bound else self.initial
        rows = BlockRows(name, block)
        for index, typed in enumerate(blocks_module.typed_rows(block, name, source)):
            prefix = blocks_module.row_prefix(name, index)
            if self.is_bound:
                row = block.form_class(data={f"{prefix}-{k}": v for k, v in typed.items()}, prefix=prefix)
            else:
                row = block.form_class(initial=typed, prefix=prefix)
            self.configure_row(name, row)
            rows.rows.append(row)
        blocks_module.decorate(rows)
        return rows

    def configure_row(self, name: str, row: forms.Form) -> None:
        """Prepare one row's form of block ``name`` (e.g. the choices of its drop-down)."""

    def add_row_error(self, name: str, index: int, field: str | None, message: Any) -> None:
        """A rule across rows (the same child twice) refuses one row's field."""
        self.block_rows[name].rows[index].add_error(field, message)

    def layout(self) -> list[LayoutItem]:
        """The page's order: each field, and each block after the field it follows."""
        items: list[LayoutItem] = []
        placed = set()
        for bound in self:
            items.append(LayoutItem(field=bound))
            for name, rows in self.block_rows.items():
                if rows.block.after == bound.name:
                    items.append(LayoutItem(block=rows))
                    placed.add(name)
        items.extend(LayoutItem(block=rows) for name, rows in self.block_rows.items() if name not in placed)
        return items

    def block_errors(self) -> list[tuple[str, str]]:
        """(anchor, message) for every error of every block row, for the page's summary."""
        return [error for rows in self.block_rows.values() for error in rows.errors()] if self.is_bound else []

    def clean(self) -> dict[str, Any]:
        # The rows first, so that a subclass's clean() (calling this one first) can apply rules
        # across them (the same child twice).
        cleaned = super().clean() or {}
        for name, rows in self.block_rows.items():
            for row in rows.rows:
                row.is_valid()
            cleaned[name] = [dict(row.cleaned_data) for row in rows.rows]
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound:
            return
        for name, rows in self.block_rows.items():
            messages = [message for _anchor, message in rows.errors()]
            if messages:
                self.errors[name] = self.error_class(messages)
                self.cleaned_data.pop(name, None)
            else:
                self.cleaned_data[name] = [dict(row.cleaned_data) for row in rows.rows]

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
        command = blocks_module.row_command(raw)
        for block_name, block in cls.blocks.items():
            rows = blocks_module.typed_rows(block, block_name, raw)
            kept[block_name] = blocks_module.apply_command(block, block_name, rows, command)
        return kept

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        return {}

    @classmethod
    def refusal_to_start(cls, teleservice: Teleservice, *, foyer: Foyer | None, organisme: Organisme | None) -> Any:
        """Why this foyer or organisme may not start a dossier on this téléservice (a message in
        French, or an :class:`instruction.actions.base.ActionError`), else None. Checked before
        the draft is created, after the téléservice's dates and its audience."""
        return None

    def amount(self) -> Amount | None:
        """The amount the rules compute from the bound data, with its reasoning; None when the
        téléservice has no scale or the data does not allow it yet. The same method feeds the
        agent's review screen and the decision form's proposal."""
        return None

    def stored_data(self) -> dict[str, Any]:
        """The cleaned values as JSON, in a form that binds back to the same values: booleans
        stay booleans, everything else becomes the text a person would have typed."""
        stored: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name in self.blocks:
                stored[name] = [{key: stored_value(v) for key, v in row.items()} for row in value]
            else:
                stored[name] = stored_value(value)
        return stored

    def summary(self, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
        """(label, value shown to a person) for the recap, from the bound data; the rows of a
        block follow, each label prefixed by its row's legend (« Enfant 1 — … »)."""
        excluded = set(exclude)
        rows = shown_rows(self, excluded)
        for group_title, group_rows in self.block_groups(excluded):
            rows.extend((f"{group_title} — {label}", value) for label, value in group_rows)
        return rows

    def block_groups(self, exclude: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
        """(row legend, its (label, value) rows) for each row of each block not excluded."""
        excluded = set(exclude)
        return [
            (rows.row_legend(index), shown_rows(row))
            for name, rows in self.block_rows.items()
            if name not in excluded
            for index, row in enumerate(rows.rows)
        ]

    def summary_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The recap in groups: the form's own fields (no title), then one group per block row."""
        own = self.summary(exclude=self.blocks)
        return [("", own), *self.block_groups()]


class LayoutItem:
    """One item of the form page: a field or a repeated block (templates test ``block``)."""

    def __init__(self, field: forms.BoundField | None = None, block: BlockRows | None = None) -> None:
        self.field = field
        self.block = block


def stored_value(value: Any) -> Any:
    """A cleaned value as JSON that binds back to it: booleans stay booleans, dates in ISO."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def shown_rows(form: forms.Form, exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(label, value shown to a person) of each field of a bound form, from its data."""
    rows = []
    for bound in form:
        if bound.name in exclude:
            continue
        raw = form.data.get(bound.html_name, "")
        field = bound.field
        if isinstance(field, forms.ChoiceField):
            shown = {str(k): v for k, v in field.choices}.get(str(raw), raw)  # type: ignore[union-attr,misc]
        elif isinstance(field, forms.BooleanField):
            shown = _("Oui") if raw else _("Non")
        else:
            shown = raw
        rows.append((str(bound.label), str(shown) if shown not in ("", None) else "—"))
    return rows
