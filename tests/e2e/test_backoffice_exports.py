"""Browser test of the exports: « Exporter (CSV) » and « Exporter (XLSX) » download at once from the
list (mouse and keyboard); a long list goes to « Mes exports », whose script follows the job to
« Télécharger » without reloading the page; every page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from backoffice import tasks
from backoffice.models import ExportJob
from tests.e2e.conftest import login
from tests.factories import filed_dossier

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_exports_in_browser(new_page: Callable[[], Page], cast: Any, settings: Any, monkeypatch: Any) -> None:
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    page = new_page()
    login(page, cast.agent)
    axe = Axe()
    reports = {"list": axe.run(page)}
    # Small export: immediate download, page stays.
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    with page.expect_download() as info:
        page.get_by_role("button", name="Exporter (CSV)").click()
    assert info.value.suggested_filename.endswith(".csv")
    expect(page.get_by_role("heading", level=1)).to_have_text("À traiter")
    # Big export: queued (not run), redirect with the message.
    settings.EXPORT_SYNC_MAX_ROWS = 2
    sent = []

    class Task:
        @staticmethod
        def delay(job_id: int) -> None:
            sent.append(job_id)

    monkeypatch.setattr(tasks, "run_export", Task)
    page.get_by_role("button", name="Exporter (CSV)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes exports")
    expect(page.get_by_text("L'export de 3 dossiers est en préparation…")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_count(1)
    expect(page.get_by_role("link", name="Actualiser")).to_be_visible()
    reports["exports running"] = axe.run(page)
    job = ExportJob.objects.get()
    assert sent == [job.pk]
    monkeypatch.undo()
    # The worker does its job; the page follows without reload.
    page.evaluate("window.__marker = 1")
    assert tasks.run_export(job.pk) == "done"
    expect(page.get_by_role("link", name=re.compile("Télécharger"))).to_be_visible(timeout=15000)
    expect(page.locator("#export-announce")).to_have_text("L'export « À traiter » (CSV) est prêt.")
    assert page.evaluate("window.__marker") == 1  # no reload
    expect(page.locator("[data-export-refresh-link]")).to_be_hidden()
    reports["exports done"] = axe.run(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Télécharger")).click()
    assert info.value.suggested_filename.startswith("dossiers-a-traiter-")
    failing = {name: r for name, r in reports.items() if r.violations_count}
    assert not failing, "\n".join(f"--- {n} ---\n{r.generate_report()}" for n, r in failing.items())
