"""Uploaded images re-encoded with Pillow: orientation applied, then every metadata block left
behind (EXIF with its GPS position, XMP, IPTC, ICC, PNG text chunks), since only the pixels are
written again. Images with huge declared dimensions (decompression bombs) are refused before
their pixels are decoded."""

from __future__ import annotations

import io
import warnings
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def _too_big(name: str) -> ValidationError:
    return ValidationError(
        _(
            "L'image « %(name)s » est refusée : ses dimensions sont trop grandes (%(max)s millions de pixels au "
            "plus). Réduisez-la ou envoyez-la en PDF."
        )
        % {"name": name, "max": settings.UPLOAD_MAX_IMAGE_PIXELS // 1_000_000}
    )


def sanitized_image(handle: IO[bytes], content_type: str, name: str) -> bytes:
    """The image's pixels alone, re-encoded in its own format; a ValidationError in French for an
    unreadable image or one too large to decode."""
    handle.seek(0)
    unreadable = ValidationError(
        _("L'image « %(name)s » ne peut pas être lue (elle est peut-être endommagée).") % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its limit, raises) on big images: we decide ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:  # reads the header only
                width, height = image.size
                if width * height > settings.UPLOAD_MAX_IMAGE_PIXELS:
                    raise _too_big(name)
                image.load()
                upright = ImageOps.exif_transpose(image)
                return _encode(upright, FORMATS[content_type])
    except Image.DecompressionBombError:
        raise _too_big(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise unreadable from None
    finally:
        handle.seek(0)


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    # A fresh image from the pixels only: nothing of the original's info dict comes along.
    if fmt == "JPEG":
        pixels = image if image.mode in ("L", "RGB") else image.convert("RGB")
        clean = Image.new(pixels.mode, pixels.size)
        clean.paste(pixels)
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        if image.mode not in ("1", "L", "LA", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        clean = Image.new(image.mode, image.size)
        clean.paste(image)
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()
