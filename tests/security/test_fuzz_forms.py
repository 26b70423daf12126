"""Fuzzing the main POST forms of the portal and the back office with hypothesis.

Each form gets generated field values: text with control characters, NUL bytes, huge strings,
unicode of every category, numbers and dates out of range, template and SQL syntax, several values
for one field, missing fields and extra ones, mixed with the valid value of each field so that some
examples get past the first checks. For every example: never a 5xx; when the answer is a refusal
(the form again, or a 4xx) nothing changed in the database or the storage, and each text the
person typed is shown back in the form (escaped), passwords excepted.

Each example runs in a savepoint rolled back afterwards: every example meets the same starting
state (an accepted example does not turn the next ones into refusals of a decided dossier)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from instruction import actions
from tests.citizen_portal.test_spaces_organisme import make_organisme, make_siret
from tests.factories import PASSWORD, filed_dossier, valid_form_data
from tests.security.snapshot import Snapshot

EXAMPLES = 25
MISSING = object()

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "null",
    "[]",
    "1e309",
    "NaN",
    "-0",
    "-1",
    "99999999999999999999999999",
    "2026-02-30",
    "31/12/9999",
    "0000-00-00",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}{% debug %}",
    "' OR '1'='1'; --",
    "../../etc/passwd",
    "\u202egnp.exe",
    "🙂" * 300,
    "x" * 100_000,
]
text_values = st.one_of(
    st.sampled_from(ODD),
    st.text(max_size=60),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So"]), max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
)
field_names = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12)
extra_fields = st.dictionaries(field_names, text_values, max_size=3)


def field_values(valid: Any) -> st.SearchStrategy[Any]:
    """One field: its valid value, a hostile text, several values at once, or nothing."""
    return st.one_of(st.just(valid), text_values, st.lists(text_values, min_size=2, max_size=3), st.just(MISSING))


def form_data(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    fields = st.fixed_dictionaries({name: field_values(value) for name, value in valid.items()})
    return st.builds(
        lambda chosen, extra: {k: v for k, v in {**extra, **chosen}.items() if v is not MISSING},
        fields,
        extra_fields,
    )


@dataclass
class Form:
    url: str
    client: Client
    valid: dict[str, Any]
    shown_back: set[str] = field(default_factory=set)  # text inputs whose typed value is redisplayed
    # Written on purpose by a refused request (say why at the definition).
    ignore: frozenset[str] = frozenset()
    checks: list[Callable[[Any], None]] = field(default_factory=list)
    shown_back_checked: int = 0  # how many typed values were found shown back


def printable(value: str) -> bool:
    return bool(value.strip()) and len(value) < 5000 and all(unicodedata.category(ch)[0] != "C" for ch in value)


def refused(response: Any) -> bool:
    """The form again, a 4xx, or a redirect that carries an error message."""
    if response.status_code not in (301, 302, 303):
        return True
    return any(message.level == messages.ERROR for message in messages.get_messages(response.wsgi_request))


class RolledBack(Exception):
    pass


def run(form: Form, data: dict[str, Any]) -> int:
    """Post ``data`` in a savepoint that is rolled back; check the rules; return the status."""
    try:
        with transaction.atomic():
            before = Snapshot.take()
            form.client.cookies.pop("messages", None)  # an earlier example's message is not this one's
            response = form.client.post(form.url, data)
            status = response.status_code
            assert status < 500, (form.url, data, status)
            if refused(response):
                changes = Snapshot.take().changes_since(before, form.ignore)
                assert not changes, (form.url, data, status, changes)
                page = response.content.decode()
                # A redirect with an error is the answer to a tampered hidden field (the form's
                # own fields are never refused that way): there is no form to show back.
                for name in form.shown_back if status not in (301, 302, 303) else ():
                    value = data.get(name)
                    if isinstance(value, str) and printable(value):
                        assert escape(value) in page, (form.url, name, value[:80])
                        form.shown_back_checked += 1
            for check in form.checks:
                check(response)
            raise RolledBack
    except RolledBack:
        return status


def fuzz(form: Form) -> list[int]:
    statuses: list[int] = []

    @given(data=form_data(form.valid))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        # No shrinking: a failure shows the example as generated, and a run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def example(data: dict[str, Any]) -> None:
        statuses.append(run(form, data))

    example()
    statuses.append(run(form, form.valid))  # the control: the valid form goes through
    return statuses


def logged_in(user: Any) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


def refused_then_accepted(statuses: list[int], form: Form | None = None) -> None:
    assert len(statuses) >= EXAMPLES, statuses
    if form is not None and form.shown_back:
        assert form.shown_back_checked > 0, "no typed value was checked on a refused form"
    assert statuses[-1] in (302, 303), f"the valid form was refused: {statuses[-1]}"
    assert any(status not in (302, 303) for status in statuses[:-1]), "no example was refused"


# --- The portal --------------------------------------------------------------------------------
def test_fuzz_signup(cast):
    """« Créer un compte »."""
    password = "Un-mot-de-passe-solide-2026"
    valid = {
        "civility": "mme",
        "first_name": "Lou",
        "last_name": "Dupont",
        "email": "lou.dupont@exemple.test",
        "password1": password,
        "password2": password,
    }
    form = Form(reverse("signup"), logged_in(None), valid, {"first_name", "last_name", "email"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_login(cast):
    """« Se connecter »: django-axes counts the failed attempts on purpose (its tables)."""
    valid = {"username": cast.applicant.email, "password": PASSWORD}
    form = Form(reverse("login"), logged_in(None), valid, {"username"}, ignore=frozenset())
    refused_then_accepted(fuzz(form), form)


def test_fuzz_password_reset(cast):
    """« Mot de passe oublié »: the same answer whether the address has an account or not, and
    nothing written for an address without one."""
    valid = {"email": "personne.inconnue@exemple.test"}
    form = Form(reverse("password_reset"), logged_in(None), valid, {"email"})
    statuses = fuzz(form)
    assert statuses[-1] == 302


def test_fuzz_foyer_edit(cast):
    foyer = cast.applicant.foyer
    valid = {"address": foyer.address, "postal_code": "70100", "commune": "Gray", "quotient_familial": "820"}
    form = Form(reverse("citizen:foyer_edit"), logged_in(cast.applicant), valid, {"address", "commune", "postal_code"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_foyer_member_add(cast):
    valid = {"civility": "m", "last_name": "Martin", "first_name": "Noé", "birth_date": "2010-05-04", "link": "enfant"}
    form = Form(reverse("citizen:foyer_member_add"), logged_in(cast.applicant), valid, {"last_name", "first_name"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_organisme_create(cast):
    valid = {
        "kind": "association",
        "name": "Les Amis du Lavoir",
        "siret": make_siret(),
        "address": "2 rue de l'Église",
        "postal_code": "70100",
        "commune": "Gray",
    }
    form = Form(reverse("citizen:organisme_create"), logged_in(cast.applicant), valid, {"name", "address", "commune"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_organisme_invite(cast):
    organisme = make_organisme(cast.applicant)
    valid = {"email": "collegue@exemple.test", "role": "member"}
    url = reverse("citizen:organisme_invite", args=[organisme.pk])
    form = Form(url, logged_in(cast.applicant), valid, {"email"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_filing_form(cast):
    """The téléservice's form: a draft keeps what was typed (that is what a draft is for), so the
    rule here is no 5xx, no file stored from a refused request, and the page always answers."""
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    beneficiary = cast.applicant.foyer.members.exclude(link="demandeur").first()
    valid = valid_form_data(beneficiary)
    form = Form(
        reverse("citizen:edit", args=[dossier.reference]),
        logged_in(cast.applicant),
        valid,
        # A draft saves whatever was typed, refused or not; only files may not be half-kept.
        ignore=frozenset({"instruction_dossier", "instruction_event"}),
    )
    statuses = fuzz(form)
    assert statuses[-1] == 302


def test_fuzz_citizen_message(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client = logged_in(cast.applicant)
    url = reverse("citizen:thread", args=[dossier.reference])
    client.get(url)  # opening the thread marks it read: once, before the examples
    form = Form(url, client, {"body": "Voici le bail signé."}, {"body"})
    # One text field: a printable text is accepted, so no refusal shows one back.
    refused_then_accepted(fuzz(form))


# --- The back office ---------------------------------------------------------------------------
@pytest.fixture
def taken(cast):
    """A dossier the agent has taken, and the agent's client, which has already opened it (the
    consultation is logged once per window: not by each example)."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    client = logged_in(cast.agent)
    assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 200
    return dossier, client


def act_url(dossier: Any, slug: str) -> str:
    return reverse("backoffice:act", args=[dossier.reference, slug])


def test_fuzz_request_complement(cast, taken):
    dossier, client = taken
    due = (timezone.localdate() + dt.timedelta(days=15)).isoformat()
    valid = {"message": "Merci de joindre un RIB lisible.", "documents": ["rib"], "due": due}
    form = Form(act_url(dossier, "complement"), client, valid, {"message"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_decision(cast, taken):
    dossier, client = taken
    valid = {"outcome": "rejected", "amount": "", "motivation": "Les revenus dépassent le plafond."}
    form = Form(act_url(dossier, "decider"), client, valid, {"motivation"})
    refused_then_accepted(fuzz(form), form)


def test_fuzz_field_correction(cast, taken):
    dossier, client = taken
    valid = {
        "champ": "housing_commune",
        "correction-field": "housing_commune",
        "correction-value": "Gray",
        "correction-reason": "Commune mal orthographiée.",
    }
    url = act_url(dossier, "corriger")
    form = Form(url, client, valid, {"correction-reason"})
    # One text field: a printable text is accepted, so no refusal shows one back.
    refused_then_accepted(fuzz(form))


def test_fuzz_agent_message(cast, taken):
    dossier, client = taken
    url = reverse("backoffice:send_message", args=[dossier.reference])
    form = Form(url, client, {"body": "Votre dossier est complet."}, {"body"})
    # One text field: a printable text is accepted, so no refusal shows one back.
    refused_then_accepted(fuzz(form))
