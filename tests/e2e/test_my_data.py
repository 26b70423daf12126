"""« Mes données » in a browser: reached from the header, the download gives a ZIP, « Supprimer
mon compte » is done with the keyboard alone (a wrong password first, then the right one), and
each page passes axe-core."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from permissions.models import User
from tests.e2e.conftest import login
from tests.factories import PASSWORD
from tests.instruction.retention_helpers import idle_draft


def test_my_data_download_and_delete_with_keyboard_pass_axe(new_page: Callable[[], Page], cast: Any) -> None:
    draft = idle_draft(cast, 2)
    page = new_page()
    login(page, cast.applicant)
    page.get_by_role("link", name="Mes données", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes données")
    axe = Axe()
    reports = {"mes données": axe.run(page)}

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger mes données", exact=True).click()
    with open(download_info.value.path(), "rb") as downloaded:
        content = zipfile.ZipFile(io.BytesIO(downloaded.read()))
    assert [d["reference"] for d in json.loads(content.read("mes-donnees.json"))["demandes"]] == [draft.reference]

    page.get_by_role("link", name="Supprimer mon compte", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer mon compte")
    reports["supprimer"] = axe.run(page)
    page.get_by_label("Votre mot de passe").focus()
    page.keyboard.type("pas-le-bon")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Mot de passe incorrect : votre compte n'a pas été supprimé.")
    reports["supprimer (erreur)"] = axe.run(page)
    page.get_by_role("link", name="Votre mot de passe : Mot de passe incorrect", exact=False).press("Enter")
    expect(page.get_by_label("Votre mot de passe")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Votre compte a été supprimé")
    expect(page.get_by_role("banner").get_by_role("link", name="Se connecter")).to_be_visible()
    assert not User.objects.get(pk=cast.applicant.pk).is_active
    failing = {name: result for name, result in reports.items() if result.violations_count}
    assert not failing, "\n".join(f"--- {name} ---\n{result.generate_report()}" for name, result in failing.items())
