"""The access matrix: every route of the URLconf and every operation of the API schema, for every
actor, on objects of their own and of others, against the table of docs/access-matrix.md.

A route missing from the table fails, so does a row whose route is gone. Each request runs in a
savepoint rolled back afterwards, so that every cell sees the same world; a refusal that wrote
anything (beyond the session and the token's last use) fails too, and so does a refusal on the
other side's object that differs from the answer on an absent one (it would tell that it exists).

``MATRIX_RECORD=docs/access-matrix.md`` rewrites the tables (below their marker) with the answers
observed: a help to add a column, to be read row by row before committing, never to bless a bug."""

from __future__ import annotations

import copy
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from tests.security.matrix_routes import (
    FIXED,
    MARKER,
    TABLE,
    Route,
    kinds_for,
    methods_for,
    read_table,
    schema_operations,
    url_of,
    url_routes,
)
from tests.security.matrix_world import ACTORS, Actor, World, build_world, outsider, token_of

# Answers after which nothing may have been written: the refusals, and the API's status conflict. Not
# 400: a form shown again with its errors is a page read, which the product records (an agent's
# consultation in the history, the message thread marked read).
REFUSALS = {"login", "401", "403", "404", "405", "409"}
# Bookkeeping that any request may write: the session, a token's last use.
BOOKKEEPING = {"django_session", "api_apitoken"}


def expected_rows() -> tuple[set[tuple[str, str, str]], list[str]]:
    operations = schema_operations()
    rows, unfilled = set(), []
    for route in url_routes():
        kinds = kinds_for(route)
        if not kinds:
            unfilled.append(route.key)
        for kind in kinds:
            for method in methods_for(route, operations):
                rows.add((route.key, method, kind))
    return rows, unfilled


def test_access_matrix_table_names_every_route_and_only_them():
    """A route of the URLconf missing from the table fails, naming it; so does a row of a route that is gone."""
    rows, unfilled = expected_rows()
    _columns, table = read_table()
    missing = sorted(rows - set(table))
    gone = sorted(set(table) - rows)
    assert not unfilled, f"routes whose parameters nothing fills (add them to KINDS): {unfilled}"
    assert not missing and not gone, (
        "\n".join(f"route not in {TABLE.name}: {' '.join(row)}" for row in missing)
        + "\n"
        + "\n".join(f"row of {TABLE.name} without a route: {' '.join(row)}" for row in gone)
    )


def test_access_matrix_table_has_every_api_operation():
    """Every operation of the OpenAPI schema (path and method) has its row."""
    operations = schema_operations()
    _columns, table = read_table()
    assert len(operations) >= 10
    assert not {(key, method) for key, method in operations} - {(key, method) for key, method, _ in table}


def test_access_matrix_columns_are_the_actors():
    """One column per actor, in the order of ACTORS."""
    columns, _table = read_table()
    assert columns == [actor.column for actor in ACTORS]


class WriteCounter:
    """Rows written per table since the last call, from PostgreSQL's counters of the current
    transaction (they keep what a rolled-back savepoint wrote: one snapshot per request is enough)."""

    SQL = (
        "SELECT c.relname, pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)"
        " + pg_stat_get_xact_tuples_deleted(c.oid) FROM pg_class c"
        " WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace"
    )

    def __init__(self) -> None:
        self.last = self.snapshot()

    def snapshot(self) -> Counter[str]:
        with connection.cursor() as cursor:
            cursor.execute(self.SQL)
            return Counter({name: count for name, count in cursor.fetchall() if count})

    def written(self) -> list[str]:
        now = self.snapshot()
        tables, self.last = set((now - self.last).keys()), now
        return sorted(tables - BOOKKEEPING)


def absent_url(route: Route, kind: str, world: World) -> str:
    """The route on an object that does not exist: for ``cross``, the actor's own parent with an absent
    child; else every parameter absent."""
    fills = kinds_for(route)

    def absent(w: World) -> dict[str, Any]:
        params = fills[kind](w)
        foreign = fills["other"](w) if kind == "cross" else params
        return {
            name: _absent_value(name, value) if foreign.get(name) == value else value for name, value in params.items()
        }

    return url_of(route, absent, world)


def _absent_value(name: str, value: Any) -> Any:
    if name == "reference":
        return "ABS-2026-999999"
    return 999_999 if isinstance(value, int) else "inexistant"


def _answer(response: Any) -> str:
    """The status code, or ``login`` for a redirect to a login page (the admin's forwards to the site's)."""
    login_pages = {reverse("login"), reverse("admin:login")}
    if response.status_code in (301, 302, 303) and response["Location"].split("?")[0] in login_pages:
        return "login"
    return str(response.status_code)


class Visitor:
    """One actor's browser: logged in once, sending their token on /api/ (or everywhere, for a token alone)."""

    def __init__(self, actor: Actor, world: World) -> None:
        self.client = Client(raise_request_exception=False)
        user = actor.user(world)
        if user is not None:
            self.client.force_login(user)
        self.token = token_of(actor, world)
        self.token_everywhere = user is None

    def send(self, method: str, url: str, counter: WriteCounter) -> tuple[str, list[str]]:
        """The answer, and the tables written (rolled back at once)."""
        headers = {}
        if self.token and (self.token_everywhere or url.startswith("/api/")):
            headers["Authorization"] = f"Bearer {self.token}"
        cookies = copy.deepcopy(self.client.cookies)  # a logout must not log out the next cells
        with transaction.atomic():
            if method == "GET":
                response = self.client.get(url, headers=headers)
            elif url.startswith("/api/"):
                response = self.client.post(url, "{}", content_type="application/json", headers=headers)
            else:
                response = self.client.post(url, {}, headers=headers)
            try:
                written = counter.written()
            except DatabaseError:  # the view broke the transaction: its 500 says enough
                written = None
            transaction.set_rollback(True)
        if written is None:
            counter.written()  # start the next request from here
            written = []
        if response.streaming:  # read to the end: the test client then closes the file
            b"".join(response.streaming_content)
        self.client.cookies = cookies
        return _answer(response), written


@pytest.fixture
def matrix_settings(settings: Any) -> None:
    settings.API_RATE_LIMIT = "1000000/minute"  # the matrix is not a flood


def test_access_matrix(db, matrix_settings, capsys):
    """Every cell of the table: each actor on each route, method and object gets the answer written there."""
    _columns, table = read_table()
    columns = [actor.column for actor in ACTORS]  # test_access_matrix_columns_are_the_actors checks the table's
    world = build_world()
    routes = {route.key: route for route in url_routes()}
    operations = schema_operations()
    visitors = {actor.column: Visitor(actor, world) for actor in ACTORS}
    counter = WriteCounter()
    differences, observed, tried = [], {}, 0
    absent: dict[tuple[str, str, str, bool], str] = {}
    actors = {actor.column: actor for actor in ACTORS}
    for route in routes.values():
        for kind, fill in kinds_for(route).items():
            url = url_of(route, fill, world)
            for method in methods_for(route, operations):
                expected = table.get((route.key, method, kind), {})
                observed[route.key, method, kind] = row = {}
                for column in columns:
                    got, written = visitors[column].send(method, url, counter)
                    tried += 1
                    row[column] = got
                    cell = f"{route.key} {method} {kind} [{url}] {column}"
                    if got != expected.get(column):
                        differences.append(f"{cell}: expected {expected.get(column, 'no row')}, got {got}")
                    if (got in REFUSALS or kind == "cross") and written:
                        differences.append(f"{cell}: answered {got} but wrote {written}")
                    if got in ("403", "404") and outsider(actors[column], kind):
                        absent_key = (route.key, method, column, kind == "cross")
                        if absent_key not in absent:
                            absent_at = absent_url(route, kind, world)
                            absent[absent_key] = visitors[column].send(method, absent_at, counter)[0]
                        if absent[absent_key] != got:
                            elsewhere = absent[absent_key]
                            differences.append(f"{cell}: {got} here, {elsewhere} if absent: it tells it exists")
    with capsys.disabled():
        tried_fr, absent_fr = (f"{n:,}".replace(",", "\u202f") for n in (tried, len(absent)))
        print(f"\nmatrice d'accès : {tried_fr} combinaisons, et {absent_fr} sur des objets absents", end=" ")
    if os.environ.get("MATRIX_RECORD"):
        record(Path(os.environ["MATRIX_RECORD"]), columns, observed, routes)
    assert not differences, f"{len(differences)} cells differ from {TABLE.name}:\n" + "\n".join(differences)


AREAS = {"site": "The site: portal and back office", "api": "The API", "admin": "The admin"}


def record(
    path: Path, columns: list[str], observed: dict[tuple[str, str, str], dict[str, str]], routes: dict[str, Route]
) -> None:
    head = path.read_text().split(MARKER)[0] if path.exists() else ""
    lines = [head.rstrip("\n"), "", MARKER]
    for area, title in AREAS.items():
        lines += ["", f"## {title}", "", "| " + " | ".join([*FIXED, *columns]) + " |"]
        lines.append("|" + "---|" * (len(FIXED) + len(columns)))
        for (key, method, kind), row in observed.items():
            if routes[key].area == area:
                lines.append("| " + " | ".join([f"`{key}`", method, kind, *(row[c] for c in columns)]) + " |")
    path.write_text("\n".join(lines) + "\n")


def test_write_counter_sees_a_rolled_back_write(db):
    """The write check of the matrix sees a row written in a savepoint that was rolled back, and nothing else."""
    from instruction.models import Organisme

    counter = WriteCounter()
    assert counter.written() == []
    with transaction.atomic():
        Organisme.objects.create(kind="association", name="Essai", siret="", address="", postal_code="", commune="")
        transaction.set_rollback(True)
    assert counter.written() == [Organisme._meta.db_table]
    assert not Organisme.objects.exists()
