"""The repeated block (instruction/blocks.py) on 1000 Semaines — familles: the draft keeps what
was typed, errors show per row in French, rows are added and removed without JavaScript, the
recap shows one group per row."""

from __future__ import annotations

import html
import re

from django.urls import reverse

from instruction import actions
from instruction.blocks import typed_rows
from instruction.forms import form_for
from tests.workflows.mille_helpers import add_child, familles_teleservice, posted_rows, stay_row, years_ago
from workflows.mille_semaines_familles.form import MilleSemainesFamillesForm


def _start(client, cast):
    client.force_login(cast.applicant)
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    hugo = add_child(cast.applicant, "Hugo", years_ago(12))
    teleservice = familles_teleservice(cast.service)
    dossier = actions.create_draft(teleservice, acting_user=cast.applicant)
    return dossier, lea, hugo


def _page(response):
    return html.unescape(response.content.decode())


def _edit(dossier):
    return reverse("citizen:edit", args=[dossier.reference])


def test_new_draft_shows_one_empty_row_with_fieldset_and_legend(client, cast):
    """A new dossier shows « Enfant 1 » in its own fieldset; Enter means « Enregistrer »."""
    dossier, lea, _hugo = _start(client, cast)
    page = _page(client.get(_edit(dossier)))
    assert '<fieldset class="block-row" id="children-0">' in page and "<legend>Enfant 1</legend>" in page
    assert 'id="id_children-0-child"' in page and f'value="{lea.pk}"' in page
    assert "Ajouter un enfant" in page and 'value="retirer:children:0"' not in page  # at least one row
    first_submit = re.search(r'<button type="submit"[^>]*>', page)
    assert first_submit is not None and "name=" not in first_submit.group(0)


def test_save_draft_applicant_invalid_rows_kept_and_errors_per_row(client, cast):
    """What was typed is kept, valid or not; at transmission each row's errors are named in French."""
    dossier, lea, hugo = _start(client, cast)
    typed = [stay_row(lea, weeks="4"), stay_row(hugo, organiser="", first_day="31/02/2027")]
    response = client.post(_edit(dossier), {"quotient_familial": "620", **posted_rows(typed)})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.data["children"] == typed

    page = _page(client.post(reverse("citizen:transmit", args=[dossier.reference]), follow=True))
    assert "Enfant 1 — Nombre de semaines : Indiquez entre 1 et 3 semaines par enfant et par an." in page
    assert "Enfant 2 — Organisateur du séjour : Indiquez l'organisateur du séjour." in page
    assert "Enfant 2 — Premier jour du séjour : Indiquez une date valide" in page
    assert 'href="#id_children-1-organiser"' in page
    assert 'name="children-0-weeks" value="4"' in page and 'value="31/02/2027"' in page
    dossier.refresh_from_db()
    assert dossier.status == "draft"


def test_add_row_applicant_without_javascript(client, cast):
    """« Ajouter un enfant » saves the draft and shows the form again with one row more."""
    dossier, lea, _hugo = _start(client, cast)
    posted = {"quotient_familial": "620", **posted_rows([stay_row(lea)]), "ligne": "ajouter:children"}
    response = client.post(_edit(dossier), posted)
    assert response.url == _edit(dossier) + "#children-1"
    dossier.refresh_from_db()
    assert [row["child"] for row in dossier.data["children"]] == [str(lea.pk), ""]
    page = _page(client.get(response.url))
    assert "<legend>Enfant 2</legend>" in page and 'id="id_children-1-weeks"' in page
    assert 'value="retirer:children:1"' in page and 'Retirer<span class="visually-hidden"> Enfant 2</span>' in page
    assert page.count('id="id_children-0-weeks"') == 1  # labels and ids unique per row


def test_remove_row_applicant_without_javascript(client, cast):
    """« Retirer » drops that row and keeps the others in order; the last one is only emptied."""
    dossier, lea, hugo = _start(client, cast)
    rows = [stay_row(lea), stay_row(hugo, weeks="3"), stay_row(lea, weeks="1")]
    client.post(_edit(dossier), {**posted_rows(rows), "ligne": "retirer:children:1"})
    dossier.refresh_from_db()
    assert dossier.data["children"] == [rows[0], rows[2]]
    client.post(_edit(dossier), {**posted_rows([rows[0]]), "ligne": "retirer:children:0"})
    dossier.refresh_from_db()
    assert [row["child"] for row in dossier.data["children"]] == [""]


def test_add_row_at_maximum_adds_nothing(cast):
    """No more rows than the block allows, whatever is posted."""
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    block = MilleSemainesFamillesForm.blocks["children"]
    full = posted_rows([stay_row(lea)] * block.max_rows)
    assert len(MilleSemainesFamillesForm.raw_from({**full, "ligne": "ajouter:children"})["children"]) == block.max_rows
    assert len(typed_rows(block, "children", {"children-lignes": "50"})) == block.max_rows


def test_recap_applicant_one_group_per_row(client, cast):
    """The recap shows the form's fields, then one titled group per child."""
    dossier, lea, hugo = _start(client, cast)
    actions.save_draft(
        dossier,
        {"quotient_familial": "620", "children": [stay_row(lea), stay_row(hugo, weeks="3")], "certify": True},
        acting_user=cast.applicant,
    )
    page = _page(client.get(reverse("citizen:dossier", args=[dossier.reference])))
    assert "<h3>Enfant 1</h3>" in page and "<h3>Enfant 2</h3>" in page
    assert re.search(r"<h3>Enfant 2</h3>\s*<dl class=\"summary\">\s*<div><dt>Enfant</dt><dd>Hugo", page)
    form = form_for(dossier)(data=dossier.data, dossier=dossier)
    assert ("Enfant 2 — Nombre de semaines", "3") in form.summary()
    assert form.is_valid(), form.errors
    assert form.stored_data()["children"][1]["weeks"] == "3"
