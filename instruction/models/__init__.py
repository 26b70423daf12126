from instruction.models.dossier import Dossier, DossierStatus, ReferenceCounter
from instruction.models.event import Event
from instruction.models.household import Foyer, FoyerMember, Organisme
from instruction.models.outbox import OutboxMessage
from instruction.models.teleservice import Audience, Teleservice

__all__ = [
    "Audience",
    "Dossier",
    "DossierStatus",
    "Event",
    "Foyer",
    "FoyerMember",
    "Organisme",
    "OutboxMessage",
    "ReferenceCounter",
    "Teleservice",
]
