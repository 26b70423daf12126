"""The API's cast: a token for each member of the shared cast, and a client that sends it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from tests.api.helpers import ApiClient, token_for


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """Throttling counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(cast: Any) -> Any:
    """``api("agent")`` → a client with a read+instruct token of that cast member; ``api(None)`` without token."""

    def make(who: str | None, *scopes: str) -> ApiClient:
        if who is None:
            return ApiClient(None)
        return ApiClient(token_for(getattr(cast, who), *scopes))

    return make
