"""Active content in PDF files: refused before anything is stored.

The PDF is parsed with pikepdf (qpdf), not searched as bytes: qpdf reads the cross-reference
table and the compressed object streams (PDF 1.5+), so a /JavaScript action hidden inside a
Flate-compressed object stream is seen like any other object, and a file qpdf cannot make sense
of is refused. pypdf would also do; qpdf is the stricter, better-fuzzed parser (OSS-Fuzz), and
pikepdf lets the tests write object streams themselves.

Every object of the file is visited (``Pdf.objects``), so an action reached from /OpenAction, a
page's or a field's /AA, the /Names tree or an annotation is found wherever it hangs."""

from __future__ import annotations

from typing import IO, Any

import pikepdf
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Dictionary keys, and values of /S, /Type or /Subtype, that make a PDF do more than show pages.
JAVASCRIPT = gettext_lazy("du code JavaScript")
LAUNCH = gettext_lazy("une commande qui lance un programme (/Launch)")
EMBEDDED = gettext_lazy("un fichier incorporé")
RICH_MEDIA = gettext_lazy("un contenu multimédia actif (/RichMedia)")
XFA = gettext_lazy("un formulaire dynamique XFA")

KEYS = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/EmbeddedFiles": EMBEDDED,
    "/EF": EMBEDDED,
    "/RichMediaContent": RICH_MEDIA,
    "/RichMediaSettings": RICH_MEDIA,
    "/XFA": XFA,
}
NAMES = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/EmbeddedFile": EMBEDDED,
    "/RichMedia": RICH_MEDIA,
}


def active_content(pdf: pikepdf.Pdf) -> list[str]:
    """What the PDF holds that can act (French phrases, each once, in a stable order)."""
    found: set[str] = set()
    for obj in pdf.objects:
        _visit(obj, found)
    return sorted(found)


def _visit(obj: pikepdf.Object, found: set[str], depth: int = 0) -> None:
    """One indirect object and the direct objects nested in it (an /OpenAction written inline in
    the catalogue is no indirect object of its own); indirect ones are visited from pdf.objects."""
    if depth > 64:  # a direct nesting this deep is itself suspect, and would never end up on screen
        found.add(str(gettext_lazy("une structure anormalement imbriquée")))
        return
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        items = list(obj.items())
        for key, value in items:
            if key in KEYS:
                found.add(str(KEYS[key]))
            if key in ("/S", "/Type", "/Subtype") and isinstance(value, pikepdf.Name) and str(value) in NAMES:
                found.add(str(NAMES[str(value)]))
        children = [value for _key, value in items]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array) and not child.is_indirect:
            _visit(child, found, depth + 1)


def check_pdf(handle: IO[bytes], name: str) -> None:
    """Raise a ValidationError, in French, for a PDF that cannot be read or holds active content."""
    handle.seek(0)
    try:
        source: Any = handle  # an UploadedFile or a file: pikepdf reads any binary file object
        with pikepdf.open(source) as pdf:
            if pdf.is_encrypted:
                raise ValidationError(
                    _("Le fichier « %(name)s » est un PDF protégé par un mot de passe : envoyez-le sans protection.")
                    % {"name": name}
                )
            found = active_content(pdf)
    except pikepdf.PasswordError:
        raise ValidationError(
            _("Le fichier « %(name)s » est un PDF protégé par un mot de passe : envoyez-le sans protection.")
            % {"name": name}
        ) from None
    except pikepdf.PdfError:
        raise ValidationError(
            _("Le fichier « %(name)s » n'est pas un PDF valide (il est peut-être endommagé).") % {"name": name}
        ) from None
    finally:
        handle.seek(0)
    if found:
        raise ValidationError(
            _(
                "Le fichier « %(name)s » est refusé : ce PDF contient %(what)s, qui pourrait s'exécuter à "
                "l'ouverture. Enregistrez-le de nouveau en PDF simple (par exemple avec « Imprimer » puis "
                "« Enregistrer au format PDF ») et joignez ce nouveau fichier."
            )
            % {"name": name, "what": ", ".join(found)}
        )
