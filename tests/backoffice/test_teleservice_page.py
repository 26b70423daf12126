"""« Fiche du téléservice »: the back-office page of a téléservice with the flow chart of its circuit
(backoffice/teleservices.py, backoffice/templatetags/flow_chart.py), for the agents of its
service, its supervisors and the administrators only; the same chart in the administration."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.module_loading import import_string
from viewflow.workflow import chart as viewflow_chart

from backoffice.templatetags import flow_chart
from instruction import actions
from instruction.models.teleservice import FLOW_CHOICES
from instruction.versions import ensure_current_version
from tests.citizen_portal.test_journey_http import login
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier
from tests.pages import text_of
from workflows.base import InstructionSteps

FLOW_PATHS = [path for path, _label in FLOW_CHOICES]
SHARED_NODES = {name for name in dir(InstructionSteps) if not name.startswith("_")}


def page_url(teleservice):
    return reverse("backoffice:teleservice", args=[teleservice.slug])


def nodes_of(flow_path):
    flow_class = import_string(flow_path)
    return flow_class, list(flow_class.instance.nodes())


@pytest.fixture(autouse=True)
def _fresh_chart_cache():
    flow_chart._cached.cache_clear()
    yield
    flow_chart._cached.cache_clear()


@pytest.mark.parametrize("flow_path", FLOW_PATHS)
def test_chart_every_flow_draws_its_nodes_with_french_titles(flow_path):
    """Every node of the flow is in the SVG and in the list, under a title set in French (never
    Viewflow's default made from the node's English name)."""
    flow_class, nodes = nodes_of(flow_path)
    chart = flow_chart.chart_for(flow_path)
    svg = str(chart.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert f'aria-labelledby="{chart.key}-chart-title {chart.key}-chart-desc"' in svg
    assert f'<title id="{chart.key}-chart-title">Circuit d\'instruction : {chart.label}</title>' in svg
    assert [step.number for step in chart.steps] == list(range(1, len(nodes) + 1))
    assert {step.name for step in chart.steps} == {node.name for node in nodes}
    for node in nodes:
        title = str(node.task_title)
        assert title and title != node.name.replace("_", " ").title(), f"{flow_class.__name__}.{node.name}"
        step = next(step for step in chart.steps if step.name == node.name)
        assert step.title == title
        assert f"<title>{step.number}. {title}</title>".replace("'", "&#x27;") in svg


@pytest.mark.parametrize("flow_path", FLOW_PATHS)
def test_chart_every_flow_holds_only_its_own_tasks(flow_path):
    """The nodes drawn belong to that flow class (not to the shared template nor another flow),
    and no step of another flow's own shows up in it."""
    flow_class, nodes = nodes_of(flow_path)
    assert all(node.flow_class is flow_class for node in nodes)
    names = {step.name for step in flow_chart.chart_for(flow_path).steps}
    for other in FLOW_PATHS:
        if other != flow_path:
            own_to_other = {node.name for node in nodes_of(other)[1]} - SHARED_NODES
            assert not names & (own_to_other - {node.name for node in nodes})


def test_chart_steps_say_what_follows_each_step():
    """The text alternative gives each step's successors by number and name, the timer included."""
    steps = {step.name: step for step in flow_chart.chart_for(FLOW_PATHS[0]).steps}
    number = {name: step.number for name, step in steps.items()}
    assert steps["submission"].next == (f"{number['review']}. Examen du dossier",)
    assert f"{number['await_complement__timeout']}. Échéance du complément" in steps["await_complement"].next
    assert steps["route"].kind == "aiguillage" and steps["review"].kind == "tâche d'une personne"
    assert steps["end"].next == ()


def test_chart_is_drawn_once_per_flow_and_language():
    """Viewflow's layout runs once per flow class; the next pages reuse the drawing."""
    with mock.patch.object(flow_chart, "calc_layout_data", wraps=viewflow_chart.calc_layout_data) as layout:
        first = flow_chart.chart_for(FLOW_PATHS[0])
        assert flow_chart.chart_for(FLOW_PATHS[0]) is first
        flow_chart.chart_for(FLOW_PATHS[1])
    assert layout.call_count == 2


def test_page_agent_of_the_service_sees_fiche_settings_documents_and_chart(client, cast):
    """The title, the fiche, the dates and open state, the service, the delays, the documents,
    the threshold and the chart with its ordered list of steps."""
    cast.teleservice.validation_threshold = 400
    cast.teleservice.save()
    login(client, cast.agent)
    response = client.get(page_url(cast.teleservice))
    assert response.status_code == 200
    page = text_of(response)
    assert "Fiche du téléservice" in page and cast.teleservice.fiche in page
    assert "État Ouvert au dépôt de dossiers" in page
    assert "Service instructeur Service Jeunesse" in page and "Délai d'instruction 30 jours" in page
    assert "Validation par un superviseur pour une acceptation de plus de 400" in page
    assert "Pièces justificatives" in page and "Attestation d'engagement" in page
    html = response.content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="flow-chart-svg"') == 1
    steps = re.search(r'<ol class="flow-chart-steps".*?</ol>', html, re.S)
    assert steps and "Examen du dossier" in steps.group() and "Ensuite :" in steps.group()
    assert "Modifier dans l'administration" not in page


def test_page_documents_are_the_list_edited_in_the_administration(client, cast):
    """The documents shown are the téléservice's current list, with an administrator's wording."""
    ensure_current_version(cast.teleservice)
    cast.teleservice.document_rows.filter(code="rib").update(label="RIB au nom du jeune")
    cast.teleservice.document_rows.filter(code="bail").update(active=False)
    ensure_current_version(cast.teleservice)
    login(client, cast.agent)
    page = text_of(client.get(page_url(cast.teleservice)))
    assert "RIB au nom du jeune — obligatoire" in page and "Bail au nom du demandeur" not in page


def test_page_closed_teleservice_shows_why(client, cast):
    """A téléservice outside its dates says so, with the dates."""
    cast.teleservice.closes_on = "2020-01-31"
    cast.teleservice.save()
    login(client, cast.agent)
    page = text_of(client.get(page_url(cast.teleservice)))
    assert "Ce téléservice a fermé le 31 janvier 2020" in page


def administrator():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_teleservice"))
    return user


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("administrator", 200),
        ("superuser", 200),
        ("other_agent", 404),
        ("applicant", 404),
        ("staff_without_permission", 404),
    ],
)
def test_page_access_cast(client, cast, who, expected):
    """Agents of its service, its supervisors and administrators see it; everyone else a 404."""
    users = {
        "administrator": administrator,
        "superuser": lambda: UserFactory(is_staff=True, is_superuser=True),
        "staff_without_permission": lambda: UserFactory(is_staff=True),
    }
    user = users[who]() if who in users else getattr(cast, who)
    login(client, user)
    assert client.get(page_url(cast.teleservice)).status_code == expected


def test_page_anonymous_is_sent_to_login(client, cast):
    response = client.get(page_url(cast.teleservice))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_page_unknown_slug_is_404(client, cast):
    login(client, cast.agent)
    assert client.get(reverse("backoffice:teleservice", args=["inconnu"])).status_code == 404


def test_page_query_count_is_the_same_for_every_flow(client, cast):
    """A fixed number of queries, whatever the flow (the chart costs none)."""
    teleservices = [
        TeleserviceFactory(instructing_service=cast.service, flow_class_path=path, title=f"Téléservice {index}")
        for index, path in enumerate(FLOW_PATHS)
    ]
    login(client, cast.agent)
    counts = []
    for teleservice in teleservices:
        client.get(page_url(teleservice))  # the first visit may write the téléservice's current version
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(teleservice)).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1 and counts[0] <= 6, counts


def test_list_agent_sees_own_teleservices_with_links(client, cast):
    """« Téléservices » lists those the agent instructs, each linking to its page."""
    login(client, cast.agent)
    response = client.get(reverse("backoffice:teleservices"))
    html = response.content.decode()
    assert f'href="{page_url(cast.teleservice)}"' in html
    assert cast.other_teleservice.title not in html


def test_list_citizen_is_refused(client, cast):
    login(client, cast.applicant)
    assert client.get(reverse("backoffice:teleservices")).status_code == 403


def test_review_screen_links_to_the_teleservice_page(client, cast):
    """The téléservice's name in the review screen's header opens its page."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    html = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert f'<a href="{page_url(cast.teleservice)}">{cast.teleservice.title}</a>' in html


def test_admin_change_page_shows_the_chart(client, cast):
    """The administration's page of a téléservice shows its chart under the form; the add page none."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = client.get(reverse("admin:instruction_teleservice_change", args=[cast.teleservice.pk]))
    html = change.content.decode()
    assert change.status_code == 200 and "Circuit d&#x27;instruction" in html
    assert 'class="flow-chart-svg"' in html and "css/flow-chart.css" in html
    assert f'href="{page_url(cast.teleservice)}"' in html
    add = client.get(reverse("admin:instruction_teleservice_add"))
    assert add.status_code == 200 and 'class="flow-chart-svg"' not in add.content.decode()


def chart_url(dossier):
    return reverse("backoffice:dossier_chart", args=[dossier.reference])


def states_of(html):
    """{step title: "en cours" | "franchie" | ""} read from the list of steps."""
    items = re.findall(r"<li id=\"[a-z_]+-step-\d+\"[^>]*>(.*?)</li>", html, re.S)
    found = {}
    for item in items:
        text = " ".join(re.sub(r"<[^>]+>", " ", item).split())
        title = re.match(r"(.*?) \(", text).group(1).replace("&#x27;", "'")
        found[title] = "en cours" if "étape en cours" in text else "franchie" if "étape franchie" in text else ""
    return found


def test_dossier_chart_shows_steps_done_and_current(client, cast):
    """Transmitted: the transmission is done and the review current; after a complement request,
    the review is done and the complement with its deadline are current."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    response = client.get(chart_url(dossier))
    assert response.status_code == 200
    html = response.content.decode()
    states = states_of(html)
    assert states["Transmission du dossier"] == "franchie" and states["Examen du dossier"] == "en cours"
    assert states["Complément d'information"] == "" and states["Décision"] == ""
    assert html.count('aria-current="step"') == 1 and html.count(' is-current"') == 1

    actions.take(dossier, acting_user=cast.agent)
    actions.request_complement(dossier, acting_user=cast.agent, message="Le bail, svp.")
    states = states_of(client.get(chart_url(dossier)).content.decode())
    assert states["Examen du dossier"] == "franchie" and states["Complément d'information"] == "en cours"
    assert states["Échéance du complément"] == "en cours"


@pytest.mark.parametrize(
    ("who", "expected"), [("agent", 200), ("supervisor", 200), ("other_agent", 404), ("applicant", 404)]
)
def test_dossier_chart_access(client, cast, who, expected):
    """The dossier's circuit is for the agents who may open the dossier; 404 for the others."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, getattr(cast, who))
    assert client.get(chart_url(dossier)).status_code == expected


def test_review_screen_links_to_the_dossier_chart(client, cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    html = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert f'href="{chart_url(dossier)}">circuit du dossier</a>' in html
