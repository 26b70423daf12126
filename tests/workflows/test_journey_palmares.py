"""Palmarès at HTTP level: a commune registers once per campaign; the agent instructs it, the
jury visits, reports and ranks it; the commune reads its prize."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from instruction.models import Dossier, DossierStatus, Event
from tests.factories import UserFactory, document_uploads
from tests.pages import text_of
from tests.palmares_helpers import PALMARES_DATA, commune_of, palmares_teleservice
from workflows import engine

S = DossierStatus


def login(client, user):
    client.force_login(user)


def _open_steps(dossier):
    return [t.flow_task.name for t in engine.open_tasks(dossier)]


def test_journey_palmares_commune_registers_jury_visits_and_ranks(client, cast, deliver_outbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    palmares = palmares_teleservice(cast.service)
    mayor = UserFactory(email="maire@gy.test", first_name="Bernard")
    commune = commune_of(mayor)
    login(client, mayor)
    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{commune.pk}"})

    response = client.post(reverse("citizen:start", args=[palmares.slug]))
    dossier = Dossier.objects.get(organisme=commune)
    assert response.url == reverse("citizen:edit", args=[dossier.reference])
    data = dict(PALMARES_DATA)
    client.post(response.url, {**data, **document_uploads(palmares, data)})
    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == S.TRANSMITTED

    # A second deposit in the same campaign leads to the first, with the reason.
    again = client.post(reverse("citizen:start", args=[palmares.slug]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("citizen:dossier", args=[dossier.reference])
    assert f"déjà déposé son inscription pour la campagne {dossier.campaign}" in text_of(again)
    assert Dossier.objects.filter(organisme=commune).count() == 1

    client.logout()
    login(client, cast.agent)
    act = lambda slug, **posted: client.post(reverse("backoffice:act", args=[dossier.reference, slug]), posted)  # noqa: E731
    act("prendre")
    review = text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))
    assert "Programmer la visite du jury" in review

    # Accepting at review is not how a commune wins: the jury ranks it after its visit.
    assert "Accepter" not in review  # the decision form offers only a refusal or a closure
    refused = act("decider", outcome="accepted", amount="500")
    assert refused.status_code == 400 and dossier.status == S.TRANSMITTED
    assert Dossier.objects.get(pk=dossier.pk).status == S.IN_INSTRUCTION

    too_late = act("programmer-visite", visit_on=(timezone.localdate() - dt.timedelta(days=1)).isoformat())
    assert too_late.status_code == 400 and "entre aujourd'hui et dans un an" in text_of(too_late)
    act("programmer-visite", visit_on=timezone.localdate().isoformat(), message="Rendez-vous à la mairie à 10 h.")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.jury_visit_on) == (S.VISIT_SCHEDULED, timezone.localdate())
    assert _open_steps(dossier) == ["jury_visit"]
    deliver_outbox()
    visit_mail = mail.outbox[-1]
    assert visit_mail.to == ["maire@gy.test"] and "Visite du jury programmée" in visit_mail.subject
    assert "Rendez-vous à la mairie à 10 h." in visit_mail.body

    empty = act("compte-rendu", report="  ")
    assert empty.status_code == 400 and "Rédigez le compte rendu" in text_of(empty)
    act("compte-rendu", report="Fleurissement soigné du centre-bourg, lavoir remarquable.")
    dossier.refresh_from_db()
    assert dossier.status == S.AWAITING_RANKING and _open_steps(dossier) == ["ranking"]

    missing = act("classer", prize="")
    assert missing.status_code == 400 and "Choisissez la catégorie de prix" in text_of(missing)
    act("classer", prize="premier", motivation="Très belle mise en valeur du patrimoine.")
    dossier.refresh_from_db()
    assert dossier.status == S.ACCEPTED and dossier.prize == "premier"
    assert str(dossier.decision_amount) == "500.00"  # 400 € × 1.25 for 1,000 to 3,000 inhabitants
    assert _open_steps(dossier) == [] and dossier.process.status == "DONE"
    assert list(Event.objects.filter(dossier=dossier).values_list("action", flat=True)) == [
        "create",
        "transmit",
        "take",
        "consult",  # the agent opened the review page (instruction/audit.py), once in the window
        "schedule_visit",
        "report_visit",
        "decide",
    ]
    deliver_outbox()
    decision_mail = mail.outbox[-1]
    assert "Classement : Premier prix" in decision_mail.body
    assert [name for name, _content, _type in decision_mail.attachments] == [
        f"lettre-de-decision-{dossier.reference}.pdf"
    ]

    client.logout()
    login(client, mayor)
    page = text_of(client.get(reverse("citizen:dossier", args=[dossier.reference])))
    assert "Classement : Premier prix" in page and "500" in page
