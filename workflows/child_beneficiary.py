"""What AFDE and BDS share: a parent files for one child of the foyer, whom the téléservice's
age rule must admit, with the foyer's quotient familial capped by the téléservice's scale."""

from __future__ import annotations

import datetime as dt
from types import ModuleType
from typing import Any, ClassVar

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from instruction.forms import DossierForm
from instruction.models import Foyer, FoyerMember, Organisme, Teleservice


def quotient_familial_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Quotient familial (€)"),
        min_value=0,
        max_value=99999,
        help_text=gettext_lazy("Indiqué sur votre attestation de la CAF ou de la MSA."),
        error_messages={"required": gettext_lazy("Indiquez le quotient familial de votre foyer.")},
    )


class ChildBeneficiaryForm(DossierForm):
    """A subclass declares its ``beneficiary`` and ``quotient_familial`` fields and sets:

    - ``rules``: its rules module, with ``is_eligible_beneficiary(is_child, birth_date, on)`` and
      ``beneficiary_refusal(is_child, birth_date, on)``;
    - ``no_eligible_child``: why a foyer without such a child may not start a dossier;
    - ``qf_is_eligible(qf)`` and ``qf_refusal``: the quotient familial cap and its message."""

    rules: ModuleType
    no_eligible_child: ClassVar[Any]
    qf_refusal: ClassVar[Any]
    beneficiary_field = "beneficiary"

    @classmethod
    def is_eligible(cls, member: FoyerMember, day: dt.date) -> bool:
        return bool(cls.rules.is_eligible_beneficiary(member.link == FoyerMember.Link.CHILD, member.birth_date, day))

    @classmethod
    def qf_is_eligible(cls, quotient_familial: int) -> bool:
        raise NotImplementedError

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sent = self.dossier.transmitted_at
        self.today = timezone.localdate(sent) if sent else timezone.localdate()
        foyer = self.dossier.foyer
        members = list(foyer.members.all()) if foyer is not None else []
        self.offer_beneficiaries(
            [m for m in members if self.is_eligible(m, self.today)],
            lambda m: (
                _("%(name)s (%(age)s ans)") % {"name": f"{m.first_name} {m.last_name}", "age": m.age_on(self.today)}
            ),
        )
        # A member of the foyer who may not benefit: the reason, rather than « not in the list ».
        chosen = str(self.data.get("beneficiary", "") or "") if self.is_bound else ""
        refused = next((m for m in members if str(m.pk) == chosen), None)
        if refused is not None:
            is_child = refused.link == FoyerMember.Link.CHILD
            reason = self.rules.beneficiary_refusal(is_child, refused.birth_date, self.today)
            if reason:
                self.fields["beneficiary"].error_messages["invalid_choice"] = reason

    @classmethod
    def initial_data(cls, *, foyer: Foyer | None) -> dict[str, Any]:
        if foyer is not None and foyer.quotient_familial is not None:
            return {"quotient_familial": str(foyer.quotient_familial)}
        return {}

    @classmethod
    def refusal_to_start(cls, teleservice: Teleservice, *, foyer: Foyer | None, organisme: Organisme | None) -> Any:
        today = timezone.localdate()
        if foyer is not None and not any(cls.is_eligible(m, today) for m in foyer.members.all()):
            return str(cls.no_eligible_child)
        return None

    def clean_quotient_familial(self) -> int:
        value: int = self.cleaned_data["quotient_familial"]
        if not self.qf_is_eligible(value):
            raise forms.ValidationError(str(self.qf_refusal))
        return value
