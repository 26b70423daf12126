"""Browser test of supervision, with the words of the French UI: a supervisor opens « Charge de
l'équipe », picks an agent's dossiers and reassigns a selection to a colleague with a « Motif »,
then reads the result; every supervision page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from instruction import actions
from instruction.models import Dossier, DossierStatus
from tests.e2e.conftest import login
from tests.factories import UserFactory, filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S = DossierStatus
REASON = "Congé de l'agent jusqu'à la fin du mois."
AGENT = re.compile(r"^Agent\b")


def _setup(cast: Any) -> tuple[Any, list[Dossier], Dossier]:
    """A colleague of the agent; three dossiers held by the agent, one in complement; one queued."""
    colleague = UserFactory(email="collegue@exemple.test", first_name="Camille", last_name="Roux")
    cast.service.add_agent(colleague)
    held = []
    for _ in range(3):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        actions.take(dossier, acting_user=cast.agent)
        held.append(dossier)
    actions.request_complement(held[2], acting_user=cast.agent, message="Joignez votre bail signé.")
    queued = filed_dossier(cast.teleservice, cast.applicant)
    return colleague, held, queued


def test_supervisor_reassigns_selection_from_team_page(new_page: Callable[[], Page], cast: Any) -> None:
    """From « Charge de l'équipe », two dossiers of the agent go to a colleague; a third is refused."""
    colleague, held, _queued = _setup(cast)
    page = new_page()
    login(page, cast.supervisor)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Charge de l'équipe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Charge de l'équipe")
    agent_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=re.compile(cast.agent.email)))
    expect(agent_row.get_by_role("cell").first).to_have_text("3")
    agent_row.get_by_role("link", name=re.compile("Voir les dossiers de")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Dossiers de")
    for dossier in held:
        page.get_by_label(f"Sélectionner le dossier {dossier.reference}").check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 dossiers sélectionnés")
    page.get_by_role("combobox", name=AGENT).select_option(label="Camille Roux (collegue@exemple.test)")
    page.get_by_label("Motif").fill(REASON)
    page.get_by_role("button", name="Attribuer la sélection").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de l'attribution")
    expect(page.get_by_role("status").filter(has_text="attribués")).to_contain_text(
        "2 dossiers attribués à Camille Roux, 1 refusé."
    )
    for dossier in held[:2]:
        expect(page.get_by_role("row", name=re.compile(dossier.reference))).to_contain_text("attribué")
    expect(page.get_by_role("row", name=re.compile(held[2].reference))).to_contain_text(
        "refusé : Cette action n'est pas possible pour un dossier « Complément d'information »."
    )
    assert [Dossier.objects.get(pk=d.pk).assignee_id for d in held] == [colleague.pk, colleague.pk, cast.agent.pk]

    page.get_by_role("link", name=held[0].reference).click()
    expect(page.get_by_role("region", name="Historique")).to_contain_text(
        f"De {cast.agent} à Camille Roux — motif : {REASON}"
    )


def test_supervisor_assigns_selection_from_queue_list(new_page: Callable[[], Page], cast: Any) -> None:
    """From « À traiter », the supervisor gives the checked dossiers to an agent in one go."""
    colleague, _held, queued = _setup(cast)
    other = filed_dossier(cast.teleservice, cast.applicant)
    page = new_page()
    login(page, cast.supervisor)

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="À traiter").click()
    page.get_by_label(f"Sélectionner le dossier {queued.reference}").check()
    page.get_by_label(f"Sélectionner le dossier {other.reference}").check()
    page.get_by_role("combobox", name=AGENT).select_option(label="Camille Roux (collegue@exemple.test)")
    page.get_by_label("Motif").fill(REASON)
    page.get_by_role("button", name="Attribuer la sélection").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de l'attribution")
    expect(page.get_by_role("status").filter(has_text="attribués")).to_contain_text(
        "2 dossiers attribués à Camille Roux."
    )
    page.get_by_role("link", name="Retour à la liste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("À traiter")
    expect(page.get_by_text(queued.reference)).to_have_count(0)
    assert set(Dossier.objects.filter(pk__in=[queued.pk, other.pk]).values_list("status", "assignee")) == {
        (S.IN_INSTRUCTION, colleague.pk)
    }


def test_supervisor_assigns_queued_dossier_from_review(new_page: Callable[[], Page], cast: Any) -> None:
    """« Attribuer » on the review screen gives a queued dossier to an agent, who then holds it."""
    _colleague, _held, queued = _setup(cast)
    page = new_page()
    login(page, cast.supervisor)
    page.goto(f"/instruction/dossiers/{queued.reference}/")

    form = page.locator("form").filter(has=page.get_by_role("heading", name="Attribuer"))
    form.get_by_role("combobox", name=AGENT).select_option(
        label=f"{cast.agent.first_name} {cast.agent.last_name} ({cast.agent.email})"
    )
    form.get_by_label("Motif").fill(REASON)
    form.get_by_role("button", name="Attribuer").click()

    expect(page.locator(".messages")).to_contain_text(f"Le dossier {queued.reference} est attribué à")
    expect(page.locator("main .meta").first).to_contain_text("En cours d'instruction")
    queued.refresh_from_db()
    assert (queued.status, queued.assignee_id) == (S.IN_INSTRUCTION, cast.agent.pk)


def test_every_supervision_page_passes_axe(new_page: Callable[[], Page], cast: Any) -> None:
    """« Charge de l'équipe », an agent's dossiers, the queue, « Mon service », « Attribuer » (with
    and without errors) and the result of a bulk assignment pass axe-core."""
    _colleague, held, queued = _setup(cast)
    page = new_page()
    login(page, cast.supervisor)
    axe = Axe()
    reports = {}

    page.goto("/instruction/equipe/")
    reports["team"] = axe.run(page)
    page.goto(f"/instruction/equipe/agents/{cast.agent.pk}/")
    expect(page.get_by_role("checkbox", name="Tout sélectionner")).to_be_visible()
    reports["agent"] = axe.run(page)
    page.goto("/instruction/equipe/file/")
    reports["queue"] = axe.run(page)
    page.goto("/instruction/equipe/file/?service=abc")
    reports["queue (bad filter)"] = axe.run(page)
    page.goto("/instruction/equipe/service/")
    reports["service"] = axe.run(page)
    page.get_by_label("Adresse électronique de l'agent").fill("personne@exemple.test")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    reports["service (error)"] = axe.run(page)
    page.goto(f"/instruction/dossiers/{queued.reference}/")
    reports["review with « Attribuer »"] = axe.run(page)
    page.goto(f"/instruction/equipe/dossiers/{queued.reference}/attribuer/")
    page.get_by_role("button", name="Attribuer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    reports["assign (errors)"] = axe.run(page)

    page.goto(f"/instruction/equipe/agents/{cast.agent.pk}/")
    page.get_by_label(f"Sélectionner le dossier {held[0].reference}").check()
    page.get_by_role("button", name="Attribuer la sélection").click()
    expect(page.get_by_role("alert")).to_be_visible()
    reports["bulk (errors)"] = axe.run(page)
    page.get_by_role("combobox", name=AGENT).select_option(label="Camille Roux (collegue@exemple.test)")
    page.get_by_label("Motif").fill(REASON)
    page.get_by_role("button", name="Attribuer la sélection").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Résultat de l'attribution")
    reports["bulk result"] = axe.run(page)

    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "\n".join(f"--- {name} ---\n{result.generate_report()}" for name, result in failing.items())
