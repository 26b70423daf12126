from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, fire, locked_dossier, record
from instruction.models import Dossier, DossierStatus
from instruction.notifications import notify_decision
from workflows import engine

OUTCOMES = (DossierStatus.ACCEPTED, DossierStatus.REJECTED, DossierStatus.CLOSED)


def _validated(outcome: str, amount: Any, motivation: str) -> tuple[str, Decimal | None, str]:
    errors: dict[str, list[str]] = {}
    motivation = (motivation or "").strip()
    if outcome not in OUTCOMES:
        errors["outcome"] = [_("Choisissez une décision : accepter, refuser ou classer sans suite.")]
    value: Decimal | None = None
    if outcome == DossierStatus.ACCEPTED:
        try:
            value = Decimal(str(amount).replace(",", ".").strip())
        except (InvalidOperation, ValueError):
            errors["amount"] = [_("Indiquez le montant accordé, en euros (par exemple 250 ou 250,50).")]
        else:
            if not value.is_finite() or value < 0 or value >= Decimal("100000000"):
                errors["amount"] = [_("Le montant accordé doit être un nombre positif.")]
            else:
                value = value.quantize(Decimal("0.01"))
    elif outcome in (DossierStatus.REJECTED, DossierStatus.CLOSED) and not motivation:
        errors["motivation"] = [_("La motivation est obligatoire pour un refus ou un classement sans suite.")]
    if errors:
        raise InvalidInput(errors)
    return outcome, value, motivation


def decide(dossier: Dossier, *, acting_user: Any, outcome: str, amount: Any = None, motivation: str = "") -> Dossier:
    """Accept (with the amount), reject or close without action; the process then ends."""
    outcome, value, motivation = _validated(outcome, amount, motivation)
    with locked_dossier(dossier, acting_user=acting_user, action="decide") as locked:
        before = fire(locked, locked.decide, outcome)
        locked.decided_at = timezone.now()
        locked.decision_amount = value
        locked.decision_motivation = motivation
        locked.save()
        engine.finish_with_decision(locked)
        record(
            locked,
            acting_user=acting_user,
            action="decide",
            before=before,
            amount=str(value) if value is not None else None,
            motivation=motivation,
        )
        notify_decision(locked)
    return dossier
