"""« Tableau de bord »: the supervisor's figures on known data, who may see it, its query budget
and its SVG charts (well-formed, accessible, escaped), with the charts module on its own."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from backoffice.charts import Marker, Series, axis, bar_chart, column_chart, fmt, nice_step
from instruction import actions
from instruction.models import Dossier, DossierStatus
from tests.e2e.conftest import browser, login, new_page  # noqa: F401 - the browser fixtures
from tests.factories import TeleserviceFactory, UserFactory, filed_dossier
from tests.instruction.test_transitions import DECISION_ARGS

S = DossierStatus
PARIS = ZoneInfo("Europe/Paris")
URL = reverse("backoffice:dashboard")
# A Wednesday, well before the change to summer time: whole days between noons.
TODAY = dt.date(2026, 3, 18)
SVG_NS = "{http://www.w3.org/2000/svg}"
MAX_QUERIES = 11  # session, user, services, 6 aggregates, the menu's supervisor check (2)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=PARIS)


def filed_on(cast: Any, day: dt.date, teleservice: Any = None) -> Dossier:
    with time_machine.travel(noon(day), tick=False):
        return filed_dossier(teleservice or cast.teleservice, cast.applicant)


def decided(cast: Any, filed: dt.date, days: int) -> Dossier:
    dossier = filed_on(cast, filed)
    with time_machine.travel(noon(filed), tick=False):
        actions.take(dossier, acting_user=cast.agent)
    with time_machine.travel(noon(filed + dt.timedelta(days=days)), tick=False):
        actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS[S.ACCEPTED])
    return dossier


@pytest.fixture
def known_data(cast: Any) -> dict[str, Dossier]:
    return make_known_data(cast)


def make_known_data(cast: Any) -> dict[str, Dossier]:
    """Three dossiers filed on Monday 2 February and decided 10, 20 and 40 days later; one decided
    long ago; open ones: two queued (one overdue), one held by the agent (overdue), one in complement;
    and a dossier of another service."""
    feb2 = dt.date(2026, 2, 2)
    data = {f"decided_{n}": decided(cast, feb2, n) for n in (10, 20, 40)}
    data["decided_long_ago"] = decided(cast, dt.date(2025, 10, 1), 31)
    data["queued_old"] = filed_on(cast, feb2)
    data["held_old"] = filed_on(cast, feb2)
    with time_machine.travel(noon(feb2), tick=False):
        actions.take(data["held_old"], acting_user=cast.agent)
    data["complement"] = filed_on(cast, dt.date(2026, 3, 16))
    with time_machine.travel(noon(dt.date(2026, 3, 16)), tick=False):
        actions.take(data["complement"], acting_user=cast.agent)
        actions.request_complement(data["complement"], acting_user=cast.agent, message="Joignez votre bail signé.")
    data["queued_recent"] = filed_on(cast, dt.date(2026, 3, 17))
    data["other_service"] = filed_on(cast, dt.date(2026, 3, 17), cast.other_teleservice)
    return data


def get(client: Any, user: Any, url: str = URL) -> Any:
    client.force_login(user)
    with time_machine.travel(noon(TODAY), tick=False):
        return client.get(url)


def row(label: str, *cells: Any) -> str:
    return f'<tr><th scope="row">{label}</th>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def parse(markup: str) -> ET.Element:
    """Our own page's SVG, parsed as XML: it must be well-formed."""
    return ET.fromstring(markup)  # noqa: S314 - markup this test's server just produced


def svgs(page: str) -> list[ET.Element]:
    return [parse(markup) for markup in re.findall(r"<svg\b.*?</svg>", page, flags=re.S)]


# --- Figures ----------------------------------------------------------------------------------
def test_dashboard_supervisor_key_figures(client, cast, known_data):
    """Open, overdue, queued dossiers and the longest wait in the queue (2 February → 18 March)."""
    page = get(client, cast.supervisor).content.decode()

    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    assert figures == {
        "Dossiers ouverts": "4",
        "En retard": "2",
        "En attente dans la file « À traiter »": "2",
        "Attente la plus longue dans la file": "44 jours",
    }


def test_dashboard_supervisor_weekly_flow(client, cast, known_data):
    """Per week over 12 weeks: transmitted (5 the week of 2 February, 2 this week) and decided."""
    page = get(client, cast.supervisor).content.decode()

    assert page.count('<tr><th scope="row">') >= 12
    assert row("29/12/2025", 0, 0) in page  # the oldest week shown; October's dossier is not counted
    assert row("02/02/2026", 5, 0) in page
    assert row("09/02/2026", 0, 1) in page
    assert row("16/02/2026", 0, 1) in page
    assert row("09/03/2026", 0, 1) in page
    assert row("16/03/2026", 2, 0) in page
    assert "Sur les 12 dernières semaines, dossiers transmis : 7 ; dossiers décidés : 3." in page


def test_dashboard_supervisor_open_by_status(client, cast, known_data):
    """Open dossiers by status, the other service's dossier left out."""
    page = get(client, cast.supervisor).content.decode()

    assert row("Transmis", 2) in page
    assert row("En cours d&#x27;instruction", 1) in page
    assert row("Complément d&#x27;information", 1) in page
    assert row("En attente de validation", 0) in page


def test_dashboard_supervisor_processing_times(client, cast, known_data):
    """Median and 90th percentile of 10, 20 and 40 days (percentile_cont: 20 and 36) against the
    30-day target; the decision of last November is outside the 90 days."""
    page = get(client, cast.supervisor).content.decode()

    assert row("Pack Jeunes — aide au premier logement", 20, 36, 30, 3) in page
    assert "médiane 20 jours, 90ᵉ centile 36 jours, délai cible 30 jours" in page


def test_dashboard_supervisor_processing_times_without_decision(client, cast):
    """A téléservice with nothing decided shows dashes, not zeros."""
    TeleserviceFactory(instructing_service=cast.service, title="Aide au BAFA", processing_days=45)

    page = get(client, cast.supervisor).content.decode()

    assert row("Aide au BAFA", "—", "—", 45, 0) in page
    assert "Aide au BAFA : aucun dossier décidé." in page


def test_dashboard_supervisor_overdue_by_agent(client, cast, known_data):
    """Overdue open dossiers per agent of the service (zero included), then the queue."""
    page = get(client, cast.supervisor).content.decode()

    agent = f"{cast.agent.first_name} {cast.agent.last_name}"
    supervisor = f"{cast.supervisor.first_name} {cast.supervisor.last_name}"
    assert row(agent, 1) in page
    assert row(supervisor, 0) in page
    assert row("Non attribués (file « À traiter »)", 1) in page
    assert "2 dossiers ouverts ont dépassé leur échéance." in page
    assert cast.other_agent.email not in page


def test_dashboard_supervisor_of_two_services_chooses(client, cast, known_data):
    """A supervisor of two services gets a selector; ``?service=`` shows the other one's figures."""
    other = cast.other_teleservice.instructing_service
    other.supervisors.add(cast.supervisor)

    page = get(client, cast.supervisor).content.decode()
    assert '<select name="service" id="dashboard-service">' in page
    assert f'<option value="{other.pk}">Service Solidarités</option>' in page

    page = get(client, cast.supervisor, f"{URL}?service={other.pk}").content.decode()
    figures = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    assert figures["Dossiers ouverts"] == "1"
    assert row("Autre aide", "—", "—", 30, 0) in page


def test_dashboard_supervisor_of_one_service_has_no_selector(client, cast):
    page = get(client, cast.supervisor).content.decode()
    assert 'name="service"' not in page


# --- Who may see it ---------------------------------------------------------------------------
@pytest.mark.parametrize("actor", ["applicant", "other_citizen", "agent", "other_agent"])
def test_dashboard_not_supervisor_not_found(client, cast, actor):
    """Citizens and agents who supervise no service get a 404."""
    assert get(client, getattr(cast, actor)).status_code == 404


def test_dashboard_anonymous_redirected_to_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("value", ["other", "abc", "999999"])
def test_dashboard_supervisor_other_service_not_found(client, cast, value):
    """A service the user does not supervise, or no service at all, is a 404."""
    if value == "other":
        value = str(cast.other_teleservice.instructing_service_id)
    assert get(client, cast.supervisor, f"{URL}?service={value}").status_code == 404


def test_dashboard_nav_link_for_supervisors_only(client, cast):
    """The back-office menu links the dashboard for supervisors, not for other agents."""
    link = f'<a href="{URL}">Tableau de bord</a>'
    assert link in get(client, cast.supervisor).content.decode()
    client.force_login(cast.agent)
    assert link not in client.get(reverse("backoffice:queue")).content.decode()


# --- Query budget -----------------------------------------------------------------------------
def _queries(client: Any) -> int:
    with CaptureQueriesContext(connection) as captured, time_machine.travel(noon(TODAY), tick=False):
        assert client.get(URL).status_code == 200
    return len(captured)


def test_dashboard_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    """The page runs the same bounded number of queries with 2 or 12 dossiers and 1 or 4 agents."""
    client.force_login(cast.supervisor)
    decided(cast, dt.date(2026, 3, 2), 3)
    filed_on(cast, dt.date(2026, 2, 2))
    small = _queries(client)
    for n in range(3):
        agent = UserFactory()
        cast.service.add_agent(agent)
        dossier = filed_on(cast, dt.date(2026, 2, 9))
        with time_machine.travel(noon(dt.date(2026, 2, 9)), tick=False):
            actions.take(dossier, acting_user=agent)
        decided(cast, dt.date(2026, 1, 5 + n), 20 + n)
        filed_on(cast, dt.date(2026, 3, 10 + n))
    TeleserviceFactory(instructing_service=cast.service)

    assert _queries(client) == small
    with django_assert_max_num_queries(MAX_QUERIES), time_machine.travel(noon(TODAY), tick=False):
        client.get(URL)


# --- The SVG ----------------------------------------------------------------------------------
def test_dashboard_svg_well_formed_and_accessible(client, cast, known_data):
    """Four charts, each an XML document, an image named by its own title and description, with
    a data table « Voir les données »; no script anywhere."""
    page = get(client, cast.supervisor).content.decode()

    charts = svgs(page)
    assert len(charts) == 4
    for svg in charts:
        assert svg.tag == f"{SVG_NS}svg" and svg.get("role") == "img"
        title, desc = svg.find(f"{SVG_NS}title"), svg.find(f"{SVG_NS}desc")
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert title.text and desc.text
        assert svg.findall(f".//{SVG_NS}rect")
    assert page.count("<summary>Voir les données</summary>") == 4
    assert "<script" not in page


def test_dashboard_svg_escapes_names(client, cast):
    """Names typed by people are text in the SVG, never markup."""
    TeleserviceFactory(instructing_service=cast.service, title='Aide <script>alert("x")</script> & co')
    cast.agent.first_name, cast.agent.last_name = "<b>Zoé</b>", "O'Brien & fils"
    cast.agent.save()

    page = get(client, cast.supervisor).content.decode()

    charts = svgs(page)
    texts = " ".join(t.text or "" for svg in charts for t in svg.iter(f"{SVG_NS}text"))
    assert 'Aide <script>alert("x")' in texts and "<b>Zoé</b> O'Brien" in texts
    tags = {element.tag for svg in charts for element in svg.iter()}
    assert tags <= {f"{SVG_NS}{tag}" for tag in ("svg", "title", "desc", "rect", "line", "text")}
    assert "<script>" not in page


# --- The charts module ------------------------------------------------------------------------
def test_nice_step_rounds_up_to_a_readable_gap():
    assert [nice_step(v) for v in (0.03, 0.3, 1, 3, 7, 11, 24, 26, 180, 1001)] == [
        0.05,
        0.5,
        1,
        5,
        10,
        20,
        25,
        50,
        200,
        2000,
    ]


@pytest.mark.parametrize(
    ("peak", "integer", "ticks"),
    [
        (0, True, [0, 1]),
        (2, True, [0, 1, 2]),
        (5, True, [0, 2, 4, 6]),
        (36, False, [0, 10, 20, 30, 40]),
        (40, False, [0, 10, 20, 30, 40]),
        (9, True, [0, 5, 10]),
        (123, True, [0, 50, 100, 150]),
        (0.5, False, [0, 0.2, 0.4, 0.6]),
    ],
)
def test_axis_round_ticks_whole_numbers_for_counts(peak, integer, ticks):
    assert axis(peak, integer=integer) == pytest.approx(ticks)


def test_fmt_french_figures():
    with translation.override("fr"):
        assert (fmt(None), fmt(3, 1), fmt(12.25, 1), fmt(36.0, 1)) == ("—", "3", "12,2", "36")


def test_bar_chart_table_and_marker():
    """The data table holds every figure, the marker's and the extra columns included."""
    chart = bar_chart(
        "c",
        "Délais",
        "Résumé",
        category_header="Téléservice",
        categories=["A", "B"],
        series=[Series("Médiane", [2.5, None]), Series("90ᵉ centile", [4, None])],
        marker=Marker("Délai cible", [3, 10]),
        extra_columns=[("Décidés", ["2", "0"])],
        unit=" j",
    )

    assert list(chart.table.headers) == ["Téléservice", "Médiane", "90ᵉ centile", "Délai cible", "Décidés"]
    assert [(label, list(cells)) for label, cells in chart.table.rows] == [
        ("A", ["2,5", "4", "3", "2"]),
        ("B", ["—", "—", "10", "0"]),
    ]
    svg = parse(str(chart.svg))
    assert "2,5 j" in [t.text for t in svg.iter(f"{SVG_NS}text")]
    assert len(svg.findall(f"{SVG_NS}line[@stroke-dasharray]")) == 3  # legend + two rows


def test_column_chart_skips_empty_bars_and_names_rows():
    chart = column_chart(
        "w",
        "Flux",
        "Résumé",
        category_header="Semaine du",
        categories=["05/01", "12/01"],
        row_labels=["05/01/2026", "12/01/2026"],
        series=[Series("Transmis", [0, 4]), Series("Décidés", [1, 0])],
    )

    svg = parse(str(chart.svg))
    assert len(svg.findall(f"{SVG_NS}rect")) == 2 + 2  # the legend's two keys, then two bars
    assert [label for label, _cells in chart.table.rows] == ["05/01/2026", "12/01/2026"]


@pytest.mark.parametrize(
    ("label", "lines"),
    [
        ("Transmis", ["Transmis"]),
        ("Pack Jeunes — aide au premier logement", ["Pack Jeunes — aide au", "premier logement"]),
        ("Non attribués (file « À traiter »)", ["Non attribués (file", "« À traiter »)"]),
        (
            "Aide exceptionnelle aux familles monoparentales du département",
            ["Aide exceptionnelle aux", "familles monoparentales…"],
        ),
        ("Anticonstitutionnellement-long", ["Anticonstitutionnellemen", "t-long"]),
    ],
)
def test_row_labels_on_two_lines(label, lines):
    from backoffice.charts import _lines

    assert _lines(label) == lines


def test_chart_empty_without_categories():
    chart = bar_chart("e", "Rien", "Rien", category_header="Agent", categories=[], series=[Series("En retard", [])])
    assert chart.empty
    parse(str(chart.svg))


# --- In the browser -----------------------------------------------------------------------------
@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_dashboard_passes_axe_in_browser(new_page, cast):  # noqa: F811 - the imported fixture
    """From the menu, the dashboard opens on the known data (the clock moving on from 18 March);
    it passes axe-core with its data tables closed and open."""
    make_known_data(cast)
    page = new_page()
    with time_machine.travel(noon(TODAY)):
        login(page, cast.supervisor)
        page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Tableau de bord").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
        expect(page.get_by_role("img", name="Délai de traitement par téléservice (jours)")).to_be_visible()
        closed = Axe().run(page)
        for summary in page.get_by_text("Voir les données").all():
            summary.click()
        expect(page.get_by_role("table", name="Dossiers ouverts par statut")).to_be_visible()
        opened = Axe().run(page)

    assert not closed.violations_count, closed.generate_report()
    assert not opened.violations_count, opened.generate_report()
