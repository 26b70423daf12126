"""``make bench`` (``python -m bench --dossiers 1000000``): one run that seeds a database of N
dossiers (once: it is kept and reused), measures every scenario, compares with Viewflow's stock
queue and with the SQL floor, runs the load test, checks that the pages make as many queries at
10,000 dossiers as at N, prints a table and writes ``bench/results.json``.

The database: with ``DATABASE_URL``, the database ``teleservices_bench_<N>`` on that server;
without it, an embedded PostgreSQL under ``<DATA_DIR>/bench-<N>`` (``.data`` by default).
Each part runs in its own process (``manage.py bench_run --part …``)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
SMALL = 10_000
ORDER = [
    "inbox",
    "queue",
    "queue_search",
    "queue_page_200",
    "review",
    "citizen_dossiers",
    "transmit",
    "take",
    "request_complement",
    "decide",
    "viewflow_stock_queue",
    "sql_floor_queue",
]


def bench_env(dossiers: int) -> dict[str, str]:
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-not-secret"}
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # As in production, an action only enqueues its side effects (e-mails, PDF receipts and letters)
    # for the worker: an in-memory broker that no worker reads, so they are not timed with it.
    env["CELERY_BROKER_URL"] = "memory://localhost/"
    env.setdefault("DATABASE_CONN_MAX_AGE", "60")  # persistent connections, as .env.example sets
    url = os.environ.get("DATABASE_URL")
    if url:
        parts = urlsplit(url)
        name = f"teleservices_bench_{dossiers}"
        _create_database(urlunsplit(parts._replace(path="/postgres")), name)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    else:
        data = Path(os.environ.get("DATA_DIR") or ROOT / ".data")
        env["DATA_DIR"] = str(data / f"bench-{dossiers}")
    return env


def _create_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str, capture: bool = False) -> str:
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    output = subprocess.PIPE if capture else None
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, stdout=output)  # noqa: S603 - our own manage.py
    return done.stdout or ""


def part(env: dict[str, str], name: str, warmup: int, repeat: int) -> dict[str, Any]:
    output = manage(env, "bench_run", "--part", name, f"--warmup={warmup}", f"--repeat={repeat}", capture=True)
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def load(env: dict[str, str], *, seconds: int, users: int) -> dict[str, Any]:
    """bench/load.py in its own process: gunicorn (2 workers) on 127.0.0.1 and 50 agents."""
    command = [sys.executable, "-m", "bench.load", f"--seconds={seconds}", f"--users={users}"]
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE)  # noqa: S603
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepared(dossiers: int, seed: int) -> dict[str, str]:
    """The benchmark database, migrated and seeded once."""
    env = bench_env(dossiers)
    manage(env, "migrate", "--noinput", "-v", "0")
    found = part(env, "count", 1, 1)["dossiers"]
    if found == 0:
        manage(env, "seed_load", f"--dossiers={dossiers}", f"--seed={seed}")
    elif found < dossiers:
        raise SystemExit(f"La base de banc d'essai contient {found} dossiers, moins que {dossiers} : supprimez-la.")
    return env


def table(results: dict[str, Any]) -> str:
    lines = [f"{'scénario':24} {'médiane ms':>11} {'p95 ms':>9} {'requêtes':>9}"]
    for name in ORDER:
        row = results["scenarios"].get(name)
        if row:
            lines.append(f"{name:24} {row['median_ms']:>11.2f} {row['p95_ms']:>9.2f} {row['queries']:>9}")
    export, bulk, load, ratios = (
        results.get(k, {}) for k in ("export_csv_100k", "bulk_reassign_1000", "load", "ratios")
    )
    lines += [
        f"export CSV {export.get('rows', 0)} lignes : {export.get('seconds')} s, "
        f"pic mémoire {export.get('peak_rss_mb')} Mo",
        f"réattribution de {bulk.get('dossiers', 0)} dossiers : {bulk.get('seconds')} s",
        f"charge : {load.get('rps')} requêtes/s, p95 {load.get('p95_ms')} ms, {load.get('errors')} erreurs",
        f"file Viewflow / la nôtre : × {ratios.get('viewflow_queue_over_ours')}, "
        f"la nôtre / plancher SQL : × {ratios.get('ours_over_sql_floor')}",
        f"mêmes requêtes à {SMALL} et {results['dossiers']} dossiers : {results.get('queries_same_at_10k_and_1m')}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--load-seconds", type=int, default=60)
    parser.add_argument("--load-users", type=int, default=50)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.dossiers < 1000:
        parser.error("--dossiers : au moins 1000")

    env = prepared(args.dossiers, args.seed)
    results: dict[str, Any] = {"dossiers": args.dossiers, **part(env, "machine", 1, 1), "scenarios": {}}
    for name in ("pages", "peer"):  # read-only first
        results["scenarios"].update(part(env, name, args.warmup, args.repeat)["scenarios"])
    results.update(part(env, "export", 1, 1))
    results["load"] = load(env, seconds=args.load_seconds, users=args.load_users)
    results["scenarios"].update(part(env, "actions", args.warmup, args.repeat)["scenarios"])
    results.update(part(env, "bulk", 1, 1))
    s = results["scenarios"]
    results["ratios"] = {
        "viewflow_queue_over_ours": round(s["viewflow_stock_queue"]["median_ms"] / s["queue"]["median_ms"], 1),
        "ours_over_sql_floor": round(s["queue"]["median_ms"] / s["sql_floor_queue"]["median_ms"], 1),
    }
    small_env = prepared(SMALL, args.seed) if args.dossiers != SMALL else env
    small = part(small_env, "queries", args.warmup, 1)["queries"]
    results["queries_at_10k"] = small
    results["queries_same_at_10k_and_1m"] = all(small[name] == s[name]["queries"] for name in small)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(table(results))
    print(f"\n→ {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
