"""The téléservice's change form in the administration refuses a letter template that would not
render, with the French error on the field, and saves a valid one."""

from __future__ import annotations

from typing import Any

import pytest

from instruction.models import Teleservice
from tests.factories import UserFactory
from tests.instruction.admin_forms import post_change


@pytest.fixture
def superuser_client(client: Any, db: Any) -> Any:
    client.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    return client


def post_template(superuser_client: Any, teleservice: Teleservice, source: str) -> Any:
    return post_change(superuser_client, teleservice, letter_template=source)


@pytest.mark.parametrize("source", ["{% load static %}<p>{{ montant }}</p>", "{% if decision_code %}<p>Oui</p>"])
def test_admin_teleservice_superuser_invalid_letter_template_refused(superuser_client, cast, source):
    """A template that would not render is refused on its field, in French; nothing is saved."""
    response = post_template(superuser_client, cast.teleservice, source)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["letter_template"]
    (message,) = errors["letter_template"]
    assert message.startswith("Le modèle de lettre contient une erreur")
    assert "Variables disponibles : reference, dossier, demandeur" in message
    assert "Le modèle de lettre contient une erreur" in response.content.decode()
    cast.teleservice.refresh_from_db()
    assert cast.teleservice.letter_template == ""


def test_admin_teleservice_superuser_valid_letter_template_saved(superuser_client, cast):
    """A valid template is saved; the rest of the téléservice is unchanged."""
    source = "{% if decision_code == 'accepted' %}<p>Montant : {{ montant }}</p>{% endif %}"

    response = post_template(superuser_client, cast.teleservice, source)

    assert response.status_code == 302, response.context["adminform"].form.errors
    cast.teleservice.refresh_from_db()
    assert (cast.teleservice.letter_template, cast.teleservice.code) == (source, "PJL")


def test_admin_teleservice_superuser_blank_letter_template_accepted(superuser_client, cast):
    """Blank means the default letter: accepted."""
    cast.teleservice.letter_template = "<p>{{ motivation }}</p>"
    cast.teleservice.save()

    response = post_template(superuser_client, cast.teleservice, "")

    assert response.status_code == 302
    cast.teleservice.refresh_from_db()
    assert cast.teleservice.letter_template == ""
