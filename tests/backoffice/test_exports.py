"""« Exporter (CSV) »: the current list of a tab (same filters and order, every page), streamed,
for French Excel (UTF-8 with BOM, ';'), French headers, only what the agent may see."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 - reads the files the tests just wrote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from backoffice.views import PAGE_SIZE
from instruction import actions
from tests.factories import filed_dossier
from tests.instruction.test_transitions import DECISION_ARGS

HEADERS = [
    "Référence",
    "Téléservice",
    "Statut",
    "Demandeur",
    "Courriel du demandeur",
    "Bénéficiaire",
    "Commune",
    "Agent en charge",
    "Transmis le",
    "Échéance",
    "En retard",
    "Décidé le",
    "Montant accordé (€)",
]
SLUGS = ["mes-taches", "a-traiter", "traites"]
DAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def export(client: Any, slug: str = "a-traiter", expect: int = 200, fmt: str = "csv", **params: Any) -> Any:
    """The list's export button: a POST to the export URL carrying the list's query string."""
    url = reverse("backoffice:export", args=[slug])
    response = client.post(f"{url}?{urlencode(params)}" if params else url, {"format": fmt})
    assert response.status_code == expect
    return response


def rows_of(response: Any) -> list[list[str]]:
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_export_agent_queue_is_csv_for_french_excel(client, cast):
    """UTF-8 with BOM, ';' separator, CRLF lines, French headers, a file name with the tab and the day."""
    with time_machine.travel(DAY, tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        client.force_login(cast.agent)
        response = export(client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="dossiers-a-traiter-2026-03-02.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeffRéférence;Téléservice;Statut;".encode())
    assert body.count(b"\r\n") == 2
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    beneficiary = cast.applicant.foyer.members.get()
    assert rows[0] == HEADERS
    assert rows[1] == [
        dossier.reference,
        cast.teleservice.title,
        "Transmis",
        f"{cast.applicant.first_name} {cast.applicant.last_name}",
        cast.applicant.email,
        f"{beneficiary.first_name} {beneficiary.last_name}",
        "Vesoul",
        "",
        "02/03/2026 10:00",
        "01/04/2026",
        "Non",
        "",
        "",
    ]


def test_export_agent_done_has_decision_date_and_amount(client, cast):
    """« Traités »: status, agent, decision date and the amount with a decimal comma."""
    with time_machine.travel(DAY, tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        actions.take(dossier, acting_user=cast.agent)
        actions.decide(
            dossier, acting_user=cast.agent, outcome="accepted", amount="250.5", motivation="Montant ajusté."
        )
    client.force_login(cast.agent)
    rows = rows_of(export(client, "traites"))
    assert len(rows) == 2
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["Statut"] == "Accepté" and row["Décidé le"] == "02/03/2026 10:00"
    assert row["Montant accordé (€)"] == "250,50"
    assert row["Agent en charge"] == f"{cast.agent.first_name} {cast.agent.last_name}"


def test_export_agent_all_pages_with_filters_and_order(client, cast):
    """Every page of the filtered list, in its order, not only the page shown."""
    with time_machine.travel(DAY, tick=False):
        mine = [filed_dossier(cast.teleservice, cast.applicant).reference for _ in range(PAGE_SIZE + 2)]
    with time_machine.travel(DAY + dt.timedelta(days=40), tick=False):
        recent = filed_dossier(cast.teleservice, cast.other_citizen).reference
        client.force_login(cast.agent)
        everything = rows_of(export(client, sort="-reference"))
        assert [row[0] for row in everything[1:]] == sorted([*mine, recent], reverse=True)
        late = rows_of(export(client, deadline="late"))
        assert [row[0] for row in late[1:]] == mine
        assert {row[10] for row in late[1:]} == {"Oui"}
        assert [row[0] for row in rows_of(export(client, q=recent))[1:]] == [recent]


def test_export_agent_neutralises_formulas(client, cast):
    """A name that a spreadsheet would run as a formula is written as text."""
    cast.applicant.last_name = '=HYPERLINK("http://exemple.test","clic")'
    cast.applicant.first_name = ""
    cast.applicant.save()
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    row = rows_of(export(client))[1]
    assert row[3] == '\'=HYPERLINK("http://exemple.test","clic")'


@pytest.mark.parametrize("slug", SLUGS)
def test_export_other_agent_gets_nothing_of_the_service(client, cast, slug):
    """An agent of another service exports only their own service's dossiers."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    actions.take(dossier, acting_user=cast.agent)
    actions.decide(dossier, acting_user=cast.agent, **DECISION_ARGS["accepted"])
    filed_dossier(cast.teleservice, cast.applicant)
    theirs = filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.other_agent)
    rows = rows_of(export(client, slug))
    assert rows[0] == HEADERS
    assert [row[0] for row in rows[1:]] == ([theirs.reference] if slug == "a-traiter" else [])


@pytest.mark.parametrize("actor", ["applicant", "other_citizen"])
@pytest.mark.parametrize("slug", SLUGS)
def test_export_citizen_forbidden(client, cast, actor, slug):
    """Citizens get 403 on the exports, as on the lists."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(getattr(cast, actor))
    response = export(client, slug, expect=403)
    assert b"PJL-" not in response.content


def test_export_anonymous_redirected_to_login(client, cast):
    """An anonymous visitor is sent to the login page."""
    response = client.post(reverse("backoffice:export", args=["a-traiter"]), {"format": "csv"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_export_agent_unknown_tab_not_found(client, cast):
    """Only the three tabs can be exported."""
    client.force_login(cast.agent)
    export(client, "tous", expect=404)


@pytest.mark.parametrize(
    "params",
    [{"teleservice": "999999"}, {"deadline": "hier"}, {"q": "x" * 201}],
)
def test_export_agent_invalid_filter_refused(client, cast, params):
    """An invalid filter gives 400, not a wider export than the agent asked for."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    response = export(client, expect=400, **params)
    assert "Les filtres ne sont pas valides" in response.content.decode()


def test_export_agent_other_service_teleservice_refused(client, cast):
    """Another service's téléservice is not a valid filter: 400, nothing of theirs."""
    filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    export(client, expect=400, teleservice=cast.other_teleservice.pk)


def test_export_agent_get_not_allowed(client, cast):
    """The export is a POST (it may start a background job): a GET is refused."""
    client.force_login(cast.agent)
    assert client.get(reverse("backoffice:export", args=["a-traiter"])).status_code == 405


def test_export_agent_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries):
    """The export reads its rows in chunks from one server-side cursor: the same queries for
    1 row or 30."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with CaptureQueriesContext(connection) as one:
        assert len(rows_of(export(client))) == 2
    for _ in range(29):
        filed_dossier(cast.teleservice, cast.other_citizen)
    with django_assert_num_queries(len(one)):
        assert len(rows_of(export(client))) == 31


# --- XLSX -------------------------------------------------------------------------------------
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass
class Sheet:
    """What a spreadsheet shows of the first sheet of an XLSX file, read from its XML (no XLSX
    reader is installed): cell values typed (text, number, or datetime for a date format), the
    number format of each cell, and the sheet's name, header style, frozen pane, filter, widths."""

    name: str
    rows: list[list[Any]]
    formats: list[list[str]]
    bold: list[bool]
    frozen: tuple[str, str] | None
    autofilter: str | None
    widths: list[float]
    formulas: int


def _text(node: Any) -> str:
    return "".join(t.text or "" for t in node.iter(f"{{{NS['m']}}}t"))


def _column(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_xlsx(content: bytes) -> Sheet:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    xml = ET.fromstring  # noqa: S314 - our own files, in a test
    shared = [_text(si) for si in xml(parts["xl/sharedStrings.xml"])] if "xl/sharedStrings.xml" in parts else []
    styles = xml(parts["xl/styles.xml"])
    custom = {nf.get("numFmtId"): nf.get("formatCode") for nf in styles.iterfind("m:numFmts/m:numFmt", NS)}
    fonts = [font.find("m:b", NS) is not None for font in styles.iterfind("m:fonts/m:font", NS)]
    xfs = [
        (custom.get(xf.get("numFmtId"), "General"), fonts[int(xf.get("fontId", 0))])
        for xf in styles.iterfind("m:cellXfs/m:xf", NS)
    ]
    workbook = xml(parts["xl/workbook.xml"])
    sheet = xml(parts["xl/worksheets/sheet1.xml"])
    rows: list[list[Any]] = []
    formats: list[list[str]] = []
    bold: list[bool] = []
    for row in sheet.iterfind("m:sheetData/m:row", NS):
        values: list[Any] = [None] * len(HEADERS)
        shown = ["General"] * len(HEADERS)
        for cell in row.iterfind("m:c", NS):
            col = _column(cell.get("r"))
            number_format, is_bold = xfs[int(cell.get("s", 0))]
            shown[col] = number_format
            if len(rows) == 0:
                bold.append(is_bold)
            kind, v = cell.get("t"), cell.find("m:v", NS)
            if kind == "inlineStr":
                values[col] = _text(cell.find("m:is", NS))
            elif kind == "s":
                values[col] = shared[int(v.text)]
            elif "yy" in number_format:
                values[col] = EXCEL_EPOCH + dt.timedelta(seconds=round(float(v.text) * 86400))
            else:
                values[col] = float(v.text)
        rows.append(values)
        formats.append(shown)
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    autofilter = sheet.find("m:autoFilter", NS)
    return Sheet(
        name=workbook.find("m:sheets/m:sheet", NS).get("name"),
        rows=rows,
        formats=formats,
        bold=bold,
        frozen=(pane.get("topLeftCell"), pane.get("state")) if pane is not None else None,
        autofilter=autofilter.get("ref") if autofilter is not None else None,
        widths=[float(col.get("width")) for col in sheet.iterfind("m:cols/m:col", NS)],
        formulas=len(list(sheet.iter(f"{{{NS['m']}}}f"))),
    )


def xlsx_of(response: Any) -> Sheet:
    content = b"".join(response.streaming_content)
    assert content.startswith(b"PK")
    return read_xlsx(content)


def as_csv_text(sheet: Sheet) -> list[list[str]]:
    """The XLSX cells written as the CSV writes them, to compare both exports."""
    out = []
    for values, shown in zip(sheet.rows, sheet.formats, strict=True):
        line = []
        for value, number_format in zip(values, shown, strict=True):
            if value is None:
                line.append("")
            elif isinstance(value, dt.datetime):
                line.append(value.strftime("%d/%m/%Y %H:%M" if "hh" in number_format else "%d/%m/%Y"))
            elif isinstance(value, float):
                line.append(f"{value:.2f}".replace(".", ","))
            else:
                line.append("'" + value if value.startswith(("=", "+", "-", "@")) else value)
        out.append(line)
    return out


def test_export_xlsx_agent_typed_cells(client, cast):
    """XLSX: the sheet named after the list, a bold, frozen and filterable header row, column
    widths, real dates (dd/mm/yyyy), amounts as numbers, « Oui »/« Non »."""
    with time_machine.travel(DAY, tick=False):
        dossier = filed_dossier(cast.teleservice, cast.applicant)
        actions.take(dossier, acting_user=cast.agent)
        actions.decide(
            dossier, acting_user=cast.agent, outcome="accepted", amount="1250.5", motivation="Montant ajusté."
        )
        client.force_login(cast.agent)
        response = export(client, "traites", fmt="xlsx")
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="dossiers-traites-2026-03-02.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    sheet = xlsx_of(response)
    assert sheet.name == "Traités"
    assert sheet.rows[0] == HEADERS and all(sheet.bold) and len(sheet.bold) == len(HEADERS)
    assert sheet.frozen == ("A2", "frozen")
    assert sheet.autofilter == "A1:M2"
    assert len(sheet.widths) == len(HEADERS) and min(sheet.widths) > 10
    row = dict(zip(HEADERS, sheet.rows[1], strict=True))
    shown = dict(zip(HEADERS, sheet.formats[1], strict=True))
    assert row["Référence"] == dossier.reference and row["Statut"] == "Accepté"
    assert row["Transmis le"] == dt.datetime(2026, 3, 2, 10, 0)  # local time, as in the CSV
    assert shown["Transmis le"] == "dd/mm/yyyy hh:mm"
    assert row["Échéance"] == dt.datetime(2026, 4, 1) and shown["Échéance"] == "dd/mm/yyyy"
    assert row["Montant accordé (€)"] == 1250.5 and shown["Montant accordé (€)"] == "#,##0.00"
    assert row["En retard"] == "Non"


def test_export_xlsx_agent_same_rows_as_csv(client, cast):
    """The XLSX and the CSV of a list hold the same rows, in the same order, with the same filters."""
    with time_machine.travel(DAY, tick=False):
        decided = filed_dossier(cast.teleservice, cast.applicant)
        actions.take(decided, acting_user=cast.agent)
        actions.decide(decided, acting_user=cast.agent, outcome="accepted", amount="80", motivation="Aide partielle.")
        for _ in range(3):
            filed_dossier(cast.teleservice, cast.other_citizen)
    with time_machine.travel(DAY + dt.timedelta(days=40), tick=False):
        filed_dossier(cast.teleservice, cast.applicant)
        client.force_login(cast.agent)
        for slug, params in [
            ("a-traiter", {"sort": "-reference"}),
            ("a-traiter", {"deadline": "late"}),
            ("traites", {}),
        ]:
            csv_rows = rows_of(export(client, slug, **params))
            sheet = xlsx_of(export(client, slug, fmt="xlsx", **params))
            assert as_csv_text(sheet) == csv_rows
        assert len(rows_of(export(client, deadline="late"))) == 4


def test_export_xlsx_agent_text_is_never_a_formula(client, cast):
    """A name that looks like a formula, or like XlsxWriter's own rich-text markup, is written as
    plain text, unchanged (no formula in the file, and the file stays valid)."""
    cast.applicant.first_name = "<r>Léa & co</r>"
    cast.applicant.last_name = ""
    cast.applicant.save()
    cast.other_citizen.first_name = ""
    cast.other_citizen.last_name = '=HYPERLINK("http://exemple.test","clic")'
    cast.other_citizen.save()
    filed_dossier(cast.teleservice, cast.applicant)
    filed_dossier(cast.teleservice, cast.other_citizen)
    client.force_login(cast.agent)
    sheet = xlsx_of(export(client, fmt="xlsx", sort="reference"))
    assert sheet.formulas == 0
    assert [row[3] for row in sheet.rows[1:]] == ["<r>Léa & co</r>", '=HYPERLINK("http://exemple.test","clic")']


@pytest.mark.parametrize("slug", SLUGS)
def test_export_xlsx_other_agent_gets_nothing_of_the_service(client, cast, slug):
    """XLSX: an agent of another service exports only their own service's dossiers."""
    filed_dossier(cast.teleservice, cast.applicant)
    theirs = filed_dossier(cast.other_teleservice, cast.other_citizen)
    client.force_login(cast.other_agent)
    sheet = xlsx_of(export(client, slug, fmt="xlsx"))
    assert [row[0] for row in sheet.rows[1:]] == ([theirs.reference] if slug == "a-traiter" else [])
    assert sheet.autofilter == ("A1:M2" if slug == "a-traiter" else "A1:M1")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_citizen_forbidden_in_every_format(client, cast, fmt):
    """Citizens get 403 whatever the format."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.applicant)
    export(client, fmt=fmt, expect=403)


def test_export_agent_unknown_format_refused(client, cast):
    """Only CSV and XLSX."""
    client.force_login(cast.agent)
    response = export(client, fmt="pdf", expect=400)
    assert "Format d'export inconnu" in response.content.decode()


def test_export_xlsx_agent_invalid_filter_refused(client, cast):
    """XLSX: an invalid filter gives 400 too."""
    client.force_login(cast.agent)
    export(client, fmt="xlsx", expect=400, deadline="hier")


def test_export_xlsx_agent_query_count_does_not_grow_with_rows(client, cast, django_assert_num_queries):
    """XLSX: the same queries for 1 row or 30, as the CSV."""
    filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.agent)
    with CaptureQueriesContext(connection) as one:
        assert len(xlsx_of(export(client, fmt="xlsx")).rows) == 2
    for _ in range(29):
        filed_dossier(cast.teleservice, cast.other_citizen)
    with django_assert_num_queries(len(one)):
        assert len(xlsx_of(export(client, fmt="xlsx")).rows) == 31
