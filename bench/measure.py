"""Timing and query counting for the benchmark: server time measured in-process, several runs
after a warm-up, the SQL queries of one run counted apart (counting slows a run down)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    samples_ms: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples_ms) if self.samples_ms else 0.0

    @property
    def p95_ms(self) -> float:
        return percentile(self.samples_ms, 95)

    def as_dict(self) -> dict[str, Any]:
        return {"median_ms": round(self.median_ms, 2), "p95_ms": round(self.p95_ms, 2), "queries": self.queries}


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (0 for no sample)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def count_queries(run: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def measure(name: str, run: Callable[[int], Any], *, warmup: int, repeat: int) -> Result:
    """``run(i)`` is called ``warmup`` times (the last one with its queries counted: the caches of
    the process are warm by then), then ``repeat`` times timed; each call gets its own index, for
    actions that need a fresh object."""
    result = Result(name)
    for i in range(warmup - 1):
        run(i)
    last = warmup - 1
    result.queries = count_queries(lambda: run(last))
    for i in range(warmup, warmup + repeat):
        start = time.perf_counter()
        run(i)
        result.samples_ms.append((time.perf_counter() - start) * 1000)
    return result
