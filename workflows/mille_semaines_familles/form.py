from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from instruction import blocks
from instruction.blocks import RepeatedBlock
from instruction.documents import DocumentSpec
from instruction.forms import DossierForm
from instruction.models import Foyer, FoyerMember, Organisme, Teleservice
from workflows.amounts import Amount
from workflows.mille_semaines_familles import rules

CHILDREN = "children"


def foyer_children(foyer: Foyer | None) -> list[FoyerMember]:
    if foyer is None:
        return []
    return list(foyer.members.filter(link=FoyerMember.Link.CHILD))


class ChildStayForm(forms.Form):
    """One child's stay (one row of the block)."""

    child = forms.ChoiceField(
        label=_("Enfant"),
        help_text=_("Seuls les enfants du foyer âgés de 4 à 17 ans sont proposés."),
        error_messages={
            "required": _("Choisissez l'enfant qui part en séjour."),
            "invalid_choice": _("Choisissez un enfant de votre foyer proposé dans la liste."),
        },
    )
    organiser = forms.CharField(
        label=_("Organisateur du séjour"),
        max_length=150,
        error_messages={"required": _("Indiquez l'organisateur du séjour.")},
    )
    commune = forms.CharField(
        label=_("Commune du séjour"),
        max_length=100,
        error_messages={"required": _("Indiquez la commune du séjour.")},
    )
    first_day = forms.DateField(
        label=_("Premier jour du séjour"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Indiquez le premier jour du séjour."),
            "invalid": _("Indiquez une date valide, par exemple 15/07/2026."),
        },
    )
    weeks = forms.IntegerField(
        label=_("Nombre de semaines"),
        help_text=_("De 1 à 3 semaines par enfant et par an."),
        widget=forms.NumberInput(attrs={"min": rules.MIN_WEEKS, "max": rules.MAX_WEEKS}),
        error_messages={
            "required": _("Indiquez le nombre de semaines du séjour."),
            "invalid": _("Indiquez un nombre entier de semaines."),
        },
    )

    members: dict[str, FoyerMember]
    today: dt.date

    def clean_weeks(self) -> int:
        weeks: int = self.cleaned_data["weeks"]
        reason = rules.weeks_refusal(weeks)
        if reason:
            raise forms.ValidationError(reason)
        return weeks

    def clean_first_day(self) -> dt.date:
        first_day: dt.date = self.cleaned_data["first_day"]
        reason = rules.first_day_refusal(first_day, self.today)
        if reason:
            raise forms.ValidationError(reason)
        return first_day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        member = self.members.get(str(cleaned.get("child", "")))
        first_day = cleaned.get("first_day")
        if member is not None and first_day is not None:
            reason = rules.child_refusal(member.birth_date, first_day)
            if reason:
                self.add_error("child", reason)
        return cleaned


class MilleSemainesFamillesForm(DossierForm):
    documents = (
        DocumentSpec(
            "avis_imposition",
            _("Dernier avis d'imposition ou de non-imposition"),
            help=_("L'avis le plus récent, toutes les pages."),
        ),
        DocumentSpec("rib", _("Relevé d'identité bancaire (RIB)"), help=_("Au nom du demandeur.")),
        DocumentSpec(
            "attestation_sejour",
            _("Attestation d'inscription au séjour"),
            help=_("Délivrée par l'organisateur : une attestation par enfant, joignez-les toutes."),
        ),
    )
    blocks = {
        CHILDREN: RepeatedBlock(
            ChildStayForm,
            legend=_("Séjours des enfants"),
            row_legend=_("Enfant %(number)s"),
            add_label=_("Ajouter un enfant"),
            help=_("Un enfant par ligne ; un même enfant ne peut figurer qu'une fois."),
            min_rows=1,
            max_rows=8,
            after="quotient_familial",
        )
    }

    quotient_familial = forms.IntegerField(
        label=_("Quotient familial (€)"),
        min_value=0,
        max_value=99999,
        help_text=_("Indiqué sur votre attestation de la CAF ou de la MSA."),
        error_messages={
            "required": _("Indiquez le quotient familial de votre foyer."),
            "invalid": _("Indiquez le quotient familial en euros, sans centimes."),
            "min_value": _("Le quotient familial ne peut pas être négatif."),
        },
    )
    certify = forms.BooleanField(
        label=_("Je certifie sur l'honneur l'exactitude des informations fournies"),
        error_messages={"required": _("Cochez la case pour certifier l'exactitude des informations.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The rows are built by the base class and prepared by configure_row(): what it needs first.
        # The day of the request: the transmission once transmitted, else today (a draft).
        dossier = kwargs["dossier"]
        self.today = timezone.localdate(dossier.transmitted_at) if dossier.transmitted_at else timezone.localdate()
        self.children = foyer_children(dossier.foyer)
        super().__init__(*args, **kwargs)

    def configure_row(self, name: str, row: forms.Form) -> None:
        offered = [m for m in self.children if rules.may_go_within_window(m.birth_date, self.today)]
        field = row.fields["child"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type
        field.choices = [("", _("— Choisir un enfant du foyer —"))] + [
            (str(m.pk), f"{m.first_name} {m.last_name} — {formats.date_format(m.birth_date, 'SHORT_DATE_FORMAT')}")
            for m in offered
        ]
        row.members = {str(m.pk): m for m in offered}  # type: ignore[attr-defined]
        row.today = self.today  # type: ignore[attr-defined]

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        data: dict[str, Any] = {CHILDREN: [blocks.typed_row(cls.blocks[CHILDREN], {})]}
        if foyer is not None and foyer.quotient_familial is not None:
            data["quotient_familial"] = str(foyer.quotient_familial)
        return data

    @classmethod
    def refusal_to_start(cls, teleservice: Teleservice, *, foyer: Foyer | None, organisme: Organisme | None) -> Any:
        today = timezone.localdate()
        if any(rules.is_eligible_child(m.birth_date, today) for m in foyer_children(foyer)):
            return None
        return _(
            "Aucun enfant de votre foyer n'a entre %(min)s et %(max)s ans : ajoutez vos enfants "
            "(lien « Enfant ») dans votre foyer avant de déposer une demande 1000 Semaines."
        ) % {"min": rules.MIN_AGE, "max": rules.MAX_AGE}

    def clean_quotient_familial(self) -> int:
        value: int = self.cleaned_data["quotient_familial"]
        reason = rules.qf_refusal(value)
        if reason:
            raise forms.ValidationError(reason)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows = cleaned.get(CHILDREN, [])
        for index, earlier in rules.duplicates(str(row.get("child", "") or "") for row in rows).items():
            self.add_row_error(
                CHILDREN,
                index,
                "child",
                _("Cet enfant figure déjà dans la demande (%(row)s) : un seul séjour par enfant.")
                % {"row": self.block_rows[CHILDREN].row_legend(earlier)},
            )
        return cleaned

    def amount(self) -> Amount | None:
        qf = str(self.data.get("quotient_familial", ""))
        if not qf.isdigit():
            return None
        names = {str(m.pk): f"{m.first_name} {m.last_name}" for m in self.children}
        stays = []
        for row in blocks.typed_rows(self.blocks[CHILDREN], CHILDREN, self.data):
            weeks = str(row.get("weeks", ""))
            child = names.get(str(row.get("child", "")))
            if child and weeks.isdigit() and rules.weeks_refusal(int(weeks)) is None:
                stays.append(rules.Stay(child, int(weeks)))
        return rules.compute_amount(int(qf), stays)
