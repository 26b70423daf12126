"""The téléservices' administration, in French: publication, dates, instruction settings, the
documents list, and who may reach it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from instruction.documents import specs_for
from instruction.models import Teleservice, TeleserviceDocument
from tests.factories import TeleserviceFactory, UserFactory
from tests.instruction.admin_forms import change_url, post_change

LIST_URL = reverse("admin:instruction_teleservice_changelist")


@pytest.fixture
def admin_client(client: Any, db: Any) -> Any:
    client.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    return client


def rows(teleservice: Teleservice) -> dict[str, TeleserviceDocument]:
    return {row.code: row for row in teleservice.document_rows.all()}


def test_admin_list_superuser_shows_publication_dates_and_actions(admin_client, cast):
    """The list shows each téléservice's publication, dates and service, and both actions."""
    page = admin_client.get(LIST_URL).content.decode()
    for text in ("Publié", "Ouverture", "Clôture", "Service instructeur", "Publier", "Dépublier", "Service Jeunesse"):
        assert text in page, text


@pytest.mark.parametrize(
    ("action", "expected", "message"),
    [("publish", True, "2 téléservices publiés."), ("unpublish", False, "1 téléservice dépublié.")],
)
def test_admin_publish_actions_superuser_say_how_many(admin_client, cast, action, expected, message):
    """« Publier » / « Dépublier » change the selected téléservices and count those changed."""
    drafts = [TeleserviceFactory(published=False, instructing_service=cast.service) for _ in range(2)]
    selected = [cast.teleservice, *drafts]

    response = admin_client.post(
        LIST_URL, {"action": action, "_selected_action": [t.pk for t in selected]}, follow=True
    )

    assert message in [str(m) for m in response.context["messages"]]
    assert {t.published for t in Teleservice.objects.filter(pk__in=[t.pk for t in selected])} == {expected}
    assert Teleservice.objects.get(pk=cast.other_teleservice.pk).published  # not selected


def test_admin_dates_superuser_closing_before_opening_refused(admin_client, cast):
    """A closing date before the opening date is refused in French; nothing is saved."""
    response = post_change(admin_client, cast.teleservice, opens_on="01/06/2026", closes_on="31/05/2026")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["closes_on"] == [
        "La date de clôture ne peut pas précéder la date d'ouverture."
    ]
    cast.teleservice.refresh_from_db()
    assert (cast.teleservice.opens_on, cast.teleservice.closes_on) == (None, None)


def test_admin_instruction_superuser_sets_dates_service_and_processing_days(admin_client, cast):
    """Dates, the instructing service and the processing-time target are saved."""
    other = cast.other_teleservice.instructing_service
    response = post_change(
        admin_client,
        cast.teleservice,
        opens_on="01/06/2026",
        closes_on="30/06/2026",
        instructing_service=str(other.pk),
        processing_days="45",
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    cast.teleservice.refresh_from_db()
    assert (str(cast.teleservice.opens_on), str(cast.teleservice.closes_on)) == ("2026-06-01", "2026-06-30")
    assert (cast.teleservice.instructing_service, cast.teleservice.processing_days) == (other, 45)


def test_admin_change_page_superuser_groups_fields_and_lists_declared_documents(admin_client, cast):
    """The page has its four sections and the form's documents, the conditional one with its rule."""
    page = admin_client.get(change_url(cast.teleservice)).content.decode()
    for text in ("Présentation", "Ouverture", "Instruction", "Modèles", "Pièces justificatives"):
        assert text in page, text
    assert "Relevé d&#x27;identité bancaire (RIB)" in page
    assert "Demandée si vous demandez la majoration (règle du formulaire)" in page
    assert "Toujours demandée" in page


def test_admin_documents_superuser_relabel_deactivate_and_add(admin_client, cast):
    """Relabelled, deactivated and added documents are what the téléservice now asks for; the
    conditional document keeps its condition."""
    codes = list(rows(cast.teleservice))
    index = {code: i for i, code in enumerate(codes)}
    response = post_change(
        admin_client,
        cast.teleservice,
        **{
            f"document_rows-{index['rib']}-label": "RIB au nom du jeune",
            f"document_rows-{index['bail']}-active": None,
            f"document_rows-{len(codes)}-label": "Justificatif de domicile",
            f"document_rows-{len(codes)}-help": "De moins de trois mois.",
            f"document_rows-{len(codes)}-required": "on",
            f"document_rows-{len(codes)}-active": "on",
            f"document_rows-{len(codes)}-order": "0",
        },
    )

    assert response.status_code == 302
    specs = {spec.code: spec for spec in specs_for(cast.teleservice)}
    assert list(specs)[-1] == "justificatif_de_domicile"
    assert "bail" not in specs and str(specs["rib"].label) == "RIB au nom du jeune"
    added = specs["justificatif_de_domicile"]
    assert (str(added.label), str(added.help), added.required, added.is_conditional) == (
        "Justificatif de domicile",
        "De moins de trois mois.",
        True,
        False,
    )
    engagement = specs["attestation_engagement"]
    assert not engagement.is_required({"engagement": "aucun"})
    assert engagement.is_required({"engagement": "jsp"})
    assert cast.teleservice.versions.count() == 2


def test_admin_documents_superuser_blank_label_refused(admin_client, cast):
    """A document without a label is refused in French; nothing changes."""
    index = list(rows(cast.teleservice)).index("rib")
    response = post_change(admin_client, cast.teleservice, **{f"document_rows-{index}-label": ""})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    assert rows(cast.teleservice)["rib"].label == "Relevé d'identité bancaire (RIB)"


def test_admin_save_unchanged_superuser_makes_no_new_version(admin_client, cast):
    """Saving without changing the documents keeps the same version."""
    assert post_change(admin_client, cast.teleservice, title="Pack Jeunes 2026").status_code == 302
    assert cast.teleservice.versions.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "applicant", "agent", "supervisor"])
def test_admin_teleservice_non_staff_cannot_reach(client, cast, who):
    """Anonymous visitors are sent to a login page; citizens, agents and supervisors get a 404 (the
    admin is for administrators only: config/admin.py); never the page."""
    logins = (reverse("admin:login"), reverse("login"))
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    for url in (LIST_URL, change_url(cast.teleservice)):
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(logins), url
        else:
            assert response.status_code == 404, url
    response = client.post(LIST_URL, {"action": "unpublish", "_selected_action": [cast.teleservice.pk]})
    assert response.status_code == (302 if who == "anonymous" else 404)
    cast.teleservice.refresh_from_db()
    assert cast.teleservice.published
