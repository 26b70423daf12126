"""The demo data of `make demo` loads through the actions layer, twice without duplicates."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from instruction.demo.data import ACCOUNTS, load
from instruction.models import Dossier, Organisme
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
    assert {"transmitted", "in_instruction", "complement_requested"} <= statuses
    citizen = User.objects.get(email="citoyen@demo.test")
    assert citizen.check_password("demo-2026")
    commune = Organisme.objects.get(name="Commune de Gy")
    assert role_of(User.objects.get(email="mairie@demo.test"), commune) == "administrator"


def test_seed_demo_without_debug_refuses(db, settings):
    """Demo accounts with a known password are never created on a production setting."""
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()
