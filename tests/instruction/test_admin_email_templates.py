"""The acknowledgement and decision e-mails of a téléservice, rewritten in the administration:
refused when they would not render, used when written, the default text when blank."""

from __future__ import annotations

from typing import Any

import pytest

from instruction import actions
from instruction.models import OutboxMessage, Teleservice
from tests.factories import UserFactory, filed_dossier
from tests.instruction.admin_forms import post_change


@pytest.fixture
def admin_client(client: Any, db: Any) -> Any:
    client.force_login(UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True))
    return client


def sent(kind: str) -> dict[str, Any]:
    message = OutboxMessage.objects.get(key__startswith=f"{kind}:")
    payload: dict[str, Any] = message.payload
    return payload


@pytest.mark.parametrize(
    ("field", "source"),
    [
        ("ack_email_body", "{% if reference %}Bonjour"),
        ("ack_email_subject", "{% load static %}{{ reference }}"),
        ("decision_email_body", "{{ montant|date:}}"),
        ("decision_email_subject", "{% url 'citizen:dossier' reference %}"),
    ],
)
def test_admin_email_template_superuser_invalid_refused(admin_client, cast, field, source):
    """A template that would not render is refused on its field, in French, with the variables."""
    response = post_change(admin_client, cast.teleservice, **{field: source})

    assert response.status_code == 200
    (message,) = response.context["adminform"].form.errors[field]
    assert message.startswith("Le modèle d'e-mail contient une erreur")
    assert "Variables disponibles : reference, demandeur, teleservice" in message
    assert getattr(Teleservice.objects.get(pk=cast.teleservice.pk), field) == ""


def test_admin_ack_email_superuser_template_used_at_transmission(admin_client, cast):
    """The saved acknowledgement replaces the default subject and body; the receipt still goes."""
    response = post_change(
        admin_client,
        cast.teleservice,
        ack_email_subject="Demande {{ reference }}\n reçue",
        ack_email_body="Bonjour {{ demandeur }},\n« {{ teleservice }} » reçue le {{ date_transmission|date:'d/m/Y' }}."
        "\n{% if echeance %}Réponse attendue avant le {{ echeance|date:'d/m/Y' }}.{% endif %}\n{{ lien }}",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    dossier = filed_dossier(Teleservice.objects.get(pk=cast.teleservice.pk), cast.applicant)

    payload = sent("transmission-ack")
    assert payload["subject"] == f"Demande {dossier.reference} reçue"
    name = cast.applicant.get_full_name()
    day = dossier.transmitted_at.astimezone().strftime("%d/%m/%Y")
    assert payload["body"].startswith(f"Bonjour {name},\n« {cast.teleservice.title} » reçue le {day}.\n")
    assert f"Réponse attendue avant le {dossier.deadline:%d/%m/%Y}." in payload["body"]
    assert payload["body"].rstrip().endswith(f"/{dossier.reference}/")
    assert payload["attachments"] == [{"kind": "receipt"}]


def test_ack_email_blank_template_default_text(cast):
    """Blank templates: the default acknowledgement."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    payload = sent("transmission-ack")
    assert payload["subject"] == f"Accusé de réception de votre demande {dossier.reference}"
    assert "a bien été transmise au service instructeur" in payload["body"]


def test_decision_email_subject_only_keeps_default_body(cast):
    """A rewritten subject with a blank body: the custom subject, the default body."""
    cast.teleservice.decision_email_subject = "{{ teleservice }} : {{ decision|lower }} ({{ montant }})"
    cast.teleservice.save()
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)

    actions.decide(dossier, acting_user=cast.agent, outcome="accepted", amount="250")

    payload = sent("decision")
    assert payload["subject"] == f"{cast.teleservice.title} : accepté (250,00 €)"
    assert f"Une décision a été prise sur votre demande {dossier.reference} : Accepté." in payload["body"]


def test_decision_email_body_superuser_template_with_motivation(admin_client, cast):
    """The decision body written in the administration carries the motivation and the letter."""
    body = "{{ decision }}{% if motivation %} : {{ motivation }}{% endif %}{% if lettre_jointe %} (lettre){% endif %}"
    assert post_change(admin_client, cast.teleservice, decision_email_body=body).status_code == 302
    dossier = filed_dossier(Teleservice.objects.get(pk=cast.teleservice.pk), cast.applicant)
    actions.take(dossier, acting_user=cast.agent)

    actions.decide(dossier, acting_user=cast.agent, outcome="rejected", motivation="Ressources trop élevées.")

    payload = sent("decision")
    assert payload["body"] == "Refusé : Ressources trop élevées. (lettre)\n"
    assert payload["subject"].startswith(f"Décision sur votre demande {dossier.reference}")
