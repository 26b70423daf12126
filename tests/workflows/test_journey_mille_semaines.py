"""1000 Semaines at HTTP level: a parent files for two children, an association files a
collective stay; an agent takes each dossier and decides it, the review screen showing the
computed amount with its reasoning."""

from __future__ import annotations

from django.urls import reverse

from instruction.models import Dossier, DossierStatus, Event, Organisme
from instruction.receipt import receipt_html
from tests.factories import UserFactory, document_uploads
from tests.pages import text_of
from tests.workflows.mille_helpers import (
    add_child,
    collective_data,
    collectives_teleservice,
    familles_teleservice,
    posted_rows,
    stay_row,
    structure_of,
    years_ago,
)
from workflows import engine


def _decide_through_backoffice(client, cast, dossier, expected_lines, amount):
    client.logout()
    client.force_login(cast.agent)
    assert dossier.reference in text_of(client.get(reverse("backoffice:queue")))
    review = text_of(client.get(reverse("backoffice:review", args=[dossier.reference])))
    assert "Prendre en charge" in review and "Montant calculé" in review
    for line in expected_lines:
        assert line in review
    client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]), {"outcome": "accepted", "amount": amount}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED and dossier.decision_amount == int(amount)
    assert engine.open_tasks(dossier) == []
    done = list(Event.objects.filter(dossier=dossier).order_by("created", "pk").values_list("action", flat=True))
    assert "transmit" in done and done[-2:] == ["take", "decide"]


def test_journey_mille_semaines_familles_parent_files_two_children(client, cast):
    """A parent adds a second child's row without JavaScript, transmits; the agent reads one
    line per child and the total, corrects the QF (the rows stay), and accepts."""
    teleservice = familles_teleservice(cast.service)
    lea = add_child(cast.applicant, "Léa", years_ago(9))
    hugo = add_child(cast.applicant, "Hugo", years_ago(12))
    client.force_login(cast.applicant)
    response = client.post(reverse("citizen:start", args=[teleservice.slug]))
    dossier = Dossier.objects.get(applicant=cast.applicant)
    assert response.url == reverse("citizen:edit", args=[dossier.reference])
    assert dossier.reference.startswith("MSF-")

    first = {"quotient_familial": "620", **posted_rows([stay_row(lea)]), "ligne": "ajouter:children"}
    added = client.post(response.url, first)
    assert added.url == response.url + "#children-1"
    assert "Enfant 2" in text_of(client.get(added.url))

    data = {
        "quotient_familial": "620",
        "certify": "on",
        **posted_rows([stay_row(lea, weeks="2"), stay_row(hugo, weeks="3", commune="Marnay")]),
    }
    saved = client.post(response.url, {**data, **document_uploads(teleservice, data)})
    assert saved.url == reverse("citizen:dossier", args=[dossier.reference])
    recap = text_of(client.get(saved.url))
    assert "Enfant 1" in recap and "Enfant 2" in recap and "Marnay" in recap and "attestation_sejour.pdf" in recap

    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED
    assert [row["weeks"] for row in dossier.data["children"]] == ["2", "3"]
    receipt = receipt_html(dossier)  # the accusé de réception lists every child's stay
    assert "Enfant 2 — Commune du séjour" in receipt and "Marnay" in receipt

    # The agent corrects the QF: the rows of the block are neither offered nor lost.
    client.logout()
    client.force_login(cast.agent)
    client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
    panel = text_of(client.get(reverse("backoffice:review", args=[dossier.reference]) + "?champ=quotient_familial"))
    assert "Nouvelle valeur : Quotient familial (€)" in panel
    client.post(
        reverse("backoffice:act", args=[dossier.reference, "corriger"]),
        {
            "correction-field": "quotient_familial",
            "correction-value": "450",
            "correction-reason": "Attestation CAF de janvier.",
        },
    )
    dossier.refresh_from_db()
    assert dossier.data["quotient_familial"] == "450" and len(dossier.data["children"]) == 2
    assert Event.objects.filter(dossier=dossier, action="correct_field").exists()
    client.post(reverse("backoffice:act", args=[dossier.reference, "liberer"]))

    lines = [
        "Quotient familial 450 € (tranche 0 à 499 €) : 200 € par semaine",
        f"Léa {lea.last_name} : 2 semaine(s) × 200 € = 400 €",
        f"Hugo {hugo.last_name} : 3 semaine(s) × 200 € = 600 €",
        "Montant proposé : 1000 €",
    ]
    _decide_through_backoffice(client, cast, dossier, lines, "1000")


def test_journey_mille_semaines_collectives_association_files_a_stay(client, cast):
    """A commune is refused at start; an association files a stay, the agent accepts it."""
    teleservice = collectives_teleservice(cast.service)
    user = UserFactory(email="direction@francas70.test")
    commune = structure_of(user, kind=Organisme.Kind.COMMUNE, siret="21700282500016")
    association = structure_of(user)
    client.force_login(user)

    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{commune.pk}"})
    refused = client.post(reverse("citizen:start", args=[teleservice.slug]), follow=True)
    assert "Seule une association ou un centre de vacances peut déposer" in text_of(refused)
    assert not Dossier.objects.exists()

    client.post(reverse("citizen:switch_space"), {"espace": f"organisme:{association.pk}"})
    response = client.post(reverse("citizen:start", args=[teleservice.slug]))
    dossier = Dossier.objects.get(organisme=association)
    data = collective_data()
    client.post(response.url, {**data, **document_uploads(teleservice, data)})
    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED, dossier.data

    lines = ["24 enfant(s) du département × 2 semaine(s) × 40 € = 1920 €", "Montant proposé : 1920 €"]
    _decide_through_backoffice(client, cast, dossier, lines, "1920")
    client.logout()
    client.force_login(user)
    assert "Accepté" in text_of(client.get(reverse("citizen:dossier", args=[dossier.reference])))
