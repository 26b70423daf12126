"""What a refused request must leave as it found: every table's rows and the stored files.

``Snapshot.take()`` reads, in one query, a digest of the content of every table of the schema
(each row as text, in a stable order) and the list of files under MEDIA_ROOT; comparing two
snapshots names the tables and files that changed. A row inserted then rolled back leaves no
trace, as it should: the rule is about what is left, not about what was tried."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

# Written on purpose by requests that are refused all the same: the session (its idle timestamp,
# refreshed on every request) and django-axes's count of failed logins (it drives the lockout).
WRITTEN_BY_DESIGN = frozenset({"django_session", "axes_accessattempt", "axes_accessfailurelog"})


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        return [name for (name,) in cursor.fetchall() if name not in WRITTEN_BY_DESIGN]


def _files() -> frozenset[str]:
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return frozenset()
    return frozenset(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, tuple[int, str]]
    files: frozenset[str]

    @classmethod
    def take(cls) -> Snapshot:
        tables = _tables()
        digest = "coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
        # Table names come from pg_tables and are quoted: no outside text reaches this SQL.
        parts = [f"SELECT %s, count(*), {digest} FROM {connection.ops.quote_name(name)} t" for name in tables]  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), tables)
            rows = {name: (count, digest) for name, count, digest in cursor.fetchall()}
        return cls(tables=rows, files=_files())

    def changes_since(self, before: Snapshot, ignore: frozenset[str] = frozenset()) -> list[str]:
        """The tables whose rows and the files that differ from ``before`` (empty: nothing changed)."""
        changed = [
            f"{name}: {before.tables.get(name, (0, ''))[0]} → {state[0]} rows"
            for name, state in self.tables.items()
            if before.tables.get(name) != state and name not in ignore
        ]
        changed += [f"file added: {name}" for name in sorted(self.files - before.files)]
        changed += [f"file removed: {name}" for name in sorted(before.files - self.files)]
        return changed


def assert_unchanged(before: Snapshot, ignore: frozenset[str] = frozenset()) -> None:
    """``ignore``: tables a test knows are written on purpose (say why where it is passed)."""
    changes = Snapshot.take().changes_since(before, ignore)
    assert not changes, f"a refused request changed: {changes}"
