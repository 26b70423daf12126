"""« Exporter (CSV) »: the current list of a tab (same filters and order, every page), for a
spreadsheet. Streamed row by row from a server-side cursor, so that a list of any length costs
neither the memory of the web process nor a timeout before the first byte.

French Excel opens it directly: UTF-8 with a byte order mark, ';' between fields, dates as
dd/mm/yyyy and decimal commas (the formats of the active language). Cells that a spreadsheet
would run as a formula are neutralised. XLSX is not offered: no library for it is installed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from backoffice.lists import TABS_BY_SLUG, is_late, listing
from instruction.models import Dossier, DossierStatus

CHUNK_SIZE = 2000
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    _("Référence"),
    _("Téléservice"),
    _("Statut"),
    _("Demandeur"),
    _("Courriel du demandeur"),
    _("Bénéficiaire"),
    _("Commune"),
    _("Agent en charge"),
    _("Transmis le"),
    _("Échéance"),
    _("En retard"),
    _("Décidé le"),
    _("Montant accordé (€)"),
]
_FIELDS = (
    "pk",
    "reference",
    "teleservice__title",
    "status",
    "applicant__first_name",
    "applicant__last_name",
    "applicant__email",
    "beneficiary__first_name",
    "beneficiary__last_name",
    "organisme__name",
    "foyer__commune",
    "organisme__commune",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__email",
    "transmitted_at",
    "deadline",
    "decided_at",
    "decision_amount",
)


class _Echo:
    """The file-like object csv.writer writes to: it hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _person(first_name: str | None, last_name: str | None, email: str | None = None) -> str:
    return f"{first_name or ''} {last_name or ''}".strip() or (email or "")


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _lines(dossiers: QuerySet[Dossier], today: dt.date) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    statuses = dict(DossierStatus.choices)
    yes, no = gettext("Oui"), gettext("Non")
    yield BOM + writer.writerow([str(label) for label in COLUMNS])
    for values in dossiers.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(_FIELDS, values, strict=True))
        amount = row["decision_amount"]
        cells = [
            row["reference"],
            row["teleservice__title"],
            statuses.get(row["status"], row["status"]),
            _person(row["applicant__first_name"], row["applicant__last_name"], row["applicant__email"]),
            row["applicant__email"],
            _person(row["beneficiary__first_name"], row["beneficiary__last_name"]) or row["organisme__name"],
            row["foyer__commune"] or row["organisme__commune"],
            _person(row["assignee__first_name"], row["assignee__last_name"], row["assignee__email"]),
            _when(row["transmitted_at"]),
            _when(row["deadline"]),
            yes if is_late(row["deadline"], row["status"], today) else no,
            _when(row["decided_at"]),
            "" if amount is None else formats.number_format(amount, 2),
        ]
        yield writer.writerow([_cell(cell) for cell in cells])


@require_GET
def export_csv(request: HttpRequest, tab: str) -> HttpResponseBase:
    """The tab's list as asked for (filters, search, order), all pages; 400 when a filter is
    invalid rather than a wider export than the agent asked for."""
    if tab not in TABS_BY_SLUG:
        raise Http404
    current = listing(request, TABS_BY_SLUG[tab])
    if not current.form.is_valid():
        return HttpResponse(
            gettext("Les filtres ne sont pas valides : corrigez-les sur la liste avant d'exporter."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    dossiers = current.dossiers.order_by(*current.ordering.order_by())
    response = StreamingHttpResponse(_lines(dossiers, current.today), content_type="text/csv; charset=utf-8")
    filename = f"dossiers-{tab}-{current.today:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
