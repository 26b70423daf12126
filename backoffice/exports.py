"""« Exporter (CSV) » and « Exporter (XLSX) »: the current list of a tab (same filters and order,
every page), for a spreadsheet.

One generator reads the rows from a server-side cursor and yields typed values (text, dates,
amounts, yes/no); two writers turn them into a file:

- CSV for French Excel: UTF-8 with a byte order mark, ';' between fields, dates as dd/mm/yyyy and
  decimal commas (the formats of the active language); cells that a spreadsheet would run as a
  formula are neutralised. Streamed line by line: neither memory nor a wait before the first byte.
- XLSX through XlsxWriter in constant-memory mode (each row goes to a temporary file as soon as
  the next one starts): real dates, numbers, a bold, frozen and filterable header row.

A list longer than ``settings.EXPORT_SYNC_MAX_ROWS`` is not exported at once: an ``ExportJob``
prepares it in the background (backoffice/export_jobs.py, backoffice/tasks.py) and the agent
follows it in « Mes exports ». The export is a POST (from the list's buttons): it may create a job.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backoffice import export_jobs
from backoffice.lists import TABS_BY_SLUG, Listing, is_late, listing
from backoffice.models import CONTENT_TYPES, ExportJob, export_file_name
from instruction.models import Dossier, DossierStatus

CHUNK_SIZE = 2000
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A cell's value; its type decides how each writer shows it.
Value = str | dt.date | dt.datetime | Decimal | bool | None


@dataclass(frozen=True)
class Column:
    label: Promise
    width: int  # in characters, for the XLSX


COLUMNS = (
    Column(_("Référence"), 16),
    Column(_("Téléservice"), 30),
    Column(_("Statut"), 22),
    Column(_("Demandeur"), 26),
    Column(_("Courriel du demandeur"), 30),
    Column(_("Bénéficiaire"), 26),
    Column(_("Commune"), 20),
    Column(_("Agent en charge"), 24),
    Column(_("Transmis le"), 17),
    Column(_("Échéance"), 12),
    Column(_("En retard"), 11),
    Column(_("Décidé le"), 17),
    Column(_("Montant accordé (€)"), 20),
)
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


# --- The rows, typed --------------------------------------------------------------------------
def _person(first_name: str | None, last_name: str | None, email: str | None = None) -> str:
    return f"{first_name or ''} {last_name or ''}".strip() or (email or "")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else timezone.localtime(value)


def exported(current: Listing) -> QuerySet[Dossier]:
    """The listing's dossiers in its order, every page."""
    return current.dossiers.order_by(*current.ordering.order_by())


def rows(dossiers: QuerySet[Dossier], today: dt.date) -> Iterator[tuple[Value, ...]]:
    """One tuple per dossier, in the order of ``COLUMNS``, read in chunks from a server-side
    cursor. Datetimes are in the local time zone; the writers decide how everything looks."""
    statuses = dict(DossierStatus.choices)
    for values in dossiers.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE):
        row = dict(zip(_FIELDS, values, strict=True))
        yield (
            row["reference"],
            row["teleservice__title"],
            str(statuses.get(row["status"], row["status"])),
            _person(row["applicant__first_name"], row["applicant__last_name"], row["applicant__email"]),
            row["applicant__email"],
            _person(row["beneficiary__first_name"], row["beneficiary__last_name"]) or row["organisme__name"],
            row["foyer__commune"] or row["organisme__commune"],
            _person(row["assignee__first_name"], row["assignee__last_name"], row["assignee__email"]),
            _local(row["transmitted_at"]),
            row["deadline"],
            is_late(row["deadline"], row["status"], today),
            _local(row["decided_at"]),
            row["decision_amount"],
        )


# --- CSV --------------------------------------------------------------------------------------
class _Echo:
    """The file-like object csv.writer writes to: it hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Value, yes: str, no: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, dt.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return formats.number_format(value, 2)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_lines(typed_rows: Iterable[tuple[Value, ...]]) -> Iterator[str]:
    """The CSV file, one line at a time, the byte order mark and the header first."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yes, no = gettext("Oui"), gettext("Non")
    yield BOM + writer.writerow([str(column.label) for column in COLUMNS])
    for row in typed_rows:
        yield writer.writerow([_csv_cell(value, yes, no) for value in row])


def write_csv(typed_rows: Iterable[tuple[Value, ...]], target: IO[bytes]) -> int:
    """The CSV file written to ``target``; returns the number of dossiers."""
    lines = csv_lines(typed_rows)
    target.write(next(lines).encode("utf-8"))  # the header
    count = 0
    for line in lines:
        target.write(line.encode("utf-8"))
        count += 1
    return count


# --- XLSX -------------------------------------------------------------------------------------
def _sheet_name(title: str) -> str:
    # Excel's rules: at most 31 characters, none of []:*?/\
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or "Dossiers"


def _xlsx_text(value: str) -> str:
    # In constant-memory mode XlsxWriter copies a string that looks like its own rich-text markup
    # (<r>…</r>) into the XML unescaped. Such a text is written as rich text of one plain run.
    if value.startswith("<r>") and value.endswith("</r>"):
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<r><t xml:space="preserve">{escaped}</t></r>'
    return value


def write_xlsx(typed_rows: Iterable[tuple[Value, ...]], target: IO[bytes], *, title: str) -> int:
    """The XLSX workbook written to ``target`` (a seekable binary file); returns the number of
    dossiers. Memory stays flat: XlsxWriter keeps one row at a time and writes the others to a
    temporary directory of its own, removed here whatever happens."""
    yes, no = gettext("Oui"), gettext("Non")
    count = 0
    with tempfile.TemporaryDirectory(prefix="export-xlsx-") as workdir:
        options = {"constant_memory": True, "in_memory": False, "tmpdir": workdir}
        with xlsxwriter.Workbook(target, options) as workbook:
            workbook.set_properties({"title": title})
            sheet = workbook.add_worksheet(_sheet_name(title))
            header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
            shown = {
                "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
                "datetime": workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"}),
                "amount": workbook.add_format({"num_format": "#,##0.00"}),
            }
            for index, column in enumerate(COLUMNS):
                sheet.set_column(index, index, column.width)
            sheet.freeze_panes(1, 0)
            for index, column in enumerate(COLUMNS):
                sheet.write_string(0, index, str(column.label), header)
            for count, row in enumerate(typed_rows, start=1):
                for index, value in enumerate(row):
                    _write_xlsx_cell(sheet, count, index, value, shown, yes, no)
            sheet.autofilter(0, 0, count, len(COLUMNS) - 1)
    return count


def _write_xlsx_cell(sheet: Any, row: int, col: int, value: Value, shown: dict[str, Any], yes: str, no: str) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, yes if value else no)
    elif isinstance(value, dt.datetime):
        # Excel has no time zones: the local time, as the CSV shows it.
        sheet.write_datetime(row, col, value.replace(tzinfo=None), shown["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, shown["date"])
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), shown["amount"])
    else:
        # write_string, never write(): a text is never taken for a formula, a number or a link.
        sheet.write_string(row, col, _xlsx_text(value))


# --- Both formats -----------------------------------------------------------------------------
def sheet_title(current: Listing) -> str:
    return str(current.tab.title)


def write(fmt: str, typed_rows: Iterable[tuple[Value, ...]], target: IO[bytes], *, title: str) -> int:
    """The export in ``fmt`` written to ``target``; returns the number of dossiers."""
    if fmt == ExportJob.Format.XLSX:
        return write_xlsx(typed_rows, target, title=title)
    return write_csv(typed_rows, target)


def _bad_filters() -> HttpResponse:
    return HttpResponse(
        gettext("Les filtres ne sont pas valides : corrigez-les sur la liste avant d'exporter."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _download(current: Listing, fmt: str) -> HttpResponseBase:
    dossiers = exported(current)
    name = export_file_name(current.tab.slug, current.today, fmt)
    response: HttpResponseBase
    if fmt == ExportJob.Format.CSV:
        response = StreamingHttpResponse(csv_lines(rows(dossiers, current.today)), content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        # A zip cannot be sent before it is complete: written to an anonymous temporary file,
        # then streamed from it (the file disappears when the response closes it).
        target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        try:
            write_xlsx(rows(dossiers, current.today), target, title=sheet_title(current))
            target.seek(0)
        except BaseException:
            target.close()
            raise
        response = FileResponse(target, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def export(request: HttpRequest, tab: str) -> HttpResponseBase:
    """The tab's list as asked for (filters, search, order in the query string), all pages, in
    the format of the button (``format``: csv or xlsx). At most ``EXPORT_SYNC_MAX_ROWS`` dossiers
    are sent at once; a longer list becomes a background job and the agent goes to « Mes
    exports ». 400 when a filter is invalid rather than a wider export than the agent asked for."""
    if tab not in TABS_BY_SLUG:
        raise Http404
    fmt = request.POST.get("format") or ExportJob.Format.CSV
    if fmt not in ExportJob.Format.values:
        return HttpResponse(gettext("Format d'export inconnu."), status=400, content_type="text/plain; charset=utf-8")
    current = listing(request, TABS_BY_SLUG[tab])
    if not current.form.is_valid():
        return _bad_filters()
    limit = settings.EXPORT_SYNC_MAX_ROWS
    # Counting stops at limit + 1: a short list costs no full count.
    if current.dossiers.order_by().values("pk")[: limit + 1].count() > limit:
        return export_jobs.start(request, current, fmt, total=current.dossiers.order_by().count())
    return _download(current, fmt)
