"""The demo data of `make demo` loads through the actions layer, twice without duplicates."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from instruction import actions
from instruction.demo.data import ACCOUNTS, load
from instruction.models import Dossier, DossierStatus, Event, Message, Organisme, Teleservice
from permissions.models import User
from permissions.organismes import role_of


def test_demo_load_is_complete_and_idempotent(db):
    """Every demo account exists, dossiers cover several statuses, a second load adds nothing."""
    load()
    counts = (User.objects.count(), Dossier.objects.count())
    load()
    assert (User.objects.count(), Dossier.objects.count()) == counts
    assert {email for email, *_ in ACCOUNTS} <= set(User.objects.values_list("email", flat=True))
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert statuses == set(DossierStatus.values)
    # Each of the six téléservices has dossiers in at least four statuses, and decided ones.
    for teleservice in Teleservice.objects.all():
        own = set(teleservice.dossiers.values_list("status", flat=True))
        assert len(own) >= 4 and own & {"accepted", "rejected", "closed"}, (teleservice.code, own)
    assert Teleservice.objects.count() == 6
    # Messages, complements (answered or not), decisions with amounts, a ranking.
    assert Event.objects.filter(action="request_complement").count() >= 6
    assert Event.objects.filter(action="answer_complement").count() >= 3
    assert Message.objects.exists()
    assert Dossier.objects.filter(status="accepted", decision_amount__gt=0).count() >= 5
    assert Dossier.objects.exclude(prize="").count() == 1
    msf = Dossier.objects.get(teleservice__code="MSF", status="accepted")
    assert len(msf.data["children"]) == 2
    citizen = User.objects.get(email="citoyen@demo.test")
    assert citizen.check_password("demo-2026")
    commune = Organisme.objects.get(name="Commune de Gy")
    mayor = User.objects.get(email="mairie@demo.test")
    assert role_of(mayor, commune) == "administrator"
    # Gy has not registered for the Palmarès: its mayor can do it by hand in the demo.
    palmares = Teleservice.objects.get(code="PVF")
    assert actions.create_draft(palmares, acting_user=mayor, organisme=commune).status == "draft"


def test_seed_demo_without_debug_refuses(db, settings):
    """Demo accounts with a known password are never created on a production setting."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
