"""The load run (bench/load.py): a short run against the test database through a real gunicorn,
the server always stopped, and the client's small parts (percentiles, HTTP answers)."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import dj_database_url
import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from bench import load
from tests.factories import filed_dossier


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """The gunicorn processes the run starts, to check that none is left."""
    processes: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process = real(*args, **kwargs)
        if "gunicorn" in args[0]:
            processes.append(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    return processes


def assert_all_stopped(processes: list[subprocess.Popen[bytes]]) -> None:
    assert len(processes) == 1
    (process,) = processes
    assert process.returncode is not None
    with pytest.raises(ProcessLookupError):  # nothing left in its process group (the workers)
        os.killpg(process.pid, 0)


@pytest.mark.django_db(transaction=True)
def test_a_short_run_against_the_test_database(cast: Any, started: list[subprocess.Popen[bytes]]) -> None:
    for _ in range(3):
        filed_dossier(cast.teleservice, cast.applicant)
    filed_dossier(cast.teleservice, cast.applicant, transmit=False)  # a draft: never opened

    result = load.run_load(seconds=3, users=3)

    assert set(result) == set(load.SUMMARY_KEYS)
    assert result["requests"] > 0
    assert result["errors"] == 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert result["seconds"] >= 3
    assert result["rps"] == pytest.approx(result["requests"] / result["seconds"], rel=0.01)
    assert_all_stopped(started)
    assert not Session.objects.exists()  # the agents' sessions are deleted


@pytest.mark.django_db(transaction=True)
def test_the_agents_are_the_instructing_users_with_their_dossiers(cast: Any) -> None:
    dossiers = [filed_dossier(cast.teleservice, cast.applicant) for _ in range(2)]
    draft = filed_dossier(cast.teleservice, cast.applicant, transmit=False)
    rng = random.Random(5)

    agents, distinct = load.prepare_agents(5, rng)
    try:
        assert distinct == 3  # agent, supervisor, other agent; never a citizen
        assert len(agents) == 5  # reused
        by_user = {agent.user_id: agent for agent in agents}
        assert set(by_user) == {cast.agent.pk, cast.supervisor.pk, cast.other_agent.pk}
        mine = by_user[cast.agent.pk]
        assert sorted(mine.dossiers) == sorted(f"/instruction/dossiers/{d.reference}/" for d in dossiers)
        assert draft.reference not in " ".join(mine.dossiers)
        # The surname is URL-encoded (the factories' names may have accents: « Étienne »).
        assert mine.searches == (f"/instruction/?{urlencode({'q': cast.applicant.last_name})}",)
        assert by_user[cast.other_agent.pk].dossiers == ()
        assert {mine.pick(rng)[0] for _ in range(300)} == set(load.PAGES)
        assert {by_user[cast.other_agent.pk].pick(rng)[0] for _ in range(300)} <= {load.QUEUE, load.MINE, load.LATE}
        session = Session.objects.get(session_key=mine.session_key).get_decoded()
        assert session["_auth_user_id"] == str(cast.agent.pk)
        assert session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
        assert session["_auth_user_hash"] == cast.agent.get_session_auth_hash()
    finally:
        load.delete_sessions([agent.session_key for agent in agents])
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_the_server_gets_the_current_database() -> None:
    parsed: dict[str, Any] = dict(dj_database_url.parse(load.database_url()))
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
        assert str(parsed[key] or "") == str(connection.settings_dict[key] or "")
    assert parsed["NAME"].startswith("test_")
    assert parsed.get("OPTIONS", {}) == {
        k: str(v) for k, v in connection.settings_dict["OPTIONS"].items() if isinstance(v, str | int | float)
    }


def test_the_database_url_of_a_server_on_tcp() -> None:
    db = {"NAME": "test_x", "USER": "us@r", "PASSWORD": "p:w/d%", "HOST": "db.exemple.test", "PORT": "5433"}
    parsed: dict[str, Any] = dict(dj_database_url.parse(load.database_url({**db, "OPTIONS": {"sslmode": "require"}})))
    assert {key: str(parsed[key]) for key in db} == db
    assert parsed["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.django_db(transaction=True)
def test_a_server_that_cannot_start_is_stopped_and_the_sessions_deleted(
    cast: Any, started: list[subprocess.Popen[bytes]]
) -> None:
    with pytest.raises(RuntimeError, match="gunicorn exited"):
        load.run_load(seconds=1, users=2, env={"DJANGO_SETTINGS_MODULE": "config.no_such_settings"})
    assert_all_stopped(started)
    assert not Session.objects.exists()


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([7.0], 99) == 7
    assert load.percentile([1.0, 2.0, 3.0], 50) == 2
    assert load.percentile([], 50) == 0


def serve(answer: bytes, test: Callable[[int], Awaitable[None]]) -> None:
    """Run ``test(port)`` against a server that answers ``answer`` to anything."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        writer.write(answer)
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main() -> None:
        server = await asyncio.start_server(handle, load.HOST, 0)
        async with server:
            await test(server.sockets[0].getsockname()[1])

    asyncio.run(main())


def test_the_client_reads_lengths_chunks_and_redirects() -> None:
    def check(answer: bytes, status: int, size: int, error: str | None) -> None:
        async def test(port: int) -> None:
            got = await load.http_get(port, "/instruction/", "sessionid=x")
            assert (got.status, got.size) == (status, size)
            assert load.classify(got, "/connexion/") == error

        serve(answer, test)

    cases = [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, 5, None),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 200, 5, None),
        (b"HTTP/1.1 200 OK\r\n\r\nuntil the end", 200, 13, None),
        (b"HTTP/1.1 302 Found\r\nLocation: /connexion/?next=/instruction/\r\nContent-Length: 0\r\n\r\n", 302, 0,
         "redirect to login (session refused)"),
        (b"HTTP/1.1 302 Found\r\nLocation: /instruction/mes-taches/\r\nContent-Length: 0\r\n\r\n", 302, 0, None),
        (b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 2\r\n\r\nko", 500, 2, "HTTP 500"),
        (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, 0, "HTTP 404"),
    ]  # fmt: skip
    for answer, status, size, error in cases:
        check(answer, status, size, error)
