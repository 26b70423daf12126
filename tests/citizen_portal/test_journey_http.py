"""The whole journey of the foundation issue, at HTTP level through Django's test client."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse

from instruction.models import Dossier, DossierStatus, Event, OutboxMessage
from tests.factories import PASSWORD, document_uploads, valid_form_data
from workflows import engine


def login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_journey_citizen_files_and_agent_decides(client, cast, deliver_outbox, settings):
    """A citizen files a Pack Jeunes dossier; an agent takes it from the queue and accepts it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    login(client, cast.applicant)
    fiche = client.get(reverse("citizen:teleservice", args=[cast.teleservice.slug]))
    assert "Déposer un dossier" in fiche.content.decode()

    response = client.post(reverse("citizen:start", args=[cast.teleservice.slug]))
    dossier = Dossier.objects.get(applicant=cast.applicant)
    assert response.url == reverse("citizen:edit", args=[dossier.reference])
    assert re.fullmatch(r"PJL-\d{4}-\d{6}", dossier.reference)

    form_page = client.get(response.url).content.decode()
    beneficiary = cast.applicant.foyer.members.get()
    assert f'value="{beneficiary.pk}"' in form_page  # the eligible member is offered

    data = valid_form_data(beneficiary)
    response = client.post(
        reverse("citizen:edit", args=[dossier.reference]), {**data, **document_uploads(cast.teleservice, data)}
    )
    assert response.url == reverse("citizen:dossier", args=[dossier.reference])
    recap = client.get(response.url).content.decode()
    assert "Récapitulatif de la demande" in recap and "Transmettre" in recap and "Brouillon" in recap
    assert "rib.pdf" in recap  # the documents and their files are on the recap

    confirm = client.get(reverse("citizen:transmit", args=[dossier.reference])).content.decode()
    assert "Oui" in confirm
    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED
    recap = client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()
    assert "Transmis" in recap and "plus modifiable" in recap and "Modifier" not in recap

    deliver_outbox()
    assert [m.to for m in mail.outbox] == [[cast.applicant.email]]
    assert "Accusé de réception" in mail.outbox[0].subject
    assert [(name, content[:4]) for name, content, _type in mail.outbox[0].attachments] == [
        (f"accuse-de-reception-{dossier.reference}.pdf", b"%PDF")
    ]

    client.logout()
    login(client, cast.agent)
    queue = client.get(reverse("backoffice:queue")).content.decode()
    assert dossier.reference in queue
    review = client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode()
    assert "Prendre en charge" in review and "Montant proposé : 250 €" in review

    client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
    assert dossier.reference in client.get(reverse("backoffice:my_tasks")).content.decode()
    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]), {"outcome": "accepted", "amount": "250"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED and str(dossier.decision_amount) == "250.00"
    assert engine.open_tasks(dossier) == []
    assert list(Event.objects.filter(dossier=dossier).values_list("action", flat=True)) == [
        "create",
        "transmit",
        "consult",  # the agent opened the review page (instruction/audit.py), then took the dossier
        "take",
        "decide",
    ]
    deliver_outbox()
    assert OutboxMessage.objects.filter(dossier=dossier, status="sent").count() == 2

    client.logout()
    login(client, cast.applicant)
    assert "Accepté" in client.get(reverse("citizen:dossier", args=[dossier.reference])).content.decode()


def test_transmit_citizen_incomplete_form_keeps_input(client, cast):
    """An incomplete transmission shows French errors, keeps what was typed and stays a draft."""
    login(client, cast.applicant)
    client.post(reverse("citizen:start", args=[cast.teleservice.slug]))
    dossier = Dossier.objects.get(applicant=cast.applicant)
    beneficiary = cast.applicant.foyer.members.get()
    typed = valid_form_data(beneficiary, housing_postal_code="7000", monthly_rent="", housing_commune="Gray")
    client.post(reverse("citizen:edit", args=[dossier.reference]), typed)

    response = client.post(reverse("citizen:transmit", args=[dossier.reference]), follow=True)
    page = response.content.decode()
    assert "Le code postal comporte 5 chiffres." in page
    assert "Indiquez le montant du loyer mensuel." in page
    assert 'value="Gray"' in page  # what was typed is still there
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT and dossier.process_id is None
    assert not OutboxMessage.objects.exists()


def test_transmit_citizen_double_post_transmits_once(client, cast):
    """A double click on « Oui » transmits once and says so the second time."""
    login(client, cast.applicant)
    client.post(reverse("citizen:start", args=[cast.teleservice.slug]))
    dossier = Dossier.objects.get(applicant=cast.applicant)
    data = valid_form_data(cast.applicant.foyer.members.get())
    client.post(reverse("citizen:edit", args=[dossier.reference]), {**data, **document_uploads(cast.teleservice, data)})
    url = reverse("citizen:transmit", args=[dossier.reference])
    client.post(url)
    second = client.post(url, follow=True).content.decode()
    assert "déjà été transmise" in second
    assert Event.objects.filter(dossier=dossier, action="transmit").count() == 1
    assert OutboxMessage.objects.filter(dossier=dossier).count() == 1


def test_decide_agent_reject_without_motivation_is_refused(client, cast):
    """Refusing without a motivation shows the French error and changes nothing."""
    from tests.factories import filed_dossier

    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.agent)
    client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
    response = client.post(reverse("backoffice:act", args=[dossier.reference, "decider"]), {"outcome": "rejected"})
    assert response.status_code == 400
    assert "La motivation est obligatoire" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_INSTRUCTION
