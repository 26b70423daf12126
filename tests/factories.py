"""factory_boy factories with named variants; the shared cast lives in tests/conftest.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from instruction import actions
from instruction.models import Audience, Dossier, Foyer, FoyerMember, Teleservice
from permissions.models import InstructingService, User

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstructingService

    name = factory.Sequence(lambda n: f"Service instructeur {n}")


class TeleserviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teleservice

    slug = factory.Sequence(lambda n: f"pack-jeunes-{n}")
    code = factory.Sequence(lambda n: f"P{n:03d}"[:5])
    title = "Pack Jeunes — aide au premier logement"
    fiche = "Aide au premier logement pour les 18–25 ans."
    audience = Audience.FOYER
    category = "Jeunesse"
    published = True
    instructing_service = factory.SubFactory(ServiceFactory)
    flow_class_path = "workflows.pack_jeunes.flow.PackJeunesFlow"
    processing_days = 30


class FoyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Foyer

    responsible = factory.SubFactory(UserFactory)
    address = "3 place du Marché"
    postal_code = "70000"
    commune = "Vesoul"
    quotient_familial = 450


class FoyerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FoyerMember

    foyer = factory.SubFactory(FoyerFactory)
    civility = "mme"
    first_name = factory.Faker("first_name_female", locale="fr_FR")
    last_name = factory.SelfAttribute("foyer.responsible.last_name")
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20 * 365 + 30))
    link = FoyerMember.Link.CHILD


def valid_form_data(beneficiary: FoyerMember, **overrides: Any) -> dict[str, Any]:
    data = {
        "beneficiary": str(beneficiary.pk),
        "quotient_familial": "450",
        "engagement": "aucun",
        "housing_address": "8 rue Paul Morel",
        "housing_postal_code": "70000",
        "housing_commune": "Vesoul",
        "move_in_date": "2026-09-01",
        "monthly_rent": "390",
        "certify": "on",
    }
    data.update(overrides)
    return data


def filed_dossier(teleservice: Teleservice, applicant: User, *, transmit: bool = True) -> Dossier:
    """A dossier filed through the actions layer (draft, saved valid, optionally transmitted)."""
    beneficiary = applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).first()
    dossier = actions.create_draft(teleservice, acting_user=applicant)
    actions.save_draft(dossier, valid_form_data(beneficiary), acting_user=applicant)
    if transmit:
        actions.transmit(dossier, acting_user=applicant)
    return dossier
