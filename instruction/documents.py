"""Supporting documents (« pièces justificatives ») a téléservice asks for.

A téléservice's form class declares ``documents``: a list of :class:`DocumentSpec`, which the
administrators may relabel, reorder, deactivate or complete (instruction/versions.py). A document
may be conditional (the engagement certificate of the Pack Jeunes only when the +50 % is
claimed) and takes one or several files (recto, verso…). The same specs drive the form page,
the recap, the check at transmission, the receipt and the agents' review screen, so that they
can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from instruction.models import Dossier, DossierFile, Teleservice

Condition = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class FieldCondition:
    """« The field ``name`` has (or has not) one of ``values`` »: a condition the page can also
    evaluate in the browser (the form's JavaScript reads it from data attributes)."""

    name: str
    values: tuple[str, ...]
    negate: bool = False

    # Templates read its attributes; they must not try to call it.
    do_not_call_in_templates = True

    def __call__(self, data: Mapping[str, Any]) -> bool:
        found = str(data.get(self.name, "") or "") in self.values
        return not found if self.negate else found


def field_in(name: str, *values: str) -> FieldCondition:
    return FieldCondition(name, tuple(values))


def field_not_in(name: str, *values: str) -> FieldCondition:
    return FieldCondition(name, tuple(values), negate=True)


@dataclass(frozen=True)
class DocumentSpec:
    code: str
    label: Any  # a lazy translation
    help: Any = ""
    required: bool = True
    condition: Condition | None = None
    max_files: int | None = None
    # Said to the person next to a conditional document, e.g. « si vous demandez la majoration ».
    condition_note: Any = ""
    # MIME types accepted for this document, narrowing the default PDF, JPEG, PNG (e.g. only
    # ``("application/pdf",)``); empty: the default. Checked on the content (instruction/uploads.py).
    types: tuple[str, ...] = ()

    @property
    def input_name(self) -> str:
        """The name of the file inputs on the form page, and the key of its errors."""
        return f"document-{self.code}"

    @property
    def file_limit(self) -> int:
        limit: int = settings.UPLOAD_MAX_FILES_PER_DOCUMENT
        return min(self.max_files, limit) if self.max_files else limit

    @property
    def allowed_types(self) -> dict[str, str]:
        from instruction.uploads import allowed_types

        return allowed_types(self.types)

    @property
    def accept(self) -> str:
        """What the file picker offers (the content is checked on the server anyway)."""
        extensions = {"application/pdf": [".pdf"], "image/jpeg": [".jpg", ".jpeg"], "image/png": [".png"]}
        return ",".join([*self.allowed_types, *(e for mime in self.allowed_types for e in extensions[mime])])

    def applies(self, data: Mapping[str, Any]) -> bool:
        return self.condition is None or bool(self.condition(data))

    def is_required(self, data: Mapping[str, Any]) -> bool:
        return self.required and self.applies(data)

    @property
    def is_conditional(self) -> bool:
        return self.condition is not None

    @property
    def toggle(self) -> FieldCondition | None:
        """The condition when the browser can evaluate it too (else the document always shows)."""
        return self.condition if isinstance(self.condition, FieldCondition) else None


@dataclass
class DocumentState:
    """One document of one dossier, as a page shows it."""

    spec: DocumentSpec
    files: list[DossierFile]
    applies: bool
    required: bool
    errors: list[str] = field(default_factory=list)

    @property
    def provided(self) -> list[DossierFile]:
        """The files that count: one the antivirus blocked is as if it had not been sent."""
        return [stored for stored in self.files if not stored.is_infected]

    @property
    def missing(self) -> bool:
        return self.required and not self.provided

    @property
    def blocked(self) -> list[DossierFile]:
        return [stored for stored in self.files if stored.is_infected]

    @property
    def slots_left(self) -> int:
        return max(self.spec.file_limit - len(self.provided), 0)

    @property
    def shown_on_recap(self) -> bool:
        return self.applies or bool(self.files)


def specs_for(target: Teleservice | Dossier) -> Sequence[DocumentSpec]:
    """The documents asked for: a téléservice's current list, or the list a dossier was filed
    with (a draft follows the current one); see instruction/versions.py."""
    from instruction.versions import specs_of, version_for

    return specs_of(version_for(target))


def spec_for(target: Teleservice | Dossier, code: str) -> DocumentSpec | None:
    return next((spec for spec in specs_for(target) if spec.code == code), None)


def document_states(
    dossier: Dossier,
    *,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, Iterable[str]] | None = None,
    files: Iterable[DossierFile] | None = None,
) -> list[DocumentState]:
    """The dossier's documents with their files, in the order the téléservice declares them."""
    data = dossier.data if data is None else data
    errors = errors or {}
    by_code: dict[str, list[DossierFile]] = {}
    for stored in dossier.files.all() if files is None else files:
        by_code.setdefault(stored.document, []).append(stored)
    return [
        DocumentState(
            spec=spec,
            files=by_code.get(spec.code, []),
            applies=spec.applies(data),
            required=spec.is_required(data),
            errors=[str(message) for message in errors.get(spec.input_name, [])],
        )
        for spec in specs_for(dossier)
    ]


def missing_documents(dossier: Dossier, data: Mapping[str, Any] | None = None) -> dict[str, list[str]]:
    """Errors (keyed by the documents' input names) for required documents without any file,
    and, answering a complement, for the documents asked for that have no new file."""
    from instruction.complements import unanswered_documents

    errors = {
        state.spec.input_name: [
            _("Joignez au moins un fichier pour la pièce « %(label)s ».") % {"label": state.spec.label}
        ]
        for state in document_states(dossier, data=data)
        if state.missing
    }
    for name, messages in unanswered_documents(dossier).items():
        errors.setdefault(name, messages)
    return errors
