"""Query budgets of the agents' lists: the same number of SQL queries with 1 row and with 30,
on every tab, with filters and search, and on a page reached by a cursor."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.lists import Ordering
from instruction import actions
from instruction.models import Dossier
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier
from tests.instruction.test_transitions import DECISION_ARGS

# session, user, the user's téléservices (guardian + supervised), their titles, the page's rows,
# the three counts; « Traités » adds the agents of the services (assignee filter).
BUDGETS = {"backoffice:my_tasks": 7, "backoffice:queue": 7, "backoffice:done": 8}


def _filler(url_name: str, cast: Any) -> Callable[[int], None]:
    """Adds n dossiers to the tab ``url_name`` of cast.agent."""

    def add(n: int) -> None:
        for i in range(n):
            dossier = filed_dossier(cast.teleservice, cast.applicant if i % 2 else cast.other_citizen)
            if url_name != "backoffice:queue":
                actions.take(dossier, acting_user=cast.agent)
            if url_name == "backoffice:done":
                actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS["accepted"])

    return add


def _count(client: Any, url: str, rows: int | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if rows is not None:
        assert response.content.decode().count('name="dossiers"') == rows
    return len(queries)


@pytest.mark.parametrize("url_name", list(BUDGETS))
@pytest.mark.parametrize("filtered", [False, True])
def test_lists_agent_query_count_does_not_grow_with_rows(client, cast, url_name, filtered, django_assert_num_queries):
    """1 row or 30, with or without filters and search: the same, small number of queries."""
    add = _filler(url_name, cast)
    client.force_login(cast.agent)
    url = reverse(url_name)
    if filtered:
        url += f"?q=vesoul&teleservice={cast.teleservice.pk}&sort=-transmitted"
        if url_name == "backoffice:done":
            url += f"&status=accepted&assignee={cast.agent.pk}"
    add(1)
    one = _count(client, url, rows=1)
    assert one == BUDGETS[url_name]
    add(29)
    with django_assert_num_queries(one):
        assert client.get(url).content.decode().count('name="dossiers"') == 30


@pytest.mark.parametrize("url_name", list(BUDGETS))
def test_lists_agent_query_count_same_on_a_deep_page(client, cast, url_name):
    """A page reached by « Page suivante » or « Page précédente » costs the same as page one."""
    _filler(url_name, cast)(3)
    client.force_login(cast.agent)
    first = client.get(reverse(url_name) + "?sort=reference").content.decode()
    rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', first)
    assert len(rows) == 3
    ordering = Ordering.parse("reference")
    middle = Dossier.objects.get(reference=rows[1])
    cursor = ordering.cursor(middle)
    base = _count(client, reverse(url_name) + "?sort=reference")
    assert _count(client, f"{reverse(url_name)}?sort=reference&after={cursor}", rows=1) == base
    assert _count(client, f"{reverse(url_name)}?sort=reference&before={cursor}", rows=1) == base


def test_queue_supervisor_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries):
    """The supervisor's queue, with the bulk action's form, stays flat too."""
    client.force_login(cast.supervisor)
    filed_dossier(cast.teleservice, cast.applicant)
    one = _count(client, reverse("backoffice:queue"), rows=1)
    assert one <= BUDGETS["backoffice:queue"] + 2
    for _ in range(29):
        filed_dossier(cast.teleservice, cast.other_citizen)
    with django_assert_num_queries(one):
        client.get(reverse("backoffice:queue"))


def test_tab_count_capped_beyond_count_cap(client, cast, monkeypatch):
    """Beyond COUNT_CAP a tab says « plus de … » instead of counting an agent's whole history."""
    from backoffice import lists

    monkeypatch.setattr(lists, "COUNT_CAP", 2)
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)

    page = client.get(reverse("backoffice:queue")).content.decode()

    assert '<span class="tab-count">(plus de 2)</span>' in page
