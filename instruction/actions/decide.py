from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.forms import form_for
from instruction.models import Dossier, DossierStatus
from instruction.models.dossier import has_jury_visit
from instruction.notifications import notify_decision
from permissions import access
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
    """Accept (with the amount), reject or close without action; the process then ends. Above
    the téléservice's threshold, the decision is proposed to a supervisor instead: the applicant
    keeps seeing « En cours d'instruction » until it is validated."""
    outcome, value, motivation = _validated(outcome, amount, motivation)
    with locked_dossier(dossier, acting_user=acting_user, action="decide") as locked:
        ensure_allowed(locked, locked.decide)
        computed = _check_against_rules(locked, outcome, value, motivation)
        if locked.teleservice.needs_validation(outcome, value):
            before = fire(locked, locked.propose_decision)
            locked.proposed_outcome = outcome
            locked.decision_amount = value
            locked.decision_motivation = motivation
            locked.save()
            engine.propose_decision(locked)
            record(
                locked,
                acting_user=acting_user,
                action="propose_decision",
                before=before,
                outcome=outcome,
                amount=str(value) if value is not None else None,
                motivation=motivation,
                threshold=str(locked.teleservice.validation_threshold),
                **computed,
            )
            return dossier
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
            **computed,
        )
        notify_decision(locked)
    return dossier


def _check_against_rules(dossier: Dossier, outcome: str, value: Decimal | None, motivation: str) -> dict[str, Any]:
    """An acceptance follows the amount the téléservice's rules compute from the filed data; a
    different amount (or an acceptance the rules would not grant) needs a motivation, and the
    event keeps both. Palmarès communes are accepted only by their ranking, after the visit."""
    if outcome != DossierStatus.ACCEPTED:
        return {}
    if has_jury_visit(dossier):
        raise InvalidInput(
            {
                "outcome": [
                    _("Une commune inscrite au Palmarès est classée après la visite du jury : programmez la visite.")
                ]
            }
        )
    computed = form_for(dossier)(data=dossier.data, dossier=dossier).amount()
    if computed is None:
        return {}
    if computed.value == value:
        return {"computed_amount": str(computed.value)}
    if not motivation:
        if computed.value is None:
            message = _(
                "Les règles du téléservice n'accordent pas cette aide : justifiez l'acceptation dans la motivation."
            )
        else:
            message = _("Le montant diffère du montant calculé (%(computed)s €) : justifiez-le dans la motivation.") % {
                "computed": computed.value
            }
        raise InvalidInput({"motivation": [message]})
    return {"computed_amount": str(computed.value) if computed.value is not None else None, "overridden": True}


def validate_decision(dossier: Dossier, *, acting_user: Any) -> Dossier:
    """« Valider la décision »: a supervisor of the service makes the agent's proposal the
    decision; it then reaches the applicant as any decision does (letter, e-mail)."""
    with locked_dossier(dossier, acting_user=acting_user, action="validate_decision") as locked:
        proposer = locked.assignee_id
        before = fire(locked, locked.validate_decision)
        locked.decided_at = timezone.now()
        locked.proposed_outcome = ""
        locked.save()
        engine.validate_decision(locked, acting_user)
        record(
            locked,
            acting_user=acting_user,
            action="decide",
            before=before,
            amount=str(locked.decision_amount) if locked.decision_amount is not None else None,
            motivation=locked.decision_motivation,
            validated=True,
            proposed_by=proposer,
        )
        notify_decision(locked)
    return dossier


def send_back_decision(dossier: Dossier, *, acting_user: Any, reason: str) -> Dossier:
    """« Renvoyer à l'agent »: the proposal is not validated; the agent who made it gets the
    dossier back in instruction, with the supervisor's reason in the history."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": [_("Indiquez à l'agent pourquoi la décision n'est pas validée.")]})
    with locked_dossier(dossier, acting_user=acting_user, action="send_back_decision") as locked:
        ensure_allowed(locked, locked.send_back_decision)
        agent = locked.assignee
        if agent is None or locked.teleservice_id not in access.instructed_teleservice_ids(agent):
            agent = acting_user  # the proposer left the service: the supervisor takes it over
        before = fire(locked, locked.send_back_decision)
        proposed = {"outcome": locked.proposed_outcome, "amount": str(locked.decision_amount)}
        locked.assignee = agent
        locked.proposed_outcome = ""
        locked.decision_amount = None
        locked.decision_motivation = ""
        locked.save()
        engine.send_back_decision(locked, acting_user, agent)
        record(
            locked,
            acting_user=acting_user,
            action="send_back_decision",
            before=before,
            reason=reason,
            proposed=proposed,
            agent=agent.pk,
        )
    return dossier
