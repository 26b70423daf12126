from instruction.models.document import DossierFile, MessageAttachment, ScanStatus
from instruction.models.dossier import Dossier, DossierStatus, ReferenceCounter
from instruction.models.event import Event
from instruction.models.expert import DossierUserObjectPermission, ExpertAccess
from instruction.models.household import (
    Foyer,
    FoyerMember,
    Organisme,
    OrganismeGroupObjectPermission,
    OrganismeInvitation,
    OrganismeUserObjectPermission,
    SpaceEvent,
)
from instruction.models.letter import DecisionLetter
from instruction.models.message import Message, ThreadReadMark
from instruction.models.outbox import OutboxMessage
from instruction.models.teleservice import Audience, Teleservice
from instruction.models.version import FiledVersion, TeleserviceDocument, TeleserviceVersion
from instruction.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "Audience",
    "DecisionLetter",
    "Dossier",
    "DossierFile",
    "DossierStatus",
    "DossierUserObjectPermission",
    "Event",
    "ExpertAccess",
    "FiledVersion",
    "Foyer",
    "FoyerMember",
    "Message",
    "MessageAttachment",
    "Organisme",
    "OrganismeGroupObjectPermission",
    "OrganismeInvitation",
    "OrganismeUserObjectPermission",
    "OutboxMessage",
    "ReferenceCounter",
    "ScanStatus",
    "SpaceEvent",
    "Teleservice",
    "TeleserviceDocument",
    "TeleserviceVersion",
    "ThreadReadMark",
    "WebhookDelivery",
    "WebhookSubscription",
]
