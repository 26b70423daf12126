"""The benchmark's parts run on a small seeded database and report what the README's table and
bench/results.json need (the figures themselves are for `make bench`, never asserted here)."""

from __future__ import annotations

import io

import pytest

from bench import seed_load
from bench.measure import percentile
from bench.run import run_part
from instruction.models import Dossier, DossierStatus

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {"inbox", "queue", "queue_search", "queue_page_200", "review", "citizen_dossiers"}
ACTIONS = {"transmit", "take", "request_complement", "decide"}


@pytest.fixture
def seeded(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in `make bench`: actions enqueue, no worker runs
    settings.CELERY_BROKER_URL = "memory://localhost/"
    seed_load.run(1500, seed=7, out=io.StringIO())


def test_pages_and_peer_report_timings_and_queries(seeded):
    pages = run_part("pages", warmup=1, repeat=2)["scenarios"]
    peer = run_part("peer", warmup=1, repeat=2)["scenarios"]

    assert set(pages) == PAGES and set(peer) == {"viewflow_stock_queue", "sql_floor_queue"}
    for name, row in {**pages, **peer}.items():
        assert row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"], name
        assert row["queries"] >= 1, name
    assert peer["sql_floor_queue"]["queries"] == 1


def test_page_queries_do_not_depend_on_repeats(seeded):
    counted = run_part("queries", warmup=1, repeat=1)["queries"]
    pages = run_part("pages", warmup=1, repeat=1)["scenarios"]
    assert counted == {name: row["queries"] for name, row in pages.items()}


def test_actions_each_act_on_their_own_dossier(seeded):
    before = Dossier.objects.filter(status=DossierStatus.REJECTED).count()

    result = run_part("actions", warmup=1, repeat=2)["scenarios"]

    assert set(result) == ACTIONS
    assert Dossier.objects.filter(status=DossierStatus.REJECTED).count() == before + 3


def test_export_and_bulk_report_figures(seeded):
    export = run_part("export", warmup=1, repeat=1)["export_csv_100k"]
    bulk = run_part("bulk", warmup=1, repeat=1)["bulk_reassign_1000"]

    assert export["rows"] > 0 and export["seconds"] > 0 and export["peak_rss_mb"] > 0
    assert bulk["dossiers"] > 0 and bulk["seconds"] > 0


def test_percentile_nearest_rank():
    assert percentile([], 95) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
