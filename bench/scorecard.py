"""The yearly scorecard (rapor) at national scale: 514 units, 30 items, 24 months of history
with deliveries before and after the 10th, returns and acceptances. Prints the median time of
the year's scorecard (and of the workbook holding it). ``generate_months`` is also the test's
generator (tests/services/test_scorecard.py), whose figures it computes independently.

    python -m bench.scorecard [--runs 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bench.national import MONTHS, UNITS, national_settings
from chatbot.app import Core, build_core, prepare_database
from chatbot.domain.calendar import Period
from chatbot.domain.events import EventKind
from chatbot.domain.workflow import UNIT_CARD_ITEM
from storage.models import AuditRow, ItemStateRow, PeriodRow, SubmissionRow

WIB = ZoneInfo("Asia/Jakarta")
STATUSES = ["disetujui"] * 14 + ["tidak_ada_kegiatan"] * 2 + ["dikembalikan", "dikirim", "kosong"]


@dataclass(frozen=True, slots=True)
class Generated:
    """One generated item of one unit in one month, as the test reads it back."""

    period: Period
    unit_code: str
    item_code: str
    status: str
    delivered_on: date | None  # local day of the first delivery
    returned: bool


def generate_months(core: Core, periods: list[Period], seed: int = 7) -> list[Generated]:
    """Every owed item (and a regency's signed card) of every unit, for ``periods`` (closed):
    delivered on a day from the 2nd to the 13th of the month after (the 10th is the
    deadline; a signed card from the 8th to the 17th, due the 15th), recorded late as the bot
    records it, at 00.30, 09.30 or 23.30 WIB (a UTC date would misjudge the first and the
    last), some returned once, most accepted."""
    rng = random.Random(seed)
    now = datetime(2027, 1, 25, 3, 0, tzinfo=UTC)
    with core.uow() as uow:
        units = uow.units.all()
        catalogue = uow.catalogue.load()
        person = uow.people.add("Satgas", units[0].code, frozenset(), None, None, now)
        uow.commit()
    owed = {
        u.code: [i.code for i in catalogue.items_for(u) if i.required]
        + ([UNIT_CARD_ITEM] if catalogue.owes_signed_card(u) else [])
        for u in units
    }
    generated: list[Generated] = []
    with core.engine.begin() as conn:
        conn.execute(
            insert(PeriodRow),
            [{"code": p.code, "opened_at": now, "closed_at": now} for p in periods],
        )
        state_id = 0
        for period in periods:
            report = period.shifted(1)
            states: list[dict[str, Any]] = []
            subs: list[dict[str, Any]] = []
            audit: list[dict[str, Any]] = []
            for unit, items in owed.items():
                late_unit = rng.random() < 0.15  # a unit late this month
                for item in items:
                    state_id += 1
                    status = rng.choice(STATUSES)
                    card = item == UNIT_CARD_ITEM  # due on the 15th, the evidence on the 10th
                    due = 15 if card else 10
                    day = None
                    if status != "kosong":
                        first_day, last = (8, 17) if card else (2, 13 if late_unit else 10)
                        day = date(report.year, report.month, rng.randint(first_day, last))
                    returned = status == "dikembalikan" or (
                        status == "disetujui" and rng.random() < 0.1
                    )
                    delivered = (
                        datetime(
                            day.year, day.month, day.day, rng.choice((0, 9, 23)), 30, tzinfo=WIB
                        )
                        if day
                        else None
                    )
                    states.append(
                        {
                            "id": state_id,
                            "period": period.code,
                            "unit_code": unit,
                            "item_code": item,
                            "status": status,
                            "version": 0 if day is None else 1 + returned,
                            "delivery": None if day is None else "berkas",
                            "reason": None,
                            "rev": 1,
                            "updated_at": (delivered or now) + timedelta(days=rng.randint(0, 4)),
                            "stage": 0,
                            "approvals": "",
                        }
                    )
                    if delivered is not None:
                        subs.append(
                            {
                                "item_state_id": state_id,
                                "version": 1,
                                "kind": "berkas",
                                "note": "",
                                "submitted_by": person.id,
                                "submitted_at": delivered,
                                "late": day is not None and day.day > due,
                                "announced_at": delivered,
                                "findings": "",
                            }
                        )
                    if returned:
                        audit.append(
                            {
                                "at": now,
                                "kind": EventKind.ITEM_DIKEMBALIKAN.value,
                                "actor_id": person.id,
                                "period": period.code,
                                "unit_code": unit,
                                "subject": item,
                                "version": 1,
                                "detail": "{}",
                            }
                        )
                    generated.append(Generated(period, unit, item, status, day, returned))
            conn.execute(insert(ItemStateRow), states)
            if subs:
                conn.execute(insert(SubmissionRow), subs)
            if audit:
                conn.execute(insert(AuditRow), audit)
    return generated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    settings = national_settings(Path(tempfile.mkdtemp(prefix="spip-rapor-")), args.database_url)
    now = datetime(2027, 1, 25, 3, 0, tzinfo=UTC)
    core = build_core(settings, clock=lambda: now)
    prepare_database(core)
    periods = [Period(2025, 1).shifted(m) for m in range(MONTHS)]
    start = time.perf_counter()
    rows = generate_months(core, periods)
    print(
        f"generated {UNITS} units x {MONTHS} months ({len(rows):,} items) in "
        f"{time.perf_counter() - start:.1f} s ({settings.db_url.split('://')[0]})"
    )
    for label, fn in (
        ("yearly scorecard 2026", lambda: core.services.scorecard.year(2026)),
        ("rapor workbook 2026", lambda: core.services.recap.scorecard_workbook(
            core.services.scorecard.year(2026))),
    ):  # fmt: skip
        times = []
        for _ in range(args.runs):
            begin = time.perf_counter()
            fn()
            times.append(time.perf_counter() - begin)
        print(f"{label:<26}{statistics.median(times):>8.2f} s (median of {args.runs})")


if __name__ == "__main__":
    main()
