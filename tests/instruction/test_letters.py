"""The decision letter: rendered by the worker from the decide event and the téléservice's
template, e-mailed as a PDF, stored once, downloadable by the applicant and the service's agents."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone

from instruction import actions
from instruction.letters import (
    check_letter_template,
    letter_html,
    letter_pdf,
    render_decision_letter,
    stored_letter,
)
from instruction.models import DecisionLetter, Dossier, DossierStatus, OutboxMessage
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier


def decided(cast, outcome=DossierStatus.ACCEPTED, amount="250", motivation=""):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, outcome=outcome, amount=amount, motivation=motivation)
    return dossier, dossier.events.get(action="decide")


def text_of(page: str) -> str:
    return " ".join(html.unescape(page).split())


def letter_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file() and "lettres" in p.parts]


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_letter_applicant_decision_email_carries_the_stored_pdf(cast, deliver_outbox, mailbox, settings):
    """The decision e-mail names the letter by its decide event; the worker attaches the PDF and keeps it."""
    dossier, event = decided(cast)
    outbox = OutboxMessage.objects.get(key__startswith=f"decision:{dossier.reference}:")
    assert outbox.payload["attachments"] == [{"kind": "decision_letter", "event": event.pk}]
    assert not DecisionLetter.objects.exists()  # rendered later, by the worker

    deliver_outbox()
    (email,) = [m for m in mailbox if m.subject.startswith("Décision")]
    assert "la lettre de décision en pièce jointe" in email.body
    ((name, content, mimetype),) = email.attachments
    assert (name, mimetype) == (f"lettre-de-decision-{dossier.reference}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-") and len(content) > 1000
    letter = DecisionLetter.objects.get()
    assert (letter.dossier, letter.event) == (dossier, event)
    with letter.file.open("rb") as stored:
        assert stored.read() == content


def test_letter_delivered_twice_is_rendered_and_stored_once(cast, deliver_outbox, mailbox, settings):
    """A retried delivery sends the same bytes again and keeps one row and one file."""
    dossier, event = decided(cast)
    deliver_outbox()
    OutboxMessage.objects.filter(key__startswith="decision:").update(status=OutboxMessage.Status.PENDING)
    deliver_outbox()
    first, second = [m for m in mailbox if m.subject.startswith("Décision")]
    assert first.attachments[0][1] == second.attachments[0][1]
    assert DecisionLetter.objects.count() == 1 and len(letter_files(settings)) == 1
    outbox = OutboxMessage.objects.get(key__startswith="decision:")
    assert render_decision_letter(outbox, outbox.payload["attachments"][0])[1] == first.attachments[0][1]
    assert stored_letter(event) == DecisionLetter.objects.get()
    assert len(letter_files(settings)) == 1


def test_letter_default_body_has_layout_decision_and_amount(cast):
    """Letterhead, date of the decision, reference, applicant, téléservice, amount in French, signature."""
    dossier, event = decided(cast, amount="250")
    page = text_of(letter_html(event))
    assert "Département — Mes services publics" in page and "Service Jeunesse" in page
    day = formats.date_format(timezone.localdate(event.created), "j F Y")
    assert f"Le {day}" in page
    assert f"Référence : {dossier.reference}" in page and cast.applicant.get_full_name() in page
    assert f"« {cast.teleservice.title} » a été acceptée" in page
    assert "Le montant accordé est de 250,00 €." in page
    assert "Pour le Président du Conseil départemental et par délégation," in page


def test_letter_default_body_rejected_gives_motivation_and_appeal(cast):
    """A refusal states its motivation and the means of appeal."""
    dossier, event = decided(cast, DossierStatus.REJECTED, amount=None, motivation="Loyer hors plafond <b>x</b>")
    page = letter_html(event)
    assert "a été refusée, pour le motif suivant" in text_of(page)
    assert "Loyer hors plafond &lt;b&gt;x&lt;/b&gt;" in page  # escaped
    assert "tribunal administratif" in page and "montant accordé" not in page


def test_letter_teleservice_template_used_when_set(cast):
    """A téléservice's own body replaces the default one, inside the common layout."""
    cast.teleservice.letter_template = (
        "<p>Objet spécial : {{ decision }} pour {{ dossier }} ({{ teleservice }}), {{ montant }}, "
        "{{ demandeur }}, le {{ date|date:'d/m/Y' }}.{% if motivation %} {{ motivation }}{% endif %}</p>"
    )
    cast.teleservice.save()
    dossier, event = decided(cast, amount="400", motivation="Majoration accordée.")
    page = text_of(letter_html(event))
    day = timezone.localdate(event.created).strftime("%d/%m/%Y")
    assert (
        f"Objet spécial : Accepté pour {dossier.reference} ({cast.teleservice.title}), 400,00 €, "
        f"{cast.applicant.get_full_name()}, le {day}." in page
    )
    assert "J'ai le plaisir" not in page
    assert "Département — Mes services publics" in page and "par délégation" in page


def test_letter_teleservice_template_escapes_values(cast):
    """Values are escaped in an administrator's template, and |safe is not available."""
    cast.teleservice.letter_template = "<p>{{ motivation }}</p>"
    cast.teleservice.save()
    _dossier, event = decided(cast, DossierStatus.CLOSED, amount=None, motivation="<script>x</script>")
    assert "&lt;script&gt;x&lt;/script&gt;" in letter_html(event)


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}",
        "{% debug %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% now 'Y' %}",
        "{% url 'citizen:home' %}",
        "{% autoescape off %}{{ motivation }}{% endautoescape %}",
        "{{ motivation|safe }}",
        "{% if %}",
    ],
)
def test_letter_template_check_refuses_unsafe_or_broken_tags(source):
    """An administrator's template may not load, include, read the clock, reverse URLs or unescape."""
    with pytest.raises(ValidationError, match="Le modèle de lettre contient une erreur"):
        check_letter_template(source)


def test_letter_template_check_accepts_the_documented_variables():
    """The variables and usual tags of a letter are accepted."""
    check_letter_template(
        "{% if decision_code == 'accepted' %}<p>{{ montant }}</p>{% else %}<p>{{ motivation|linebreaksbr }}</p>"
        "{% endif %}{{ reference }} {{ dossier }} {{ demandeur|upper }} {{ teleservice }} {{ service }} "
        "{{ decision }} {{ date|date:'j F Y' }}"
    )


def test_letter_rendered_from_the_event_not_from_the_dossier_now(cast):
    """Later changes of the dossier row do not change the letter; two renders give the same bytes."""
    dossier, event = decided(cast, amount="250")
    before = letter_html(event)
    Dossier.objects.filter(pk=dossier.pk).update(decision_amount="999.00", decision_motivation="Autre")
    event.refresh_from_db()
    assert letter_html(event) == before
    assert letter_pdf(event) == letter_pdf(event)


def test_letter_template_cannot_fetch_files_or_hosts(cast):
    """Nothing is fetched while rendering: a file:// or http:// resource is refused, the letter renders."""
    cast.teleservice.letter_template = (
        '<img src="file:///etc/passwd" alt=""><img src="http://127.0.0.1:9/x.png" alt=""><p>{{ decision }}</p>'
    )
    cast.teleservice.save()
    _dossier, event = decided(cast)
    assert letter_pdf(event).startswith(b"%PDF-")


def test_letter_renderer_refuses_an_event_of_another_dossier(cast):
    """An attachment spec can only name the decide event of its own message's dossier."""
    _dossier, event = decided(cast)
    other = filed_dossier(cast.teleservice, cast.applicant)
    message = OutboxMessage.objects.filter(dossier=other).first()
    with pytest.raises(ValueError, match="no decide event"):
        render_decision_letter(message, {"kind": "decision_letter", "event": event.pk})


# --- Downloads ------------------------------------------------------------------------------


def letter_urls(dossier: Dossier) -> dict[str, str]:
    letter = DecisionLetter.objects.get(dossier=dossier)
    return {
        "citizen": reverse("citizen:letter", args=[dossier.reference, letter.pk]),
        "agent": reverse("backoffice:letter", args=[dossier.reference, letter.pk]),
    }


def test_letter_citizen_dossier_page_offers_the_download(client, cast, deliver_outbox, mailbox):
    """The applicant's dossier page links « Lettre de décision » to the stored PDF, once it exists."""
    dossier, _event = decided(cast)
    login(client, cast.applicant)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert "Lettre de décision" not in page
    deliver_outbox()
    urls = letter_urls(dossier)
    page = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert f'href="{urls["citizen"]}">Lettre de décision</a>' in page
    response = client.get(urls["citizen"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="lettre-de-decision-{dossier.reference}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    (email,) = [m for m in mailbox if m.subject.startswith("Décision")]
    assert content == email.attachments[0][1]


@pytest.mark.parametrize(
    ("who", "citizen_status", "agent_status"),
    [
        ("applicant", 200, 404),
        ("other_citizen", 404, 404),
        ("agent", 404, 200),
        ("other_agent", 404, 404),
        ("supervisor", 404, 200),
    ],
)
def test_letter_download_cast(client, cast, deliver_outbox, mailbox, who, citizen_status, agent_status):
    """The applicant on their side, the service's agents on theirs; everyone else gets a 404."""
    dossier, _event = decided(cast)
    deliver_outbox()
    urls = letter_urls(dossier)
    login(client, getattr(cast, who))
    for url, expected in ((urls["citizen"], citizen_status), (urls["agent"], agent_status)):
        response = client.get(url)
        assert response.status_code == expected
        if expected == 200:
            assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_letter_download_anonymous_goes_to_login(client, cast, deliver_outbox, mailbox):
    """Without a session, both downloads send to the login page."""
    dossier, _event = decided(cast)
    deliver_outbox()
    for url in letter_urls(dossier).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_letter_download_applicant_other_dossier_letter_is_404(client, cast, deliver_outbox, mailbox):
    """A letter id is only served under its own dossier's reference."""
    dossier, _event = decided(cast)
    own = filed_dossier(cast.teleservice, cast.applicant)
    deliver_outbox()
    letter = DecisionLetter.objects.get(dossier=dossier)
    login(client, cast.applicant)
    assert client.get(reverse("citizen:letter", args=[own.reference, letter.pk])).status_code == 404
    assert client.get(reverse("citizen:letter", args=[dossier.reference, letter.pk + 1000])).status_code == 404
    assert client.post(reverse("citizen:letter", args=[dossier.reference, letter.pk])).status_code == 405
