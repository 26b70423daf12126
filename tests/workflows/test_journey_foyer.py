"""The foyer téléservices Pack Jeunes (permis B), AFDE and BDS, each from filing to decision at
HTTP level: the citizen creates the draft through the pages, fills the form, uploads the
documents and transmits; an agent takes the dossier and decides through the back-office pages;
the decision reaches the citizen."""

from __future__ import annotations

import datetime as dt
import html

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from instruction.models import Dossier, DossierStatus
from tests.factories import (
    PASSWORD,
    FoyerMemberFactory,
    birth_date_for_age,
    catalogue_teleservice,
    document_uploads,
    valid_form_data,
)
from workflows import engine


def login(client, user):
    client.logout()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def citizen_files(client, teleservice, applicant, data_for, *, offered, not_offered=()):
    """Through the pages: the fiche, « Déposer un dossier », the form (only the eligible members
    offered), « Enregistrer » with the documents, the recap, « Transmettre » then « Oui »."""
    login(client, applicant)
    assert "Déposer un dossier" in page(client, reverse("citizen:teleservice", args=[teleservice.slug]))
    response = client.post(reverse("citizen:start", args=[teleservice.slug]))
    dossier = Dossier.objects.get(applicant=applicant, teleservice=teleservice)
    assert response.url == reverse("citizen:edit", args=[dossier.reference])
    assert dossier.reference.startswith(f"{teleservice.code}-")
    form_page = page(client, response.url)
    for member in offered:
        assert f'value="{member.pk}"' in form_page
    for member in not_offered:
        assert f'value="{member.pk}"' not in form_page
    data = data_for(offered[0])
    response = client.post(response.url, {**data, **document_uploads(teleservice, data)})
    assert response.status_code == 302 and response.url == reverse("citizen:dossier", args=[dossier.reference])
    recap = page(client, response.url)
    assert "Récapitulatif de la demande" in recap and "Brouillon" in recap
    client.post(reverse("citizen:transmit", args=[dossier.reference]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TRANSMITTED, page(client, reverse("citizen:edit", args=[dossier.reference]))
    assert dossier.beneficiary == offered[0]
    return dossier, form_page, recap


def agent_takes(client, agent, dossier, reasoning):
    """The agent finds the dossier in the queue, reviews the computed amount and takes it."""
    login(client, agent)
    assert dossier.reference in page(client, reverse("backoffice:queue"))
    review = page(client, reverse("backoffice:review", args=[dossier.reference]))
    assert "Montant calculé" in review
    for line in reasoning:
        assert f"<li>{line}</li>" in review
    client.post(reverse("backoffice:act", args=[dossier.reference, "prendre"]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.IN_INSTRUCTION and dossier.assignee == agent


def decision_reaches_citizen(client, dossier, deliver_outbox, status_label):
    deliver_outbox()
    subjects = [m.subject for m in mail.outbox if m.to == [dossier.applicant.email]]
    assert f"Décision sur votre demande {dossier.reference} : {status_label}" in subjects
    login(client, dossier.applicant)
    assert status_label in page(client, reverse("citizen:dossier", args=[dossier.reference]))
    assert engine.open_tasks(dossier) == []


def test_journey_pack_jeunes_permis_validated_by_supervisor(client, cast, deliver_outbox, settings):
    """A young firefighter asks for the permis B: 400 € + 50 %; 600 € is above the 400 €
    threshold, so the agent's acceptance waits for the supervisor, who validates it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cast.teleservice.validation_threshold = 400
    cast.teleservice.save()
    young = cast.applicant.foyer.members.get()
    child = FoyerMemberFactory(foyer=cast.applicant.foyer, birth_date=birth_date_for_age(17))
    registered = (timezone.localdate() - dt.timedelta(days=30)).isoformat()

    def permis(member):
        return valid_form_data(
            member,
            aid="permis",
            engagement="jsp",
            housing_address="",
            housing_postal_code="",
            housing_commune="",
            move_in_date="",
            monthly_rent="",
            driving_school="Auto-école de la Colombine",
            driving_school_commune="Vesoul",
            registration_date=registered,
            permis_cost="1380",
        )

    dossier, form_page, recap = citizen_files(
        client, cast.teleservice, cast.applicant, permis, offered=[young], not_offered=[child]
    )
    assert 'name="aid" value="permis"' in form_page
    assert 'data-when-field="aid" data-when-values="permis"' in form_page  # hidden until the permis is chosen
    assert "Attestation d'inscription à l'auto-école" in recap and "attestation_auto_ecole.pdf" in recap
    assert "Auto-école de la Colombine" in recap and "Bail au nom du demandeur" not in recap
    assert "Adresse du logement" not in recap
    assert set(dossier.files.values_list("document", flat=True)) == {
        "avis_imposition",
        "rib",
        "attestation_auto_ecole",
        "piece_identite",
        "attestation_engagement",
    }

    agent_takes(
        client,
        cast.agent,
        dossier,
        [
            "Permis de conduire (permis B) — quotient familial 450 € (tranche 300 à 599 €) : 400 €",
            "Majoration de 50 % (Jeune sapeur-pompier volontaire) : + 200 €",
            "Montant proposé : 600 €",
        ],
    )
    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]), {"outcome": "accepted", "amount": "600"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_VALIDATION

    login(client, cast.supervisor)
    assert dossier.reference in page(client, reverse("backoffice:to_validate"))
    client.post(reverse("backoffice:act", args=[dossier.reference, "valider"]))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED and str(dossier.decision_amount) == "600.00"
    decision_reaches_citizen(client, dossier, deliver_outbox, "Accepté")


def test_journey_afde_student_accepted(client, cast, deliver_outbox, settings):
    """A parent asks the AFDE for a student of 20: QF 450 and age 20 give 300 €, accepted."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    afde = catalogue_teleservice("afde", cast.service)
    assert "AFDE — allocation familiale départementale étudiant" in page(client, reverse("citizen:catalogue"))
    fiche = page(client, reverse("citizen:teleservice", args=[afde.slug]))
    assert "Exemple de démonstration" in fiche and "Diplôme ou relevé de notes du baccalauréat" in fiche
    student = cast.applicant.foyer.members.get()
    older = FoyerMemberFactory(foyer=cast.applicant.foyer, birth_date=birth_date_for_age(26))

    def afde_data(member):
        return {
            "beneficiary": str(member.pk),
            "quotient_familial": "450",
            "bac_year": str(timezone.localdate().year - 2),
            "establishment": "Université de Franche-Comté",
            "course": "Licence de mathématiques",
            "year_of_study": "2",
            "certify": "on",
        }

    dossier, form_page, recap = citizen_files(
        client, afde, cast.applicant, afde_data, offered=[student], not_offered=[older]
    )
    assert 'value="450"' in form_page  # the foyer's QF is proposed
    assert "Université de Franche-Comté" in recap and "2e année" in recap

    agent_takes(
        client,
        cast.agent,
        dossier,
        [
            "Quotient familial 450 € (tranche 0 à 499 €)",
            "Étudiant de 20 ans (tranche « 20 ans ou moins ») : 300 €",
            "Montant proposé : 300 €",
        ],
    )
    review = page(client, reverse("backoffice:review", args=[dossier.reference]))
    assert 'name="amount" value="300"' in review  # the decision form proposes the computed amount
    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]), {"outcome": "accepted", "amount": "300"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED and str(dossier.decision_amount) == "300.00"
    decision_reaches_citizen(client, dossier, deliver_outbox, "Accepté")


def test_journey_bds_pupil_rejected_with_motivation(client, cast, deliver_outbox, settings):
    """A parent asks the BDS for a lycéen; the agent refuses with a motivation, which the citizen reads."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    bds = catalogue_teleservice("bds", cast.service)
    young = cast.applicant.foyer.members.get()  # 20: still in the range
    pupil = FoyerMemberFactory(foyer=cast.applicant.foyer, birth_date=birth_date_for_age(15))
    small = FoyerMemberFactory(foyer=cast.applicant.foyer, birth_date=birth_date_for_age(9))

    def bds_data(member):
        return {
            "beneficiary": str(member.pk),
            "quotient_familial": "450",
            "class_level": "2nde",
            "school": "Lycée Édouard Belin, Vesoul",
            "certify": "on",
        }

    dossier, _form_page, recap = citizen_files(
        client, bds, cast.applicant, bds_data, offered=[pupil, young], not_offered=[small]
    )
    assert "Seconde générale et technologique" in recap

    agent_takes(
        client,
        cast.agent,
        dossier,
        [
            "Quotient familial 450 € (tranche 450 à 699 €) : 100 €",
            "Supplément lycée (Seconde générale et technologique) : + 80 €",
            "Montant proposé : 180 €",
        ],
    )
    motivation = "Le certificat de scolarité concerne l'année scolaire précédente."
    response = client.post(
        reverse("backoffice:act", args=[dossier.reference, "decider"]),
        {"outcome": "rejected", "motivation": motivation},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REJECTED
    decision_reaches_citizen(client, dossier, deliver_outbox, "Refusé")
    assert motivation in page(client, reverse("citizen:dossier", args=[dossier.reference]))


def test_start_afde_foyer_without_student_refused_on_the_fiche(client, cast):
    """« Déposer un dossier » on the AFDE for a foyer without a child under 26 creates nothing and says why."""
    afde = catalogue_teleservice("afde", cast.service)
    member = cast.applicant.foyer.members.get()
    member.birth_date = birth_date_for_age(27)
    member.save()
    login(client, cast.applicant)
    response = client.post(reverse("citizen:start", args=[afde.slug]), follow=True)
    assert "réservée aux familles ayant un enfant de moins de 26 ans" in html.unescape(response.content.decode())
    assert not Dossier.objects.filter(applicant=cast.applicant).exists()
