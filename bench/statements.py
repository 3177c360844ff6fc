"""The CPU of the repository calls every update makes, one at a time, on a real schema
(SQLite in a temporary folder, or ``--database-url``): what a statement costs with
SQLAlchemy's building of it, its execution and the reading of its rows.

    python -m bench.statements [--runs 3] [--calls 2000] [--database-url URL]

Each figure is the median over the runs of the process CPU per call (µs), the calls of one
run made in units of work of 20 calls each, committed, as a step makes a few; the units are
kept between units of work as the bot keeps them (``ReferenceCache``)."""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from chatbot.domain.calendar import Period
from chatbot.domain.events import Event, EventKind
from chatbot.domain.roles import Role
from chatbot.services.ports import OutgoingMessage
from storage import migrate
from storage.db import make_engine
from storage.models import PeriodRow, PersonRoleRow, PersonRow, UnitRow
from storage.repositories import ReferenceCache
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 3, 2, tzinfo=UTC)
PERIOD = Period(2026, 11)
BATCH = 20  # calls per unit of work


def seeded(url: str) -> Engine:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with Session(engine) as session:
        session.add(UnitRow(code="15", name="KPU Provinsi Jambi", kind="provinsi", position=0))
        session.add(PeriodRow(code=PERIOD.code, opened_at=NOW))
        session.commit()
        session.add(PersonRow(name="Sari", unit_code="15", telegram_user_id=31, created_at=NOW))
        session.commit()
        session.add(PersonRoleRow(person_id=1, role=Role.SATGAS_PROV.value))
        session.commit()
    return engine


Call = Callable[[SqlUnitOfWork, int], object]

CALLS: dict[str, Call] = {
    "people.by_telegram": lambda uow, n: uow.people.by_telegram(31),
    "people.with_roles": lambda uow, n: uow.people.with_roles((Role.SATGAS_PROV,)),
    "delegations.covering": lambda uow, n: uow.delegations.covering(1, date(2026, 12, 3)),
    "periods.open_periods": lambda uow, n: uow.periods.open_periods(),
    "items.stored_for_unit": lambda uow, n: uow.items.stored_for_unit(PERIOD, "15"),
    "items.pending_review": lambda uow, n: uow.items.pending_review(),
    "outbox.put": lambda uow, n: uow.outbox.put(
        OutgoingMessage(1, f"Pemberitahuan {n}", dedupe_key=f"bench:{n}"), NOW
    ),
    "audit.append": lambda uow, n: uow.audit.append(
        Event(EventKind.ITEM_DISETUJUI, NOW, 1, PERIOD.code, "15", f"KEU-{n}", 1, {})
    ),
    "placed.place": lambda uow, n: uow.placed.place(1, f"item:{n}:1", 31, n, "Kiriman", NOW),
}


def per_call(engine: Engine, call: Call, calls: int, counter: itertools.count[int]) -> float:
    reference = ReferenceCache()  # the units kept, as the bot keeps them
    start = time.process_time_ns()
    for _ in range(calls // BATCH):
        with SqlUnitOfWork(engine, reference) as uow:
            for _ in range(BATCH):
                call(uow, next(counter))
            uow.commit()
    return (time.process_time_ns() - start) / 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = seeded(url)
        counter = itertools.count(1)
        figures: dict[str, list[float]] = {name: [] for name in CALLS}
        for call in CALLS.values():  # warmed up: the first calls build and compile
            per_call(engine, call, BATCH, counter)
        for _ in range(args.runs):
            for name, call in CALLS.items():
                figures[name].append(per_call(engine, call, args.calls, counter))
        engine.dispose()
    print(f"CPU per call, µs (median of {args.runs} runs of {args.calls} calls)")
    for name, values in figures.items():
        print(f"  {name:<24} {statistics.median(values):8.0f}")


if __name__ == "__main__":
    main()
