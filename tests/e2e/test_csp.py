"""Browser test of the Content-Security-Policy: the key pages (login, the citizen's form with
filing.js, the back-office review with its document preview, the supervisor's dashboard, the
téléservice's chart) load in chromium without a single violation of the policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from instruction import actions
from tests.e2e.conftest import login
from tests.factories import filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Installed in every document (and frame) before its own scripts: collects the violations.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watched(new_page: Callable[[], Page]) -> tuple[Page, list[str]]:
    page = new_page()
    page.context.add_init_script(LISTEN)
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            console.append(message.text)

    page.on("console", on_console)
    return page, console


def visit(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    # The main document's violations; a frame's (the preview) are in the console messages.
    return page.evaluate("window.__cspViolations || []")


def test_key_pages_have_no_csp_violation(new_page: Callable[[], Page], cast: Any) -> None:
    citizen, citizen_console = watched(new_page)
    assert visit(citizen, "/connexion/") == []
    login(citizen, cast.applicant)
    draft = actions.create_draft(cast.teleservice, acting_user=cast.applicant)
    assert visit(citizen, f"/demandes/{draft.reference}/modifier/") == []
    expect(citizen.get_by_role("heading", level=1)).to_have_text(cast.teleservice.title)
    assert citizen_console == []

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    agent, agent_console = watched(new_page)
    login(agent, cast.supervisor)
    assert visit(agent, f"/instruction/dossiers/{dossier.reference}/") == []
    expect(agent.locator("iframe").first).to_be_attached()
    assert visit(agent, "/instruction/equipe/") == []
    assert visit(agent, f"/instruction/teleservices/{cast.teleservice.slug}/") == []
    chart = agent.locator(".flow-chart-svg").first
    expect(chart).to_be_visible()
    assert agent_console == []
