"""An expert invited on one dossier (instruction/actions/expert.py): granted by the agent in
charge or a supervisor as a guardian object permission with an expiry, refused from the expiry
on even before the hourly job, revoked at once, every step in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import get_perms

from instruction import actions
from instruction.audit import verify_chain
from instruction.models import DossierStatus, DossierUserObjectPermission, Event, ExpertAccess, OutboxMessage
from instruction.tasks import expire_expert_accesses as expire_task
from permissions import access
from permissions.models import User
from tests.factories import UserFactory, expert_on, filed_dossier


@pytest.fixture
def dossier(cast):
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    return dossier


@pytest.fixture
def expert(db):
    return UserFactory(email="expert@exemple.test")


def fresh(user: User) -> User:
    """A new copy, as each request loads it (access caches its answers on the user object)."""
    return User.objects.get(pk=user.pk)


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def nothing_written(dossier) -> bool:
    return (
        not ExpertAccess.objects.exists()
        and not DossierUserObjectPermission.objects.exists()
        and not Event.objects.filter(dossier=dossier, action__contains="expert").exists()
        and not OutboxMessage.objects.filter(key__startswith="expert-access").exists()
    )


def test_grant_expert_access_assignee_expert_sees_only_that_dossier(cast, dossier, expert):
    """The expert holds the guardian object permission on that dossier only, and the expert role."""
    other = filed_dossier(cast.teleservice, cast.other_citizen)
    grant = actions.grant_expert_access(dossier, expert, acting_user=cast.agent, expires_on=in_days(15), note="RIB ?")
    assert get_perms(expert, dossier) == ["consult_dossier_as_expert"]
    assert get_perms(expert, other) == []
    assert DossierUserObjectPermission.objects.filter(user=expert, content_object=dossier).count() == 1
    assert access.roles(fresh(expert), dossier) == {access.EXPERT}
    assert access.roles(fresh(expert), other) == frozenset()
    assert list(access.expert_visible_to(fresh(expert))) == [dossier]
    # Not one of the citizen's own lists.
    assert not access.visible_to(fresh(expert)).exists()
    assert grant.granted_by == cast.agent and grant.note == "RIB ?" and grant.last_day == in_days(15)
    can = access.abilities(fresh(expert), dossier)
    assert can["view"] and can["give_expert_opinion"]
    assert not any(can[a] for a in ("take", "decide", "message", "request_complement", "grant_expert_access"))


def test_grant_expert_access_supervisor_may_grant_before_anyone_takes_it(cast, expert):
    """A supervisor invites even on a dossier still in the queue (nobody in charge yet)."""
    queued = filed_dossier(cast.teleservice, cast.applicant)
    expert_on(queued, expert, granted_by=cast.supervisor)
    assert access.roles(fresh(expert), queued) == {access.EXPERT}


def test_grant_expert_access_other_agents_and_citizens_refused(cast, dossier, expert):
    """An agent of the service not in charge: 403; an agent of another service or a citizen
    without a role: 404; the applicant: 403. Nothing is written."""
    colleague = UserFactory(email="collegue@exemple.test")
    cast.service.add_agent(colleague)
    for user, error in (
        (colleague, PermissionDenied),
        (cast.other_agent, access.NotVisible),
        (cast.other_citizen, access.NotVisible),
        (cast.applicant, PermissionDenied),
    ):
        with pytest.raises(error):
            actions.grant_expert_access(dossier, expert, acting_user=user, expires_on=in_days(15))
    assert nothing_written(dossier)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (-1, "La date de fin d'accès est passée"),
        (91, "L'accès d'un expert dure au plus 90 jours"),
        (None, "Indiquez jusqu'à quelle date"),
    ],
)
def test_grant_expert_access_bad_date_refused(cast, dossier, expert, days, message):
    """A past date, one beyond 90 days, or none: a French error on the date, nothing written."""
    with pytest.raises(actions.InvalidInput) as refused:
        actions.grant_expert_access(
            dossier, expert, acting_user=cast.agent, expires_on=None if days is None else in_days(days)
        )
    assert message in refused.value.errors["expires_on"][0]
    assert nothing_written(dossier)


def test_grant_expert_access_today_and_90_days_accepted(cast, dossier, expert):
    """The bounds themselves are allowed: today (until midnight) and 90 days."""
    expert_on(dossier, expert, granted_by=cast.agent, days=0)
    other = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(other, acting_user=cast.agent)
    assert expert_on(other, expert, granted_by=cast.agent, days=90).last_day == in_days(90)


def test_grant_expert_access_people_with_access_refused(cast, dossier, expert):
    """The applicant, an agent of the service, or an expert already invited cannot be invited."""
    for person, message in (
        (cast.applicant, "a déjà accès au dossier"),
        (cast.supervisor, "a déjà accès au dossier"),
    ):
        with pytest.raises(actions.InvalidInput) as refused:
            actions.grant_expert_access(dossier, person, acting_user=cast.agent, expires_on=in_days(5))
        assert message in refused.value.errors["email"][0]
    expert_on(dossier, expert, granted_by=cast.agent, days=10)
    with pytest.raises(actions.InvalidInput) as refused:
        actions.grant_expert_access(dossier, expert, acting_user=cast.agent, expires_on=in_days(20))
    assert "consulte déjà ce dossier comme expert" in refused.value.errors["email"][0]
    assert ExpertAccess.objects.count() == 1


def test_grant_expert_access_decided_dossier_refused(cast, dossier, expert):
    """Once decided, nobody is invited any more (the refusal names the status)."""
    actions.decide(dossier, acting_user=cast.agent, outcome=DossierStatus.REJECTED, motivation="Hors critères.")
    with pytest.raises(actions.TransitionRefused, match="Refusé"):
        expert_on(dossier, expert, granted_by=cast.agent)


def test_grant_expert_access_expert_is_emailed(cast, dossier, expert, deliver_outbox, settings):
    """The expert receives, in French, the dossier, who invites, until when, the note and the link."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_outbox()  # the applicant's acknowledgment, sent before
    mail.outbox.clear()
    with time_machine.travel(dt.datetime(2026, 12, 20, 10, tzinfo=dt.UTC), tick=False):
        actions.grant_expert_access(
            dossier, expert, acting_user=cast.agent, expires_on=dt.date(2026, 12, 31), note="Le loyer est-il cohérent ?"
        )
    deliver_outbox()
    [message] = mail.outbox
    assert message.to == [expert.email]
    assert message.subject == f"Vous êtes invité à donner votre avis sur le dossier {dossier.reference}"
    assert f"{cast.agent}, du service instructeur, vous invite comme expert" in message.body
    assert "jusqu'au 31 décembre 2026 inclus" in message.body
    assert "Le loyer est-il cohérent ?" in message.body
    assert f"/instruction/expertise/{dossier.reference}/" in message.body


def test_expert_access_expired_refused_before_job_then_job_removes_it(cast, dossier, expert):
    """From the expiry on, the expert has no role (no job needed); the job then removes the
    permission and records it; a second run finds nothing."""
    grant = expert_on(dossier, expert, granted_by=cast.agent, days=3)
    with time_machine.travel(grant.expires_at - dt.timedelta(seconds=1), tick=False):
        assert access.roles(fresh(expert), dossier) == {access.EXPERT}
        assert actions.expire_expert_accesses() == 0
    with time_machine.travel(grant.expires_at, tick=False):
        assert access.roles(fresh(expert), dossier) == frozenset()
        assert not access.expert_visible_to(fresh(expert)).exists()
        assert get_perms(expert, dossier) == ["consult_dossier_as_expert"]  # still there: the job has not run
        assert actions.expire_expert_accesses() == 1
        assert get_perms(expert, dossier) == []
        assert actions.expire_expert_accesses() == 0
    grant.refresh_from_db()
    assert grant.ended_at == grant.expires_at and grant.ended_by is None and not grant.was_revoked
    event = dossier.events.get(action="expire_expert_access")
    assert event.actor is None and event.details == {"access": grant.pk, "expert": expert.email}


def test_expire_expert_accesses_beat_task_runs_the_job(cast, dossier, expert):
    """The beat task (instruction.tasks.expire_expert_accesses) ends every expired grant."""
    grants = [expert_on(dossier, expert, granted_by=cast.agent, days=1)]
    second = filed_dossier(cast.teleservice, cast.other_citizen)
    grants.append(expert_on(second, expert, granted_by=cast.supervisor, days=2))
    keeps = expert_on(second, UserFactory(email="autre.expert@exemple.test"), granted_by=cast.supervisor, days=30)
    with time_machine.travel(timezone.now() + dt.timedelta(days=4), tick=False):
        assert expire_task.apply().get() == 2
    assert set(ExpertAccess.objects.filter(ended_at__isnull=False).values_list("pk", flat=True)) == {
        g.pk for g in grants
    }
    assert list(DossierUserObjectPermission.objects.values_list("user__email", flat=True)) == [keeps.expert.email]


def test_grant_expert_access_after_expiry_ends_the_old_grant(cast, dossier, expert):
    """Invited again once the first access expired (job not run yet): the old one is ended first."""
    first = expert_on(dossier, expert, granted_by=cast.agent, days=1)
    with time_machine.travel(first.expires_at + dt.timedelta(hours=1), tick=False):
        second = expert_on(dossier, expert, granted_by=cast.agent, days=10)
        assert access.roles(fresh(expert), dossier) == {access.EXPERT}
    first.refresh_from_db()
    assert first.ended_at is not None and second.ended_at is None
    assert list(dossier.events.filter(action__contains="expert").values_list("action", flat=True)) == [
        "grant_expert_access",
        "expire_expert_access",
        "grant_expert_access",
    ]


def test_revoke_expert_access_at_once_and_recorded(cast, dossier, expert):
    """« Retirer l'accès »: the role and the permission go at once; twice is refused in French."""
    grant = expert_on(dossier, expert, granted_by=cast.agent)
    actions.revoke_expert_access(grant, acting_user=cast.supervisor)
    assert access.roles(fresh(expert), dossier) == frozenset()
    assert get_perms(expert, dossier) == []
    grant.refresh_from_db()
    assert grant.was_revoked and grant.ended_by == cast.supervisor
    event = dossier.events.get(action="revoke_expert_access")
    assert event.actor == cast.supervisor and event.details == {"access": grant.pk, "expert": expert.email}
    with pytest.raises(actions.ActionError, match="Cet accès a déjà pris fin."):
        actions.revoke_expert_access(grant, acting_user=cast.agent)


def test_revoke_expert_access_other_agent_refused(cast, dossier, expert):
    """An agent of another service cannot even see the dossier; the expert cannot revoke."""
    grant = expert_on(dossier, expert, granted_by=cast.agent)
    with pytest.raises(access.NotVisible):
        actions.revoke_expert_access(grant, acting_user=cast.other_agent)
    with pytest.raises(PermissionDenied):
        actions.revoke_expert_access(grant, acting_user=fresh(expert))
    assert access.roles(fresh(expert), dossier) == {access.EXPERT}


def test_expert_events_are_audited_internal_and_chained(cast, dossier, expert):
    """Grant, opinion and revoke are events of the dossier's hash chain, never shown to the applicant."""
    grant = expert_on(dossier, expert, granted_by=cast.agent)
    actions.give_expert_opinion(dossier, acting_user=fresh(expert), opinion="Loyer cohérent avec le marché.")
    actions.revoke_expert_access(grant, acting_user=cast.agent)
    events = list(dossier.events.filter(action__contains="expert"))
    assert [(e.action, e.actor) for e in events] == [
        ("grant_expert_access", cast.agent),
        ("expert_opinion", expert),
        ("revoke_expert_access", cast.agent),
    ]
    assert all(e.is_internal for e in events)
    assert events[0].details == {"access": grant.pk, "expert": expert.email, "expires_on": grant.last_day.isoformat()}
    assert verify_chain(dossier.reference).broken is None


def test_give_expert_opinion_rules(cast, dossier, expert):
    """Empty or too long: refused in French; an agent cannot write one; after revocation: 404."""
    grant = expert_on(dossier, expert, granted_by=cast.agent)
    with pytest.raises(actions.InvalidInput) as refused:
        actions.give_expert_opinion(dossier, acting_user=fresh(expert), opinion="  ")
    assert refused.value.errors == {"opinion": ["Écrivez votre avis avant de l'envoyer."]}
    with pytest.raises(actions.InvalidInput):
        actions.give_expert_opinion(dossier, acting_user=fresh(expert), opinion="x" * 5001)
    with pytest.raises(PermissionDenied):
        actions.give_expert_opinion(dossier, acting_user=cast.agent, opinion="Avis")
    actions.revoke_expert_access(grant, acting_user=cast.agent)
    with pytest.raises(access.NotVisible):
        actions.give_expert_opinion(dossier, acting_user=fresh(expert), opinion="Avis")
    assert not dossier.events.filter(action="expert_opinion").exists()
