"""Every change of a dossier's state is one of these functions (see DESIGN.md).

Each takes a keyword-only ``acting_user``, runs in one transaction, checks permission through
``permissions.access``, fires the FSM transition, drives the Viewflow process, writes one audit
event and schedules side effects through the outbox on commit.
"""

from instruction.actions.base import ActionError, Conflict, InvalidInput, TransitionRefused
from instruction.actions.complement import answer_complement, request_complement
from instruction.actions.decide import decide
from instruction.actions.drafts import create_draft, save_draft
from instruction.actions.take import release, take
from instruction.actions.transmit import transmit

__all__ = [
    "ActionError",
    "Conflict",
    "InvalidInput",
    "TransitionRefused",
    "answer_complement",
    "create_draft",
    "decide",
    "release",
    "request_complement",
    "save_draft",
    "take",
    "transmit",
]
