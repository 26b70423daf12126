"""The read replica: which database the list pages, their counts and the exports read from.

Nothing is routed by guessing: the code that may read from the replica says so with
``.using(read_alias(request))`` (backoffice/lists.py, backoffice/exports.py through the listing,
the API's dossier list). Everything else (the review page, the actions, the access checks, the
sessions) reads and writes ``default``. ``DATABASE_REPLICA_URL`` unset: ``read_alias()`` is
``default`` and nothing changes.

Replication lag: a replica may be a few hundred milliseconds behind. After a change made from the
back office, the response that redirects sets a short-lived cookie (``PRIMARY_COOKIE``) during
which that browser's lists read ``default`` again, so the agent never sees a list from before
what they just did (the review page always reads ``default``).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

REPLICA = "replica"
PRIMARY_COOKIE = "read_primary"
PRIMARY_SECONDS = 5  # well above a healthy replica's lag
Response = TypeVar("Response", bound=HttpResponseBase)


def read_alias(request: HttpRequest | None = None) -> str:
    """``replica`` when DATABASE_REPLICA_URL configures one, else ``default``; ``default`` too
    inside a transaction on ``default`` (it sees its own writes, the replica does not) and for a
    browser that has just changed something (``stick_to_primary``)."""
    alias: str = settings.DATABASE_READ_ALIAS
    if alias == DEFAULT_DB_ALIAS or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if request is not None and request.COOKIES.get(PRIMARY_COOKIE):
        return DEFAULT_DB_ALIAS
    return alias


def stick_to_primary(response: Response) -> Response:
    """After a write: this browser's next lists read ``default`` for ``PRIMARY_SECONDS``."""
    if settings.DATABASE_READ_ALIAS != DEFAULT_DB_ALIAS:
        response.set_cookie(
            PRIMARY_COOKIE,
            "1",
            max_age=PRIMARY_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


class PrimaryReplicaRouter:
    """Only the safe defaults: every write goes to ``default`` (an object read from the replica
    is saved to ``default``), objects of both aliases may be related, and migrations run on
    ``default`` only. Reads are not routed here: without ``.using()`` they go to ``default``."""

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        return True if {obj1._state.db, obj2._state.db} <= aliases else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
