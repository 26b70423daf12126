"""The security tests' one fixture: a snapshot of the database and the stored files, taken before
the request under test (tests/security/snapshot.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.snapshot import Snapshot


@pytest.fixture
def snapshot(db: Any) -> Any:
    """``before = snapshot()`` then ``assert_unchanged(before)`` once the request is answered."""
    return Snapshot.take
