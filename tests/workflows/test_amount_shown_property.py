"""Property: for any filed data, the amount the agent is shown (the « Montant calculé » reasoning
and the decision form's prefilled amount) is the amount the téléservice's rules compute from
that data, and the server accepts it without a motivation. The oracle calls the rules module
directly with values derived from the generated inputs, not through the form.

Each example files a new dossier through the actions layer and reads the back-office page as the
agent would; ineligible data is either refused at transmission (the forms that refuse a quotient
familial above the scale) or shown as not eligible, never with an amount."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from instruction import actions
from instruction.actions import InvalidInput
from instruction.models import DossierStatus, FoyerMember
from tests.factories import (
    FoyerFactory,
    FoyerMemberFactory,
    UserFactory,
    attach_required_documents,
    birth_date_for_age,
    catalogue_teleservice,
)
from workflows.afde import rules as afde_rules
from workflows.amounts import Amount
from workflows.bds import rules as bds_rules
from workflows.mille_semaines_collectives import rules as msc_rules
from workflows.mille_semaines_familles import rules as msf_rules
from workflows.pack_jeunes import rules as pj_rules

EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
qf = st.integers(min_value=0, max_value=1500)
days_after_birthday = st.integers(min_value=0, max_value=364)
_serial = itertools.count()


def _today() -> dt.date:
    return timezone.localdate()


def _family(qf_value: int, ages: list[tuple[int, int]]) -> tuple[Any, list[FoyerMember]]:
    parent = UserFactory(email=f"famille{next(_serial)}@exemple.test")
    foyer = FoyerFactory(responsible=parent, quotient_familial=qf_value)
    FoyerMemberFactory(foyer=foyer, link=FoyerMember.Link.APPLICANT, birth_date=birth_date_for_age(45))
    children = [FoyerMemberFactory(foyer=foyer, birth_date=birth_date_for_age(age, days=days)) for age, days in ages]
    return parent, children


def _shown(client: Client, agent: Any, dossier: Any) -> tuple[str | None, list[str]]:
    """The prefilled amount of the decision form and the reasoning lines, as the agent sees them."""
    client.force_login(agent)
    actions.take(dossier, acting_user=agent)
    page = html.unescape(client.get(reverse("backoffice:review", args=[dossier.reference])).content.decode())
    section = page.split("<h3>Montant calculé</h3>", 1)
    reasoning = re.findall(r"<li>(.*?)</li>", section[1].split("</ul>", 1)[0]) if len(section) == 2 else []
    field = re.search(r'<input[^>]*name="amount"[^>]*>', page)
    assert field is not None, "the decision form has no amount field"
    value = re.search(r'value="([^"]*)"', field.group(0))
    return (value.group(1) if value else None), reasoning


def _check(client: Client, agent: Any, applicant: Any, teleservice: Any, data: dict[str, Any], oracle: Amount) -> None:
    dossier = actions.create_draft(teleservice, acting_user=applicant, **_space(applicant, teleservice))
    actions.save_draft(dossier, data, acting_user=applicant)
    attach_required_documents(dossier, applicant)
    try:
        actions.transmit(dossier, acting_user=applicant)
    except InvalidInput as refused:
        # Refused data is refused because the rules say so: only out-of-scale amounts here.
        assert not oracle.eligible, (data, refused.errors)
        return
    value, reasoning = _shown(client, agent, dossier)
    assert reasoning == [str(line) for line in oracle.reasoning]
    if not oracle.eligible:
        assert not value
        return
    assert value == str(oracle.value)
    # The server's check agrees: the amount shown is accepted without a motivation.
    actions.decide(dossier, acting_user=agent, outcome="accepted", amount=value)
    dossier.refresh_from_db()
    assert dossier.status in (DossierStatus.ACCEPTED, DossierStatus.AWAITING_VALIDATION)
    assert dossier.decision_amount == oracle.value


def _space(applicant: Any, teleservice: Any) -> dict[str, Any]:
    if teleservice.audience != "organisme":
        return {}
    from permissions.organismes import organismes_of

    return {"organisme": organismes_of(applicant).get()}


def _teleservice(cast: Any, module: str) -> Any:
    """The catalogue's téléservice, created at the test's first example (examples share the test's
    transaction), without a validation threshold."""
    from django.utils.module_loading import import_string

    from instruction.models import Teleservice

    code = import_string(f"workflows.{module}.catalogue.ENTRY")["code"]
    found = Teleservice.objects.filter(code=code).first()
    return found or catalogue_teleservice(module, cast.service, validation_threshold=None)


@EXAMPLES
@given(
    qf=qf,
    age=st.integers(min_value=18, max_value=25),
    days=days_after_birthday,
    engagement=st.sampled_from(list(pj_rules.ENGAGEMENTS)),
    aid=st.sampled_from(list(pj_rules.AIDS)),
)
def test_pack_jeunes_amount_shown_is_the_rules_amount(client, cast, qf, age, days, engagement, aid):
    teleservice = _teleservice(cast, "pack_jeunes")
    parent, (young,) = _family(qf, [(age, days)])
    data = {
        "beneficiary": str(young.pk),
        "aid": aid,
        "quotient_familial": str(qf),
        "engagement": engagement,
        "housing_address": "8 rue Paul Morel",
        "housing_postal_code": "70000",
        "housing_commune": "Vesoul",
        "move_in_date": (_today() + dt.timedelta(days=20)).isoformat(),
        "monthly_rent": "390",
        "driving_school": "Auto-école du Centre",
        "driving_school_commune": "Vesoul",
        "registration_date": (_today() - dt.timedelta(days=30)).isoformat(),
        "permis_cost": "1450",
        "certify": "on",
    }
    _check(client, cast.agent, parent, teleservice, data, pj_rules.compute_amount(qf, engagement, aid))


@EXAMPLES
@given(qf=qf, age=st.integers(min_value=17, max_value=25), days=days_after_birthday)
def test_afde_amount_shown_is_the_rules_amount(client, cast, qf, age, days):
    teleservice = _teleservice(cast, "afde")
    parent, (student,) = _family(qf, [(age, days)])
    data = {
        "beneficiary": str(student.pk),
        "quotient_familial": str(qf),
        "bac_year": str(_today().year - 1 if age >= 18 else _today().year),
        "establishment": "Université de Franche-Comté",
        "course": "Licence de droit",
        "year_of_study": "1",
        "certify": "on",
    }
    oracle = afde_rules.compute_amount(qf, afde_rules.age_on(student.birth_date, _today()))
    _check(client, cast.agent, parent, teleservice, data, oracle)


@EXAMPLES
@given(
    qf=qf,
    age=st.integers(min_value=10, max_value=20),
    days=days_after_birthday,
    level=st.sampled_from(list(bds_rules.CLASS_LEVELS)),
)
def test_bds_amount_shown_is_the_rules_amount(client, cast, qf, age, days, level):
    teleservice = _teleservice(cast, "bds")
    parent, (pupil,) = _family(qf, [(age, days)])
    data = {
        "beneficiary": str(pupil.pk),
        "quotient_familial": str(qf),
        "class_level": level,
        "school": "Lycée Édouard Belin, Vesoul",
        "certify": "on",
    }
    _check(client, cast.agent, parent, teleservice, data, bds_rules.compute_amount(qf, level))


@EXAMPLES
@given(
    qf=qf,
    stays=st.lists(
        st.tuples(st.integers(min_value=5, max_value=16), days_after_birthday, st.integers(min_value=1, max_value=3)),
        min_size=1,
        max_size=4,
    ),
)
def test_mille_semaines_familles_amount_shown_is_the_rules_amount(client, cast, qf, stays):
    teleservice = _teleservice(cast, "mille_semaines_familles")
    parent, children = _family(qf, [(age, days) for age, days, _weeks in stays])
    first_day = _today() + dt.timedelta(days=30)
    rows = [
        {
            "child": str(child.pk),
            "organiser": "Ligue de l'enseignement 70",
            "commune": "Champagney",
            "first_day": first_day.isoformat(),
            "weeks": str(weeks),
        }
        for child, (_age, _days, weeks) in zip(children, stays, strict=True)
    ]
    data = {"quotient_familial": str(qf), "children": rows, "certify": "on"}
    named = [
        msf_rules.Stay(f"{child.first_name} {child.last_name}", weeks)
        for child, (_a, _d, weeks) in zip(children, stays, strict=True)
    ]
    # A child aged 16 on its birthday's eve may be 17 or 18 on the first day: the form refuses 18.
    if any(msf_rules.child_refusal(child.birth_date, first_day) for child in children):
        return
    _check(client, cast.agent, parent, teleservice, data, msf_rules.compute_amount(qf, named))


@EXAMPLES
@given(children=st.integers(min_value=1, max_value=500), span=st.integers(min_value=1, max_value=8), data=st.data())
def test_mille_semaines_collectives_amount_shown_is_the_rules_amount(client, cast, children, span, data):
    from tests.workflows.mille_helpers import structure_of

    teleservice = _teleservice(cast, "mille_semaines_collectives")
    weeks = data.draw(st.integers(min_value=1, max_value=span))
    president = UserFactory(email=f"association{next(_serial)}@exemple.test")
    structure_of(president, siret=_siret(next(_serial)))
    start = _today() + dt.timedelta(days=40)
    filed = {
        "stay_name": "Colo nature",
        "place": "Centre de la Planche des Belles Filles",
        "commune": "Plancher-les-Mines",
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=7 * span - 1)).isoformat(),
        "children": str(children),
        "weeks": str(weeks),
        "certify": "on",
    }
    _check(client, cast.agent, president, teleservice, filed, msc_rules.compute_amount(children, weeks))


def _siret(number: int) -> str:
    """A SIRET with a valid Luhn key, different for each number."""
    from instruction.siret import luhn_is_valid

    base = f"4430618{number:06d}"
    return next(base + str(d) for d in range(10) if luhn_is_valid(base + str(d)))
