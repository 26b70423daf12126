"""The decision letter (« lettre de décision »): a PDF e-mailed to the applicant with the decision,
and kept for their space and the agents' review screen.

It is rendered from the ``decide`` audit event (its time, outcome, amount and motivation), never
from the dossier's current state, and stored once in a ``DecisionLetter`` row: a retried delivery,
the applicant's download and the agents' download all give the same file.

The body comes from the téléservice's ``letter_template`` (HTML written by an administrator),
rendered by a restricted template engine: a few plain values in the context, no template
loading, no ``{% load %}``, ``{% debug %}``, ``{% now %}`` or ``|safe``; a blank template gives the
default body of ``pdf/decision_letter.html``, which also holds the common layout (letterhead,
date, signature)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404
from django.http.response import HttpResponseBase
from django.template import Context, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.engine import Engine
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from instruction.attachments import register
from instruction.files import private_file, store
from instruction.models import DecisionLetter, Dossier, DossierStatus, Event
from instruction.models.dossier import DECIDED_STATUSES

TEMPLATE = "pdf/decision_letter.html"
MIMETYPE = "application/pdf"

# What an administrator's template may use: control flow and formatting, nothing that reaches
# outside the context (template loading, {% load %}, {% debug %}, {% url %}), reads the clock
# ({% now %}: the letter must not change when rendered again) or turns escaping off.
SAFE_TAGS = ("if", "for", "with", "comment", "firstof", "spaceless", "ifchanged", "cycle", "templatetag", "verbatim")
UNSAFE_FILTERS = frozenset({"safe", "safeseq", "pprint"})
# The variables of a letter template, for the administrators' help.
VARIABLES = (
    "reference",
    "dossier",
    "demandeur",
    "teleservice",
    "service",
    "decision",
    "decision_code",
    "montant",
    "motivation",
    "date",
)


class _LetterEngine(Engine):
    """A template engine that only knows SAFE_TAGS and the default filters but UNSAFE_FILTERS."""

    def __init__(self) -> None:
        super().__init__(loaders=[], autoescape=True, string_if_invalid="")
        library = Library()
        library.tags.update({name: defaulttags.register.tags[name] for name in SAFE_TAGS})
        library.filters.update(
            {name: f for name, f in defaultfilters.register.filters.items() if name not in UNSAFE_FILTERS}
        )
        self.template_builtins = [library]


@cache
def letter_engine() -> Engine:
    return _LetterEngine()


def check_letter_template(source: str) -> None:
    """ValidationError (in French) if an administrator's template would not render."""
    try:
        letter_engine().from_string(source or "")
    except TemplateSyntaxError as error:
        raise ValidationError(
            _("Le modèle de lettre contient une erreur : %(error)s. Variables disponibles : %(variables)s.")
            % {"error": error, "variables": ", ".join(VARIABLES)}
        ) from None


# The events that decide a dossier: an agent's (or a validated) decision, and the closure of a
# dossier whose complement's deadline passed without an answer.
DECISION_ACTIONS = ("decide", "expire_complement")


def decide_event(dossier: Dossier) -> Event | None:
    """The dossier's decision (a dossier is decided once)."""
    return (
        dossier.events.filter(action__in=DECISION_ACTIONS, to_status__in=DECIDED_STATUSES)
        .order_by("-created", "-pk")
        .first()
    )


def letter_context(event: Event) -> dict[str, Any]:
    """The restricted context: plain values recorded by the decide event, and names."""
    dossier = event.dossier
    amount = event.details.get("amount")
    applicant = dossier.applicant
    return {
        "reference": dossier.reference,
        "dossier": dossier.reference,
        "demandeur": (applicant.get_full_name() or applicant.email) if applicant else "",
        "teleservice": dossier.teleservice.title,
        "service": dossier.teleservice.instructing_service.name,
        "decision": str(DossierStatus(event.to_status).label),
        "decision_code": event.to_status,
        "montant": (formats.number_format(amount, 2, use_l10n=True) + " €") if amount else "",
        "motivation": event.details.get("motivation") or "",
        "prix": _prize_label(event.details.get("prize")),
        "date": timezone.localdate(event.created),
    }


def _prize_label(prize: Any) -> str:
    """Palmarès: the prize category of the ranking (empty for other téléservices)."""
    from workflows.palmares.rules import PRIZES

    return str(PRIZES.get(prize, "")) if prize else ""


def letter_html(event: Event) -> str:
    # In French, like every message to the applicant, whatever language the worker runs in.
    with translation.override(settings.LANGUAGE_CODE):
        context = letter_context(event)
        source = event.dossier.teleservice.letter_template.strip()
        body: SafeString | str = ""
        if source:
            # Safe: the output of an autoescaping engine whose template an administrator wrote.
            body = mark_safe(letter_engine().from_string(source).render(Context(context)))  # noqa: S308
        return render_to_string(TEMPLATE, {**context, "body": body, "rendered_at": timezone.localtime(event.created)})


def letter_pdf(event: Event) -> bytes:
    from weasyprint import HTML  # heavy import, only where PDFs are made
    from weasyprint.urls import URLFetcher

    # Nothing is fetched while rendering (no file://, no http://): a template cannot make the
    # worker read local files or call other hosts; data: URIs only.
    fetcher = URLFetcher(allowed_protocols={"data"})
    pdf: bytes = HTML(string=letter_html(event), url_fetcher=fetcher).write_pdf()
    return pdf


def letter_filename(dossier: Dossier) -> str:
    return f"lettre-de-decision-{dossier.reference}.pdf"


def stored_letter(event: Event) -> DecisionLetter:
    """The letter of a decide event, rendered and stored the first time only.

    Two renderers racing (a retried delivery while the first is still running) both render,
    but only one row is kept: the other's file is removed."""
    existing = DecisionLetter.objects.filter(event=event).first()
    if existing is not None:
        return existing
    letter = DecisionLetter(dossier_id=event.dossier_id, event=event)
    content = ContentFile(letter_pdf(event))
    try:
        with transaction.atomic():
            # The loser's file goes with its rolled-back row (instruction.files.store).
            store(letter.file, content, letter_filename(event.dossier))
            letter.save()
    except IntegrityError:
        return DecisionLetter.objects.get(event=event)
    return letter


def _event_for(dossier: Dossier | None, spec: dict[str, Any]) -> Event:
    pk = spec.get("event")
    event = None
    if dossier is not None and isinstance(pk, int):
        event = (
            Event.objects.select_related("dossier__teleservice__instructing_service", "dossier__applicant")
            .filter(pk=pk, action__in=DECISION_ACTIONS, to_status__in=DECIDED_STATUSES, dossier=dossier)
            .first()
        )
    if event is None:
        raise ValueError(f"decision letter: no decide event {spec.get('event')!r} for this message's dossier")
    return event


@register("decision_letter")
def render_decision_letter(message: Any, spec: dict[str, Any]) -> tuple[str, bytes, str]:
    event = _event_for(message.dossier, spec)
    letter = stored_letter(event)
    with letter.file.open("rb") as handle:
        content: bytes = handle.read()
    return letter_filename(event.dossier), content, MIMETYPE


def letter_response(dossier: Dossier, letter: DecisionLetter | None) -> HttpResponseBase:
    """A download of one of ``dossier``'s letters, once the caller has checked access to it."""
    if letter is None or letter.dossier_id != dossier.pk or not letter.file:
        raise Http404
    return private_file(letter.file, filename=letter_filename(dossier), content_type=MIMETYPE)
