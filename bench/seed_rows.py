"""Rows of one seeded dossier: the dossier, its Viewflow process and tasks, its audit events and
messages, in the exact shape the actions layer leaves them (see tests/bench/test_seed_load.py)."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from instruction.models import DossierStatus
from instruction.models.event import chain_hash, content_digest

S = DossierStatus
# (status, weight in ‰): 1/5 open, ~2 % drafts, the rest decided.
STATUS_WEIGHTS = (
    (S.DRAFT, 20),
    (S.TRANSMITTED, 80),
    (S.IN_INSTRUCTION, 80),
    (S.COMPLEMENT_REQUESTED, 30),
    (S.AWAITING_VALIDATION, 10),
    (S.ACCEPTED, 450),
    (S.REJECTED, 230),
    (S.CLOSED, 100),
)

INSTRUCT = "instruction.instruct_teleservice"
COMMUNES = (
    ("Vesoul", "70000"),
    ("Gray", "70100"),
    ("Lure", "70200"),
    ("Luxeuil-les-Bains", "70300"),
    ("Héricourt", "70400"),
    ("Jussey", "70500"),
    ("Champlitte", "70600"),
    ("Gy", "70700"),
    ("Rioz", "70190"),
    ("Marnay", "70150"),
    ("Villersexel", "70110"),
    ("Port-sur-Saône", "70170"),
)
TABLES: dict[str, tuple[str, ...]] = {
    "viewflow_process": ("id", "flow_class", "status", "created", "finished", "data"),
    "instruction_dossier": (
        "id",
        "reference",
        "data",
        "status",
        "created",
        "updated",
        "transmitted_at",
        "decided_at",
        "deadline",
        "decision_amount",
        "decision_motivation",
        "jury_report",
        "prize",
        "applicant_id",
        "assignee_id",
        "process_id",
        "service_id",
        "foyer_id",
        "beneficiary_id",
        "teleservice_id",
        "complement_due",
        "proposed_outcome",
    ),  # fmt: skip
    "viewflow_task": (
        "id",
        "flow_task",
        "flow_task_type",
        "status",
        "created",
        "started",
        "finished",
        "token",
        "owner_permission",
        "owner_id",
        "process_id",
        "owner_permission_content_type_id",
        "owner_permission_obj_pk",
        "assigned",
        "data",
        "scheduled",
    ),  # fmt: skip
    "viewflow_task_previous": ("from_task_id", "to_task_id"),
    # The audit chain, computed here (bench/seed_load.py tells the trigger so: instruction.event_chain).
    "instruction_event": (
        "id",
        "action",
        "from_status",
        "to_status",
        "created",
        "details",
        "actor_id",
        "dossier_id",
        "prev_hash",
        "hash",
    ),  # fmt: skip
    "instruction_message": ("id", "dossier_id", "author_id", "from_service", "body", "created"),
}


@dataclass
class Service:
    id: int
    agents: list[int]


@dataclass
class Teleservice:
    id: int
    code: str
    service: Service
    flow_class: str  # stored form, e.g. 'workflows/pack_jeunes.flow.PackJeunesFlow'
    processing_days: int


@dataclass
class Citizen:
    user_id: int
    foyer_id: int
    beneficiary_id: int
    qf: int
    commune: tuple[str, str]


@dataclass
class Batch:
    """Rows for the COPY of one batch, and the id counters carried from batch to batch."""

    ids: dict[str, int]
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})
    counters: dict[tuple[str, int], int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]


def _status(rng: random.Random) -> str:
    pick = rng.randrange(1000)
    for status, weight in STATUS_WEIGHTS:
        if pick < weight:
            return status
        pick -= weight
    return S.ACCEPTED


def form_data(citizen: Citizen, rng: random.Random, created: dt.datetime) -> dict[str, Any]:
    commune, postal_code = COMMUNES[rng.randrange(len(COMMUNES))]
    return {
        "beneficiary": str(citizen.beneficiary_id),
        "quotient_familial": citizen.qf,
        "engagement": "aucun",
        "housing_address": f"{rng.randint(1, 99)} rue de la République",
        "housing_postal_code": postal_code,
        "housing_commune": commune,
        "move_in_date": (created.date() + dt.timedelta(days=20)).isoformat(),
        "monthly_rent": str(rng.randint(250, 650)),
        "certify": True,
    }


class DossierWriter:
    """Appends the rows of one dossier in a given status to a batch."""

    def __init__(self, batch: Batch, rng: random.Random, today: dt.date, teleservice_ct: int) -> None:
        self.b, self.rng, self.today, self.ct = batch, rng, today, teleservice_ct
        self.chain: tuple[int, str] = (0, "")  # the last event's dossier and hash

    def task(self, pid: int, node: str, kind: str, status: str, at: dt.datetime, **extra: Any) -> int:
        tid = self.b.next_id("viewflow_task")
        done = status == "DONE"
        self.b.rows["viewflow_task"].append(
            (
                tid, node, kind, status, at, at if done and kind != "SWITCH" else None, at if done else None, "start",
                extra.get("perm"), extra.get("owner"), pid, self.ct if extra.get("perm") else None,
                extra.get("obj_pk"), extra.get("assigned"), "{}", extra.get("scheduled"),
            )
        )  # fmt: skip
        if extra.get("previous"):
            self.b.rows["viewflow_task_previous"].append((tid, extra["previous"]))  # from = the later task
        return tid

    def event(
        self, did: int, action: str, before: str, after: str, at: dt.datetime, actor: int, **details: Any
    ) -> None:
        digest = content_digest(
            dossier_id=did,
            actor_id=actor,
            action=action,
            from_status=before,
            to_status=after,
            created=at,
            details=details,
        )
        prev = self.chain[1] if self.chain[0] == did else ""  # a dossier's events are written in order
        current = chain_hash(prev, digest)
        self.chain = (did, current)
        eid = self.b.next_id("instruction_event")
        row = (eid, action, before, after, at, json.dumps(details), actor, did, prev, current)
        self.b.rows["instruction_event"].append(row)

    def write(self, ts: Teleservice, citizen: Citizen) -> None:
        rng, rows = self.rng, self.b.rows
        status = _status(rng)
        created = timezone.make_aware(
            dt.datetime.combine(self.today - dt.timedelta(days=rng.randrange(1, 700)), dt.time(8))
            + dt.timedelta(seconds=rng.randrange(36000))
        )
        key = (ts.code, created.year)
        self.b.counters[key] = number = self.b.counters.get(key, 0) + 1
        reference = f"{ts.code}-{created.year}-{number:06d}"
        did = self.b.next_id("instruction_dossier")
        data = form_data(citizen, rng, created)
        agent = rng.choice(ts.service.agents)
        d: dict[str, Any] = dict.fromkeys(TABLES["instruction_dossier"])
        d.update(id=did, reference=reference, data=json.dumps(data), status=status, created=created, updated=created)
        d.update(applicant_id=citizen.user_id, foyer_id=citizen.foyer_id, beneficiary_id=citizen.beneficiary_id)
        d.update(teleservice_id=ts.id, decision_motivation="", proposed_outcome="", jury_report="", prize="")
        self.event(did, "create", "", S.DRAFT, created, citizen.user_id)
        if status != S.DRAFT:
            self._instruct(d, ts, citizen, agent, data)
        rows["instruction_dossier"].append(tuple(d[c] for c in TABLES["instruction_dossier"]))

    def _instruct(self, d: dict[str, Any], ts: Teleservice, citizen: Citizen, agent: int, data: dict[str, Any]) -> None:
        rng, status, did = self.rng, d["status"], d["id"]
        sent = d["created"] + dt.timedelta(hours=rng.randint(1, 72))
        step = sent + dt.timedelta(days=rng.randint(1, 30))
        d.update(transmitted_at=sent, updated=sent, service_id=ts.service.id)
        d["deadline"] = timezone.localdate(sent) + dt.timedelta(days=ts.processing_days)
        pid = self.b.next_id("viewflow_process")
        pdata: dict[str, Any] = {"reference": d["reference"]}
        d["process_id"] = pid
        snapshot = {"data": data, "beneficiary": {"first_name": "", "link": "enfant"}, "files": []}
        self.event(did, "transmit", S.DRAFT, S.TRANSMITTED, sent, citizen.user_id, **snapshot)
        start = self.task(pid, f"{ts.flow_class}.submission", "START", "DONE", sent)
        review: dict[str, Any] = {"perm": INSTRUCT, "obj_pk": str(ts.id), "previous": start}
        if status == S.TRANSMITTED:
            self.task(pid, f"{ts.flow_class}.review", "HUMAN", "NEW", sent, **review)
        else:
            d.update(assignee_id=agent, updated=step)
            self.event(did, "take", S.TRANSMITTED, S.IN_INSTRUCTION, step, agent)
            if status == S.IN_INSTRUCTION:
                self.task(
                    pid, f"{ts.flow_class}.review", "HUMAN", "ASSIGNED", sent, owner=agent, assigned=step, **review
                )
            else:
                rid = self.task(
                    pid, f"{ts.flow_class}.review", "HUMAN", "DONE", sent, owner=agent, assigned=step, **review
                )
                route = self.task(pid, f"{ts.flow_class}.route", "SWITCH", "DONE", step, previous=rid)
                self._after_review(d, pdata, pid, route, agent, citizen, step, ts.flow_class)
        finished = step if status in (S.ACCEPTED, S.REJECTED, S.CLOSED) else None
        process = (pid, ts.flow_class, "DONE" if finished else "NEW", sent, finished, json.dumps(pdata))
        self.b.rows["viewflow_process"].append(process)
        if rng.randrange(10) == 0:
            body = "Bonjour, pouvez-vous préciser la date d'entrée dans le logement ?"
            msg = (self.b.next_id("instruction_message"), did, agent, True, body, step)
            self.b.rows["instruction_message"].append(msg)

    def _after_review(
        self,
        d: dict[str, Any],
        pdata: dict[str, Any],
        pid: int,
        route: int,
        agent: int,
        citizen: Citizen,
        at: Any,
        flow_ref: str,
    ) -> None:
        status, did, task = d["status"], d["id"], self.task
        if status == S.COMPLEMENT_REQUESTED:
            due = timezone.localdate(at) + dt.timedelta(days=15)
            pdata.update(review_outcome="complement", complement_due=due.isoformat(), expiry_outcome=None)
            d["complement_due"] = due
            wait = task(
                pid, f"{flow_ref}.await_complement", "HUMAN", "ASSIGNED", at, owner=citizen.user_id, previous=route
            )
            timeout = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time.min))
            task(
                pid,
                f"{flow_ref}.await_complement__timeout",
                "TIMER",
                "SCHEDULED",
                at,
                scheduled=timeout,
                previous=wait,
            )
            asked = {"message": "Merci de joindre le bail signé.", "documents": ["bail"], "due": due.isoformat()}
            self.event(did, "request_complement", S.IN_INSTRUCTION, status, at, agent, **asked)
            return
        amount = self.rng.choice((100, 150, 250, 400)) if status == S.ACCEPTED else None
        motivation = "" if status == S.ACCEPTED else "Conditions de ressources non remplies."
        if status == S.AWAITING_VALIDATION:
            pdata.update(review_outcome="validation", validation_outcome=None)
            d.update(proposed_outcome=S.ACCEPTED, decision_amount=450)
            obj_pk = str(d["teleservice_id"])
            task(pid, f"{flow_ref}.validation", "HUMAN", "NEW", at, perm=INSTRUCT, obj_pk=obj_pk, previous=route)
            proposal = {"outcome": S.ACCEPTED, "amount": "450", "motivation": "", "threshold": "400.00"}
            self.event(did, "propose_decision", S.IN_INSTRUCTION, status, at, agent, **proposal)
            return
        pdata.update(review_outcome="decided", decision=status)
        d.update(decided_at=at, decision_amount=amount, decision_motivation=motivation)
        decision = task(pid, f"{flow_ref}.decision", "FUNCTION", "DONE", at, previous=route)
        task(pid, f"{flow_ref}.end", "END", "DONE", at, previous=decision)
        details: dict[str, Any] = {"amount": str(amount) if amount else None, "motivation": motivation}
        self.event(did, "decide", S.IN_INSTRUCTION, status, at, agent, **details)
