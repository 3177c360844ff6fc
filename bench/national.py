"""National scale: 514 units, 30 items, 24 months of history. Prints the time (median of
several runs) and the peak Python memory of /status, the JSON status, the workbook and the
e-SPIP package for the latest period.

    python -m bench.national [--runs 3] [--database-url URL] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from chatbot import texts
from chatbot.app import build_core, prepare_database
from chatbot.config import Settings
from chatbot.domain.calendar import Period
from chatbot.domain.events import EventKind
from storage.models import (
    AuditRow,
    EvidenceFileRow,
    ItemStateRow,
    PeriodRow,
    SubmissionFileRow,
    SubmissionRow,
)

UNITS, ITEMS, MONTHS = 514, 30, 24
TOKEN = "123456789:AAEbenchTokenForTheSpipBotxxxxxxxxxxx"
STATUSES = ["disetujui"] * 6 + ["dikirim", "dikembalikan", "kosong", "tidak_ada_kegiatan"]


def org_and_checklist(folder: Path) -> tuple[Path, Path]:
    org = ['[[unit]]\ncode = "00"\nname = "Provinsi Contoh"\nkind = "provinsi"\n']
    for i in range(1, UNITS - 3):
        org.append(
            f'[[unit]]\ncode = "K{i:04d}"\nname = "KPU Kabupaten {i:04d}"\nkind = "kabkota"\n'
        )
    for code in ("HSDM", "KUL", "RENDATIN"):
        org.append(f'[[unit]]\ncode = "{code}"\nname = "Bagian {code}"\nkind = "bagian"\n')
    checklist = []
    for c in range(6):
        checklist.append(f'[[card_type]]\ncode = "T{c}"\nname = "Jenis kartu {c}"\n')
        for i in range(ITEMS // 6):
            owed = '["kabkota", "provinsi", "HSDM", "KUL", "RENDATIN"]'
            checklist.append(
                f'[[card_type.item]]\ncode = "T{c}-{i:02d}"\nname = "Butir {c}-{i:02d} bukti '
                f'dukung bulanan"\nowed_by = {owed}\n'
            )
    org_file, checklist_file = folder / "org.toml", folder / "checklist.toml"
    org_file.write_text("\n".join(org), encoding="utf-8")
    checklist_file.write_text("\n".join(checklist), encoding="utf-8")
    return org_file, checklist_file


def national_settings(folder: Path, database_url: str | None) -> Settings:
    """The settings of a national-scale office in ``folder`` (its org and checklist files)."""
    org, checklist = org_and_checklist(folder)
    return Settings(
        telegram_bot_token=TOKEN,
        spip_data_dir=folder / "data",
        database_url=database_url,
        spip_org_file=org,
        spip_checklist_file=checklist,
        _env_file=None,  # type: ignore[call-arg]
    )


def generate(settings: Settings) -> tuple[object, Period]:
    now = datetime(2026, 11, 12, 3, 0, tzinfo=UTC)
    core = build_core(settings, clock=lambda: now)
    prepare_database(core)
    rng = random.Random(7)
    with core.uow() as uow:
        units = [u.code for u in uow.units.all()]
        items = [i.code for i in uow.catalogue.load().items]
        person = uow.people.add("Satgas", units[0], frozenset(), None, None, now)
        uow.commit()
    periods = [Period(2024, 11).shifted(m) for m in range(MONTHS)]
    latest = periods[-1]
    with core.engine.begin() as conn:
        conn.execute(
            insert(PeriodRow),
            [
                {"code": p.code, "opened_at": now, "closed_at": None if p == latest else now}
                for p in periods
            ],
        )
        state_id = 0
        for period in periods:
            states, audit, subs, files, blobs = [], [], [], [], []
            for unit in units:
                for item in items:
                    state_id += 1
                    status = rng.choice(STATUSES) if period == latest else "disetujui"
                    version = 0 if status == "kosong" else rng.randint(1, 3)
                    states.append(
                        {
                            "id": state_id,
                            "period": period.code,
                            "unit_code": unit,
                            "item_code": item,
                            "status": status,
                            "version": version,
                            "delivery": "nihil"
                            if status == "tidak_ada_kegiatan"
                            else ("berkas" if version else None),
                            "reason": "Berkas belum ditandatangani"
                            if status == "dikembalikan"
                            else None,
                            "rev": version,
                            "updated_at": now - timedelta(days=rng.randint(0, 9)),
                            "stage": 0,
                            "approvals": "",
                        }
                    )
                    audit.append(
                        {
                            "at": now,
                            "kind": EventKind.ITEM_DIKIRIM.value,
                            "actor_id": person.id,
                            "period": period.code,
                            "unit_code": unit,
                            "subject": item,
                            "version": version,
                            "detail": "{}",
                        }
                    )
                    if period == latest and status == "disetujui":
                        content = f"{unit}/{item}/v{version}".encode() * 200  # ~4 KB
                        stored = core.evidence.put_bytes(content)
                        subs.append(
                            {
                                "id": state_id,
                                "item_state_id": state_id,
                                "version": version,
                                "kind": "berkas",
                                "note": "",
                                "submitted_by": person.id,
                                "submitted_at": now,
                                "late": False,
                                "announced_at": now,
                            }
                        )
                        blobs.append(
                            {"sha256": stored.sha256, "size": stored.size, "first_seen_at": now}
                        )
                        files.append(
                            {
                                "submission_id": state_id,
                                "position": 0,
                                "sha256": stored.sha256,
                                "file_name": f"{item}.pdf",
                                "mime_type": "application/pdf",
                                "size": stored.size,
                            }
                        )
            conn.execute(insert(ItemStateRow), states)
            conn.execute(insert(AuditRow), audit)
            if subs:
                conn.execute(insert(SubmissionRow), subs)
                conn.execute(insert(EvidenceFileRow), blobs)
                conn.execute(insert(SubmissionFileRow), files)
    return core, latest


def measure(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall time of ``runs`` plain runs, then one more run under tracemalloc for the
    peak of Python allocations (tracemalloc slows allocation-heavy code, so it is not timed)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak / (1024 * 1024), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    parser.add_argument("--keep", type=Path, help="keep the generated data in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="spip-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    settings = national_settings(folder, args.database_url)
    start = time.perf_counter()
    core, period = generate(settings)
    print(
        f"generated {UNITS} units x {ITEMS} items x {MONTHS} months "
        f"in {time.perf_counter() - start:.1f} s ({settings.db_url.split('://')[0]})"
    )
    svc = core.services  # type: ignore[attr-defined]
    out = folder / "paket.zip"
    cases: list[tuple[str, Callable[[], object]]] = [
        (
            "/status (message)",
            lambda: texts.status_overview(svc.status.period_status(period, with_events=False)),
        ),
        (
            "status --json",
            lambda: json.dumps(svc.status.period_status(period, with_events=False).as_json()),
        ),
        ("workbook (/rekap)", lambda: svc.recap.workbook(period)),
        ("package (/paket)", lambda: svc.recap.package(period, out)),
    ]
    print(f"{'case':<22}{'median s':>10}{'peak MB':>10}  result")
    for name, fn in cases:
        seconds, peak, result = measure(fn, args.runs)
        size = len(result) if isinstance(result, str | bytes) else out.stat().st_size
        print(f"{name:<22}{seconds:>10.2f}{peak:>10.1f}  {size / 1024:,.0f} KB")


if __name__ == "__main__":
    main()
