"""« Tableau de bord »: a supervisor's figures for one of their services, drawn as SVG charts
(backoffice/charts.py) with their data tables.

Every figure comes from an aggregate over the denormalised columns of ``Dossier`` (service,
status, assignee, deadline, transmitted and decided times): the page runs the same few queries
whether the service has ten dossiers or a million (tests/backoffice/test_dashboard.py). Whoever
supervises no service, or asks for a service they do not supervise, gets a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backoffice.charts import Chart, Marker, Series, bar_chart, column_chart, fmt
from instruction.models import Dossier, DossierStatus, Teleservice
from instruction.models.dossier import DECIDED_STATUSES, OPEN_STATUSES
from permissions import access
from permissions.models import InstructingService, User

S = DossierStatus
WEEKS = 12
PROCESSING_WINDOW_DAYS = 90
DAY = 86400


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(fraction) WITHIN GROUP (ORDER BY x)``:
    the continuous percentile (0.5 is the median) of an interval or a number."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


# --- Who may come here ----------------------------------------------------------------------
def supervised_services(request: HttpRequest) -> list[InstructingService]:
    user = cast(User, request.user)
    services = list(InstructingService.objects.filter(supervisors=user).order_by("name")) if user.is_active else []
    if not services:
        raise access.NotVisible
    return services


def chosen_service(services: list[InstructingService], value: str | None) -> InstructingService:
    """The service asked for in ``?service=``, the first one by default; 404 for any other value."""
    if not value:
        return services[0]
    for service in services:
        if str(service.pk) == value:
            return service
    raise access.NotVisible


# --- Figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class KeyFigures:
    open: int
    overdue: int
    queue: int
    oldest_waiting_days: int | None
    by_status: dict[str, int]


def key_figures(service: InstructingService, today: dt.date) -> KeyFigures:
    """Open dossiers, by status and in total, the overdue ones and the queue: one aggregate."""
    queued = Q(status=S.TRANSMITTED, assignee__isnull=True)
    row = Dossier.objects.filter(service=service, status__in=OPEN_STATUSES).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(deadline__lt=today)),
        queue=Count("pk", filter=queued),
        oldest=Min("transmitted_at", filter=queued),
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in OPEN_STATUSES},
    )
    oldest = row["oldest"]
    return KeyFigures(
        open=row["total"],
        overdue=row["overdue"],
        queue=row["queue"],
        oldest_waiting_days=(today - timezone.localdate(oldest)).days if oldest else None,
        by_status={status: row[f"status_{status}"] for status in OPEN_STATUSES},
    )


def week_starts(today: dt.date) -> list[dt.date]:
    """The Mondays of the last WEEKS weeks, this one included, oldest first."""
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _per_week(qs: Any, field: str, since: dt.datetime) -> dict[dt.date, int]:
    rows = (
        qs.filter(**{f"{field}__gte": since})
        .annotate(week=TruncWeek(field))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {timezone.localtime(row["week"]).date(): row["n"] for row in rows}


def weekly_flow(service: InstructingService, today: dt.date) -> list[tuple[dt.date, int, int]]:
    """(Monday, transmitted that week, decided that week) for the last WEEKS weeks: two queries."""
    weeks = week_starts(today)
    since = timezone.make_aware(dt.datetime.combine(weeks[0], dt.time.min))
    dossiers = Dossier.objects.filter(service=service)
    transmitted = _per_week(dossiers.exclude(transmitted_at=None), "transmitted_at", since)
    decided = _per_week(dossiers.filter(status__in=DECIDED_STATUSES), "decided_at", since)
    return [(week, transmitted.get(week, 0), decided.get(week, 0)) for week in weeks]


@dataclass(frozen=True)
class ProcessingTime:
    title: str
    target_days: int
    decided: int
    median_days: float | None
    p90_days: float | None


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / DAY


def processing_times(service: InstructingService, now: dt.datetime) -> list[ProcessingTime]:
    """Per téléservice of the service, from transmission to decision of the dossiers decided in
    the last PROCESSING_WINDOW_DAYS days: their number, median and 90th percentile. One query."""
    recent = Q(
        dossiers__status__in=DECIDED_STATUSES,
        dossiers__decided_at__gte=now - dt.timedelta(days=PROCESSING_WINDOW_DAYS),
        dossiers__transmitted_at__isnull=False,
    )
    duration = ExpressionWrapper(F("dossiers__decided_at") - F("dossiers__transmitted_at"), DurationField())
    rows = (
        Teleservice.objects.filter(instructing_service=service)
        .annotate(
            decided=Count("dossiers", filter=recent),
            median=PercentileCont(duration, 0.5, filter=recent, output_field=DurationField()),
            p90=PercentileCont(duration, 0.9, filter=recent, output_field=DurationField()),
        )
        .order_by("title", "pk")
        .values_list("title", "processing_days", "decided", "median", "p90")
    )
    return [ProcessingTime(title, target, n, _days(median), _days(p90)) for title, target, n, median, p90 in rows]


def agent_name(first_name: str, last_name: str, email: str) -> str:
    return f"{first_name} {last_name}".strip() or email


def overdue_by_agent(service: InstructingService, today: dt.date) -> list[tuple[str, int]]:
    """(agent, open dossiers past their deadline) for each agent of the service — and for whoever
    else still holds some — then the unassigned ones of the queue. Two queries."""
    counts: dict[int | None, int] = {}
    names: dict[int | None, str] = {}
    overdue = (
        Dossier.objects.filter(service=service, status__in=OPEN_STATUSES, deadline__lt=today)
        .values_list("assignee_id", "assignee__first_name", "assignee__last_name", "assignee__email")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for pk, first_name, last_name, email, n in overdue:
        counts[pk] = n
        if pk is not None:
            names[pk] = agent_name(first_name, last_name, email)
    members = User.objects.filter(groups__instructing_service=service, is_active=True).values_list(
        "pk", "first_name", "last_name", "email"
    )
    for pk, first_name, last_name, email in members:
        names[pk] = agent_name(first_name, last_name, email)
    rows = sorted(((names[pk], counts.get(pk, 0)) for pk in names), key=lambda r: (-r[1], r[0].lower()))
    rows.append((_("Non attribués (file « À traiter »)"), counts.get(None, 0)))
    return rows


# --- Charts -----------------------------------------------------------------------------------
def flow_chart(flow: list[tuple[dt.date, int, int]]) -> Chart:
    transmitted, decided = sum(r[1] for r in flow), sum(r[2] for r in flow)
    return column_chart(
        "chart-flow",
        _("Dossiers transmis et décidés par semaine"),
        _("Sur les %(weeks)d dernières semaines, dossiers transmis : %(transmitted)d ; dossiers décidés : %(decided)d.")
        % {"weeks": WEEKS, "transmitted": transmitted, "decided": decided},
        category_header=_("Semaine du"),
        categories=[date_format(week, "d/m") for week, _t, _d in flow],
        row_labels=[date_format(week, "SHORT_DATE_FORMAT") for week, _t, _d in flow],
        series=[Series(_("Transmis"), [r[1] for r in flow]), Series(_("Décidés"), [r[2] for r in flow])],
    )


def status_chart(figures: KeyFigures) -> Chart:
    labels = [str(S(status).label) for status in OPEN_STATUSES]
    values = [figures.by_status[status] for status in OPEN_STATUSES]
    summary = ", ".join(f"{label} : {value}" for label, value in zip(labels, values, strict=True))
    return bar_chart(
        "chart-status",
        _("Dossiers ouverts par statut"),
        ngettext("%(count)d dossier ouvert (%(detail)s).", "%(count)d dossiers ouverts (%(detail)s).", figures.open)
        % {"count": figures.open, "detail": summary},
        category_header=_("Statut"),
        categories=labels,
        series=[Series(_("Dossiers"), values)],
    )


def processing_chart(times: list[ProcessingTime]) -> Chart:
    parts = [
        _("%(title)s : médiane %(median)s jours, 90ᵉ centile %(p90)s jours, délai cible %(target)d jours")
        % {
            "title": t.title,
            "median": fmt(t.median_days, 1),
            "p90": fmt(t.p90_days, 1),
            "target": t.target_days,
        }
        if t.decided
        else _("%(title)s : aucun dossier décidé") % {"title": t.title}
        for t in times
    ]
    description = _("De la transmission à la décision, pour les dossiers décidés ces %(days)d derniers jours.") % {
        "days": PROCESSING_WINDOW_DAYS
    }
    return bar_chart(
        "chart-processing",
        _("Délai de traitement par téléservice (jours)"),
        " ".join([description, *(p + "." for p in parts)]),
        category_header=_("Téléservice"),
        categories=[t.title for t in times],
        series=[
            Series(_("Médiane"), [t.median_days for t in times]),
            Series(_("90ᵉ centile"), [t.p90_days for t in times]),
        ],
        marker=Marker(_("Délai cible"), [t.target_days for t in times]),
        extra_columns=[(_("Dossiers décidés"), [str(t.decided) for t in times])],
        unit=" " + _("j"),
        integer=False,
    )


def overdue_chart(rows: list[tuple[str, int]]) -> Chart:
    total = sum(n for _label, n in rows)
    return bar_chart(
        "chart-overdue",
        _("Dossiers ouverts en retard par agent"),
        ngettext(
            "%(count)d dossier ouvert a dépassé son échéance.",
            "%(count)d dossiers ouverts ont dépassé leur échéance.",
            total,
        )
        % {"count": total},
        category_header=_("Agent"),
        categories=[label for label, _n in rows],
        series=[Series(_("En retard"), [n for _label, n in rows])],
    )


# --- The page ---------------------------------------------------------------------------------
def dashboard(request: HttpRequest) -> HttpResponse:
    services = supervised_services(request)
    service = chosen_service(services, request.GET.get("service"))
    now = timezone.now()
    today = timezone.localdate(now)
    figures = key_figures(service, today)
    charts = [
        flow_chart(weekly_flow(service, today)),
        status_chart(figures),
        processing_chart(processing_times(service, now)),
        overdue_chart(overdue_by_agent(service, today)),
    ]
    context = {"services": services, "service": service, "figures": figures, "charts": charts, "today": today}
    return render(request, "backoffice/supervision/dashboard.html", context)
