"""Which version of its téléservice a dossier uses: the documents it asks for and its form class.

- The documents list is edited in the administration (``TeleserviceDocument`` rows, seeded from
  the form class's declared ``documents``); a declared document keeps the condition, file limit
  and condition note written in code, matched by its code.
- ``ensure_current_version`` writes a new ``TeleserviceVersion`` (a frozen snapshot) whenever
  the rows, the flow or the form class's ``version`` differ from the latest one.
- A draft follows the current version; ``pin_version`` (called by the transmit action) fixes the
  dossier to the version it was validated with, and from then on ``version_for`` returns it.
- A form class whose fields or rules change in a way that would break open dossiers raises its
  ``version`` and keeps the older classes in ``previous_versions``; ``form_class_of`` gives a
  version its own class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.module_loading import import_string

from instruction.documents import DocumentSpec
from instruction.models import Dossier, DossierStatus, Teleservice
from instruction.models.version import FiledVersion, TeleserviceDocument, TeleserviceVersion

if TYPE_CHECKING:
    from instruction.forms import DossierForm

_CACHE = "_teleservice_version"


def declared_form(flow_class_path: str) -> type[DossierForm]:
    form: type[DossierForm] = import_string(flow_class_path).form_class
    return form


def declared_documents(teleservice: Teleservice) -> Sequence[DocumentSpec]:
    return tuple(getattr(declared_form(teleservice.flow_class_path), "documents", ()))


def _french(text: Any) -> str:
    with translation.override("fr"):
        return str(text)


def seed_documents(teleservice: Teleservice) -> None:
    """Rows for the declared documents the téléservice has no row for (all of them at first)."""
    existing = set(teleservice.document_rows.values_list("code", flat=True))
    start = len(existing)
    TeleserviceDocument.objects.bulk_create(
        [
            TeleserviceDocument(
                teleservice=teleservice,
                code=spec.code,
                label=_french(spec.label),
                help=_french(spec.help),
                required=spec.required,
                order=(start + index + 1) * 10,
            )
            for index, spec in enumerate(s for s in declared_documents(teleservice) if s.code not in existing)
        ],
        ignore_conflicts=True,
    )


def _snapshot(teleservice: Teleservice) -> list[dict[str, Any]]:
    rows = teleservice.document_rows.filter(active=True).order_by("order", "pk")
    return [{"code": r.code, "label": r.label, "help": r.help, "required": r.required} for r in rows]


def ensure_current_version(teleservice: Teleservice) -> TeleserviceVersion:
    """The téléservice's current version, written anew if its documents or form changed."""
    seed_documents(teleservice)
    documents = _snapshot(teleservice)
    form_version = getattr(declared_form(teleservice.flow_class_path), "version", 1)
    latest = teleservice.versions.order_by("-number").first()
    if latest is not None and (latest.flow_class_path, latest.form_version, latest.documents) == (
        teleservice.flow_class_path,
        form_version,
        documents,
    ):
        return latest
    try:
        with transaction.atomic():
            return TeleserviceVersion.objects.create(
                teleservice=teleservice,
                number=(latest.number + 1) if latest else 1,
                flow_class_path=teleservice.flow_class_path,
                form_version=form_version,
                documents=documents,
            )
    except IntegrityError:
        # Written at the same moment by another request: theirs is the same snapshot.
        return teleservice.versions.order_by("-number").first()  # type: ignore[return-value]


def current_version(teleservice: Teleservice) -> TeleserviceVersion:
    """The latest version; a new one when the form class declares a new ``version`` (a deploy)."""
    latest = teleservice.versions.order_by("-number").first()
    form_version = getattr(declared_form(teleservice.flow_class_path), "version", 1)
    if latest is None or (latest.flow_class_path, latest.form_version) != (teleservice.flow_class_path, form_version):
        return ensure_current_version(teleservice)
    return latest


def version_for(target: Teleservice | Dossier) -> TeleserviceVersion:
    """A téléservice's current version; a dossier's filed version (a draft's: the current one)."""
    if isinstance(target, Teleservice):
        return current_version(target)
    cached: TeleserviceVersion | None = getattr(target, _CACHE, None)
    if cached is not None:
        return cached
    version = None
    if target.status != DossierStatus.DRAFT:
        filed = FiledVersion.objects.select_related("version").filter(dossier=target.pk).first()
        version = filed.version if filed else _version_at(target)
    if version is None:
        version = current_version(target.teleservice)
    setattr(target, _CACHE, version)
    return version


def _version_at(dossier: Dossier) -> TeleserviceVersion | None:
    """For dossiers transmitted before versions existed: the one in force when transmitted."""
    versions = dossier.teleservice.versions.order_by("-number")
    if dossier.transmitted_at is not None:
        found = versions.filter(created__lte=dossier.transmitted_at).first()
        if found is not None:
            return found
    return versions.last()


def pin_version(dossier: Dossier) -> TeleserviceVersion:
    """At transmission: the dossier keeps the version it was validated with (once)."""
    version = version_for(dossier)
    FiledVersion.objects.get_or_create(dossier=dossier, defaults={"version": version})
    return version


def form_class_of(version: TeleserviceVersion) -> type[DossierForm]:
    form = declared_form(version.flow_class_path)
    if getattr(form, "version", 1) == version.form_version:
        return form
    older: type[DossierForm] | None = getattr(form, "previous_versions", {}).get(version.form_version)
    return older or form


def specs_of(version: TeleserviceVersion) -> tuple[DocumentSpec, ...]:
    """The version's documents, with the condition, limit and note the form class declares."""
    cached: tuple[DocumentSpec, ...] | None = getattr(version, "_specs", None)
    if cached is not None:
        return cached
    declared = {spec.code: spec for spec in getattr(form_class_of(version), "documents", ())}
    specs = []
    for entry in version.documents:
        spec = declared.get(entry["code"])
        # An unchanged declared text keeps its translation; an administrator's text is French.
        label = spec.label if spec and _french(spec.label) == entry["label"] else entry["label"]
        help_text = spec.help if spec and _french(spec.help) == entry["help"] else entry["help"]
        specs.append(
            DocumentSpec(
                entry["code"],
                label,
                help=help_text,
                required=entry["required"],
                condition=spec.condition if spec else None,
                max_files=spec.max_files if spec else None,
                condition_note=spec.condition_note if spec else "",
                types=spec.types if spec else (),
            )
        )
    result = tuple(specs)
    version._specs = result  # type: ignore[attr-defined]
    return result
