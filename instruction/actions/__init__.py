"""Every change of a dossier's state is one of these functions (see DESIGN.md).

Each takes a keyword-only ``acting_user``, runs in one transaction, checks permission through
``permissions.access``, fires the FSM transition, drives the Viewflow process, writes one audit
event and schedules side effects through the outbox on commit.
"""

from instruction.actions.assign import BulkOutcome, add_agent, assign, bulk_assign, remove_agent
from instruction.actions.base import ActionError, AlreadyFiled, Conflict, InvalidInput, TransitionRefused
from instruction.actions.complement import answer_complement, expire_complement, remind_complement, request_complement
from instruction.actions.decide import decide, send_back_decision, validate_decision
from instruction.actions.documents import attach_files, remove_file, replace_blocked_files
from instruction.actions.drafts import create_draft, save_draft
from instruction.actions.expert import (
    expire_expert_accesses,
    give_expert_opinion,
    grant_expert_access,
    revoke_expert_access,
)
from instruction.actions.messages import mark_thread_read, send_message
from instruction.actions.palmares import rank, report_visit, schedule_visit
from instruction.actions.purge import purge_files
from instruction.actions.spaces import (
    accept_invitation,
    add_foyer_member,
    cancel_invitation,
    change_organisme_role,
    create_foyer,
    create_organisme,
    invite_to_organisme,
    remove_foyer_member,
    remove_organisme_member,
    update_foyer,
    update_foyer_member,
)
from instruction.actions.take import release, take
from instruction.actions.transmit import transmit

__all__ = [
    "ActionError",
    "AlreadyFiled",
    "BulkOutcome",
    "Conflict",
    "InvalidInput",
    "TransitionRefused",
    "accept_invitation",
    "add_agent",
    "add_foyer_member",
    "answer_complement",
    "assign",
    "attach_files",
    "bulk_assign",
    "cancel_invitation",
    "change_organisme_role",
    "create_draft",
    "create_foyer",
    "create_organisme",
    "decide",
    "expire_complement",
    "expire_expert_accesses",
    "give_expert_opinion",
    "grant_expert_access",
    "invite_to_organisme",
    "mark_thread_read",
    "purge_files",
    "rank",
    "release",
    "remind_complement",
    "remove_agent",
    "remove_file",
    "replace_blocked_files",
    "remove_foyer_member",
    "remove_organisme_member",
    "report_visit",
    "request_complement",
    "revoke_expert_access",
    "save_draft",
    "schedule_visit",
    "send_back_decision",
    "send_message",
    "take",
    "transmit",
    "update_foyer",
    "update_foyer_member",
    "validate_decision",
]
