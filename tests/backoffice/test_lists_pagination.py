"""Keyset pagination of the agents' lists: « Page suivante » / « Page précédente » carry a cursor on
(sort key, id), so pages neither shift nor skip rows when colleagues add or take dossiers."""

from __future__ import annotations

import base64
import datetime as dt
import html as html_module
import json
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from backoffice.lists import Ordering
from backoffice.views import PAGE_SIZE
from instruction import actions
from tests.backoffice.test_lists import references
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier

QUEUE = reverse("backoffice:queue")
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def get(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def link(page: str, rel: str) -> str | None:
    """The URL of « Page suivante » (rel="next") or « Page précédente » (rel="prev"), if shown."""
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return QUEUE + html_module.unescape(found.group(1)) if found else None


@pytest.fixture
def full_queue(cast: Any) -> list[str]:
    """PAGE_SIZE + 3 queued dossiers, all due the same day: in reference order."""
    with time_machine.travel(DAY, tick=False):
        return [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(PAGE_SIZE + 3)]


def test_queue_agent_pages_forward_and_back(client, cast, full_queue):
    """Page one has 50 rows and « Page suivante »; page two the rest and « Page précédente »,
    which leads back to the same first page."""
    client.force_login(cast.agent)
    first = get(client, QUEUE)
    assert references(first) == full_queue[:PAGE_SIZE]
    assert link(first, "prev") is None and ">Page suivante</a>" in first
    second = get(client, link(first, "next"))
    assert references(second) == full_queue[PAGE_SIZE:]
    assert link(second, "next") is None and ">Page précédente</a>" in second
    back = get(client, link(second, "prev"))
    assert references(back) == full_queue[:PAGE_SIZE]
    assert link(back, "prev") is None and link(back, "next") is not None


def test_queue_agent_pages_stable_when_rows_are_added_before(client, cast, full_queue):
    """Dossiers filed meanwhile with an earlier deadline do not shift the page the agent is on;
    « Page précédente » then shows the 50 rows just before it, and once more the new ones."""
    client.force_login(cast.agent)
    second_url = link(get(client, QUEUE), "next")
    urgent = TeleserviceFactory(instructing_service=cast.service, code="URG", processing_days=5)
    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        added = [filed_dossier(urgent, cast.other_citizen).reference for _ in range(3)]
    second = get(client, second_url)
    assert references(second) == full_queue[PAGE_SIZE:]
    before = get(client, link(second, "prev"))
    assert references(before) == full_queue[:PAGE_SIZE]
    start = get(client, link(before, "prev"))
    assert references(start) == added and link(start, "prev") is None
    assert references(get(client, link(start, "next"))) == full_queue[:PAGE_SIZE]


def test_queue_agent_next_page_skips_nothing_when_rows_are_taken(client, cast, full_queue):
    """A colleague taking dossiers of page one does not make page two skip any row (an offset
    would)."""
    colleague = UserFactory()
    cast.service.add_agent(colleague)
    client.force_login(cast.agent)
    next_url = link(get(client, QUEUE), "next")
    for reference in full_queue[:5]:
        actions.take(cast.teleservice.dossiers.get(reference=reference), acting_user=colleague)
    assert references(get(client, next_url)) == full_queue[PAGE_SIZE:]
    assert references(get(client, QUEUE))[:2] == full_queue[5:7]


def test_queue_agent_pages_keep_filters_and_sort(client, cast, full_queue):
    """The page links keep the search, the filters and the order; the sort links and the
    filter form start again from page one."""
    client.force_login(cast.agent)
    first = get(client, QUEUE + "?q=vesoul&deadline=&sort=-reference")
    assert references(first) == full_queue[::-1][:PAGE_SIZE]
    next_url = link(first, "next")
    assert "q=vesoul" in next_url and "sort=-reference" in next_url and "after=" in next_url
    second = get(client, next_url)
    assert references(second) == full_queue[::-1][PAGE_SIZE:]
    headers = re.findall(r'<th scope="col"[^>]*><a href="([^"]+)"', second)
    assert headers and all("after=" not in h and "before=" not in h for h in headers)
    form = re.search(r'<form method="get".*?</form>', second, re.S).group(0)
    assert 'name="after"' not in form and 'name="before"' not in form


def cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"after": "pas-un-curseur"},
        {"after": "!!!"},
        {"before": "e30"},  # {}
        {"after": cursor(["deadline", "2026-13-45", 1])},
        {"after": cursor(["deadline", "2026-04-01", "1"])},
        {"after": cursor(["deadline", None, 1])},
        {"after": cursor(["-reference", "PJL", 1])},  # a cursor of another order
        {"after": cursor(["transmitted", "2026-04-01T10:00:00", 1]), "sort": "transmitted"},  # naive
        {"after": cursor(["deadline", "2026-04-01", 1, 2])},
        {"after": cursor({"a": 1})},
        {"after": base64.urlsafe_b64encode(b"\xff\xfe").decode()},
    ],
)
def test_queue_agent_bad_cursor_shows_first_page(client, cast, params):
    """A cursor that is not one of this order's (typed, truncated, forged) gives page one."""
    dossiers = [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(2)]
    client.force_login(cast.agent)
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert sorted(references(page)) == sorted(dossiers) and link(page, "prev") is None


def test_queue_agent_cursor_past_the_end_offers_page_one(client, cast):
    """When the rows after a cursor are gone, the page says so and links to page one."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    after = Ordering.parse("deadline").cursor(dossier)
    page = get(client, f"{QUEUE}?q=vesoul&after={after}")
    assert references(page) == []
    assert "Aucun dossier sur cette page" in page and '<a href="/instruction/?q=vesoul">Revenir' in page


def test_ordering_cursor_round_trip_on_every_column(cast):
    """Each sort column's cursor reads back as the row's (value, id), typed, in both directions."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    for param in ["deadline", "-deadline", "transmitted", "-transmitted", "reference", "-reference"]:
        ordering = Ordering.parse(param)
        value, pk = ordering.read_cursor(ordering.cursor(dossier))
        assert (value, pk) == (getattr(dossier, ordering.column.field), dossier.pk), param
