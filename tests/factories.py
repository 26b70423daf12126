"""factory_boy factories with named variants; the shared cast lives in tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from typing import Any

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from instruction import actions
from instruction.documents import specs_for
from instruction.models import Audience, Dossier, Foyer, FoyerMember, Teleservice
from permissions.models import InstructingService, User

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstructingService

    name = factory.Sequence(lambda n: f"Service instructeur {n}")


class TeleserviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teleservice

    slug = factory.Sequence(lambda n: f"pack-jeunes-{n}")
    code = factory.Sequence(lambda n: f"P{n:03d}"[:5])
    title = "Pack Jeunes — aide au premier logement"
    fiche = "Aide au premier logement pour les 18–25 ans."
    audience = Audience.FOYER
    category = "Jeunesse"
    published = True
    instructing_service = factory.SubFactory(ServiceFactory)
    flow_class_path = "workflows.pack_jeunes.flow.PackJeunesFlow"
    processing_days = 30


class FoyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Foyer

    responsible = factory.SubFactory(UserFactory)
    address = "3 place du Marché"
    postal_code = "70000"
    commune = "Vesoul"
    quotient_familial = 450


class FoyerMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FoyerMember

    foyer = factory.SubFactory(FoyerFactory)
    civility = "mme"
    first_name = factory.Faker("first_name_female", locale="fr_FR")
    last_name = factory.SelfAttribute("foyer.responsible.last_name")
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=20 * 365 + 30))
    link = FoyerMember.Link.CHILD


def valid_form_data(beneficiary: FoyerMember, **overrides: Any) -> dict[str, Any]:
    data = {
        "beneficiary": str(beneficiary.pk),
        "aid": "logement",
        "quotient_familial": "450",
        "engagement": "aucun",
        "housing_address": "8 rue Paul Morel",
        "housing_postal_code": "70000",
        "housing_commune": "Vesoul",
        "move_in_date": "2026-09-01",
        "monthly_rent": "390",
        "certify": "on",
    }
    data.update(overrides)
    return data


def pdf_bytes(text: str = "Piece justificative") -> bytes:
    """A real, minimal one-page PDF showing ``text`` (readable by any PDF viewer)."""
    stream = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(size: tuple[int, int] = (4, 4)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name: str = "piece.pdf", text: str = "Piece justificative") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def png_upload(name: str = "scan.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def document_uploads(teleservice: Teleservice, data: dict[str, Any]) -> dict[str, SimpleUploadedFile]:
    """Form-page POST entries: one small PDF for each document ``data`` makes required."""
    return {
        spec.input_name: pdf_upload(f"{spec.code}.pdf") for spec in specs_for(teleservice) if spec.is_required(data)
    }


def attach_required_documents(dossier: Dossier, user: User) -> None:
    """One small PDF for each document the saved data makes required, through the actions layer."""
    required = [spec for spec in specs_for(dossier.teleservice) if spec.is_required(dossier.data)]
    actions.attach_files(dossier, {spec.code: [pdf_upload(f"{spec.code}.pdf")] for spec in required}, acting_user=user)


def filed_dossier(teleservice: Teleservice, applicant: User, *, transmit: bool = True) -> Dossier:
    """A dossier filed through the actions layer (draft, saved valid with its required documents,
    optionally transmitted)."""
    beneficiary = applicant.foyer.members.exclude(link=FoyerMember.Link.APPLICANT).first()
    dossier = actions.create_draft(teleservice, acting_user=applicant)
    actions.save_draft(dossier, valid_form_data(beneficiary), acting_user=applicant)
    attach_required_documents(dossier, applicant)
    if transmit:
        actions.transmit(dossier, acting_user=applicant)
    return dossier


def catalogue_teleservice(module: str, service: InstructingService, **overrides: Any) -> Teleservice:
    """The téléservice of ``workflows/<module>/catalogue.py`` (its ENTRY), published, instructed by ``service``."""
    from django.utils.module_loading import import_string

    entry = {**import_string(f"workflows.{module}.catalogue.ENTRY"), "published": True, **overrides}
    return Teleservice.objects.create(instructing_service=service, **entry)


def birth_date_for_age(age: int, *, days: int = 30) -> dt.date:
    """A birth date making a person ``age`` years old today, ``days`` after their birthday."""
    today = timezone.localdate()
    try:
        birthday = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - age, day=28)
    return birthday - dt.timedelta(days=days)


def expert_on(dossier: Dossier, expert: User | None = None, *, granted_by: User, days: int = 15) -> Any:
    """An expert invited on ``dossier`` through the actions layer (``granted_by``: the agent in
    charge or a supervisor), with access until ``days`` from today; returns the ExpertAccess."""
    expert = expert or UserFactory(email=f"expert-{dossier.reference.lower()}@exemple.test")
    return actions.grant_expert_access(
        dossier, expert, acting_user=granted_by, expires_on=timezone.localdate() + dt.timedelta(days=days)
    )
