"""The amount of an acceptance follows the rules; another amount needs a justification."""

from __future__ import annotations

import pytest

from instruction import actions
from instruction.actions import InvalidInput
from instruction.models import DossierStatus, Event
from tests.factories import filed_dossier

S = DossierStatus


@pytest.fixture
def taken(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)  # QF 450 €: 250 € by the scale
    actions.take(dossier, acting_user=cast.agent)
    return dossier


def test_decide_computed_amount_needs_no_motivation(cast, taken):
    actions.decide(taken, acting_user=cast.agent, outcome=S.ACCEPTED, amount="250")
    event = Event.objects.get(dossier=taken, action="decide")
    assert taken.status == S.ACCEPTED
    assert event.details["computed_amount"] == "250" and "overridden" not in event.details


@pytest.mark.parametrize("amount", ["249", "250.01", "400"])
def test_decide_other_amount_without_motivation_refused(cast, taken, amount):
    with pytest.raises(InvalidInput) as refused:
        actions.decide(taken, acting_user=cast.agent, outcome=S.ACCEPTED, amount=amount)
    assert refused.value.errors == {
        "motivation": ["Le montant diffère du montant calculé (250 €) : justifiez-le dans la motivation."]
    }
    taken.refresh_from_db()
    assert taken.status == S.IN_INSTRUCTION and not Event.objects.filter(dossier=taken, action="decide").exists()


def test_decide_other_amount_with_motivation_recorded_as_override(cast, taken):
    actions.decide(taken, acting_user=cast.agent, outcome=S.ACCEPTED, amount="300", motivation="Loyer très élevé.")
    event = Event.objects.get(dossier=taken, action="decide")
    assert (event.details["computed_amount"], event.details["overridden"]) == ("250", True)
    assert str(taken.decision_amount) == "300.00"


def test_decide_acceptance_rules_would_refuse_needs_motivation(cast, taken):
    """Declared QF above the scale (corrected later, say): the rules grant nothing."""
    data = {**taken.data, "quotient_familial": "1500"}
    type(taken).objects.filter(pk=taken.pk).update(data=data)
    taken.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        actions.decide(taken, acting_user=cast.agent, outcome=S.ACCEPTED, amount="100")
    assert "n'accordent pas cette aide" in refused.value.errors["motivation"][0]


def test_decide_rejection_ignores_the_scale(cast, taken):
    actions.decide(taken, acting_user=cast.agent, outcome=S.REJECTED, motivation="Logement non conforme.")
    assert taken.status == S.REJECTED
    assert "computed_amount" not in Event.objects.get(dossier=taken, action="decide").details
