"""The security tests' fixtures: a snapshot of the database and the stored files, taken before the
request under test (tests/security/snapshot.py), and the API's client fixture, for the antivirus
tests that download through the API too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import api  # noqa: F401
from tests.security.snapshot import Snapshot


@pytest.fixture
def snapshot(db: Any) -> Any:
    """``before = snapshot()`` then ``assert_unchanged(before)`` once the request is answered."""
    return Snapshot.take
