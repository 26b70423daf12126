"""The session engine: Django's database sessions, reading only keys shaped as Django makes them.

A cookie can carry any text, a NUL byte included (a quoted cookie value "\\000…" is unescaped by
Django's cookie parser), and PostgreSQL refuses NUL in a text parameter with an error that became
a 500 before any view ran. A key that is not 32 lowercase letters and digits cannot be a session
of ours: it is dropped, and the person is anonymous, as with any unknown key."""

from __future__ import annotations

import re

from django.contrib.sessions.backends import db

_KEY = re.compile(r"[a-z0-9]{32}")


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key: str | None) -> bool:
        return bool(key) and _KEY.fullmatch(key or "") is not None
