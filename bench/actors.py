"""Who the benchmark acts as, chosen from the data (``seed_load`` or any database), and the
objects its actions consume. Choosing is not timed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count, Q
from django.utils import timezone

from instruction import actions
from instruction.documents import specs_for
from instruction.models import Dossier, DossierStatus, FoyerMember, Teleservice
from permissions.models import InstructingService, User

S = DossierStatus
# One blank page: uploads are parsed (instruction/pdf_check.py) and a PDF without pages is refused.
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    b"\nendobj\n3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@dataclass
class Actors:
    agent: User  # an agent of two services, as in the prototype
    supervisor: User  # supervises the agent's first service
    citizen: User  # the applicant with the most dossiers
    services: list[InstructingService]
    teleservice_ids: list[int]


def _busiest_service() -> InstructingService:
    """The service whose agents hold the most dossiers in instruction."""
    row = (
        Dossier.objects.filter(status=S.IN_INSTRUCTION)
        .values("service_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "service_id")
        .first()
    )
    if row is None:
        raise SystemExit("Aucun dossier en cours d'instruction : lancez d'abord seed_load.")
    return InstructingService.objects.get(pk=row["service_id"])


def choose_actors() -> Actors:
    first = _busiest_service()
    agent_id = (  # an agent, not a supervisor: the same role whatever the size of the database
        Dossier.objects.filter(status=S.IN_INSTRUCTION, service=first)
        .exclude(assignee__supervised_services__isnull=False)
        .values("assignee_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee_id")
        .first()
    )["assignee_id"]
    agent = User.objects.get(pk=agent_id)
    second = (
        InstructingService.objects.exclude(pk=first.pk)
        .annotate(queued=Count("dossiers", filter=Q(dossiers__status=S.TRANSMITTED)))
        .order_by("-queued", "pk")
        .first()
    )
    services = [first] + ([second] if second else [])
    for service in services:  # idempotent: the agent works for both
        service.add_agent(agent)
    # Viewflow's own queue lists nothing for a user without its view permission on processes:
    # given as a Viewflow deployment would give it to its agents, for the peer measurement.
    agent.user_permissions.add(Permission.objects.get(content_type__app_label="viewflow", codename="view_process"))
    supervisor = first.supervisors.exclude(pk=agent.pk).order_by("pk").first() or first.supervisors.first()
    if supervisor is None:
        raise SystemExit(f"Le service {first} n'a pas de superviseur : lancez d'abord seed_load.")
    citizen_id = (
        Dossier.objects.values("applicant_id").annotate(n=Count("pk")).order_by("-n", "applicant_id").first()
    )["applicant_id"]
    teleservice_ids = list(
        Teleservice.objects.filter(instructing_service__in=services).order_by("pk").values_list("pk", flat=True)
    )
    return Actors(agent, supervisor, User.objects.get(pk=citizen_id), services, teleservice_ids)


def held_by(agent: User, count: int, *, status: str = S.IN_INSTRUCTION) -> list[Dossier]:
    return list(
        Dossier.objects.filter(assignee=agent, status=status).select_related("teleservice").order_by("pk")[:count]
    )


def queued(actors: Actors, count: int) -> list[Dossier]:
    return list(
        Dossier.objects.filter(
            teleservice_id__in=actors.teleservice_ids, status=S.TRANSMITTED, assignee__isnull=True
        ).order_by("-pk")[:count]
    )


def fresh_drafts(actors: Actors, count: int) -> list[Dossier]:
    """Valid drafts with their documents, filed by the citizen, ready to be transmitted."""
    teleservice = (
        Teleservice.objects.filter(pk__in=actors.teleservice_ids, flow_class_path__endswith="PackJeunesFlow").first()
        or Teleservice.objects.filter(flow_class_path__endswith="PackJeunesFlow").first()
    )
    if teleservice is None:
        raise SystemExit("Aucun téléservice Pack Jeunes : lancez d'abord seed_load.")
    citizen = actors.citizen
    today = timezone.localdate()
    adult = today - dt.timedelta(days=365 * 20 + 10)  # the Pack Jeunes is for 18 to 25
    member = FoyerMember.objects.filter(
        foyer__responsible=citizen,
        birth_date__lte=today - dt.timedelta(days=365 * 18 + 5),
        birth_date__gte=today - dt.timedelta(days=365 * 25 - 5),
        removed_at__isnull=True,
    ).first()
    if member is None:
        foyer = citizen.foyer
        member = actions.add_foyer_member(
            foyer,
            acting_user=citizen,
            civility="mme",
            first_name="Alice",
            last_name=citizen.last_name or "Banc",
            birth_date=adult,
            link=FoyerMember.Link.CHILD,
        )
    data = {
        "beneficiary": str(member.pk),
        "quotient_familial": "450",
        "engagement": "aucun",
        "housing_address": "8 rue Paul Morel",
        "housing_postal_code": "70000",
        "housing_commune": "Vesoul",
        "move_in_date": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "monthly_rent": "390",
        "certify": "on",
    }
    drafts = []
    for _ in range(count):
        dossier = actions.create_draft(teleservice, acting_user=citizen)
        actions.save_draft(dossier, data, acting_user=citizen)
        uploads: dict[str, Any] = {
            spec.code: [SimpleUploadedFile(f"{spec.code}.pdf", PDF, "application/pdf")]
            for spec in specs_for(teleservice)
            if spec.is_required(dossier.data)
        }
        actions.attach_files(dossier, uploads, acting_user=citizen)
        drafts.append(dossier)
    return drafts
