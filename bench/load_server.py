"""The server of the load run: gunicorn on 127.0.0.1, always stopped (bench/load.py)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote, urlencode

from django.conf import settings

from bench.load_config import GRACEFUL_TIMEOUT, HOST, START_TIMEOUT, STOP_TIMEOUT


# --- The server ------------------------------------------------------------------------------
def database_url(db: Mapping[str, Any] | None = None) -> str:
    """The URL of the database the current connection uses (under pytest: the test database)."""
    if db is None:
        from django.db import connection

        db = connection.settings_dict
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    netloc = quote(db.get("HOST") or "", safe="")
    if db.get("PORT"):
        netloc += f":{db['PORT']}"
    if auth:
        netloc = f"{auth}@{netloc}"
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if isinstance(v, str | int | float)}
    query = f"?{urlencode(options)}" if options else ""
    return f"postgresql://{netloc}/{quote(db['NAME'], safe='')}{query}"


def server_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment (os.environ, then ``env``) and what the run needs on top."""
    merged = {**os.environ, **(env or {})}
    merged.update(
        DATABASE_URL=database_url(),
        SECRET_KEY=str(settings.SECRET_KEY),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
    )
    return merged


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _log_tail(log: IO[bytes], size: int = 4000) -> str:
    log.flush()
    log.seek(0, os.SEEK_END)
    end = log.tell()
    log.seek(max(0, end - size))
    return log.read().decode("utf-8", "replace")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    def log_tail(self) -> str:
        return _log_tail(self.log)


def _wait_ready(process: subprocess.Popen[bytes], port: int, log: IO[bytes]) -> None:
    """Until a worker answers an HTTP request (any status), or the arbiter exits, or time is out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_log_tail(log)}")
        conn = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            conn.request("GET", "/", headers={"Connection": "close"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT:.0f} s:\n{_log_tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL to the whole process group."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # The workers die with the arbiter; should one be left, it is still in the group.
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _die_with_parent() -> None:  # pragma: no cover (runs in the child, between fork and exec)
    """Linux: the arbiter gets SIGTERM should this process die without its ``finally`` (SIGKILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@contextmanager
def gunicorn(*, workers: int, port: int, env: Mapping[str, str]) -> Iterator[Server]:
    """gunicorn serving config.wsgi on 127.0.0.1:port, stopped whatever happens."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT),
        "--no-control-socket",
        "--log-level",
        "warning",
    ]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # noqa: S603 (our own command line, no shell)
            command,
            cwd=settings.BASE_DIR,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us only, killpg reaches it all
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        try:
            _wait_ready(process, port, log)
            yield Server(process, port, log)
        finally:
            stop(process)
