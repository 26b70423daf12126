"""One part of the benchmark, inside Django (``manage.py bench_run --part …``): prints a JSON
object. The orchestrator (``python -m bench``) runs each part in its own process, so that the
export's peak memory is its own and the parts that change data run last."""

from __future__ import annotations

import os
import platform
import resource
from typing import Any

from django.conf import settings
from django.db import connection

from bench import scenarios
from bench.actors import choose_actors
from instruction.models import Dossier

PARTS = ("count", "pages", "peer", "queries", "actions", "bulk", "export", "machine")


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
    cpus = len(os.sched_getaffinity(0))
    memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    python = platform.python_version()
    return {"machine": f"{platform.machine()}, {cpus} cores, {memory_gib} GiB, Python {python}, PostgreSQL {pg}"}


def run_part(part: str, *, warmup: int, repeat: int) -> dict[str, Any]:
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}: one of {', '.join(PARTS)}")
    if part == "count":
        return {"dossiers": Dossier.objects.count()}
    if part == "machine":
        return machine()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    actors = choose_actors()
    if part in ("pages", "queries"):
        # At least two warm-up runs: the queries are counted on the last, with the caches warm.
        results = scenarios.page_scenarios(actors, warmup=max(warmup, 2), repeat=repeat if part == "pages" else 0)
        if part == "queries":
            return {"queries": {r.name: r.queries for r in results}}
        return {"scenarios": {r.name: r.as_dict() for r in results}}
    if part == "peer":
        return {"scenarios": {r.name: r.as_dict() for r in scenarios.peer_and_floor(actors, warmup, repeat)}}
    if part == "actions":
        return {"scenarios": {r.name: r.as_dict() for r in scenarios.action_scenarios(actors, warmup, repeat)}}
    if part == "bulk":
        return {"bulk_reassign_1000": scenarios.bulk_reassign(actors)}
    exported = scenarios.export_csv(actors)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"export_csv_100k": {**exported, "peak_rss_mb": round(peak_kib / 1024)}}
