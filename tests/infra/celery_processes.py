"""Real Celery workers in subprocesses, and real receivers on loopback, for the outbox's fault
tests: an SMTP server (aiosmtpd) and an HTTP server that record every message they get and can
hold the first one until the test lets it go (so that a worker is killed while it waits)."""

from __future__ import annotations

import asyncio
import email
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

HOLD_LIMIT = 60.0  # seconds a held delivery waits at most: only reached when the test itself failed
STARTUP_LIMIT = 30.0


def wait_until(condition: Callable[[], bool], *, limit: float, what: str, log: Callable[[], str] = str) -> None:
    """Poll ``condition`` until it holds; fail with ``what`` (and the workers' logs) past ``limit``
    seconds. The limit only bounds a broken run: it is never what the test measures."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} (not within {limit:.0f} s)\n{log()}")
        time.sleep(0.05)


def redis_broker_url() -> str:
    """CELERY_BROKER_URL when it is a Redis that answers; otherwise skip, or fail when
    REQUIRE_SERVICES=1 (CI)."""
    import redis

    url = os.environ.get("CELERY_BROKER_URL", "")
    reason = ""
    if not url.startswith(("redis://", "rediss://")):
        reason = "CELERY_BROKER_URL does not point at Redis"
    else:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        except redis.RedisError as exc:
            reason = f"Redis at {url} does not answer ({exc})"
    if reason:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    return url


def database_url_for_subprocess() -> str:
    """The test database as a DATABASE_URL, for a subprocess to see the rows the test commits."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(db.get("HOST") or "", safe="")  # a socket directory is percent-encoded
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"


class Gate:
    """Holds the first delivery that reaches it until the test opens the gate."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.opened = threading.Event()
        self.held_key = ""
        self._lock = threading.Lock()

    def hold_first(self, key: str) -> None:
        with self._lock:
            first = not self.reached.is_set()
            if first:
                self.held_key = key
                self.reached.set()
        if first:
            self.opened.wait(HOLD_LIMIT)


class Receiver:
    """What a receiver saw: every receipt in order (raw), and what it keeps once deduplicated
    on the idempotency key, as a real integration must."""

    def __init__(self) -> None:
        self.gate = Gate()
        self.raw: list[str] = []
        self._lock = threading.Lock()

    def record(self, key: str) -> None:
        with self._lock:
            self.raw.append(key)

    def raw_counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self.raw)

    def observed(self) -> set[str]:
        return set(self.raw_counts())


class SmtpReceiver(Receiver):
    """aiosmtpd on loopback. Each DATA is recorded under its X-Idempotency-Key (checked against
    its Message-ID: the same key always comes with the same Message-ID), then answered 250,
    except the first one, held until the gate opens."""

    def __init__(self) -> None:
        super().__init__()
        self.message_ids: dict[str, set[str]] = {}
        self.port = 0
        self._controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        key = str(parsed["X-Idempotency-Key"])
        self.message_ids.setdefault(key, set()).add(str(parsed["Message-ID"]))
        self.record(key)
        await asyncio.get_running_loop().run_in_executor(None, self.gate.hold_first, key)
        return "250 Message accepted for delivery"

    def start(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.port = port
        self._controller = Controller(self, hostname="127.0.0.1", port=port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        self.gate.opened.set()
        if self._controller is not None:
            self._controller.stop()


class HttpReceiver(Receiver):
    """An HTTP server on loopback taking webhook POSTs, recorded under their ``webhook-id``
    (the Standard Webhooks idempotency key), answered 200 except the first, held."""

    def __init__(self) -> None:
        super().__init__()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = str(self.headers.get("webhook-id"))
                receiver.record(key)
                receiver.gate.hold_first(key)
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:  # the sender was killed meanwhile
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.gate.opened.set()
        self.server.shutdown()
        self.server.server_close()


class Workers:
    """`celery -A config worker` processes on one queue of this test's own, against the test
    database, each in its own process group so that SIGKILL takes the pool with it."""

    def __init__(self, broker_url: str, workdir: Path, extra_env: dict[str, str]) -> None:
        self.broker_url = broker_url
        self.queue = f"infra-{uuid.uuid4().hex[:12]}"
        self.workdir = workdir
        self.extra_env = extra_env
        (workdir / "data").mkdir(exist_ok=True)  # beat keeps its schedule file there
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: dict[str, Path] = {}

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("S3_", "AWS_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DEBUG="0",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "infra-test-key",
            DATABASE_URL=database_url_for_subprocess(),
            CELERY_BROKER_URL=self.broker_url,
            CELERY_QUEUE=self.queue,
            DATA_DIR=str(self.workdir / "data"),
            MEDIA_ROOT=str(self.workdir / "media"),
            LOG_LEVEL="INFO",
        )
        env.update(self.extra_env)
        return env

    def start(self, name: str, *, beat: bool = False, concurrency: int = 1) -> subprocess.Popen[bytes]:
        from config.celery import app

        node = f"{self.queue}-{name}@infra"
        args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork"]
        args += ["--concurrency", str(concurrency), "-Q", self.queue, "-n", node, "--loglevel", "INFO"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        if beat:
            args += ["--beat"]
        log = self.workdir / f"worker-{name}.log"
        self.logs[name] = log
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
                args,
                cwd=settings.BASE_DIR,
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process

        def ready() -> bool:
            if process.poll() is not None:
                pytest.fail(f"worker {name} exited with {process.returncode}\n{self.log_tail()}")
            return bool(app.control.ping(destination=[node], timeout=0.5))

        wait_until(ready, limit=STARTUP_LIMIT, what=f"worker {name} answers a ping", log=self.log_tail)
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the worker's whole process group (main process and pool), as the kernel's
        OOM killer or a lost machine would: no handler runs, nothing is acknowledged."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STARTUP_LIMIT)

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=STARTUP_LIMIT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()

    def log_tail(self, lines: int = 40) -> str:
        parts = []
        for name, log in self.logs.items():
            text = log.read_text(errors="replace").splitlines()[-lines:] if log.exists() else []
            parts.append(f"--- worker {name} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def forget_queue(self) -> None:
        """Remove this test's queue from Redis, with the unacknowledged tasks the killed workers
        left (Redis would hand them back after the visibility timeout, to nobody)."""
        import redis

        client = redis.Redis.from_url(self.broker_url)
        client.delete(self.queue, *client.scan_iter(match=f"*{self.queue}*"))
        for tag, raw in client.hgetall("unacked").items():
            _message, exchange, routing_key = json.loads(raw)
            if self.queue in (exchange, routing_key):
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
