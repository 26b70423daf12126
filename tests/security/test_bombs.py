"""Zip and XML bombs. Archives (a zip, a zip renamed .pdf, a .docx, a zip bomb) and XML (a
« billion laughs », an SVG) sent as documents or attachments are refused by their content, before
anything opens them; XML and compressed bodies sent to the API or to forms are refused without
being expanded (415 or 400).

What parses XML in the product: nothing that a request reaches. Forms read form encodings, the API
only JSON (DRF's JSONParser), uploads are recognised by their first bytes (filetype) and only PDF,
JPEG and PNG are kept. The one XML parser in the code paths is WeasyPrint's, for an SVG image in a
decision letter template written by an administrator (data: URIs only); it uses ElementTree, whose
expat refuses entity amplification: the last test keeps that true. (The PNG decompression bomb is
the uploads' own check.)"""

from __future__ import annotations

import base64
import gzip
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from instruction.models import DossierFile, Message
from permissions.models import User
from tests.api.helpers import ApiClient, assert_problem, token_for
from tests.factories import filed_dossier
from tests.pages import text_of
from tests.security.snapshot import assert_unchanged

REFUSED = "n'est pas accepté : formats acceptés PDF, JPEG, PNG"

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + ("" if i == 1 else str(i - 1)) + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n<lolz>&lol9;</lolz>\n"
)
SVG_BOMB = BILLION_LAUGHS.replace(
    "<lolz>&lol9;</lolz>", '<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>'
)


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """64 MB of zeros in a zip of about 64 KB (1,000 to 1)."""
    return zip_bytes({"zeros.bin": bytes(64 * 1024 * 1024)})


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": BILLION_LAUGHS.encode(),
        }
    )


HOSTILE_FILES = {
    "archive.zip": zip_bytes({"rib.pdf": b"%PDF-1.4 fake"}),
    "rib.pdf": zip_bytes({"rib.pdf": b"%PDF-1.4 fake"}),  # a zip renamed .pdf
    "contrat.docx": docx_bytes(),
    "bombe.pdf": zip_bomb(),
    "bombe.gz.pdf": gzip.compress(bytes(16 * 1024 * 1024)),
    "rires.xml": BILLION_LAUGHS.encode(),
    "logo.svg": SVG_BOMB.encode(),
    "scan.png": SVG_BOMB.encode(),  # an SVG renamed .png
}


@pytest.fixture
def draft(cast, client):
    dossier = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    client.force_login(cast.applicant)
    return dossier


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_bombs_document_refused_by_content_data_kept(client, draft, name):
    """On the form page: the file is refused next to its document, in French; no file stored; what
    was typed in the form is saved and shown again."""
    files = set(DossierFile.objects.filter(dossier=draft).values_list("file", flat=True))
    upload = SimpleUploadedFile(name, HOSTILE_FILES[name], "application/pdf")
    data = {**draft.data, "housing_commune": "Gray", "document-rib": upload}
    response = client.post(reverse("citizen:edit", args=[draft.reference]), data)
    assert response.status_code == 400
    page = text_of(response)
    assert f"Le fichier « {name} » {REFUSED}" in page
    assert 'value="Gray"' in response.content.decode()
    assert set(DossierFile.objects.filter(dossier=draft).values_list("file", flat=True)) == files


@pytest.mark.parametrize("name", ["archive.zip", "bombe.pdf", "logo.svg"])
def test_bombs_message_attachment_refused_message_kept(client, cast, snapshot, name):
    """A message with such an attachment is not sent; the text typed stays in the form."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    client.force_login(cast.applicant)
    url = reverse("citizen:thread", args=[dossier.reference])
    client.get(url)  # reading the thread marks it read: done before the snapshot
    before = snapshot()
    upload = SimpleUploadedFile(name, HOSTILE_FILES[name], "application/octet-stream")
    response = client.post(url, {"body": "Voici mon justificatif.", "attachments": [upload]})
    assert response.status_code == 400
    assert REFUSED in text_of(response) and "Voici mon justificatif." in response.content.decode()
    assert_unchanged(before)
    assert not Message.objects.filter(dossier=dossier).exists()


def test_bombs_xml_to_api_refused_unparsed(cast, snapshot):
    """The API reads JSON only: XML is a 415; XML labelled JSON, or a gzip body (never inflated:
    Content-Encoding of requests is not decoded), is a 400; nothing changes."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    api = ApiClient(token_for(cast.agent, "read", "instruct"))
    url = f"/api/v1/dossiers/{dossier.reference}/take/"
    before = snapshot()
    for content_type in ("application/xml", "text/xml", "image/svg+xml", "application/soap+xml"):
        assert_problem(api.post(url, raw=BILLION_LAUGHS, content_type=content_type), 415)
    assert_problem(api.post(url, raw=BILLION_LAUGHS), 400)
    bomb = gzip.compress(b'{"a": "' + b"0" * (32 * 1024 * 1024) + b'"}')
    response = api.client.post(
        url, bomb, content_type="application/json", headers={**api._headers({}), "Content-Encoding": "gzip"}
    )
    assert_problem(response, 400)
    assert_unchanged(before, ignore=frozenset({"api_apitoken"}))  # the key's last use is recorded


def test_bombs_xml_to_forms_refused_unparsed(client, cast, snapshot):
    """Sign-up and a message sent as XML: Django reads no XML, the forms see no field and say what
    is missing; nothing is created."""
    dossier = filed_dossier(cast.teleservice, cast.applicant)
    applicant = Client()
    applicant.force_login(cast.applicant)
    before = snapshot()
    response = client.post(reverse("signup"), BILLION_LAUGHS, content_type="application/xml")
    assert response.status_code == 200 and "Ce champ est obligatoire" in text_of(response)
    response = applicant.post(
        reverse("citizen:thread", args=[dossier.reference]), BILLION_LAUGHS, content_type="application/xml"
    )
    assert response.status_code == 400 and "Saisissez votre message." in text_of(response)
    assert not User.objects.filter(email__contains="lol").exists()
    assert_unchanged(before)


def test_bombs_letter_svg_bomb_not_expanded(cast):
    """WeasyPrint, the only XML parser behind a page (an SVG in a letter template): a billion
    laughs in a data: URI gives a PDF without the image, not gigabytes of « lol »."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    svg = base64.b64encode(SVG_BOMB.encode()).decode()
    source = f'<p>Décision</p><img src="data:image/svg+xml;base64,{svg}" alt="">'
    pdf = HTML(string=source, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) < 200_000
