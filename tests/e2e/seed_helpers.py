"""Helpers of the seed walkthrough (tests/e2e/test_seed_walkthrough.py): the demo mailbox read
back from the file-based e-mail backend, and the bookkeeping of the walk (a screenshot per step,
axe-core once per distinct page, the seed's words the product does not use), reported at the end
so that one run shows every problem."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page

# Django's file-based backend writes each message followed by a line of 79 dashes.
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


class _Links(HTMLParser):
    """The (text, href) of every <a> of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append(("".join(self._text).strip(), self._href))
            self._href = None


@dataclass
class Mail:
    to: str
    subject: str
    text: str
    html: str
    attachments: list[tuple[str, str]]  # (file name, content type)

    def links(self) -> list[tuple[str, str]]:
        parser = _Links()
        parser.feed(self.html)
        return parser.links

    def link(self, text: str) -> str:
        """The address of the HTML part's link whose text is ``text`` (e.g. the seed's « ici »)."""
        found = [href for label, href in self.links() if label == text]
        assert len(found) == 1, f"expected one link « {text} » in the e-mail « {self.subject} », found {self.links()}"
        return found[0]


class Mailbox:
    """The demo mailbox: the .log files of django.core.mail.backends.filebased.EmailBackend."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def all(self) -> list[Mail]:
        mails: list[Mail] = []
        if not self.path.is_dir():
            return mails
        for log in sorted(self.path.glob("*.log"), key=lambda p: (p.stat().st_mtime_ns, p.name)):
            for chunk in log.read_bytes().split(SEPARATOR):
                if chunk.strip():
                    mails.append(self._parse(chunk))
        return mails

    @staticmethod
    def _parse(raw: bytes) -> Mail:
        message = email.message_from_bytes(raw.rstrip(b"\n") + b"\n", policy=policy.default)
        assert isinstance(message, EmailMessage)
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        return Mail(
            to=str(message["To"]),
            subject=str(message["Subject"]),
            text=text_part.get_content() if text_part is not None else "",
            html=html_part.get_content() if html_part is not None else "",
            attachments=[(part.get_filename() or "", part.get_content_type()) for part in message.iter_attachments()],
        )

    def find(self, to: str, subject: str) -> list[Mail]:
        return [mail for mail in self.all() if to in mail.to and subject in mail.subject]

    def one(self, to: str, subject: str) -> Mail:
        found = self.find(to, subject)
        every = [(mail.to, mail.subject) for mail in self.all()]
        assert len(found) == 1, f"expected one e-mail to {to} about « {subject} », the mailbox holds {every}"
        return found[0]


def _page_kind(url: str) -> str:
    """A URL without its identifiers: /demandes/PJL-2026-000001/ and /demandes/PJL-2026-000002/
    are one kind of page."""
    path = urlsplit(url).path
    path = re.sub(r"/[A-Z]{2,5}-\d{4}-\d+/", "/<ref>/", path)
    path = re.sub(r"/\d+/", "/<id>/", path)
    return re.sub(r"/[\w-]{20,}/", "/<token>/", path)


@dataclass
class Walk:
    """What the walk keeps: numbered screenshots, one axe-core run per distinct page, the seed's
    words missing from the product. ``problems()`` lists all of them at the end."""

    screenshots: Path
    axe: Axe = field(default_factory=Axe)
    audits: dict[str, tuple[str, Any]] = field(default_factory=dict)  # kind -> (url, results)
    wording: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        for old in self.screenshots.glob("*.png"):
            old.unlink()

    def step(self, page: Page, name: str, *, kind: str | None = None, audit: bool = True) -> None:
        """Screenshot the page as ``NN-name.png``; audit it with axe-core unless a page of the same
        kind (its URL without identifiers, or ``kind``) was audited already."""
        shot = self.screenshots / f"{len(self.shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        self.shots.append(shot)
        if not audit:
            return
        key = kind or _page_kind(page.url)
        if key not in self.audits:
            self.audits[key] = (page.url, self.axe.run(page))

    def seed_word(self, scope: Page | Locator, role: str, seed_name: str, *, product_name: str, where: str) -> Locator:
        """The control the seed names. When the product names it otherwise, the difference is
        recorded (the test fails at the end) and the walk goes on with the product's name, so
        that the sections after it are still walked."""
        wanted = scope.get_by_role(role, name=seed_name)  # type: ignore[arg-type]
        if wanted.count():
            return wanted.first
        self.wording.append(
            f"{where}: the seed says click « {seed_name} », but no {role} has that name; "
            f"the product has « {product_name} »"
        )
        return scope.get_by_role(role, name=product_name, exact=True).first  # type: ignore[arg-type]

    def problems(self) -> str:
        lines: list[str] = []
        if self.wording:
            lines.append("Seed words missing from the product:")
            lines.extend(f"  - {problem}" for problem in self.wording)
        failing = {kind: audit for kind, audit in self.audits.items() if audit[1].violations_count}
        if failing:
            lines.append(f"axe-core violations on {len(failing)} of {len(self.audits)} pages:")
            for kind, (url, results) in failing.items():
                lines.append(f"--- {kind} ({url}) ---")
                lines.append(results.generate_report())
        return "\n".join(lines)
