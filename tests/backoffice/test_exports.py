"""« Exporter (CSV) »: the current list of a tab (same filters and order, every page), streamed,
for French Excel (UTF-8 with BOM, ';'), French headers, only what the agent may see."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.views import PAGE_SIZE
from instruction import actions
from tests.factories import filed_dossier
from tests.instruction.test_transitions import DECISION_ARGS

HEADERS = [
    "Référence",
    "Téléservice",
    "Statut",
    "Demandeur",
    "Courriel du demandeur",
    "Bénéficiaire",
    "Commune",
    "Agent en charge",
    "Transmis le",
    "Échéance",
    "En retard",
    "Décidé le",
    "Montant accordé (€)",
]
SLUGS = ["mes-taches", "a-traiter", "traites"]
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def export(client: Any, slug: str = "a-traiter", expect: int = 200, **params: Any) -> Any:
    response = client.get(reverse("backoffice:export", args=[slug]), params)
    assert response.status_code == expect
    return response


def rows_of(response: Any) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_export_agent_queue_is_csv_for_french_excel(client, cast):
    """UTF-8 with BOM, ';' separator, CRLF lines, French headers, a file name with the tab and the day."""
    with time_machine.travel(DAY, tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        client.force_login(cast.agent)
        response = export(client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dossiers-a-traiter-2026-03-02.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeffRéférence;Téléservice;Statut;".encode())
    assert body.count(b"\r\n") == 2
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    beneficiary = cast.applicant.foyer.members.get()
    assert rows[0] == HEADERS
    assert rows[1] == [
        dossier.reference,
        cast.teleservice.title,
        "Transmis",
        f"{cast.applicant.first_name} {cast.applicant.last_name}",
        cast.applicant.email,
        f"{beneficiary.first_name} {beneficiary.last_name}",
        "Vesoul",
        "",
        "02/03/2026 10:00",
        "01/04/2026",
        "Non",
        "",
        "",
    ]


def test_export_agent_done_has_decision_date_and_amount(client, cast):
    """« Traités »: status, agent, decision date and the amount with a decimal comma."""
    with time_machine.travel(DAY, tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        actions.take(dossier, acting_user=cast.agent)
        actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250.5")
    client.force_login(cast.agent)
    rows = rows_of(export(client, "traites"))
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["Statut"] == "Accepté" and row["Décidé le"] == "02/03/2026 10:00"
    assert row["Montant accordé (€)"] == "250,50"
    assert row["Agent en charge"] == f"{cast.agent.first_name} {cast.agent.last_name}"


def test_export_agent_all_pages_with_filters_and_order(client, cast):
    """Every page of the filtered list, in its order, not only the page shown."""
    with time_machine.travel(DAY, tick=False):
        mine = [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(PAGE_SIZE + 2)]
    with time_machine.travel(DAY + dt.timedelta(days=40), tick=False):
        recent = filed_dossier(cast.teleservice, cast.other_citizen).reference
        client.force_login(cast.agent)
        everything = rows_of(export(client, sort="-reference"))
        assert [row[0] for row in everything[1:]] == sorted([*mine, recent], reverse=True)
        late = rows_of(export(client, deadline="late"))
        assert [row[0] for row in late[1:]] == mine
        assert {row[10] for row in late[1:]} == {"Oui"}
        assert [row[0] for row in rows_of(export(client, q=recent))[1:]] == [recent]


def test_export_agent_neutralises_formulas(client, cast):
    """A name that a spreadsheet would run as a formula is written as text."""
    cast.applicant.last_name = '=HYPERLINK("http://exemple.test","clic")'
    cast.applicant.first_name = ""
    cast.applicant.save()
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    row = rows_of(export(client))[1]
    assert row[3] == '\'=HYPERLINK("http://exemple.test","clic")'


@pytest.mark.parametrize("slug", SLUGS)
def test_export_other_agent_gets_nothing_of_the_service(client, cast, slug):
    """An agent of another service exports only their own service's dossiers."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS["accepted"])
    filed_dossier(cast.teleservice, cast.applicant)
    theirs = filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.other_agent)
    rows = rows_of(export(client, slug))
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == ([theirs.reference] if slug == "a-traiter" else [])


@pytest.mark.parametrize("actor", ["applicant", "other_citizen"])
@pytest.mark.parametrize("slug", SLUGS)
def test_export_citizen_forbidden(client, cast, actor, slug):
    """Citizens get 403 on the exports, as on the lists."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(getattr(cast, actor))
    response = export(client, slug, expect=403)
    assert b"PJL-" not in response.content


def test_export_anonymous_redirected_to_login(client, cast):
    """An anonymous visitor is sent to the login page."""
    response = client.get(reverse("backoffice:export", args=["a-traiter"]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_export_agent_unknown_tab_not_found(client, cast):
    """Only the three tabs can be exported."""
    client.force_login(cast.agent)
    export(client, "tous", expect=404)


@pytest.mark.parametrize(
    "params",
    [{"teleservice": "999999"}, {"deadline": "hier"}, {"q": "x" * 201}],
)
def test_export_agent_invalid_filter_refused(client, cast, params):
    """An invalid filter gives 400, not a wider export than the agent asked for."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    response = export(client, expect=400, **params)
    assert "Les filtres ne sont pas valides" in response.content.decode()


def test_export_agent_other_service_teleservice_refused(client, cast):
    """Another service's téléservice is not a valid filter: 400, nothing of theirs."""
    filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    export(client, expect=400, teleservice=cast.other_teleservice.pk)


def test_export_agent_post_not_allowed(client, cast):
    """The export only answers GET."""
    client.force_login(cast.agent)
    assert client.post(reverse("backoffice:export", args=["a-traiter"])).status_code == 405


def test_export_agent_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries):
    """The export reads its rows in chunks from one server-side cursor: the same queries for
    1 row or 30."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with CaptureQueriesContext(connection) as one:
        assert len(rows_of(export(client))) == 2
    for _ in range(29):
        filed_dossier(cast.teleservice, cast.other_citizen)
    with django_assert_num_queries(len(one)):
        assert len(rows_of(export(client))) == 31
