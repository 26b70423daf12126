"""The agents' lists: « Mes tâches », « À traiter », « Traités » — what each tab holds, the cast on
every tab, filters, full-text search, sorting, overdue rows, row selection and bad input.
Keyset pagination is in test_lists_pagination.py, query budgets in test_lists_queries.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, DossierStatus
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier
from tests.instruction.test_transitions import ACTION_ARGS, DECISION_ARGS

S = DossierStatus
TABS = ["backoffice:my_tasks", "backoffice:queue", "backoffice:done"]
CITIZENS = ["applicant", "other_citizen"]


def html(client: Any, url_name: str = "backoffice:queue", expect: int = 200, **params: Any) -> str:
    response = client.get(reverse(url_name), params)
    assert response.status_code == expect, response.content.decode()[:300]
    return response.content.decode()


def references(page: str) -> list[str]:
    """The references of the table's rows, in order."""
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', page)


def counts(page: str) -> dict[str, int]:
    found = re.findall(r'>([^<>]+) <span class="tab-count">\((\d+)\)</span>', page)
    return {label: int(n) for label, n in found}


def take(dossier: Dossier, agent: Any) -> Dossier:
    actions.take(dossier, acting_user=agent)
    return dossier


def decide(dossier: Dossier, agent: Any, outcome: str = S.ACCEPTED) -> Dossier:
    take(dossier, agent)
    actions.decide(dossier, acting_user=agent, **DECISION_ARGS[outcome])
    return dossier


def send_back(dossier: Dossier, agent: Any) -> Dossier:
    take(dossier, agent)
    actions.request_complement(dossier, acting_user=agent, **ACTION_ARGS["request_complement"])
    return dossier


@pytest.fixture
def colleague(cast: Any) -> Any:
    user = UserFactory(email="collegue@exemple.test", first_name="Camille", last_name="Roux")
    cast.service.add_agent(user)
    return user


@pytest.fixture
def board(cast: Any, colleague: Any) -> dict[str, Dossier]:
    """One dossier in each situation the tabs tell apart."""
    return {
        "queued": filed_dossier(cast.teleservice, cast.applicant),
        "mine": take(filed_dossier(cast.teleservice, cast.applicant), cast.agent),
        "colleague": take(filed_dossier(cast.teleservice, cast.other_citizen), colleague),
        "decided": decide(filed_dossier(cast.teleservice, cast.applicant), cast.agent),
        "sent_back": send_back(filed_dossier(cast.teleservice, cast.other_citizen), cast.agent),
        "decided_by_colleague": decide(filed_dossier(cast.teleservice, cast.applicant), colleague, S.REJECTED),
        "draft": filed_dossier(cast.teleservice, cast.applicant, transmit=False),
        "other_service": filed_dossier(cast.other_teleservice, cast.other_citizen),
    }


# --- Access: the cast on every tab -------------------------------------------------------------
@pytest.mark.parametrize("url_name", TABS)
def test_lists_anonymous_redirected_to_login(client, cast, url_name):
    """An anonymous visitor is sent to the login page from every tab."""
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("actor", CITIZENS)
@pytest.mark.parametrize("url_name", TABS)
def test_lists_citizen_forbidden(client, cast, board, actor, url_name):
    """A citizen (applicant or not) gets 403 on every tab: list pages are for agents."""
    client.force_login(getattr(cast, actor))
    page = html(client, url_name, expect=403)
    assert board["queued"].reference not in page


@pytest.mark.parametrize("url_name", TABS)
def test_lists_other_agent_sees_nothing_of_the_service(client, cast, board, url_name):
    """An agent of another service sees none of the service's dossiers, nor their number."""
    client.force_login(cast.other_agent)
    page = html(client, url_name)
    shown = references(page)
    assert all(d.reference not in shown for key, d in board.items() if key != "other_service")
    assert counts(page) == {"Mes tâches": 0, "À traiter": 1, "Traités": 0}
    if url_name == "backoffice:queue":
        assert shown == [board["other_service"].reference]


def test_lists_agent_tabs_hold_their_dossiers(client, cast, board):
    """« Mes tâches »: mine in instruction; « À traiter »: the unassigned queue; « Traités »: what I
    decided or sent back. Drafts, colleagues' work and other services never show."""
    client.force_login(cast.agent)
    mine = html(client, "backoffice:my_tasks")
    assert references(mine) == [board["mine"].reference]
    assert references(html(client, "backoffice:queue")) == [board["queued"].reference]
    assert set(references(html(client, "backoffice:done"))) == {
        board["decided"].reference,
        board["sent_back"].reference,
    }
    assert counts(mine) == {"Mes tâches": 1, "À traiter": 1, "Traités": 2}


def test_lists_agent_tabs_are_in_order_with_current_marked(client, cast, board):
    """The tabs come as « Mes tâches », « À traiter », « Traités », the current one marked for
    assistive technologies; the main menu links to the three."""
    client.force_login(cast.agent)
    page = html(client, "backoffice:done")
    tabs = re.search(r'<nav aria-label="Listes de dossiers">(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r">([^<>]+) <span", tabs) == ["Mes tâches", "À traiter", "Traités"]
    assert re.search(r'href="/instruction/traites/" aria-current="page">Traités', tabs)
    assert "<h1>Traités</h1>" in page
    menu = re.search(r'<nav aria-label="Menu principal">(.*?)</nav>', page, re.S).group(1)
    assert all(reverse(name) in menu for name in TABS)


def test_done_agent_keeps_dossier_sent_back_after_the_answer(client, cast, board):
    """A dossier I sent back stays in « Traités » once the applicant has answered (it is also
    back in « À traiter »): the tab is the history of what I handled."""
    dossier = board["sent_back"]
    actions.answer_complement(dossier, acting_user=dossier.applicant)
    client.force_login(cast.agent)
    assert dossier.reference in references(html(client, "backoffice:done"))
    assert dossier.reference in references(html(client, "backoffice:queue"))


def test_done_supervisor_sees_only_own_decisions(client, cast, board):
    """« Traités » is personal: the supervisor does not find the agents' decisions there."""
    decide(filed_dossier(cast.teleservice, cast.applicant), cast.supervisor, S.CLOSED)
    client.force_login(cast.supervisor)
    page = html(client, "backoffice:done")
    assert len(references(page)) == 1 and board["decided"].reference not in references(page)


def test_done_agent_shows_status_and_assignee_columns(client, cast, board):
    """« Traités » shows each dossier's status in words and who has it now."""
    client.force_login(cast.agent)
    page = html(client, "backoffice:done")
    assert '<span class="status status-accepted">Accepté</span>' in page
    assert "Complément d&#x27;information" in page
    assert '<th scope="col">Agent en charge</th>' in page


@pytest.mark.parametrize("url_name", TABS)
def test_lists_agent_post_not_allowed(client, cast, url_name):
    """The lists only answer GET (the selection form posts to the bulk action's own URL)."""
    client.force_login(cast.agent)
    assert client.post(reverse(url_name)).status_code == 405


# --- Filters ---------------------------------------------------------------------------------
@pytest.fixture
def second_teleservice(cast: Any) -> Any:
    return TeleserviceFactory(instructing_service=cast.service, code="PJS", title="Pack Jeunes — second dispositif")


def test_queue_agent_filters_by_teleservice_of_the_service(client, cast, second_teleservice):
    """The téléservice filter offers the service's téléservices only, and narrows the list."""
    first = filed_dossier(cast.teleservice, cast.applicant)
    second = filed_dossier(second_teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    page = html(client)
    assert f'<option value="{second_teleservice.pk}">Pack Jeunes — second dispositif</option>' in page
    assert f'value="{cast.other_teleservice.pk}"' not in page
    assert references(html(client, teleservice=second_teleservice.pk)) == [second.reference]
    assert references(html(client, teleservice=cast.teleservice.pk)) == [first.reference]


def test_queue_agent_teleservice_of_other_service_refused(client, cast):
    """Asking for another service's téléservice is an error on the field, and shows none of it."""
    mine = filed_dossier(cast.teleservice, cast.applicant)
    theirs = filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    page = html(client, teleservice=cast.other_teleservice.pk)
    assert "Le formulaire contient des erreurs" in page and "Sélectionnez un choix valide" in page
    assert references(page) == [mine.reference] and theirs.reference not in page


@pytest.mark.parametrize(
    "params",
    [
        {"deadline": "demain"},
        {"teleservice": "abc"},
        {"q": "x" * 201},
        {"status": "accepted"},  # no status filter on this tab: ignored
        {"assignee": "none"},  # idem
    ],
)
def test_queue_agent_bad_filter_ignored_with_message(client, cast, params):
    """A bad filter value never fails the page: it is named next to its field (when the tab has
    that field) and the list stays whole."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    page = html(client, **params)
    assert references(page) == [dossier.reference]
    if params.keys() & {"deadline", "teleservice", "q"}:
        assert "Le formulaire contient des erreurs" in page


def test_lists_agent_form_fields_depend_on_the_tab(client, cast):
    """Status and assignee filters only where they vary: on « Traités »."""
    client.force_login(cast.agent)
    queue = html(client)
    done = html(client, "backoffice:done")
    for label in ["Rechercher", "Téléservice", "Échéance"]:
        assert f">{label}\xa0:</label>" in queue and f">{label}\xa0:</label>" in done
    assert ">Statut\xa0:</label>" not in queue and ">Agent en charge\xa0:</label>" not in queue
    assert ">Statut\xa0:</label>" in done and ">Agent en charge\xa0:</label>" in done
    assert ">Filtrer</button>" in queue and '<a href="/instruction/">Réinitialiser</a>' in queue


def test_done_agent_filters_by_status_and_assignee(client, cast, colleague):
    """On « Traités »: by status, by agent in charge (the agents of my services), or unassigned."""
    accepted = decide(filed_dossier(cast.teleservice, cast.applicant), cast.agent)
    sent_back = send_back(filed_dossier(cast.teleservice, cast.other_citizen), cast.agent)
    answered = send_back(filed_dossier(cast.teleservice, cast.applicant), cast.agent)
    actions.answer_complement(answered, acting_user=cast.applicant)
    client.force_login(cast.agent)
    page = html(client, "backoffice:done")
    assert f'<option value="{colleague.pk}">Camille Roux</option>' in page
    assert f'value="{cast.other_agent.pk}"' not in page
    assert references(html(client, "backoffice:done", status=S.ACCEPTED)) == [accepted.reference]
    assert references(html(client, "backoffice:done", status=S.COMPLEMENT_REQUESTED)) == [sent_back.reference]
    assert references(html(client, "backoffice:done", assignee="none")) == [answered.reference]
    assert set(references(html(client, "backoffice:done", assignee=cast.agent.pk))) == {
        accepted.reference,
        sent_back.reference,
    }
    assert references(html(client, "backoffice:done", assignee=colleague.pk)) == []
    page = html(client, "backoffice:done", assignee=cast.other_agent.pk)
    assert "Sélectionnez un choix valide" in page and len(references(page)) == 3


DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_queue_agent_overdue_rows_carry_a_text_badge(client, cast):
    """Past its deadline, a row is marked « En retard » in words (the colour only adds to it);
    « En retard » and « Échéance sous 7 jours » filter the list."""
    with time_machine.travel(DAY, tick=False):
        old = filed_dossier(cast.teleservice, cast.applicant)  # deadline: 30 days later
    with time_machine.travel(DAY + dt.timedelta(days=10), tick=False):
        recent = filed_dossier(cast.teleservice, cast.other_citizen)  # due within the week
    with time_machine.travel(DAY + dt.timedelta(days=35), tick=False):
        fresh = filed_dossier(cast.teleservice, cast.applicant)
        client.force_login(cast.agent)
        page = html(client)
        assert references(page) == [old.reference, recent.reference, fresh.reference]
        rows = re.findall(r"<tr( class=\"row-late\")?>\s*<td class=\"select-cell\">.*?</tr>", page, re.S)
        assert [bool(late) for late in rows] == [True, False, False]
        assert page.count('<span class="badge badge-late">En retard</span>') == 1
        assert references(html(client, deadline="late")) == [old.reference]
        assert references(html(client, deadline="soon")) == [recent.reference]


def test_done_agent_decided_dossier_is_never_late(client, cast):
    """A decided dossier past its deadline is not « En retard »."""
    with time_machine.travel(DAY, tick=False):
        dossier = decide(filed_dossier(cast.teleservice, cast.applicant), cast.agent)
    with time_machine.travel(DAY + dt.timedelta(days=60), tick=False):
        client.force_login(cast.agent)
        page = html(client, "backoffice:done")
        assert references(page) == [dossier.reference] and "badge-late" not in page
        assert references(html(client, "backoffice:done", deadline="late")) == []


# --- Search ----------------------------------------------------------------------------------
@pytest.fixture
def helene(cast: Any) -> Dossier:
    """A dossier whose beneficiary is Hélène, in Héricourt."""
    member = cast.other_citizen.foyer.members.get()
    member.first_name, member.last_name = "Hélène", "Mégard"
    member.save()
    foyer = cast.other_citizen.foyer
    foyer.commune = "Héricourt"
    foyer.save()
    return filed_dossier(cast.teleservice, cast.other_citizen)


def test_queue_agent_search_ignores_accents_and_case(client, cast, helene):
    """« Rechercher »: "helene", "MEGARD" or "hericourt" find Hélène Mégard's dossier in Héricourt."""
    other = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    for text in ["helene", "MEGARD", "hericourt", "Hélène Mégard"]:
        assert references(html(client, q=text)) == [helene.reference], text
    assert set(references(html(client))) == {helene.reference, other.reference}


def test_queue_agent_search_by_exact_reference(client, cast, helene):
    """The reference typed exactly finds its dossier, and only it."""
    other = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    assert references(html(client, q=other.reference)) == [other.reference]
    assert references(html(client, q=f"  {helene.reference} ")) == [helene.reference]


def test_queue_agent_search_applicant_name(client, cast):
    """The applicant's name is searched too."""
    cast.applicant.last_name = "Lefèvre"
    cast.applicant.save()
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    filed_dossier(cast.teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    assert references(html(client, q="lefevre")) == [dossier.reference]


@pytest.mark.parametrize("text", ["zzzz", "le", '"', "-", "& | !"])
def test_queue_agent_search_without_match_says_so(client, cast, helene, text):
    """A search that matches nothing (stop words and punctuation included) says so, without error."""
    client.force_login(cast.agent)
    page = html(client, q=text)
    assert references(page) == [] and "Aucun dossier ne correspond à ces filtres." in page


def test_queue_other_agent_search_finds_nothing_of_the_service(client, cast, helene):
    """Searching never reaches beyond the user's services."""
    client.force_login(cast.other_agent)
    assert references(html(client, q="helene")) == []
    assert references(html(client, q=helene.reference)) == []


# --- Sorting ---------------------------------------------------------------------------------
def test_queue_agent_sorts_by_column_headers(client, cast, second_teleservice):
    """Deadline first by default; the headers sort by reference or transmission, either way,
    with aria-sort on the sorted column and the filters kept."""
    second_teleservice.processing_days = 10
    second_teleservice.save()
    with time_machine.travel(DAY, tick=False):
        a = filed_dossier(cast.teleservice, cast.applicant)  # deadline +30
    with time_machine.travel(DAY + dt.timedelta(days=1), tick=False):
        b = filed_dossier(second_teleservice, cast.applicant)  # deadline +11
    with time_machine.travel(DAY + dt.timedelta(days=2), tick=False):
        c = filed_dossier(cast.teleservice, cast.other_citizen)  # deadline +32
    client.force_login(cast.agent)
    page = html(client)
    assert references(page) == [b.reference, a.reference, c.reference]
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="\?sort=-deadline">Échéance', page)
    assert page.count("aria-sort=") == 1
    by_reference = sorted([a, b, c], key=lambda d: d.reference)
    assert references(html(client, sort="reference")) == [d.reference for d in by_reference]
    assert references(html(client, sort="-reference")) == [d.reference for d in reversed(by_reference)]
    assert references(html(client, sort="-transmitted")) == [c.reference, b.reference, a.reference]
    page = html(client, sort="-transmitted", q="vesoul")
    assert references(page) == [c.reference, b.reference, a.reference]
    assert 'aria-sort="descending"><a href="?q=vesoul&amp;sort=transmitted">Transmis le' in page
    assert '<input type="hidden" name="sort" value="-transmitted">' in page


@pytest.mark.parametrize("sort", ["", "nope", "-", "--deadline", "applicant"])
def test_queue_agent_unknown_sort_falls_back_to_deadline(client, cast, sort):
    """An unknown sort is the default one, not an error."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    page = html(client, sort=sort)
    assert references(page) == [dossier.reference] and 'aria-sort="ascending"><a href="?sort=-deadline">' in page


# --- Row selection, export link ---------------------------------------------------------------
def test_queue_agent_rows_have_labelled_checkboxes_in_one_form(client, cast):
    """Each row has a checkbox named "dossiers" with the reference, labelled « Sélectionner le
    dossier <ref> », inside the selection form; « Tout sélectionner » is offered to the script."""
    first = filed_dossier(cast.teleservice, cast.applicant)
    second = filed_dossier(cast.teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    page = html(client)
    form = re.search(r'<form method="post" class="task-list-form" data-lists-selection>(.*?)</form>', page, re.S)
    assert form is not None
    for dossier in (first, second):
        ref = dossier.reference
        assert (
            f'<input type="checkbox" name="dossiers" value="{ref}" id="select-{ref}">'
            f'<label for="select-{ref}" class="visually-hidden">Sélectionner le dossier {ref}</label>'
        ) in form.group(1)
    assert 'data-lists-select-all="Tout sélectionner"' in form.group(1)
    assert '<script src="/static/js/backoffice-lists.js" defer></script>' in page


def test_queue_supervisor_bulk_form_is_inside_the_selection_form(client, cast):
    """The supervisor gets the bulk action's fields and button inside the same form as the rows."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.supervisor)
    page = html(client)
    form = re.search(r"<form method=\"post\" class=\"task-list-form\" data-lists-selection>(.*?)</form>", page, re.S)
    assert "Attribuer la sélection" in form.group(1) and f'value="{dossier.reference}"' in form.group(1)
    client.force_login(cast.agent)
    assert "Attribuer la sélection" not in html(client)


def test_queue_agent_export_link_keeps_filters(client, cast):
    """« Exporter (CSV) » and « Exporter (XLSX) » export the list as filtered and sorted."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    page = html(client, q="vesoul", sort="-reference", deadline="late")
    assert 'action="/instruction/exporter/a-traiter/?q=vesoul&amp;deadline=late&amp;sort=-reference"' in page
    assert ">Exporter (CSV)</button>" in page and ">Exporter (XLSX)</button>" in page


def test_lists_agent_empty_tab_says_so(client, cast):
    """An empty tab says it is empty, with no table."""
    client.force_login(cast.agent)
    page = html(client, "backoffice:my_tasks")
    assert "Aucun dossier dans cette liste." in page and "<table" not in page


def test_queue_agent_today_is_local(client, cast):
    """« En retard » counts in local days (Europe/Paris), not UTC ones."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
    deadline = dossier.deadline
    # 23:30 UTC the day of the deadline is already the next day in Paris: late.
    late_evening = dt.datetime.combine(deadline, dt.time(23, 30), tzinfo=dt.UTC)
    with time_machine.travel(late_evening, tick=False):
        assert timezone.localdate() > deadline
        client.force_login(cast.agent)
        assert "badge-late" in html(client)
