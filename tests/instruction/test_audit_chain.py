"""The audit chain: each dossier's events are chained by their hashes (a trigger links them on
INSERT), verify_audit_chain finds the first broken link after tampering by someone with the
database's superuser rights, and the agents' consultations of a dossier are logged."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from instruction import actions
from instruction.audit import CONSULTATION_WINDOW, log_consultation
from instruction.models import Dossier, Event
from instruction.models.event import chain_hash, content_digest
from tests.citizen_portal.test_journey_http import login
from tests.factories import filed_dossier

REASON = "Répartition de la charge"


def _events(dossier: Dossier) -> list[Event]:
    return list(Event.objects.filter(dossier=dossier).order_by("created", "pk"))


def _verify(*args: str) -> tuple[int, str]:
    """The command's exit code and its output (stdout and stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit_chain", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def _tamper(sql: str, params: list[object]) -> None:
    """What an attacker with superuser rights does: switch the append-only trigger off, write, and
    switch it on again (inside the test's transaction, rolled back after it). The deferred foreign
    key checks are run first: PostgreSQL refuses ALTER TABLE with pending trigger events."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE instruction_event DISABLE TRIGGER instruction_event_no_update_delete")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE instruction_event ENABLE TRIGGER instruction_event_no_update_delete")


@pytest.fixture
def chained(cast):
    """Two dossiers with a few events each, written by the real actions (record and bulk insert)."""
    first = filed_dossier(cast.teleservice, cast.applicant)
    second = filed_dossier(cast.teleservice, cast.other_citizen)
    actions.take(first, acting_user=cast.agent)
    actions.release(first, acting_user=cast.agent)
    actions.bulk_assign(
        [first.reference, second.reference], acting_user=cast.supervisor, agent=cast.agent, reason=REASON
    )
    first.refresh_from_db()
    second.refresh_from_db()
    actions.send_message(first, acting_user=cast.agent, body="Merci de préciser.", files=[])
    actions.request_complement(first, acting_user=cast.agent, message="Joignez le bail.")
    return first, second


def test_each_event_is_chained_to_the_previous_one_of_its_dossier(chained):
    first, second = chained
    for dossier in (first, second):
        events = _events(dossier)
        assert len(events) >= 3
        assert events[0].prev_hash == ""
        for before, event in zip(events, events[1:], strict=False):
            assert event.prev_hash == before.hash
            assert event.hash == chain_hash(event.prev_hash, event.content_digest())
            assert len(event.hash) == 64
    assert {e.action for e in _events(second)} >= {"assign"}


def test_the_written_instance_carries_the_stored_hashes(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    before = _events(dossier)[-1]
    event = actions.base.record(dossier, acting_user=cast.agent, action="message", before=dossier.status)
    assert event.prev_hash == before.hash
    assert Event.objects.get(pk=event.pk).hash == event.hash


def test_a_fork_is_refused(cast):
    """Two events cannot follow the same one: the unique (dossier, prev_hash) constraint."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    head = _events(dossier)[-1]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE instruction_event DISABLE TRIGGER instruction_event_chain")
        cursor.execute(
            "INSERT INTO instruction_event (dossier_id, action, from_status, to_status, created, details,"
            " prev_hash, hash) VALUES (%s, 'message', '', '', now(), '{}', %s, 'x')",
            [dossier.pk, head.prev_hash],
        )


def test_the_command_passes_on_an_intact_chain(chained):
    first, _second = chained
    code, output = _verify()
    assert code == 0
    assert f"Chaîne d'audit intacte : {Event.objects.count()} événement(s) vérifié(s)" in output
    code, output = _verify("--dossier", first.reference)
    assert code == 0 and f"{len(_events(first))} événement(s) vérifié(s)" in output


def test_changed_details_are_reported_at_that_event(chained):
    first, _second = chained
    target = _events(first)[2]
    _tamper('UPDATE instruction_event SET details = \'{"reason": "autre"}\' WHERE id = %s', [target.pk])
    code, output = _verify()
    assert code == 1
    assert f"dossier {first.reference}, événement n° {target.pk} — contenu modifié" in output


def test_changed_details_with_a_recomputed_hash_break_the_next_link(chained):
    """An attacker who knows the algorithm rewrites one event and its hash: the next one no longer
    links to anything that exists."""
    first, _second = chained
    events = _events(first)
    target, following = events[2], events[3]
    digest = content_digest(
        dossier_id=first.pk,
        actor_id=target.actor_id,
        action=target.action,
        from_status=target.from_status,
        to_status=target.to_status,
        created=target.created,
        details={"forged": True},
    )
    _tamper(
        "UPDATE instruction_event SET details = '{\"forged\": true}', hash = %s WHERE id = %s",
        [chain_hash(target.prev_hash, digest), target.pk],
    )
    code, output = _verify()
    assert code == 1
    assert f"événement n° {following.pk} — événement manquant" in output


def test_a_deleted_middle_event_is_reported_missing(chained):
    first, _second = chained
    events = _events(first)
    _tamper("DELETE FROM instruction_event WHERE id = %s", [events[2].pk])
    code, output = _verify("--dossier", first.reference)
    assert code == 1
    assert f"dossier {first.reference}, événement n° {events[3].pk} — événement manquant" in output
    assert "Chaîne d'audit rompue après 3 événement(s) vérifié(s)" in output


def test_reordered_events_are_reported(chained):
    """Two events swap their dates: the first one out of place no longer matches its content."""
    first, _second = chained
    events = _events(first)
    a, b = events[2], events[3]
    _tamper(
        "UPDATE instruction_event SET created = CASE id WHEN %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [a.pk, b.created, a.created, a.pk, b.pk],
    )
    code, output = _verify()
    assert code == 1
    assert f"événement n° {b.pk} — contenu modifié" in output


def test_a_moved_event_with_a_recomputed_hash_is_a_broken_link(chained):
    """The attacker moves an event earlier and recomputes its own hash: the link is broken there."""
    first, _second = chained
    events = _events(first)
    moved = events[3]
    earlier = events[1].created + (events[2].created - events[1].created) / 2
    digest = content_digest(
        dossier_id=first.pk,
        actor_id=moved.actor_id,
        action=moved.action,
        from_status=moved.from_status,
        to_status=moved.to_status,
        created=earlier,
        details=moved.details,
    )
    _tamper(
        "UPDATE instruction_event SET created = %s, hash = %s WHERE id = %s",
        [earlier, chain_hash(moved.prev_hash, digest), moved.pk],
    )
    code, output = _verify()
    assert code == 1
    assert f"événement n° {moved.pk} — maillon rompu" in output


# --- Consultations ---------------------------------------------------------------------------
def _consults(dossier: Dossier) -> list[Event]:
    return [e for e in _events(dossier) if e.action == "consult"]


def test_an_agent_opening_the_dossier_is_logged_once_per_window(client, cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    status = dossier.status
    login(client, cast.agent)
    url = reverse("backoffice:review", args=[dossier.reference])
    assert client.get(url).status_code == 200
    page = client.get(url).content.decode()
    consults = _consults(dossier)
    assert [(e.actor_id, e.from_status, e.to_status) for e in consults] == [(cast.agent.pk, "", "")]
    assert "Consultation du dossier" in page  # the agents' history shows it
    dossier.refresh_from_db()
    assert dossier.status == status
    later = timezone.now() + CONSULTATION_WINDOW + timedelta(minutes=1)
    with mock.patch("instruction.audit.timezone.now", return_value=later):
        assert log_consultation(cast.agent, dossier) is True
        assert log_consultation(cast.agent, dossier) is False
    assert len(_consults(dossier)) == 2
    assert _verify()[0] == 0  # the consultations are in the chain


def test_consultations_are_not_logged_for_the_applicant_nor_shown_to_them(client, cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    assert log_consultation(cast.applicant, dossier) is False
    login(client, cast.agent)
    client.get(reverse("backoffice:review", args=[dossier.reference]))
    assert len(_consults(dossier)) == 1
    client.logout()
    login(client, cast.applicant)
    assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 404
    page = client.get(reverse("citizen:dossier", args=[dossier.reference]))
    assert page.status_code == 200
    assert "Consultation du dossier" not in page.content.decode()
    assert len(_consults(dossier)) == 1


def test_no_consultation_is_logged_for_someone_who_cannot_see_the_dossier(client, cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    login(client, cast.other_agent)
    assert client.get(reverse("backoffice:review", args=[dossier.reference])).status_code == 404
    assert _consults(dossier) == []
