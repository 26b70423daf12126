"""« Télécharger mes données »: everything the platform holds about a person, as a ZIP streamed
to the browser: ``mes-donnees.json`` (account, FranceConnect identity, foyer and its members,
organismes and roles, and each of *their own* dossiers with its form data, statuses, history,
messages) and the files of those dossiers (documents, message attachments, decision letters).

Only the person's own dossiers (``applicant``): an organisme's dossiers filed by another member
are that member's. The JSON is built first (a fixed number of queries per dossier); the files are
then read from the storage block by block and written into the ZIP as they come, so a large
archive is never held in memory (zipfile writes to a non-seekable sink with data descriptors)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from instruction.models import DecisionLetter, Dossier, DossierFile, Foyer, FoyerMember, Message, MessageAttachment
from instruction.models.dossier import public_status_label
from permissions import organismes

CHUNK = 64 * 1024


@dataclass(frozen=True)
class ArchivedFile:
    path: str  # inside the ZIP
    storage: Storage
    name: str  # in the storage


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100] or "fichier"


def _member(member: FoyerMember) -> dict[str, Any]:
    return {
        "civilite": member.get_civility_display(),
        "prenom": member.first_name,
        "nom": member.last_name,
        "date_de_naissance": member.birth_date,
        "lien": member.get_link_display(),
        "retire_du_foyer_le": member.removed_at,
    }


def _account(user: Any) -> dict[str, Any]:
    identity = getattr(user, "franceconnect", None)
    return {
        "adresse_electronique": user.email,
        "civilite": user.get_civility_display(),
        "prenom": user.first_name,
        "nom": user.last_name,
        "inscrit_le": user.date_joined,
        "derniere_connexion": user.last_login,
        "franceconnect": identity
        and {
            "prenoms": identity.given_name,
            "nom_de_naissance": identity.family_name,
            "date_de_naissance": identity.birthdate,
            "donnees_certifiees": identity.claims,
        },
    }


def _dossier(dossier: Dossier, files: list[ArchivedFile]) -> dict[str, Any]:
    base = f"demandes/{dossier.reference}"
    documents = []
    for stored in dossier.files.all():
        path = f"{base}/pieces/{stored.pk}-{_safe(stored.original_name)}"
        files.append(ArchivedFile(path, stored.file.storage, stored.file.name))
        documents.append(
            {"piece": stored.document, "nom": stored.original_name, "taille": stored.size, "fichier": path}
        )
    messages = []
    for message in dossier.messages.all():
        attachments = []
        for attachment in message.attachments.all():
            path = f"{base}/messages/{attachment.pk}-{_safe(attachment.original_name)}"
            files.append(ArchivedFile(path, attachment.file.storage, attachment.file.name))
            attachments.append({"nom": attachment.original_name, "fichier": path})
        messages.append(
            {
                "date": message.created,
                "de": _("Service instructeur") if message.from_service else _("Vous"),
                "texte": message.body,
                "pieces_jointes": attachments,
            }
        )
    letters = []
    for letter in dossier.letters.all():
        if letter.file:
            path = f"{base}/lettres/lettre-de-decision-{letter.pk}.pdf"
            files.append(ArchivedFile(path, letter.file.storage, letter.file.name))
            letters.append({"date": letter.created, "fichier": path})
    history = [
        {"date": event.created, "etape": event.action_label, "statut": public_status_label(event.to_status)}
        for event in dossier.events.all()
        if not event.is_internal
    ]
    beneficiary = dossier.beneficiary
    return {
        "reference": dossier.reference,
        "teleservice": dossier.teleservice.title,
        "statut": dossier.get_public_status_display(),
        "cree_le": dossier.created,
        "modifie_le": dossier.updated,
        "transmis_le": dossier.transmitted_at,
        "decide_le": dossier.decided_at if dossier.is_decided else None,
        "montant_accorde": dossier.decision_amount if dossier.is_decided else None,
        "motivation_de_la_decision": dossier.decision_motivation if dossier.is_decided else "",
        "organisme": dossier.organisme.name if dossier.organisme else None,
        "beneficiaire": _member(beneficiary) if beneficiary else None,
        "donnees_du_formulaire": dossier.data,
        "pieces_justificatives": documents,
        "messages": messages,
        "lettres_de_decision": letters,
        "historique": history,
    }


def collect(user: Any) -> tuple[dict[str, Any], list[ArchivedFile]]:
    """The person's data as a JSON-ready document, and the files that go with it."""
    files: list[ArchivedFile] = []
    foyer = Foyer.objects.filter(responsible=user).first()
    dossiers = (
        Dossier.objects.filter(applicant=user)
        .select_related("teleservice", "organisme", "beneficiary")
        .prefetch_related(
            Prefetch("files", queryset=DossierFile.objects.order_by("document", "created", "pk")),
            Prefetch(
                "messages",
                queryset=Message.objects.order_by("created", "pk").prefetch_related(
                    Prefetch("attachments", queryset=MessageAttachment.objects.order_by("pk"))
                ),
            ),
            Prefetch("letters", queryset=DecisionLetter.objects.order_by("created", "pk")),
            "events",
        )
        .order_by("created", "pk")
    )
    document = {
        "compte": _account(user),
        "foyer": foyer
        and {
            "adresse": foyer.address,
            "code_postal": foyer.postal_code,
            "commune": foyer.commune,
            "quotient_familial": foyer.quotient_familial,
            "membres": [_member(m) for m in FoyerMember.all_objects.filter(foyer=foyer).order_by("birth_date", "pk")],
        },
        "organismes": [
            {
                "nom": organisme.name,
                "type": organisme.get_kind_display(),
                "siret": organisme.siret,
                "adresse": organisme.address,
                "code_postal": organisme.postal_code,
                "commune": organisme.commune,
                "role": _("Administrateur")
                if organismes.role_of(user, organisme) == organismes.ADMINISTRATOR
                else _("Membre"),
            }
            for organisme in organismes.organismes_of(user).order_by("name")
        ],
        "demandes": [_dossier(dossier, files) for dossier in dossiers],
    }
    return document, files


class _Sink:
    """A write-only file for zipfile: what is written waits here until the generator yields it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        parts, self.parts = self.parts, []
        if parts:
            yield b"".join(parts)


def zip_stream(document: dict[str, Any], files: list[ArchivedFile]) -> Iterator[bytes]:
    """The ZIP, chunk by chunk. A file missing from the storage is listed in ``fichiers-absents.txt``
    rather than breaking the download half-way."""
    sink = _Sink()
    missing: list[str] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        payload = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr("mes-donnees.json", payload)
        yield from sink.drain()
        for item in files:
            try:
                source = item.storage.open(item.name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(item.path)
                continue
            with source, archive.open(item.path, "w", force_zip64=True) as target:
                while block := source.read(CHUNK):
                    target.write(block)
                    yield from sink.drain()
            yield from sink.drain()
        if missing:
            archive.writestr("fichiers-absents.txt", "\n".join(missing) + "\n")
    yield from sink.drain()
