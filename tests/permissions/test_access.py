"""permissions.access: visible_to, abilities, and the object permission of instructing services."""

from __future__ import annotations

from guardian.shortcuts import get_groups_with_perms

from instruction import actions
from permissions import access
from tests.factories import ServiceFactory, filed_dossier


def test_teleservice_service_change_moves_object_permission(cast):
    """Changing a téléservice's instructing service moves the guardian permission with it."""
    assert list(get_groups_with_perms(cast.teleservice)) == [cast.service.group]
    new_service = ServiceFactory()
    cast.teleservice.instructing_service = new_service
    cast.teleservice.save()
    assert list(get_groups_with_perms(cast.teleservice)) == [new_service.group]
    assert cast.teleservice.pk not in access.instructed_teleservice_ids(cast.agent)


def test_visible_to_each_actor_sees_what_is_theirs(cast):
    """Applicant: own dossiers, drafts included; agents: transmitted dossiers of their services."""
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    sent = filed_dossier(cast.teleservice, cast.applicant)
    elsewhere = filed_dossier(cast.other_teleservice, cast.other_citizen)

    def seen(user):
        return set(access.visible_to(user).values_list("reference", flat=True))

    assert seen(cast.applicant) == {draft.reference, sent.reference}
    assert seen(cast.other_citizen) == {elsewhere.reference}
    assert seen(cast.agent) == {sent.reference}
    assert seen(cast.supervisor) == {sent.reference}
    assert seen(cast.other_agent) == {elsewhere.reference}


def test_abilities_follow_role_and_status(cast):
    """What a page offers comes from one dict: role × status."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    assert access.abilities(cast.applicant, dossier) == {
        "view": True,
        "edit": False,
        "transmit": False,
        "answer_complement": False,
        "take": False,
        "release": False,
        "request_complement": False,
        "decide": False,
        "correct_field": False,
        "assign": False,
        "message": True,
        "validate_decision": False,
        "send_back_decision": False,
        "expire_complement": False,
        "schedule_visit": False,
        "report_visit": False,
        "rank": False,
        "purge_files": False,
        "grant_expert_access": False,
        "revoke_expert_access": False,
        "give_expert_opinion": False,
        "expire_expert_access": False,
        "warn_draft_deletion": False,
        "delete_draft": False,
        "anonymise": False,
        "replace_blocked_file": True,
    }
    assert access.abilities(cast.agent, dossier)["take"] is True
    assert access.abilities(cast.other_agent, dossier)["view"] is False
    actions.take(dossier, acting_user=cast.agent)
    agent = access.abilities(cast.agent, dossier)
    assert agent["decide"] and agent["request_complement"] and agent["release"] and not agent["take"]
    supervisor = access.abilities(cast.supervisor, dossier)
    assert supervisor["release"] and supervisor["assign"] and not supervisor["decide"]
    assert not agent["assign"]


def test_abilities_inactive_user_sees_nothing(cast):
    """A deactivated account loses every right at once."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    cast.agent.is_active = False
    assert access.abilities(cast.agent, dossier)["view"] is False
    assert not access.visible_to(cast.agent).exists()


def test_instruct_permission_ids_match_guardian(cast):
    """The one-query lookup answers what guardian's get_objects_for_user answers, for agents of a
    service (group permission), a direct user permission, citizens and a superuser."""
    from guardian.shortcuts import assign_perm, get_objects_for_user

    from instruction.models import Teleservice
    from permissions.access import _instruct_permission_ids
    from tests.factories import UserFactory

    direct = UserFactory(email="direct@exemple.test")
    assign_perm("instruction.instruct_teleservice", direct, cast.other_teleservice)
    admin = UserFactory(email="admin@exemple.test", is_superuser=True, is_staff=True)
    for user in (cast.agent, cast.other_agent, cast.supervisor, cast.applicant, direct, admin):
        expected = get_objects_for_user(
            user, "instruction.instruct_teleservice", klass=Teleservice, accept_global_perms=False
        ).values_list("pk", flat=True)
        assert _instruct_permission_ids(user, Teleservice) == frozenset(expected), user.email
    assert _instruct_permission_ids(direct, Teleservice) == {cast.other_teleservice.pk}
