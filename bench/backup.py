"""Backup and restore at national scale (the data of bench/national.py: 514 units, 30 items,
24 months of history, the latest month's approved evidence as files). Prints the archive's
size, the backup's time and the restore's (its check of every member's sha256 included),
medians of several runs, and whether the restored period status and evidence files are
identical. SQLite always; PostgreSQL too when DATABASE_URL_TEST is set (new databases, dropped
after).

    python -m bench.backup [--runs 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.national import ITEMS, MONTHS, UNITS, generate, national_settings
from chatbot.app import build_core
from chatbot.domain.calendar import Period
from storage import backup
from storage.db import make_engine

NOW = datetime(2026, 11, 12, 3, 0, tzinfo=UTC)  # the generated data's instant


class Databases:
    """New PostgreSQL databases on the server of ``base``, dropped at the end."""

    def __init__(self, base: str) -> None:
        self.base, self.made = base, list[str]()

    def new(self) -> str:
        name = f"spip_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(self.base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return make_url(self.base).set(database=name).render_as_string(hide_password=False)

    def drop(self) -> None:
        admin = make_engine(self.base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file() and p.relative_to(folder).parts[0] not in backup.LEFT_OUT
    }


def status_json(settings: Any, period: Period) -> dict[str, Any]:
    core = build_core(settings, clock=lambda: NOW)
    try:
        result: dict[str, Any] = core.services.status.period_status(
            period, with_events=False
        ).as_json()
        return result
    finally:
        core.engine.dispose()


def place(folder: Path, new_database: Callable[[], str] | None) -> Any:
    folder.mkdir(parents=True)
    return national_settings(folder, new_database() if new_database else None)


def bench(kind: str, folder: Path, runs: int, new_database: Callable[[], str] | None) -> None:
    source = place(folder / "sumber", new_database)
    start = time.perf_counter()
    core, period = generate(source)
    core.engine.dispose()  # type: ignore[attr-defined]
    generated = time.perf_counter() - start
    archives = [folder / f"cadangan-{i}.zip" for i in range(runs)]
    backups = [
        timed(partial(backup.backup, source.db_url, source.evidence_dir, out, NOW))
        for out in archives
    ]
    targets = []
    restores = []
    for i in range(runs):
        t = place(folder / f"pulih-{i}", new_database)
        targets.append(t)
        restores.append(timed(partial(backup.restore, archives[0], t.db_url, t.evidence_dir)))
    with_files = hashes(source.evidence_dir)
    same_files = all(hashes(t.evidence_dir) == with_files for t in targets)
    same_status = status_json(targets[-1], period) == status_json(source, period)
    size = archives[0].stat().st_size
    manifest = backup.read_manifest(archives[0])
    database, files = manifest.database_member.size, len(manifest.evidence)
    print(
        f"{kind:<11}{size / 2**20:>10.1f}{database / 2**20:>9.1f}{files:>8,}"
        f"{statistics.median(backups):>10.2f}{statistics.median(restores):>10.2f}  "
        f"{'identical' if same_files and same_status else 'DIFFERENT'} "
        f"(status {'=' if same_status else '!='}, {len(with_files):,} files "
        f"{'=' if same_files else '!='}); generated in {generated:.0f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="spip-bench-backup-"))
    root.mkdir(parents=True, exist_ok=True)
    print(
        f"{UNITS} units x {ITEMS} items x {MONTHS} months; medians of {args.runs} runs; "
        "restore = check every member's sha256, then write"
    )
    print(
        f"{'database':<11}{'zip MB':>10}{'db MB':>9}{'files':>8}{'backup s':>10}"
        f"{'restore s':>10}  restore check"
    )
    try:
        bench("SQLite", root / "sqlite", args.runs, None)
        pg = os.environ.get("DATABASE_URL_TEST")
        if pg:
            databases = Databases(pg)
            try:
                bench("PostgreSQL", root / "postgresql", args.runs, databases.new)
            finally:
                databases.drop()
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
