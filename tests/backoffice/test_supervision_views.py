"""Supervisors' pages: « Attribuer » on the review screen, « Attribuer la sélection », « Charge de
l'équipe » with an agent's dossiers and the queue, « Mon service », the nav links and the admin —
with the cast on every page, bad input and query budgets."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.models import Dossier, DossierStatus, Event
from permissions.models import InstructingService
from tests.factories import UserFactory, filed_dossier
from tests.instruction.test_transitions import bring_to, snapshot

S = DossierStatus
PARIS = ZoneInfo("Europe/Paris")
REASON = "Congé de l'agent jusqu'à la fin du mois."
ACTORS = ["applicant", "other_citizen", "agent", "other_agent"]


@pytest.fixture
def colleague(cast: Any) -> Any:
    user = UserFactory(email="collegue@exemple.test", first_name="Camille", last_name="Roux")
    cast.service.add_agent(user)
    return user


def page_of(response: Any) -> str:
    return response.content.decode()


def as_user(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


def assign_url(dossier: Dossier) -> str:
    return reverse("backoffice:assign", args=[dossier.reference])


def review_url(dossier: Dossier) -> str:
    return reverse("backoffice:review", args=[dossier.reference])


# --- « Attribuer » on the review screen -----------------------------------------------------
def test_review_supervisor_sees_assign_form_with_service_agents(client, cast, colleague):
    """The supervisor's review screen offers « Attribuer » with the service's agents only."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)

    page = page_of(as_user(client, cast.supervisor).get(review_url(dossier)))

    form = page[page.index(f'action="{assign_url(dossier)}"') :]
    form = form[: form.index("</form>")]
    assert "<h3>Attribuer</h3>" in form and 'name="assign-reason"' in form
    options = re.findall(r'<option value="(\d+)"', form)
    assert sorted(int(pk) for pk in options) == sorted([cast.supervisor.pk, colleague.pk])  # not the assignee


@pytest.mark.parametrize("status", [S.TRANSMITTED, S.IN_INSTRUCTION])
def test_review_agent_not_supervisor_has_no_assign_form(client, cast, status):
    """An agent who does not supervise the service is not offered « Attribuer »."""
    dossier = bring_to(status, cast)

    page = page_of(as_user(client, cast.agent).get(review_url(dossier)))

    assert assign_url(dossier) not in page


def test_review_supervisor_complement_requested_has_no_assign_form(client, cast):
    """During a complement nobody can act, so « Attribuer » is not offered."""
    dossier = bring_to(S.COMPLEMENT_REQUESTED, cast)

    page = page_of(as_user(client, cast.supervisor).get(review_url(dossier)))

    assert assign_url(dossier) not in page


def test_assign_supervisor_post_reassigns_and_history_shows_it(client, cast, colleague):
    """Posting the form reassigns, says so, and the history shows both agents and the reason."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    as_user(client, cast.supervisor)

    response = client.post(assign_url(dossier), {"assign-agent": colleague.pk, "assign-reason": REASON})

    assert response.status_code == 302 and response.url == review_url(dossier)
    dossier.refresh_from_db()
    assert dossier.assignee_id == colleague.pk
    page = page_of(client.get(review_url(dossier)))
    assert f"Le dossier {dossier.reference} est attribué à {colleague}." in page
    assert "Changement d&#x27;agent instructeur" in page
    assert f"De {cast.agent} à {colleague} — motif : Congé de l&#x27;agent jusqu&#x27;à la fin du mois." in page


def test_assign_supervisor_post_queued_goes_to_safe_next(client, cast):
    """From the queue, a safe ``next`` brings the supervisor back where they were; an outside one is ignored."""
    first, second = bring_to(S.TRANSMITTED, cast), bring_to(S.TRANSMITTED, cast)
    as_user(client, cast.supervisor)
    data = {"assign-agent": cast.agent.pk, "assign-reason": REASON}

    response = client.post(assign_url(first), {**data, "next": reverse("backoffice:team_queue")})
    assert response.url == reverse("backoffice:team_queue")
    response = client.post(assign_url(second), {**data, "next": "https://ailleurs.example/"})
    assert response.url == review_url(second)
    assert set(Dossier.objects.values_list("status", "assignee")) == {(S.IN_INSTRUCTION, cast.agent.pk)}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"assign-reason": REASON}, "Ce champ est obligatoire."),
        ({"assign-agent": "abc", "assign-reason": REASON}, "Sélectionnez un choix valide."),
        ({"assign-agent": "other_agent", "assign-reason": REASON}, "Sélectionnez un choix valide."),
        ({"assign-agent": "agent", "assign-reason": "   "}, "Ce champ est obligatoire."),
        ({"assign-agent": "agent", "assign-reason": "x" * 1001}, "au plus 1000 caractères"),
    ],
    ids=["no-agent", "not-a-number", "other-service", "blank-reason", "long-reason"],
)
def test_assign_supervisor_bad_input_shows_form_again(client, cast, data, error):
    """Bad input shows the form again (400) with the error, and changes nothing."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)
    if data.get("assign-agent") in ("agent", "other_agent"):
        data = {**data, "assign-agent": getattr(cast, data["assign-agent"]).pk}

    response = as_user(client, cast.supervisor).post(assign_url(dossier), data)

    assert response.status_code == 400
    assert error in page_of(response) and "Le formulaire contient des erreurs" in page_of(response)
    assert snapshot(dossier) == before


def test_assign_supervisor_status_refused_says_why(client, cast):
    """Posting on a dossier in complement redirects to it with the refusal naming the status."""
    dossier = bring_to(S.COMPLEMENT_REQUESTED, cast)
    before = snapshot(dossier)
    as_user(client, cast.supervisor)

    response = client.post(assign_url(dossier), {"assign-agent": cast.supervisor.pk, "assign-reason": REASON})

    assert response.status_code == 302 and response.url == review_url(dossier)
    assert snapshot(dossier) == before  # before the review page, which logs the supervisor's consultation
    assert "pas possible pour un dossier « Complément d&#x27;information »" in page_of(client.get(response.url))
    page = page_of(client.get(assign_url(dossier)))
    assert "ne peut pas être attribué" in page and 'name="assign-agent"' not in page


def test_assign_supervisor_get_shows_page(client, cast):
    """Without JavaScript or from a link, « Attribuer » is also a page of its own."""
    dossier = bring_to(S.TRANSMITTED, cast)

    response = as_user(client, cast.supervisor).get(assign_url(dossier))

    assert response.status_code == 200
    assert f"Attribuer le dossier {dossier.reference}" in page_of(response)


@pytest.mark.parametrize(("actor", "status"), [*[(a, 404) for a in ACTORS if a != "agent"], ("agent", 403)])
def test_assign_page_not_supervisor_refused(client, cast, actor, status):
    """Citizens and agents of other services get 404; an agent of the service gets 403."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)
    as_user(client, getattr(cast, actor))

    assert client.get(assign_url(dossier)).status_code == status
    response = client.post(assign_url(dossier), {"assign-agent": cast.agent.pk, "assign-reason": REASON})
    assert response.status_code == status
    assert snapshot(dossier) == before


def test_assign_page_anonymous_redirected_to_login(client, cast):
    """Anonymous visitors are sent to the login page."""
    dossier = bring_to(S.TRANSMITTED, cast)

    response = client.post(assign_url(dossier), {"assign-agent": cast.agent.pk, "assign-reason": REASON})

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Dossier.objects.get(pk=dossier.pk).status == S.TRANSMITTED


def test_assign_page_unknown_reference_not_found(client, cast):
    """An unknown reference is a 404, for the supervisor too."""
    as_user(client, cast.supervisor)
    assert client.get(reverse("backoffice:assign", args=["PJL-1999-000001"])).status_code == 404


# --- « Attribuer la sélection » -------------------------------------------------------------
BULK_URL = "/instruction/equipe/attribuer/"


def test_bulk_assign_supervisor_result_page_lists_each_dossier(client, cast, colleague):
    """The result page lists each dossier as « attribué » or « refusé : <raison> »."""
    queued = bring_to(S.TRANSMITTED, cast)
    waiting = bring_to(S.COMPLEMENT_REQUESTED, cast)
    as_user(client, cast.supervisor)
    data = {
        "dossiers": [queued.reference, waiting.reference, "PJL-1999-000001"],
        "bulk-agent": colleague.pk,
        "bulk-reason": REASON,
        "bulk-next": reverse("backoffice:team_queue"),
    }

    response = client.post(BULK_URL, data)

    assert response.status_code == 200
    page = page_of(response)
    assert "1 dossier attribué à Camille Roux, 2 refusés." in page
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", page, re.S)
    assert [(re.sub("<[^>]+>", "", ref), re.sub("<[^>]+>", "", result)) for ref, result in rows] == [
        (queued.reference, "attribué"),
        (
            waiting.reference,
            "refusé : Cette action n&#x27;est pas possible pour un dossier « Complément d&#x27;information ».",
        ),
        ("PJL-1999-000001", "refusé : dossier introuvable"),
    ]
    assert f'href="{reverse("backoffice:team_queue")}"' in page
    assert Dossier.objects.get(pk=queued.pk).assignee_id == colleague.pk


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"bulk-agent": "agent", "bulk-reason": REASON}, "Sélectionnez au moins un dossier."),
        ({"dossiers": ["REF"], "bulk-reason": REASON}, "Ce champ est obligatoire."),
        ({"dossiers": ["REF"], "bulk-agent": "abc", "bulk-reason": REASON}, "Sélectionnez un choix valide."),
        ({"dossiers": ["REF"], "bulk-agent": "other_agent", "bulk-reason": REASON}, "Sélectionnez un choix valide."),
        ({"dossiers": ["REF"], "bulk-agent": "agent", "bulk-reason": ""}, "Ce champ est obligatoire."),
        (
            {"dossiers": ["REF"] * 2 + [f"X-{n}" for n in range(200)], "bulk-agent": "agent", "bulk-reason": REASON},
            "Sélectionnez au plus 200 dossiers à la fois.",
        ),
    ],
    ids=["no-selection", "no-agent", "not-a-number", "other-service-agent", "no-reason", "too-many"],
)
def test_bulk_assign_supervisor_bad_input_keeps_selection(client, cast, data, error):
    """Bad input: a 400 page with the error, the selection kept checked to try again; nothing changes."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)
    data = {k: [dossier.reference if r == "REF" else r for r in v] if k == "dossiers" else v for k, v in data.items()}
    if data.get("bulk-agent") in ("agent", "other_agent"):
        data["bulk-agent"] = getattr(cast, data["bulk-agent"]).pk

    response = as_user(client, cast.supervisor).post(BULK_URL, data)

    assert response.status_code == 400
    page = page_of(response)
    assert error in page
    if data.get("dossiers") and len(data["dossiers"]) < 10:
        assert f'name="dossiers" value="{dossier.reference}" id="dossier-1" checked' in page
    assert snapshot(dossier) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_bulk_assign_not_supervisor_forbidden(client, cast, actor):
    """Whoever is not a supervisor gets 403 on the bulk action, and nothing changes."""
    dossier = bring_to(S.TRANSMITTED, cast)
    before = snapshot(dossier)
    data = {"dossiers": [dossier.reference], "bulk-agent": cast.agent.pk, "bulk-reason": REASON}

    response = as_user(client, getattr(cast, actor)).post(BULK_URL, data)

    assert response.status_code == 403
    assert snapshot(dossier) == before


def test_bulk_assign_get_not_allowed(client, cast):
    """The bulk action only answers POST."""
    assert as_user(client, cast.supervisor).get(BULK_URL).status_code == 405


def test_bulk_assign_anonymous_redirected_to_login(client, cast):
    """Anonymous visitors are sent to the login page."""
    response = client.post(BULK_URL, {"dossiers": ["X"]})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_bulk_assign_supervisor_query_budget(client, cast, colleague, django_assert_max_num_queries):
    """Queries grow with the selection only through each dossier's own transaction."""
    dossiers = [bring_to(S.TRANSMITTED, cast) for _ in range(3)]
    as_user(client, cast.supervisor)
    data = {"dossiers": [d.reference for d in dossiers], "bulk-agent": colleague.pk, "bulk-reason": REASON}

    with django_assert_max_num_queries(12 + 3 * 20):
        assert client.post(BULK_URL, data).status_code == 200


def _render_partial(user: Any, rf: RequestFactory) -> str:
    request = rf.get("/instruction/?page=2")
    request.user = user
    template = Template('{% include "backoffice/_bulk_assign.html" %}')
    return template.render(Context({"request": request, "user": user, "csrf_token": "x"}))


def test_bulk_partial_supervisor_renders_agents_of_their_services(cast, colleague, rf):
    """Inside a list's form, the partial gives the supervisor the agent select, « Motif » and the button."""
    html = _render_partial(cast.supervisor, rf)

    assert f'formaction="{BULK_URL}" formmethod="post"' in html and "Attribuer la sélection" in html
    assert 'name="bulk-reason"' in html and 'name="bulk-next" value="/instruction/?page=2"' in html
    assert '<optgroup label="Service Jeunesse">' in html
    assert sorted(int(pk) for pk in re.findall(r'<option value="(\d+)"', html)) == sorted(
        [cast.agent.pk, cast.supervisor.pk, colleague.pk]
    )
    assert " required" not in html  # would block the list's other buttons


@pytest.mark.parametrize("actor", ["agent", "other_agent"])
def test_bulk_partial_agent_not_supervisor_renders_nothing(cast, rf, actor):
    """For an agent who supervises nothing, the partial is empty."""
    assert _render_partial(getattr(cast, actor), rf).strip() == ""


# --- « Charge de l'équipe » ------------------------------------------------------------------
TEAM_URL = "/instruction/equipe/"


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=PARIS)


@pytest.fixture
def team_data(cast, colleague):
    """Filed 45 days ago (overdue: deadline after 30 days) and 5 days ago, held by various agents."""
    today = timezone.localdate()
    with time_machine.travel(_noon(today - dt.timedelta(days=45)), tick=False):
        old_queued = bring_to(S.TRANSMITTED, cast)
        old_held = bring_to(S.IN_INSTRUCTION, cast)
    with time_machine.travel(_noon(today - dt.timedelta(days=5)), tick=False):
        bring_to(S.TRANSMITTED, cast)
        recent_held = bring_to(S.IN_INSTRUCTION, cast)
        bring_to(S.COMPLEMENT_REQUESTED, cast)
        decided = bring_to(S.ACCEPTED, cast)
        filed_dossier(cast.other_teleservice, cast.other_citizen)
    return {"old_queued": old_queued, "old_held": old_held, "recent_held": recent_held, "decided": decided}


def new_agent(service: InstructingService) -> Any:
    user = UserFactory()
    service.add_agent(user)
    return user


def _row(page: str, label: str) -> list[str]:
    row = page[page.index(f'<th scope="row">{label}') :]
    row = row[: row.index("</tr>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]


def test_team_supervisor_sees_load_per_agent_and_queue(client, cast, colleague, team_data):
    """Per agent: dossiers in charge, in complement, overdue, oldest; the queue size of the service."""
    today = timezone.localdate()
    old_day = (today - dt.timedelta(days=45)).strftime("%d/%m/%Y")

    with time_machine.travel(_noon(today), tick=False):
        response = as_user(client, cast.supervisor).get(TEAM_URL)

    assert response.status_code == 200
    page = page_of(response)
    assert f"File « À traiter » : 2 dossiers\n    (1 en retard, le plus ancien transmis le {old_day})" in page
    agent = f"{cast.agent.first_name} {cast.agent.last_name} ({cast.agent.email})"
    assert _row(page, agent) == ["3", "1", "1", old_day, f"Voir les dossiers de {agent}"]
    assert _row(page, "Camille Roux (collegue@exemple.test)") == ["0", "0", "0", "—", "—"]
    assert "Service Solidarités" not in page


def test_team_supervisor_former_agent_still_holding_dossiers_listed(client, cast, colleague):
    """Someone no longer in the service but holding dossiers stays on the page, flagged."""
    dossier = bring_to(S.IN_INSTRUCTION, cast)
    actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)
    colleague.groups.clear()  # e.g. removed in the administration

    page = page_of(as_user(client, cast.supervisor).get(TEAM_URL))

    assert 'Camille Roux (collegue@exemple.test) <span class="meta">(ne fait plus partie du service)</span>' in page
    assert reverse("backoffice:team_agent", args=[colleague.pk]) in page


@pytest.mark.parametrize("actor", ACTORS)
def test_team_not_supervisor_forbidden(client, cast, actor):
    """The team page is for supervisors: everyone else gets 403."""
    assert as_user(client, getattr(cast, actor)).get(TEAM_URL).status_code == 403


def test_team_anonymous_redirected_to_login(client, cast):
    """Anonymous visitors are sent to the login page."""
    response = client.get(TEAM_URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def _queries(client: Any, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_team_supervisor_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    """The team page costs the same number of queries with 2 or 8 agents and dossiers."""
    as_user(client, cast.supervisor)
    for _ in range(2):
        actions.take(bring_to(S.TRANSMITTED, cast), acting_user=new_agent(cast.service))
    small = _queries(client, TEAM_URL)
    for _ in range(6):
        actions.take(bring_to(S.TRANSMITTED, cast), acting_user=new_agent(cast.service))
        bring_to(S.TRANSMITTED, cast)

    assert _queries(client, TEAM_URL) == small
    with django_assert_max_num_queries(12):
        client.get(TEAM_URL)


# --- An agent's dossiers and the queue ----------------------------------------------------------
def test_team_agent_supervisor_lists_their_dossiers_with_checkboxes(client, cast, team_data):
    """An agent's page lists what they hold (not decided ones) with a checkbox each and the bulk form."""
    response = as_user(client, cast.supervisor).get(reverse("backoffice:team_agent", args=[cast.agent.pk]))

    assert response.status_code == 200
    page = page_of(response)
    checked = re.findall(r'name="dossiers" value="([^"]+)"', page)
    held = Dossier.objects.filter(assignee=cast.agent, status__in=[S.IN_INSTRUCTION, S.COMPLEMENT_REQUESTED])
    assert sorted(checked) == sorted(held.values_list("reference", flat=True)) and len(checked) == 3
    assert team_data["decided"].reference not in page
    assert "Attribuer la sélection" in page and 'data-select-all="Tout sélectionner"' in page


@pytest.mark.parametrize("who", ["other_agent", "applicant", "nobody"])
def test_team_agent_supervisor_outside_their_services_not_found(client, cast, who):
    """An agent of another service, a citizen or an unknown id: 404."""
    pk = 999999 if who == "nobody" else getattr(cast, who).pk
    response = as_user(client, cast.supervisor).get(reverse("backoffice:team_agent", args=[pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_team_agent_not_supervisor_forbidden(client, cast, actor):
    """Agents' pages are for supervisors only."""
    url = reverse("backoffice:team_agent", args=[cast.agent.pk])
    assert as_user(client, getattr(cast, actor)).get(url).status_code == 403


def test_team_agent_supervisor_query_budget(client, cast, django_assert_max_num_queries):
    """The agent's page has a fixed number of queries, whatever the number of dossiers."""
    url = reverse("backoffice:team_agent", args=[cast.agent.pk])
    as_user(client, cast.supervisor)
    bring_to(S.IN_INSTRUCTION, cast)
    small = _queries(client, url)
    for _ in range(4):
        bring_to(S.IN_INSTRUCTION, cast)
    assert _queries(client, url) == small
    with django_assert_max_num_queries(16):
        client.get(url)


def test_team_queue_supervisor_lists_queue_filtered_by_service(client, cast, team_data):
    """The queue page lists the unassigned dossiers of the supervisor's services, per service if asked."""
    as_user(client, cast.supervisor)
    queued = sorted(
        Dossier.objects.filter(service=cast.service, status=S.TRANSMITTED).values_list("reference", flat=True)
    )

    for query in ("", f"?service={cast.service.pk}"):
        page = page_of(client.get(reverse("backoffice:team_queue") + query))
        assert sorted(re.findall(r'name="dossiers" value="([^"]+)"', page)) == queued


@pytest.mark.parametrize("value", ["abc", "other", "-1"])
def test_team_queue_supervisor_bad_service_filter(client, cast, value):
    """A service that is not one of theirs (or not a number) is a 400 with the error."""
    if value == "other":
        value = str(cast.other_teleservice.instructing_service_id)
    response = as_user(client, cast.supervisor).get(reverse("backoffice:team_queue"), {"service": value})
    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in page_of(response)


@pytest.mark.parametrize("actor", ACTORS)
def test_team_queue_not_supervisor_forbidden(client, cast, actor):
    """The queue page for handing dossiers out is for supervisors only."""
    assert as_user(client, getattr(cast, actor)).get(reverse("backoffice:team_queue")).status_code == 403


def test_team_queue_supervisor_query_budget(client, cast):
    """The queue page has a fixed number of queries, whatever the number of dossiers."""
    as_user(client, cast.supervisor)
    url = reverse("backoffice:team_queue")
    bring_to(S.TRANSMITTED, cast)
    small = _queries(client, url)
    for _ in range(4):
        bring_to(S.TRANSMITTED, cast)
    assert _queries(client, url) == small


# --- « Mon service » ---------------------------------------------------------------------------
SERVICE_URL = "/instruction/equipe/service/"


def add_url(service: InstructingService) -> str:
    return reverse("backoffice:add_agent", args=[service.pk])


def remove_url(service: InstructingService, user: Any) -> str:
    return reverse("backoffice:remove_agent", args=[service.pk, user.pk])


def test_my_service_supervisor_sees_agents_teleservices_and_supervisors(client, cast, colleague):
    """« Mon service » shows the service's téléservices, supervisors and agents with what they hold."""
    bring_to(S.IN_INSTRUCTION, cast)

    page = page_of(as_user(client, cast.supervisor).get(SERVICE_URL))

    assert f'<h2 id="service-{cast.service.pk}-title">Service Jeunesse</h2>' in page
    assert cast.teleservice.title in page and "Autre aide" not in page
    assert _row(page, "Camille Roux (collegue@exemple.test)")[0] == "0"
    assert remove_url(cast.service, colleague) in page
    assert remove_url(cast.service, cast.agent) not in page  # holds a dossier: reassign first
    assert reverse("backoffice:team_agent", args=[cast.agent.pk]) in page


def test_my_service_supervisor_adds_agent_by_email(client, cast):
    """« Ajouter » with the e-mail of an existing account makes it an agent of the service."""
    newcomer = UserFactory(email="nouvelle.recrue@exemple.test")
    as_user(client, cast.supervisor)

    response = client.post(add_url(cast.service), {f"service-{cast.service.pk}-email": "nouvelle.recrue@exemple.test"})

    assert response.status_code == 302 and response.url == f"{SERVICE_URL}#service-{cast.service.pk}"
    assert newcomer.groups.filter(pk=cast.service.group_id).exists()
    assert "est maintenant agent du service Service Jeunesse" in page_of(client.get(response.url))
    assert LogEntry.objects.filter(object_id=str(cast.service.pk), user=cast.supervisor).count() == 1


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("", "Ce champ est obligatoire."),
        ("pas-une-adresse", "Saisissez une adresse de courriel valide."),
        ("personne@exemple.test", "Aucun compte actif n&#x27;a cette adresse"),
        ("agent@exemple.test", "est déjà agent de ce service."),
    ],
    ids=["blank", "malformed", "unknown", "already"],
)
def test_my_service_supervisor_add_bad_email_shows_error(client, cast, email, error):
    """A bad e-mail shows « Mon service » again (400) with the error next to the field."""
    members = set(cast.service.group.user_set.values_list("pk", flat=True))

    response = as_user(client, cast.supervisor).post(add_url(cast.service), {f"service-{cast.service.pk}-email": email})

    assert response.status_code == 400
    assert error in page_of(response)
    assert set(cast.service.group.user_set.values_list("pk", flat=True)) == members


def test_my_service_supervisor_removes_agent(client, cast, colleague):
    """« Retirer » takes an agent who holds nothing out of the service."""
    as_user(client, cast.supervisor)

    response = client.post(remove_url(cast.service, colleague))

    assert response.status_code == 302
    assert not colleague.groups.filter(pk=cast.service.group_id).exists()
    assert "ne fait plus partie du service Service Jeunesse" in page_of(client.get(response.url))


def test_my_service_supervisor_remove_agent_holding_dossiers_refused(client, cast):
    """An agent holding dossiers is not removed; the page says to reassign them first."""
    bring_to(S.IN_INSTRUCTION, cast)
    as_user(client, cast.supervisor)

    response = client.post(remove_url(cast.service, cast.agent))

    assert cast.agent.groups.filter(pk=cast.service.group_id).exists()
    assert "attribuez-le d&#x27;abord à un autre agent" in page_of(client.get(response.url))


@pytest.mark.parametrize("actor", ACTORS)
def test_my_service_not_supervisor_forbidden(client, cast, actor):
    """« Mon service » is a supervisor's page: 403 for everyone else."""
    assert as_user(client, getattr(cast, actor)).get(SERVICE_URL).status_code == 403


@pytest.mark.parametrize("actor", [*ACTORS, "supervisor"])
def test_my_service_add_remove_not_supervisor_of_service_not_found(client, cast, actor, colleague):
    """Adding to or removing from a service one does not supervise: 404, nothing changes."""
    service = cast.service if actor != "supervisor" else InstructingService.objects.get(name="Service Solidarités")
    target = colleague if actor != "supervisor" else cast.other_agent
    newcomer = UserFactory(email="nouvelle.recrue@exemple.test")
    as_user(client, getattr(cast, actor))

    assert client.post(add_url(service), {f"service-{service.pk}-email": newcomer.email}).status_code == 404
    assert client.post(remove_url(service, target)).status_code == 404
    assert not newcomer.groups.exists() and target.groups.filter(pk=service.group_id).exists()


def test_my_service_supervisor_remove_non_member_not_found(client, cast):
    """Removing someone who is not an agent of the service: 404."""
    as_user(client, cast.supervisor)
    assert client.post(remove_url(cast.service, cast.applicant)).status_code == 404


def test_my_service_add_get_not_allowed(client, cast):
    """Adding and removing only answer POST."""
    as_user(client, cast.supervisor)
    assert client.get(add_url(cast.service)).status_code == 405
    assert client.get(remove_url(cast.service, cast.agent)).status_code == 405


def test_my_service_supervisor_query_budget(client, cast):
    """« Mon service » has a fixed number of queries, whatever the number of agents."""
    as_user(client, cast.supervisor)
    small = _queries(client, SERVICE_URL)
    for _ in range(5):
        cast.service.add_agent(UserFactory())
    bring_to(S.IN_INSTRUCTION, cast)
    assert _queries(client, SERVICE_URL) == small


# --- Navigation and administration -------------------------------------------------------------
def test_nav_supervisor_has_team_links_agent_does_not(client, cast):
    """« Charge de l'équipe » and « Mon service » are in the menu of supervisors only."""
    links = (f'href="{TEAM_URL}">Charge de l\'équipe</a>', f'href="{SERVICE_URL}">Mon service</a>')
    url = review_url(bring_to(S.TRANSMITTED, cast))
    supervisor_page = page_of(as_user(client, cast.supervisor).get(url))
    agent_page = page_of(as_user(client, cast.agent).get(url))
    assert all(link in supervisor_page for link in links)
    assert not any(link in agent_page for link in links)


def test_admin_service_superuser_edits_agents_and_supervisors(client, cast):
    """In the administration, a service's agents and supervisors are edited on the service itself."""
    admin = UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True)
    newcomer = UserFactory(email="nouvelle.recrue@exemple.test")
    as_user(client, admin)
    url = reverse("admin:permissions_instructingservice_change", args=[cast.service.pk])

    page = page_of(client.get(url))
    assert "Agents" in page and "Superviseurs" in page
    response = client.post(
        url, {"name": "Service Jeunesse", "agents": [cast.agent.pk, newcomer.pk], "supervisors": [newcomer.pk]}
    )

    assert response.status_code == 302, page_of(response)[:2000]
    assert set(cast.service.group.user_set.all()) == {cast.agent, newcomer}
    assert list(cast.service.supervisors.all()) == [newcomer]
    listing = page_of(client.get(reverse("admin:permissions_instructingservice_changelist")))
    assert "Service Jeunesse" in listing


def test_history_event_labels_for_citizen_say_service(client, cast, colleague):
    """The applicant sees the (re)assignment as done by the service, never by whom or why."""
    dossier = bring_to(S.TRANSMITTED, cast)
    actions.assign(dossier, acting_user=cast.supervisor, agent=cast.agent, reason=REASON)
    actions.assign(dossier, acting_user=cast.supervisor, agent=colleague, reason=REASON)
    assert Event.objects.filter(dossier=dossier, action__in=["assign", "reassign"]).count() == 2

    page = page_of(as_user(client, cast.applicant).get(reverse("citizen:dossier", args=[dossier.reference])))

    assert "Attribution à un agent instructeur" in page and "Changement d&#x27;agent instructeur" in page
    assert "par un autre membre de votre organisme" not in page
    assert "Congé" not in page and "Roux" not in page
