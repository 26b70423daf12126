"""Palmarès: after instruction, the jury visits the commune, then ranks it (the decision).

« Programmer la visite du jury » (a day), « Enregistrer le compte rendu » (the jury's report),
« Classer la commune » (a prize category: the decision, with its letter and e-mail)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from instruction.actions.base import InvalidInput, ensure_allowed, fire, locked_dossier, record
from instruction.models import Dossier
from instruction.notifications import notify_decision, notify_jury_visit
from workflows import engine
from workflows.palmares import rules

VISIT_HORIZON_DAYS = 365


def _visit_day(value: Any) -> dt.date:
    day = value if isinstance(value, dt.date) else parse_date(str(value or "").strip() or "-")
    if day is None:
        raise InvalidInput({"visit_on": [_("Indiquez la date de la visite du jury, par exemple 15/07/2027.")]})
    today = timezone.localdate()
    if not today <= day <= today + dt.timedelta(days=VISIT_HORIZON_DAYS):
        raise InvalidInput(
            {"visit_on": [_("La visite du jury doit avoir lieu entre aujourd'hui et dans un an au plus tard.")]}
        )
    return day


def schedule_visit(dossier: Dossier, *, acting_user: Any, visit_on: Any, message: str = "") -> Dossier:
    """The registration is complete: the jury will visit on ``visit_on``; the commune is told."""
    with locked_dossier(dossier, acting_user=acting_user, action="schedule_visit") as locked:
        ensure_allowed(locked, locked.schedule_visit)
        day = _visit_day(visit_on)
        before = fire(locked, locked.schedule_visit)
        locked.jury_visit_on = day
        locked.save()
        engine.schedule_jury_visit(locked)
        record(
            locked,
            acting_user=acting_user,
            action="schedule_visit",
            before=before,
            visit_on=day.isoformat(),
            message=(message or "").strip(),
        )
        notify_jury_visit(locked, (message or "").strip())
    return dossier


def report_visit(dossier: Dossier, *, acting_user: Any, report: str) -> Dossier:
    """The jury's report of its visit; the dossier then waits for the ranking."""
    report = (report or "").strip()
    with locked_dossier(dossier, acting_user=acting_user, action="report_visit") as locked:
        ensure_allowed(locked, locked.report_visit)
        if not report:
            raise InvalidInput({"report": [_("Rédigez le compte rendu de la visite du jury.")]})
        if locked.jury_visit_on and locked.jury_visit_on > timezone.localdate():
            raise InvalidInput(
                {
                    "report": [
                        _("La visite est prévue le %(day)s : son compte rendu s'enregistre après.")
                        % {"day": locked.jury_visit_on.strftime("%d/%m/%Y")}
                    ]
                }
            )
        before = fire(locked, locked.report_visit)
        locked.jury_report = report[:8000]
        locked.save()
        engine.report_jury_visit(locked)
        record(locked, acting_user=acting_user, action="report_visit", before=before, report=locked.jury_report)
    return dossier


def rank(dossier: Dossier, *, acting_user: Any, prize: str, motivation: str = "") -> Dossier:
    """The jury's ranking: a prize category, whose amount follows the rules; it is the decision
    (event ``decide``, so that the letter and the e-mail go as for any decision)."""
    with locked_dossier(dossier, acting_user=acting_user, action="rank") as locked:
        ensure_allowed(locked, locked.rank)
        amount = rules.prize_amount(prize, str(locked.data.get("population_category", "")))
        if amount.value is None:
            raise InvalidInput({"prize": [_("Choisissez la catégorie de prix attribuée par le jury.")]})
        before = fire(locked, locked.rank)
        locked.prize = prize
        locked.decided_at = timezone.now()
        locked.decision_amount = amount.value
        locked.decision_motivation = (motivation or "").strip() or str(rules.PRIZES[prize])
        locked.save()
        engine.finish_ranking(locked)
        record(
            locked,
            acting_user=acting_user,
            action="decide",
            before=before,
            amount=str(amount.value),
            motivation=locked.decision_motivation,
            prize=prize,
            reasoning=amount.reasoning,
        )
        notify_decision(locked)
    return dossier
