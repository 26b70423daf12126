"""Browser fixtures for the end-to-end tests: Debian's chromium driven by Playwright against
pytest-django's ``live_server``.

* ``browser`` launches ``$CHROMIUM_PATH`` (default ``/usr/bin/chromium``; never a downloaded
  browser). It skips, with the reason, only when that file is missing and REQUIRE_SERVICES is
  not 1; with REQUIRE_SERVICES=1 a missing or broken browser fails the tests.
* ``new_page()`` opens a page in a fresh browser context (its own cookies: one per person),
  based on the live server's URL; ``page`` is the first of them.
* ``login(page, user)`` signs in through /connexion/ like a person would.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.factories import PASSWORD

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One chromium per test module.

    Playwright's sync API leaves its event loop registered as running in this thread, so
    Django's async-safety check would refuse every ORM call made by the tests while the
    browser is up: DJANGO_ALLOW_ASYNC_UNSAFE is set for exactly that span and restored after,
    so the rest of the suite keeps the check.
    """
    if not Path(CHROMIUM_PATH).is_file():
        reason = (
            f"Chromium not found at {CHROMIUM_PATH}: `apt-get install -y chromium` "
            "or point CHROMIUM_PATH to a Chromium binary"
        )
        if services_required():
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    playwright = None
    try:
        try:
            playwright = sync_playwright().start()
            launched = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=LAUNCH_ARGS, timeout=30_000)
        except Exception as error:
            # A browser that is present but cannot start is a broken environment: fail, never skip.
            pytest.fail(f"Could not launch Chromium at {CHROMIUM_PATH}: {error}", pytrace=False)
        try:
            yield launched
        finally:
            launched.close()
    finally:
        if playwright is not None:
            playwright.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture
def new_page(browser: Browser, live_server: Any, transactional_db: None) -> Iterator[Callable[[], Page]]:
    """Factory of pages, each in its own context (separate sessions for the citizen and the agent)."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


def login(page: Page, user: Any, password: str = PASSWORD) -> None:
    """Sign in on /connexion/ with the French labels, and check the header shows the account."""
    page.goto("/connexion/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="connecter", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/connexion/"))
    expect(page.locator(".account")).to_contain_text(user.email)
