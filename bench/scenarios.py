"""The scenarios of ``make bench``: the agents' pages and the citizen's « Demandes » through the
whole Django stack (test client, in-process), the actions through the actions layer (flow
included), Viewflow's stock queue for the same agent on the same data (the peer), and the SQL of
our queue page alone through a raw cursor (the floor)."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from backoffice.exports import rows, write_csv
from backoffice.lists import Ordering
from bench.actors import Actors, fresh_drafts, queued
from bench.measure import Result, measure
from instruction import actions
from instruction.actions.assign import service_agents
from instruction.models import Dossier, DossierStatus, Teleservice
from permissions.models import User

S = DossierStatus
PAGE_ROWS = 50  # backoffice.views.PAGE_SIZE
DEEP_PAGE = 200


class PageFailed(RuntimeError):
    pass


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> Callable[[int], Any]:
    def run(_i: int) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise PageFailed(f"{url}: HTTP {response.status_code}")

    return run


def _queue(actors: Actors) -> Any:
    return Dossier.objects.filter(
        teleservice_id__in=actors.teleservice_ids, status=S.TRANSMITTED, assignee__isnull=True
    )


def deep_page_url(actors: Actors) -> tuple[str, int]:
    """The queue's page 200 (or its last page on a small database) by its keyset cursor."""
    total = _queue(actors).count()
    page = max(1, min(DEEP_PAGE, (total - 1) // PAGE_ROWS + 1))
    ordering = Ordering.parse(None)
    if page == 1:
        return reverse("backoffice:queue"), 1
    last_of_previous = _queue(actors).order_by(*ordering.order_by())[(page - 1) * PAGE_ROWS - 1]
    return f"{reverse('backoffice:queue')}?after={ordering.cursor(last_of_previous)}", page


def search_url(actors: Actors) -> str:
    """A filter (the busiest téléservice) and a full-text search on the commonest surname."""
    queue = _queue(actors)
    row = queue.values("teleservice_id").annotate(n=Count("pk")).order_by("-n").first()
    name = (queue.values("applicant__last_name").annotate(n=Count("pk")).order_by("-n").first() or {}).get(
        "applicant__last_name"
    ) or "Martin"
    teleservice = row["teleservice_id"] if row else actors.teleservice_ids[0]
    return f"{reverse('backoffice:queue')}?q={name}&teleservice={teleservice}"


def page_scenarios(actors: Actors, warmup: int, repeat: int) -> list[Result]:
    agent, citizen = _client(actors.agent), _client(actors.citizen)
    # A dossier with a message thread (the shape most dossiers under review have), so that the
    # review screen is compared like for like at 10,000 and 1,000,000 dossiers.
    held = Dossier.objects.filter(assignee=actors.agent, status=S.IN_INSTRUCTION)
    review = held.filter(messages__isnull=False).order_by("pk").first() or held.order_by("pk").first()
    if review is None:
        raise SystemExit("L'agent n'a aucun dossier en cours d'instruction : lancez d'abord seed_load.")
    deep, _page = deep_page_url(actors)
    pages = {
        "inbox": (agent, reverse("backoffice:my_tasks")),
        "queue": (agent, reverse("backoffice:queue")),
        "queue_search": (agent, search_url(actors)),
        "queue_page_200": (agent, deep),
        "review": (agent, reverse("backoffice:review", args=[review.reference])),
        "citizen_dossiers": (citizen, reverse("citizen:dossiers")),
    }
    return [measure(name, _get(client, url), warmup=warmup, repeat=repeat) for name, (client, url) in pages.items()]


def peer_and_floor(actors: Actors, warmup: int, repeat: int) -> list[Result]:
    flow_classes = list({t.flow_class for t in Teleservice.objects.filter(pk__in=actors.teleservice_ids)})
    agent = User.objects.get(pk=actors.agent.pk)

    def stock_queue(_i: int) -> None:
        # As WorkflowQueueListView lists it: its queryset, paginated by 25 with a count, each row
        # showing its process and node (columns process_brief, flow_task, brief).
        fresh = User.objects.get(pk=agent.pk)  # no permission cache carried between runs
        page = Paginator(Task.objects.queue(flow_classes, fresh).order_by("-created"), 25).page(1)
        for task in page.object_list:
            str(task.process.brief) + str(task.flow_task) + str(task.brief)

    # The SQL of our queue page's rows, captured from the page itself, run alone.
    client = _client(actors.agent)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("backoffice:queue"))
    sql = next(q["sql"] for q in captured.captured_queries if re.search(rf"LIMIT {PAGE_ROWS + 1}\b", q["sql"]))

    def floor(_i: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    return [
        measure("viewflow_stock_queue", stock_queue, warmup=warmup, repeat=repeat),
        measure("sql_floor_queue", floor, warmup=warmup, repeat=repeat),
    ]


def action_scenarios(actors: Actors, warmup: int, repeat: int) -> list[Result]:
    """Each run acts on its own dossier: drafts filed for the purpose, queued dossiers (taken
    beforehand, untimed, for the complement and the decision)."""
    n = warmup + repeat
    drafts = fresh_drafts(actors, n)
    agent, citizen = actors.agent, actors.citizen
    waiting = queued(actors, 3 * n)
    if len(waiting) < 3 * n:
        raise SystemExit(f"Pas assez de dossiers en file pour {n} exécutions de chaque action : augmentez --dossiers.")
    to_take, to_ask, to_accept = waiting[:n], waiting[n : 2 * n], waiting[2 * n :]
    for dossier in to_ask + to_accept:
        actions.take(dossier, acting_user=agent)
    due = timezone.localdate() + dt.timedelta(days=15)
    runs: dict[str, Callable[[int], Any]] = {
        "transmit": lambda i: actions.transmit(drafts[i], acting_user=citizen),
        "take": lambda i: actions.take(to_take[i], acting_user=agent),
        "request_complement": lambda i: actions.request_complement(
            to_ask[i], acting_user=agent, message="Joignez le bail signé.", due=due
        ),
        "decide": lambda i: actions.decide(
            to_accept[i], acting_user=agent, outcome=S.REJECTED, motivation="Ressources trop élevées."
        ),
    }
    return [measure(name, run, warmup=warmup, repeat=repeat) for name, run in runs.items()]


def bulk_reassign(actors: Actors, count: int = 1000) -> dict[str, Any]:
    """A supervisor moves ``count`` dossiers in instruction to one agent of the service in one
    « Attribuer la sélection » (``bulk_assign``). The agent who holds the fewest receives them,
    so that every run of the benchmark finds ``count`` dossiers held by others."""
    service = actors.services[0]
    agents = service_agents(service.pk).exclude(supervised_services=service)
    load = {
        row["assignee_id"]: row["n"]
        for row in Dossier.objects.filter(service=service, status=S.IN_INSTRUCTION)
        .values("assignee_id")
        .annotate(n=Count("pk"))
    }
    target = min(agents, key=lambda agent: (load.get(agent.pk, 0), agent.pk))
    references = list(
        Dossier.objects.filter(service=service, status=S.IN_INSTRUCTION)
        .exclude(assignee=target)
        .order_by("pk")
        .values_list("reference", flat=True)[:count]
    )
    start = time.perf_counter()
    outcomes = actions.bulk_assign(
        references, acting_user=actors.supervisor, agent=target, reason="Rééquilibrage de la charge (mesure)."
    )
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 3), "dossiers": sum(1 for outcome in outcomes if outcome.assigned)}


def export_csv(actors: Actors, count: int = 100_000) -> dict[str, Any]:
    """The CSV writer (rows read by a server-side cursor) over ``count`` dossiers in the lists'
    order, to /dev/null: its time and, in bench/run.py, the peak memory of the process."""
    dossiers = Dossier.objects.exclude(status=S.DRAFT).order_by(*Ordering.parse(None).order_by())[:count]
    start = time.perf_counter()
    with open("/dev/null", "wb") as sink:
        written = write_csv(rows(dossiers, timezone.localdate()), sink)
    return {"seconds": round(time.perf_counter() - start, 3), "rows": written}
