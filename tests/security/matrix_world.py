"""The world the access matrix runs in, built once: two services, their téléservices, an
organisme, dossiers in the useful statuses with files, messages, letters and exports; and the
actors, one function each, who visit every route of it.

Adding an actor is adding one ``Actor`` to ``ACTORS`` (and what makes them who they are, in
``build_world``) and one column to docs/access-matrix.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models import CONTENT_TYPES, ExportJob
from instruction import actions
from instruction.actions.spaces import invitation_token
from instruction.files import store
from instruction.letters import stored_letter
from instruction.models import Audience, Dossier, DossierStatus, Event, ExpertAccess, Organisme, Teleservice
from permissions import organismes
from permissions.models import InstructingService, User
from tests.api.helpers import token_for
from tests.factories import (
    FoyerMemberFactory,
    ServiceFactory,
    TeleserviceFactory,
    UserFactory,
    expert_on,
    filed_dossier,
    pdf_bytes,
)


@dataclass
class World:
    """What the routes are filled with. ``own`` objects belong to the applicant's side (the
    applicant, their organisme, the service « Jeunesse » that instructs their dossiers);
    ``other`` objects to the other citizen's side (service « Solidarités »)."""

    users: dict[str, User]
    service: InstructingService
    other_service: InstructingService
    teleservice: Teleservice
    other_teleservice: Teleservice
    dossiers: dict[str, Dossier]
    organisme: Organisme
    other_organisme: Organisme
    objects: dict[str, Any] = field(default_factory=dict)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def _siret(serial: int) -> str:
    from instruction.siret import luhn_is_valid

    prefix = f"5{serial:012d}"
    return next(prefix + digit for digit in "0123456789" if luhn_is_valid(prefix + digit))


def _organisme(admin: User, name: str, serial: int) -> Organisme:
    return actions.create_organisme(
        acting_user=admin,
        kind="association",
        name=name,
        siret=_siret(serial),
        address="1 rue des Tilleuls",
        postal_code="70000",
        commune="Vesoul",
    )


def _citizen(email: str) -> User:
    user = UserFactory(email=email)
    FoyerMemberFactory(foyer__responsible=user)
    return user


def _decided(
    teleservice: Teleservice, applicant: User, agent: User, *, expert: User | None = None
) -> tuple[Dossier, Any]:
    """A dossier taken, decided « Accepté », with its letter rendered as the worker would; with
    ``expert`` invited by the agent before the decision (an expert is invited only before it)."""
    dossier = filed_dossier(teleservice, applicant)
    actions.take(dossier, acting_user=agent)
    if expert is not None:
        expert_on(dossier, expert, granted_by=agent)
    actions.decide(dossier, acting_user=agent, outcome=DossierStatus.ACCEPTED, amount="250")
    event = Event.objects.filter(dossier=dossier, action="decide").latest("pk")
    return dossier, stored_letter(event)


def _export(owner: User) -> ExportJob:
    """A finished export with its file, as the worker leaves it."""
    job = ExportJob(
        owner=owner,
        tab="a-traiter",
        format="csv",
        language="fr",
        original_name="dossiers-a-traiter.csv",
        content_type=CONTENT_TYPES["csv"],
        status=ExportJob.Status.DONE,
    )
    store(job.file, ContentFile(b"reference;statut\r\n"), "dossiers-a-traiter.csv")
    job.save()
    return job


def build_world() -> World:
    service = ServiceFactory(name="Service Jeunesse")
    other_service = ServiceFactory(name="Service Solidarités")
    teleservice = TeleserviceFactory(instructing_service=service, code="PJL")
    other_teleservice = TeleserviceFactory(instructing_service=other_service, code="AUT", title="Autre aide")
    organisme_teleservice = TeleserviceFactory(
        instructing_service=service, audience=Audience.ORGANISME, code="ORG", title="Aide aux associations"
    )
    users = {
        "applicant": _citizen("demandeur@exemple.test"),
        "other_citizen": _citizen("voisin@exemple.test"),
        "co_member": UserFactory(email="co-membre@exemple.test"),
        "agent": UserFactory(email="agent@exemple.test"),
        "other_agent": UserFactory(email="autre.agent@exemple.test"),
        "supervisor": UserFactory(email="superviseur@exemple.test"),
        "integration": UserFactory(email="integration@exemple.test"),
        "admin": UserFactory(email="admin@exemple.test", is_staff=True, is_superuser=True),
        "expert": UserFactory(email="expert@exemple.test"),
    }
    service.add_agent(users["agent"])
    service.add_agent(users["supervisor"])
    service.supervisors.add(users["supervisor"])
    service.add_agent(users["integration"])  # an integration account of the service
    other_service.add_agent(users["other_agent"])

    organisme = _organisme(users["applicant"], "Les Colos de Haute-Saône", 1)
    organismes.grant_role(users["co_member"], organisme, organismes.MEMBER)
    other_organisme = _organisme(users["other_citizen"], "Comité des fêtes de Gray", 2)

    applicant, agent = users["applicant"], users["agent"]
    draft = filed_dossier(teleservice, applicant, transmit=False)
    in_instruction = filed_dossier(teleservice, applicant)
    actions.take(in_instruction, acting_user=agent)
    own_message = actions.send_message(in_instruction, acting_user=agent, body="Merci.", files=[_pdf("note.pdf")])
    # The expert is invited on this one dossier (transmitted, taken, not decided) by the agent in charge.
    expert_access = expert_on(in_instruction, users["expert"], granted_by=agent)
    queued = filed_dossier(teleservice, applicant)
    complement = filed_dossier(teleservice, applicant)
    actions.take(complement, acting_user=agent)
    actions.request_complement(complement, acting_user=agent, message="Merci d'envoyer votre bail signé.")
    decided, letter = _decided(teleservice, applicant, agent)
    organisme_draft = actions.create_draft(organisme_teleservice, acting_user=applicant, organisme=organisme)
    actions.attach_files(organisme_draft, {"rib": [_pdf("rib-asso.pdf")]}, acting_user=applicant)
    # The other side's expert (not an actor) gives « Retirer l'accès » an object on that side.
    other_expert = UserFactory(email="autre.expert@exemple.test")
    other, other_letter = _decided(other_teleservice, users["other_citizen"], users["other_agent"], expert=other_expert)
    other_message = actions.send_message(
        other, acting_user=users["other_citizen"], body="Bonjour.", files=[_pdf("justif.pdf")]
    )

    invitation = actions.invite_to_organisme(
        organisme, acting_user=applicant, email="invite@exemple.test", role=organismes.MEMBER
    )
    other_invitation = actions.invite_to_organisme(
        other_organisme, acting_user=users["other_citizen"], email="invite2@exemple.test", role=organismes.MEMBER
    )
    world = World(
        users=users,
        service=service,
        other_service=other_service,
        teleservice=teleservice,
        other_teleservice=other_teleservice,
        dossiers={
            "own_draft": draft,
            "own_queued": queued,
            "own": in_instruction,
            "own_complement": complement,
            "own_decided": decided,
            "organisme": organisme_draft,
            "other": other,
        },
        organisme=organisme,
        other_organisme=other_organisme,
    )
    world.objects.update(
        letters={"own_decided": letter, "other": other_letter},
        attachments={"own": own_message.attachments.get(), "other": other_message.attachments.get()},
        exports={"own": _export(agent), "other": _export(users["other_agent"])},
        foyer_members={
            "own": applicant.foyer.members.exclude(link="demandeur").first(),
            "other": users["other_citizen"].foyer.members.exclude(link="demandeur").first(),
        },
        invitations={"own": invitation, "other": other_invitation},
        invitation_tokens={"own": invitation_token(invitation)},
        expert_accesses={"own": expert_access, "other": ExpertAccess.objects.get(dossier=other)},
    )
    _admin_rows(teleservice)
    return world


def _admin_rows(teleservice: Teleservice) -> None:
    """One row in each admin table that nothing above fills, so that every admin page has an object."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from instruction.models import WebhookDelivery, WebhookSubscription
    from instruction.models.webhook import WebhookEvent

    AccessAttempt.objects.create(username="x@exemple.test", ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username="x@exemple.test", ip_address="192.0.2.1")
    AccessFailureLog.objects.create(username="x@exemple.test", ip_address="192.0.2.1", locked_out=False)
    subscription = WebhookSubscription.objects.create(
        teleservice=teleservice, url="https://recepteur.exemple.test/hook", events=[WebhookEvent.TRANSMITTED]
    )
    WebhookDelivery.objects.create(
        subscription=subscription, webhook_id="w1", event=WebhookEvent.TRANSMITTED, attempt=1, outcome="delivered"
    )


# --- The actors ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """A column of the table: who logs in (``user``), which API token they send on /api/, and which
    side of the world they belong to (``own``: the applicant's and the service « Jeunesse »;
    ``other``: the other citizen's and the service « Solidarités »; None: neither)."""

    column: str
    user: Callable[[World], User | None]
    token_scopes: tuple[str, ...] = ()
    side: str | None = None


def _named(name: str) -> Callable[[World], User | None]:
    return lambda world: world.users[name]


HUMAN_TOKEN = ("read", "instruct")
ACTORS: list[Actor] = [
    Actor("anonymous", lambda world: None),
    Actor("applicant", _named("applicant"), HUMAN_TOKEN, "own"),
    Actor("co_member", _named("co_member"), HUMAN_TOKEN, "own"),
    Actor("other_citizen", _named("other_citizen"), HUMAN_TOKEN, "other"),
    Actor("agent", _named("agent"), HUMAN_TOKEN, "own"),
    Actor("other_agent", _named("other_agent"), HUMAN_TOKEN, "other"),
    Actor("supervisor", _named("supervisor"), HUMAN_TOKEN, "own"),
    # The integration account's token, read scope only; it never logs in to the pages.
    Actor("read_token", lambda world: None, ("read",), "own"),
    Actor("admin", _named("admin"), HUMAN_TOKEN),
    # Invited by `agent` on the `own` dossier only: the applicant's side, yet an outsider to the rest.
    Actor("expert", _named("expert"), HUMAN_TOKEN, "own"),
]


def outsider(actor: Actor, kind: str) -> bool:
    """Whether the object of ``kind`` belongs to the other side than the actor's (``cross`` objects:
    to both sides at once, so everybody with a side is an outsider to one of their parts)."""
    if actor.side is None or kind in ("-", "public", "invalid"):
        return False
    if kind == "cross":
        return True
    return (kind == "other") != (actor.side == "other")


def token_of(actor: Actor, world: World) -> str | None:
    if not actor.token_scopes:
        return None
    owner = actor.user(world) or world.users["integration"]
    return token_for(owner, *actor.token_scopes)
