"""Browser test of « Inviter un expert », with the keyboard: the agent in charge types a wrong date
(refused in French, the rest kept), corrects it and invites; the expert opens « Dossiers en
expertise », the dossier, and sends « Avis de l'expert »; the agent reads it, then « Retirer
l'accès », after which the expert gets « Page introuvable ». Every page passes axe-core."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from instruction import actions
from instruction.models import ExpertAccess
from tests.e2e.conftest import login
from tests.factories import UserFactory, filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_invite_expert_opinion_and_revoke(new_page: Callable[[], Page], cast: Any) -> None:
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    expert = UserFactory(email="expert@exemple.test", first_name="Inès", last_name="Garnier")
    axe = Axe()
    reports = {}

    agent = new_page()
    login(agent, cast.agent)
    agent.goto(f"/instruction/dossiers/{dossier.reference}/")
    form = agent.locator("form").filter(has=agent.get_by_role("heading", name="Inviter un expert"))
    form.get_by_label("Adresse électronique de l'expert").fill("expert@exemple.test")
    too_late = timezone.localdate() + dt.timedelta(days=120)
    form.get_by_label("Accès jusqu'au (inclus)").fill(too_late.isoformat())
    form.get_by_label("Message à l'expert (facultatif)").fill("Le loyer est-il cohérent ?")
    reports["review (invite form)"] = axe.run(agent)
    form.get_by_label("Message à l'expert (facultatif)").focus()
    agent.keyboard.press("Tab")
    agent.keyboard.press("Enter")  # « Inviter un expert », reached with the keyboard
    expect(agent.get_by_text("L'accès d'un expert dure au plus 90 jours").first).to_be_visible()
    form = agent.locator("form").filter(has=agent.get_by_role("heading", name="Inviter un expert"))
    expect(form.get_by_label("Adresse électronique de l'expert")).to_have_value("expert@exemple.test")
    expect(form.get_by_label("Message à l'expert (facultatif)")).to_have_value("Le loyer est-il cohérent ?")
    reports["review (invite refused)"] = axe.run(agent)
    day = timezone.localdate() + dt.timedelta(days=10)
    form.get_by_label("Accès jusqu'au (inclus)").fill(day.isoformat())
    form.get_by_role("button", name="Inviter un expert").press("Enter")
    expect(agent.get_by_text("expert@exemple.test peut consulter le dossier jusqu'au")).to_be_visible()
    expect(agent.get_by_role("button", name="Retirer l'accès de expert@exemple.test")).to_be_visible()
    reports["review (expert invited)"] = axe.run(agent)
    assert ExpertAccess.objects.get().expert == expert

    browser_of_expert = new_page()
    login(browser_of_expert, expert)
    browser_of_expert.goto("/instruction/expertise/")
    expect(browser_of_expert.get_by_role("heading", name="Dossiers en expertise")).to_be_visible()
    reports["« Dossiers en expertise »"] = axe.run(browser_of_expert)
    browser_of_expert.get_by_role("link", name=dossier.reference).click()
    expect(browser_of_expert.get_by_role("heading", name=f"Expertise du dossier {dossier.reference}")).to_be_visible()
    expect(browser_of_expert.get_by_text("Le loyer est-il cohérent ?")).to_be_visible()
    browser_of_expert.get_by_label("Votre avis").fill("Loyer cohérent avec le marché de Vesoul.")
    reports["expert's dossier"] = axe.run(browser_of_expert)
    browser_of_expert.get_by_label("Votre avis").focus()
    browser_of_expert.keyboard.press("Tab")
    browser_of_expert.keyboard.press("Enter")  # « Envoyer mon avis »
    expect(browser_of_expert.get_by_text("Votre avis est transmis au service instructeur.")).to_be_visible()

    agent.goto(f"/instruction/dossiers/{dossier.reference}/")
    expect(agent.get_by_text("Loyer cohérent avec le marché de Vesoul.")).to_be_visible()
    agent.get_by_role("button", name="Retirer l'accès de expert@exemple.test").press("Enter")
    expect(agent.get_by_text("L'accès de expert@exemple.test au dossier est retiré.")).to_be_visible()
    reports["review (access revoked)"] = axe.run(agent)

    response = browser_of_expert.goto(f"/instruction/expertise/{dossier.reference}/")
    assert response is not None and response.status == 404

    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "\n".join(f"--- {name} ---\n{result.generate_report()}" for name, result in failing.items())
