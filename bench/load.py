"""The load run of issue 5: gunicorn on loopback, virtual agents browsing lists and opening dossiers.

``run_load()`` (and ``python -m bench.load --seconds 60 --users 50``) measures the back office as
agents use it, against the database the current Django settings point at:

* **Server.** ``gunicorn config.wsgi:application`` with ``--workers 2`` (by default) of gunicorn's
  default **sync** worker class — the command line of README « Running in production » — bound to
  127.0.0.1 on a free port, started as a subprocess in its own process group and always stopped in
  a ``finally`` (SIGTERM, then SIGKILL to the whole group after a timeout), so that the run stops by
  itself and leaves no process behind. It gets the caller's environment, plus ``DATABASE_URL`` built
  from the current connection (the test database under pytest, the embedded PostgreSQL's socket
  when ``DATABASE_URL`` is not set), the ``SECRET_KEY`` of this process (the sessions are signed
  and hashed with it), ``DEBUG=0`` and ``ALLOWED_HOSTS=127.0.0.1``.
* **Client.** A small HTTP/1.1 client on ``asyncio.open_connection``. A sync worker serves one
  request per connection and closes it, so each request sends ``Connection: close`` and opens a
  new loopback connection (a few tens of microseconds): the figures are those of two single-threaded
  workers serving every agent, with the others waiting in the listen backlog — no threads or
  keep-alive that production does not have.
* **Agents.** Up to ``users`` active users who instruct at least one téléservice
  (``permissions.access.instructed_teleservice_ids``: a service's group holding the guardian object
  permission, a direct one, or a supervised service — a superuser outside any service is an
  administrator, not an agent, and is left out); with fewer such users, they are reused. Each
  virtual agent gets its own session, created in the database as ``django.contrib.auth.login``
  would (``_auth_user_id``, ``_auth_user_backend`` = ModelBackend, ``_auth_user_hash``) and deleted
  at the end, and a random sample of up to 40 dossiers of its téléservices, drafts excluded.
* **Load.** Closed loop, **think time 0**: each virtual agent sends its next request as soon as the
  previous one is answered, until the deadline — 60 % opening a dossier (``/instruction/dossiers/<ref>/``),
  40 % lists: « À traiter » (14 %), « Mes tâches » (12 %), a search on a surname of its dossiers'
  applicants (8 %) and the late ones (``?deadline=late``, 6 %). An agent without dossiers only
  browses lists. Requests in flight at the deadline are waited for (at most ``timeout``).
  Before the measure, 2 s of the same load from ``2 × workers`` agents warm the workers up
  (imports, templates, URL resolvers); it is not counted.
* **Figures.** Latency is measured on the client (``time.perf_counter``) from connecting to the last
  byte of the body; p50/p95/p99 are nearest-rank percentiles over the answered requests.
  ``errors`` counts answers other than 2xx/3xx, redirects to the login page (a session refused),
  timeouts and connection errors; ``rps`` is all requests over the wall-clock time of the run.

The client shares the machine with the server and PostgreSQL: on a small box the figures are a
lower bound of what the server alone would do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import secrets
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from bench.load_agents import Agent, delete_sessions, prepare_agents
from bench.load_config import (
    CONNECTION_ERROR_PAUSE,
    HOST,
    LATE,
    MINE,
    PAGES,
    QUEUE,
    REQUEST_TIMEOUT,
    SUMMARY_KEYS,
    WARMUP_SECONDS,
)
from bench.load_server import database_url, free_port, gunicorn, server_environment

# Re-exported: the tests and callers use bench.load as the one entry point.
__all__ = [
    "HOST",
    "LATE",
    "MINE",
    "PAGES",
    "QUEUE",
    "SUMMARY_KEYS",
    "database_url",
    "delete_sessions",
    "prepare_agents",
    "run_load",
]


# --- The client ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    size: int


async def http_get(port: int, path: str, cookie: str) -> Answer:
    """One GET on a fresh connection (``Connection: close``), body read to its end."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nCookie: {cookie}\r\n"
            "Accept: text/html\r\nAccept-Language: fr\r\nUser-Agent: bench-load\r\nConnection: close\r\n\r\n"
        )
        writer.write(request.encode("ascii"))
        await writer.drain()
        status_line = (await reader.readline()).decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/"):
            raise ValueError(f"not an HTTP answer: {status_line!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            size = 0
            while True:
                chunk = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if chunk == 0:
                    await reader.read()  # trailers, then the end of the connection
                    break
                size += len(await reader.readexactly(chunk))
                await reader.readexactly(2)
        elif "content-length" in headers:
            size = len(await reader.readexactly(int(headers["content-length"])))
        else:
            size = len(await reader.read())
        return Answer(status, headers.get("location", ""), size)
    finally:
        writer.close()
        with suppress(OSError):
            await writer.wait_closed()


def classify(answer: Answer, login_path: str) -> str | None:
    """The error an answer is, or None: 2xx and 3xx pass, except a redirect to the login page."""
    if 300 <= answer.status < 400 and urlsplit(answer.location).path.startswith(login_path):
        return "redirect to login (session refused)"
    if not 200 <= answer.status < 400:
        return f"HTTP {answer.status}"
    return None


@dataclass
class Sample:
    page: str
    ms: float | None  # None: no answer (timeout, connection error)
    error: str | None


async def _agent_loop(
    agent: Agent,
    *,
    port: int,
    deadline: float,
    rng: random.Random,
    timeout: float,
    login_path: str,
    out: list[Sample],
) -> None:
    cookie = f"{settings.SESSION_COOKIE_NAME}={agent.session_key}"
    while time.perf_counter() < deadline:
        page, path = agent.pick(rng)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                answer = await http_get(port, path, cookie)
        except TimeoutError:
            out.append(Sample(page, None, "timeout"))
        except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
            out.append(Sample(page, None, f"connection: {type(exc).__name__}"))
            await asyncio.sleep(CONNECTION_ERROR_PAUSE)
        else:
            out.append(Sample(page, (time.perf_counter() - started) * 1000, classify(answer, login_path)))


async def _drive(
    agents: Sequence[Agent], *, port: int, seconds: float, rng: random.Random, timeout: float, login_path: str
) -> tuple[list[Sample], float]:
    """All agents in a closed loop until ``seconds`` have passed: (samples, elapsed seconds)."""
    samples: list[Sample] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _agent_loop(
                agent,
                port=port,
                deadline=deadline,
                rng=random.Random(rng.getrandbits(64)),  # noqa: S311 (load mix, not security)
                timeout=timeout,
                login_path=login_path,
                out=samples,
            )
            for agent in agents
        )
    )
    return samples, time.perf_counter() - started


# --- The figures -----------------------------------------------------------------------------
def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (0.0 when there are none)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class Figures:
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Figures:
        ordered = sorted(s.ms for s in samples if s.ms is not None)
        return cls(
            requests=len(samples),
            errors=sum(1 for s in samples if s.error),
            p50_ms=round(percentile(ordered, 50), 2),
            p95_ms=round(percentile(ordered, 95), 2),
            p99_ms=round(percentile(ordered, 99), 2),
        )


@dataclass
class LoadResult:
    seconds: float
    overall: Figures
    pages: dict[str, Figures]
    error_kinds: dict[str, int]
    agents: int
    distinct_users: int
    workers: int
    client_cpu_seconds: float = 0.0  # CPU time the client itself used during the measure
    server_log: str = ""

    @property
    def rps(self) -> float:
        return round(self.overall.requests / self.seconds, 2) if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "rps": self.rps,
            "p50_ms": self.overall.p50_ms,
            "p95_ms": self.overall.p95_ms,
            "p99_ms": self.overall.p99_ms,
            "errors": self.overall.errors,
            "requests": self.overall.requests,
            "seconds": round(self.seconds, 3),
        }


def measure(
    *,
    seconds: float = 60,
    users: int = 50,
    workers: int = 2,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
    seed: int | None = None,
) -> LoadResult:
    """The load run, with figures per page and the kinds of errors (see the module docstring)."""
    from django.shortcuts import resolve_url

    if seconds <= 0 or workers < 1:
        raise ValueError("seconds must be positive and workers at least 1")
    rng = random.Random(seed)  # noqa: S311 (load mix, not security)
    login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
    agents, distinct_users = prepare_agents(users, rng)
    try:
        with gunicorn(workers=workers, port=port or free_port(), env=server_environment(env)) as server:
            warm_agents = [agents[i % len(agents)] for i in range(2 * workers)]
            warm, _elapsed = asyncio.run(
                _drive(
                    warm_agents,
                    port=server.port,
                    seconds=min(WARMUP_SECONDS, seconds),
                    rng=rng,
                    timeout=timeout,
                    login_path=login_path,
                )
            )
            refused = [s for s in warm if s.error and s.error.startswith("redirect to login")]
            if refused:
                raise RuntimeError(
                    "The server refused the agents' sessions (SECRET_KEY or database differ?):\n" + server.log_tail()
                )
            cpu = time.process_time()
            samples, elapsed = asyncio.run(
                _drive(agents, port=server.port, seconds=seconds, rng=rng, timeout=timeout, login_path=login_path)
            )
            cpu = time.process_time() - cpu
            log = server.log_tail() if any(s.error for s in samples) else ""
    finally:
        delete_sessions([agent.session_key for agent in agents])
    by_page: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample)
    return LoadResult(
        seconds=elapsed,
        overall=Figures.of(samples),
        pages={page: Figures.of(by_page[page]) for page in PAGES if by_page[page]},
        error_kinds=dict(Counter(s.error for s in samples if s.error).most_common()),
        agents=len(agents),
        distinct_users=distinct_users,
        workers=workers,
        client_cpu_seconds=cpu,
        server_log=log,
    )


def run_load(
    *,
    seconds: float = 60,
    users: int = 50,
    workers: int = 2,
    port: int | None = None,
    env: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``{"rps", "p50_ms", "p95_ms", "p99_ms", "errors", "requests", "seconds"}`` of a load run."""
    return measure(seconds=seconds, users=users, workers=workers, port=port, env=env).summary()


# --- The command line ------------------------------------------------------------------------
def table(result: LoadResult) -> str:
    rows = [("page", "requests", "errors", "p50 ms", "p95 ms", "p99 ms")]
    for name, figures in [*result.pages.items(), ("total", result.overall)]:
        rows.append(
            (
                name,
                str(figures.requests),
                str(figures.errors),
                f"{figures.p50_ms:.1f}",
                f"{figures.p95_ms:.1f}",
                f"{figures.p99_ms:.1f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(
        f"{result.rps:.1f} requests/s over {result.seconds:.1f} s — {result.agents} virtual agents "
        f"({result.distinct_users} distinct users), think time 0, gunicorn {result.workers} sync workers"
    )
    lines.append(
        f"client CPU: {result.client_cpu_seconds:.1f} s ({result.client_cpu_seconds / result.seconds:.0%} of one core;"
        f" {os.cpu_count()} CPUs shared with the server and PostgreSQL)"
    )
    for kind, count in result.error_kinds.items():
        lines.append(f"error: {kind} × {count}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=50, help="virtual agents (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--timeout", type=float, default=REQUEST_TIMEOUT, help="seconds per request")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    def stop_on_signal(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)  # so that the ``finally`` blocks stop gunicorn

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("SECRET_KEY"):
        # Any key will do, as long as the sessions and the server share it.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    import django

    django.setup()
    result = measure(
        seconds=args.seconds,
        users=args.users,
        workers=args.workers,
        port=args.port,
        timeout=args.timeout,
        seed=args.seed,
    )
    print(table(result))
    if result.server_log:
        print("\nEnd of the server's log:\n" + result.server_log, file=sys.stderr)
    print(json.dumps(result.summary()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
