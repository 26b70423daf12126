"""Browser tests of the agents' lists: an agent finds a dossier by searching « À traiter » and
opens it; « Tout sélectionner » (static/js/backoffice-lists.js) with the mouse and the keyboard;
every tab audited with axe-core."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction import actions
from tests.e2e.conftest import login
from tests.factories import filed_dossier
from tests.instruction.test_transitions import ACTION_ARGS, DECISION_ARGS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def name_beneficiary(cast: Any, first_name: str, last_name: str) -> None:
    member = cast.other_citizen.foyer.members.get()
    member.first_name, member.last_name = first_name, last_name
    member.save()


def test_queue_agent_finds_dossier_by_search_and_opens_it(new_page: Callable[[], Page], cast: Any) -> None:
    name_beneficiary(cast, "Hélène", "Mégard")
    helene = filed_dossier(cast.teleservice, cast.other_citizen)
    others = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(3)]
    page = new_page()
    login(page, cast.agent)
    expect(page.get_by_role("heading", level=1)).to_have_text("À traiter")
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(1 + 4)

    search = page.get_by_role("search", name="Filtrer les dossiers")
    search.get_by_label("Rechercher").fill("helene megard")
    search.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"\?q=helene\+megard"))
    expect(table.get_by_role("row")).to_have_count(1 + 1)
    expect(table).to_contain_text("Hélène Mégard")
    for other in others:
        expect(table.get_by_role("link", name=other.reference, exact=True)).to_have_count(0)

    table.get_by_role("link", name=helene.reference, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Dossier {helene.reference}")

    page.go_back()
    page.get_by_role("link", name="Réinitialiser").click()
    expect(page).to_have_url(re.compile(r"/instruction/$"))
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(1 + 4)


def test_queue_agent_selects_all_rows_with_mouse_and_keyboard(new_page: Callable[[], Page], cast: Any) -> None:
    references = [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(3)]
    page = new_page()
    login(page, cast.agent)
    everything = page.get_by_role("checkbox", name="Tout sélectionner")
    rows = [page.get_by_role("checkbox", name=f"Sélectionner le dossier {ref}") for ref in references]
    everything.check()
    for row in rows:
        expect(row).to_be_checked()
    rows[1].uncheck()
    expect(everything).not_to_be_checked()
    assert everything.evaluate("box => box.indeterminate") is True
    rows[1].check()
    expect(everything).to_be_checked()
    # The keyboard: Space on the focused « Tout sélectionner » clears the page.
    everything.focus()
    page.keyboard.press("Space")
    for row in rows:
        expect(row).not_to_be_checked()


def test_lists_every_tab_passes_axe(new_page: Callable[[], Page], cast: Any) -> None:
    now = dt.datetime.now(tz=dt.UTC)
    with time_machine.travel(now - dt.timedelta(days=45), tick=True):
        late = filed_dossier(cast.teleservice, cast.applicant)  # overdue: « En retard »
    filed_dossier(cast.teleservice, cast.other_citizen)
    mine = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(mine, acting_user=cast.agent)
    for index, args in enumerate([DECISION_ARGS["accepted"], ACTION_ARGS["request_complement"]]):
        dossier = filed_dossier(cast.teleservice, cast.other_citizen if index else cast.applicant)
        actions.take(dossier, acting_user=cast.agent)
        (actions.request_complement if index else actions.decide)(dossier, acting_user=cast.agent, **args)

    page = new_page()
    login(page, cast.agent)
    axe = Axe()
    reports = {}
    tabs = page.get_by_role("navigation", name="Listes de dossiers")
    for title in ["Mes tâches", "À traiter", "Traités"]:
        tabs.get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(
            page.get_by_role("checkbox", name="Tout sélectionner").or_(page.get_by_text("Aucun dossier"))
        ).to_be_visible()
        reports[title] = axe.run(page)
    expect(page.get_by_role("table")).to_contain_text("Accepté")
    tabs.get_by_role("link", name="À traiter").click()
    expect(page.get_by_role("row", name=re.compile(late.reference))).to_contain_text("En retard")
    page.get_by_label("Échéance").select_option("late")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(2)
    reports["À traiter (en retard)"] = axe.run(page)
    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "\n".join(f"--- {name} ---\n{result.generate_report()}" for name, result in failing.items())


def test_queue_supervisor_select_all_feeds_the_bulk_action(new_page: Callable[[], Page], cast: Any) -> None:
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    page = new_page()
    login(page, cast.supervisor)
    expect(page.get_by_role("button", name="Attribuer la sélection")).to_be_visible()
    everything = page.get_by_role("checkbox", name="Tout sélectionner")
    expect(everything).to_have_count(1)
    everything.check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 dossiers sélectionnés")
    everything.uncheck()
    expect(page.locator("[data-selected-count]")).to_have_text("Aucun dossier sélectionné")
    result = Axe().run(page)
    assert not result.violations_count, result.generate_report()
