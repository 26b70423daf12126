"""Files the upload tests build themselves: PDFs with active content (pikepdf writes them, also
inside compressed object streams), images with EXIF GPS, XMP and PNG text chunks."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pikepdf
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from tests.factories import pdf_bytes


def stored_files(media_root: str) -> list[Path]:
    return sorted(p for p in Path(media_root).rglob("*") if p.is_file())


def _save(pdf: pikepdf.Pdf, *, object_streams: bool) -> bytes:
    out = io.BytesIO()
    mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
    pdf.save(out, object_stream_mode=mode, compress_streams=True)
    return out.getvalue()


def pdf_with(*, object_streams: bool = False, **what: bool) -> bytes:
    """A one-page PDF (the factories' own) with the active content asked for."""
    pdf = pikepdf.open(io.BytesIO(pdf_bytes()))
    root = pdf.Root
    if what.get("open_action_js"):
        root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('pwned')"))
        )
    if what.get("names_js"):
        action = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("this.print()")))
        root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("a"), action]))
        )
    if what.get("page_aa_launch"):
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=pdf.make_indirect(launch))
    if what.get("embedded_file"):
        pdf.attachments["facture.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ not really a program")
    if what.get("xfa"):
        root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    return _save(pdf, object_streams=object_streams)


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


GPS = {1: "N", 2: (47.0, 37.0, 12.5), 3: "E", 4: (6.0, 9.0, 21.0)}  # Vesoul


def jpeg_with_gps(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says where it was taken, by which camera, and that it is rotated."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: orientation shows
    exif = Image.Exif()
    exif[0x010F] = "Téléphone de Camille"  # Make
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update(GPS)
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>Camille</rdf:Description></x:xmpmeta>'
    image.save(out, "JPEG", exif=exif, xmp=xmp)
    return out.getvalue()


def png_with_text() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Camille Martin")
    info.add_itxt("Comment", "12 rue des Lilas, Vesoul")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header declares ten billion pixels, in under a hundred bytes: decoding it would
    take gigabytes of memory."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
