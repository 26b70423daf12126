"""Installing Django REST framework must not change the site's French: DRF's catalogue translates
a few of Django's own messages differently, and api/django_wording restores Django's wording."""

from __future__ import annotations

import gettext
from pathlib import Path

import django
import rest_framework
from django.utils import translation


def _catalogue(package: Path) -> dict[str, str]:
    with (package / "fr" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    return {k: v for k, v in catalogue.items() if isinstance(k, str) and k}


def test_django_wording_wins_over_drf_in_french():
    """Every message both translate differently reads as Django says it (« adresse de courriel »)."""
    django_fr = _catalogue(Path(django.__file__).parent / "conf" / "locale")
    drf_fr = _catalogue(Path(rest_framework.__file__).parent / "locale")
    collisions = sorted(k for k, v in drf_fr.items() if k in django_fr and django_fr[k] != v)
    assert "Enter a valid email address." in collisions

    with translation.override("fr"):
        shown = {msgid: translation.gettext(msgid) for msgid in collisions}

    assert shown == {msgid: django_fr[msgid] for msgid in collisions}
