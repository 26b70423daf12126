"""Serving a stored private file, once the caller has checked access to its dossier."""

from __future__ import annotations

from django.http import FileResponse, Http404

from instruction.models.document import StoredFile


def private_file_response(stored: StoredFile | None) -> FileResponse:
    """Always a download with the type found when the content was checked: never rendered inline
    in the site's origin, never cached by a shared cache. A missing row or file is a 404."""
    if stored is None:
        raise Http404
    try:
        handle = stored.file.open("rb")  # type: ignore[attr-defined]
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
