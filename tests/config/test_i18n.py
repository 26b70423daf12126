"""French is the source and default language; English comes from locale/en, which must stay complete."""

from __future__ import annotations

import gettext
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from instruction.models import DossierStatus

EN_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
EN_PO = EN_DIR / "django.po"
EN_MO = EN_DIR / "django.mo"


@pytest.fixture(autouse=True)
def _back_to_default_language() -> Any:
    """Requests activate a language in this thread; do not let English leak into other tests."""
    yield
    translation.deactivate()


# --- A minimal .po reader (no extra dependency) ------------------------------------------


@dataclass
class PoEntry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def _unquote(text: str) -> str:
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted PO string: {text!r}")
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    out, chars = [], iter(text[1:-1])
    for char in chars:
        out.append(escapes.get(next(chars), "?") if char == "\\" else char)
    return "".join(out)


def parse_po(path: Path) -> list[PoEntry]:
    """Entries of a .po file, header included, with their flags and (possibly several) msgstr."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int] | None = None  # which string continuation lines extend

    def current(lineno: int) -> PoEntry:
        nonlocal entry
        if entry is None:
            entry = PoEntry(line=lineno)
            entries.append(entry)
        return entry

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if line.startswith("#~"):
            current(lineno).obsolete = True
            continue
        if line.startswith("#,"):
            current(lineno).flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            current(lineno)
            continue
        if line.startswith('"'):
            if target is None or entry is None:
                raise ValueError(f"{path}:{lineno}: continuation line outside an entry")
            kind, index = target
            if kind == "msgid":
                entry.msgid += _unquote(line)
            elif kind == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + _unquote(line)
            else:
                entry.msgstrs[index] += _unquote(line)
            continue
        keyword, _sep, value = line.partition(" ")
        if keyword == "msgid" and entry is not None and entry.msgstrs:
            entry = None  # a new entry not separated by a blank line
        item = current(lineno)
        if keyword == "msgctxt":
            target = ("msgctxt", 0)
        elif keyword == "msgid":
            item.msgid, target = _unquote(value), ("msgid", 0)
        elif keyword == "msgid_plural":
            item.msgid_plural, target = _unquote(value), ("msgid_plural", 0)
        elif keyword == "msgstr" or keyword.startswith("msgstr["):
            item.msgstrs.append(_unquote(value))
            target = ("msgstr", len(item.msgstrs) - 1)
        else:
            raise ValueError(f"{path}:{lineno}: unexpected line {raw!r}")
    return [e for e in entries if not e.obsolete and (e.msgstrs or e.msgid)]


# --- Pages --------------------------------------------------------------------------------


def test_login_page_is_french_by_default(client: Any, db: Any) -> None:
    """Without Accept-Language or cookie the site speaks French, the source language."""
    response = client.get("/connexion/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Adresse électronique" in html
    assert "connecter" in html
    assert "Email address" not in html


def test_login_page_is_english_for_an_english_browser(client: Any, db: Any) -> None:
    """Accept-Language: en gives the English catalogue, down to form labels and buttons."""
    response = client.get("/connexion/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Email address" in html
    assert ">log in</button>" in html
    assert "My public services" in html
    assert "Skip to content" in html
    assert "Adresse électronique" not in html
    assert "connecter" not in html


def test_language_switcher_keeps_english_for_later_pages(client: Any, cast: Any) -> None:
    """The footer switcher posts to set_language; the choice sticks for the following pages."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/catalogue/"})
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/"

    html = client.get("/catalogue/").content.decode()
    assert '<html lang="en">' in html
    assert "E-service catalogue" in html
    assert "from the Household area" in html
    assert "Catalogue des téléservices" not in html

    client.post(reverse("set_language"), {"language": "fr", "next": "/catalogue/"})
    assert "Catalogue des téléservices" in client.get("/catalogue/").content.decode()


def test_model_choice_labels_follow_the_active_language() -> None:
    """Lazy labels on model choices are translated at the time they are displayed."""
    with translation.override("en"):
        assert str(DossierStatus.COMPLEMENT_REQUESTED.label) == "Further information requested"
        assert str(DossierStatus.CLOSED.label) == "Closed without action"
    with translation.override("fr"):
        assert str(DossierStatus.COMPLEMENT_REQUESTED.label) == "Complément d'information"


# --- The English catalogue itself -------------------------------------------------------


def test_english_catalogue_is_complete() -> None:
    """Every msgid has an English msgstr and nothing is fuzzy. Fix: translate the listed entries in
    locale/en/LC_MESSAGES/django.po, drop the fuzzy flags, then run compilemessages."""
    entries = parse_po(EN_PO)
    messages = [e for e in entries if e.msgid]
    assert len(messages) > 100, "the English catalogue looks truncated"
    problems = []
    for e in entries:
        if "fuzzy" in e.flags:
            problems.append(f"line {e.line}: fuzzy: {e.msgid!r}")
        if e.msgid and (not e.msgstrs or any(not s.strip() for s in e.msgstrs)):
            problems.append(f"line {e.line}: untranslated: {e.msgid!r}")
    assert not problems, f"{EN_PO} has {len(problems)} problem(s):\n" + "\n".join(problems)


def test_compiled_catalogue_matches_the_po_file() -> None:
    """django.mo is committed (no gettext at run time): it must be recompiled after each .po edit."""
    assert EN_MO.exists(), "run: manage.py compilemessages -l en --ignore=.venv"
    with EN_MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        e.msgid
        for e in parse_po(EN_PO)
        if e.msgid and e.msgid_plural is None and compiled.gettext(e.msgid) != e.msgstrs[0]
    ]
    assert not stale, "django.mo is out of date, run compilemessages; differing entries:\n" + "\n".join(
        repr(m) for m in stale
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext tools are not installed")
def test_po_file_lists_every_string_marked_in_the_source(tmp_path: Path, settings: Any, monkeypatch: Any) -> None:
    """A string marked for translation but missing from the .po (makemessages not run) is caught here.
    makemessages runs on a copy of the sources so that the committed catalogue is never touched."""
    source = tmp_path / "src"
    skipped = shutil.ignore_patterns(".venv", ".data", ".git", "tests", "locale", "__pycache__", "node_modules")
    shutil.copytree(settings.BASE_DIR, source, ignore=skipped)
    target = source / "locale" / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(EN_PO, target / "django.po")
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    committed = {e.msgid for e in parse_po(EN_PO)}
    extracted = {e.msgid for e in parse_po(target / "django.po")}
    missing = sorted(extracted - committed)
    assert not missing, (
        "strings marked in the source are missing from locale/en/LC_MESSAGES/django.po; run\n"
        "  manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=.data --no-location\n"
        "then translate them and run compilemessages -l en --ignore=.venv:\n" + "\n".join(repr(m) for m in missing)
    )
