"""Throughput of ``manage.py apply_retention`` on a seeded database (``manage.py seed_load``).

    DATABASE_URL=postgres://…/bench_retention DEBUG=1 python manage.py migrate
    DATABASE_URL=… DEBUG=1 python manage.py seed_load --dossiers 5000
    DATABASE_URL=… DEBUG=1 python -m bench.retention

Every téléservice is set to keep decided dossiers 1 year, so that about a third of the seeded
dossiers (decided more than a year ago) are due; the drafts idle for 75 days are warned; then the
clock of the warned drafts is moved back as if 16 days had passed, and they are deleted. Prints
dossiers per second for each step, and checks the audit chain afterwards. The seeded dossiers
have no stored files: the storage's deletions (after commit) are not in these figures."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import StringIO

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from instruction import retention  # noqa: E402
from instruction.audit import verify_chain  # noqa: E402
from instruction.models import Dossier, Teleservice  # noqa: E402


def timed(label: str, *args: str) -> tuple[float, str]:
    out = StringIO()
    started = time.perf_counter()
    call_command("apply_retention", *args, stdout=out)
    elapsed = time.perf_counter() - started
    return elapsed, out.getvalue()


def main() -> None:
    Teleservice.objects.update(retention_years=1)
    due = retention.plan()
    counts = {category: len(items) for category, items in due.items.items()}
    print(f"dossiers: {Dossier.objects.count()}, due: {counts}")
    seconds, _out = timed("dry-run", "--dry-run")
    print(f"dry run: {seconds:.2f} s")
    seconds, _out = timed("warn+anonymise")
    done = counts["warn"] + counts["anonymise"]
    print(f"warn {counts['warn']} + anonymise {counts['anonymise']}: {seconds:.2f} s, {done / seconds:.0f} dossiers/s")
    earlier = timezone.now() - dt.timedelta(days=16)
    Dossier.objects.filter(retention_warned_at__isnull=False).update(
        retention_warned_at=earlier, updated=earlier - dt.timedelta(days=91)
    )
    deletable = len(retention.plan().items["delete"])
    seconds, _out = timed("delete")
    print(f"delete {deletable} drafts: {seconds:.2f} s, {deletable / seconds:.0f} dossiers/s")
    started = time.perf_counter()
    report = verify_chain()
    print(
        f"verify_audit_chain: {report.checked} events, broken: {report.broken}, {time.perf_counter() - started:.2f} s"
    )
    seconds, out = timed("again")
    print(f"second run: {seconds:.2f} s, nothing to do: {'avertis (courriel avant suppression) : 0' in out}")
    connection.close()


if __name__ == "__main__":
    main()
