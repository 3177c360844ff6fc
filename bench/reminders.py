"""The day's warnings for 5,000 people: planning time, then sending through a loopback fake
Bot API server that enforces Telegram's limits; prints the send rate achieved and the 429s.

    python -m bench.reminders [--people 5000] [--port 8765]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from telegram.ext import ContextTypes

from bench.fake_telegram import Limits, start
from chatbot.app import build_core, prepare_database
from chatbot.config import Settings
from chatbot.domain.calendar import Period
from chatbot.domain.roles import Role
from handlers import outbox
from handlers.app import build_application

TOKEN = "123456789:AAEbenchTokenForTheSpipBotxxxxxxxxxxx"
PER_UNIT = 5
DAY = date(2026, 11, 9)  # one working day before the 10th


def org(folder: Path, units: int) -> tuple[Path, Path]:
    text = ['[[unit]]\ncode = "00"\nname = "Provinsi"\nkind = "provinsi"\n']
    text += [
        f'[[unit]]\ncode = "K{i:04d}"\nname = "KPU {i:04d}"\nkind = "kabkota"\n'
        for i in range(units)
    ]
    checklist = '[[card_type]]\ncode = "A"\nname = "Jenis A"\n' + "".join(
        f'[[card_type.item]]\ncode = "A-{i:02d}"\nname = "Butir {i}"\nowed_by = ["kabkota"]\n'
        for i in range(30)
    )
    (folder / "org.toml").write_text("\n".join(text))
    (folder / "checklist.toml").write_text(checklist)
    return folder / "org.toml", folder / "checklist.toml"


async def main_async(people: int, port: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="spip-remind-"))
    units = people // PER_UNIT
    org_file, checklist = org(folder, units)
    settings = Settings(
        telegram_bot_token=TOKEN,
        spip_data_dir=folder / "data",
        spip_org_file=org_file,
        spip_checklist_file=checklist,
        telegram_base_url=f"http://127.0.0.1:{port}/bot",
        _env_file=None,  # type: ignore[call-arg]
    )
    now = datetime(2026, 11, 9, 1, 0, tzinfo=UTC)
    core = build_core(settings, clock=lambda: now)
    prepare_database(core)
    with core.uow() as uow:
        for index, unit in enumerate(uow.units.all()[1:]):
            for n in range(PER_UNIT):
                telegram_id = 10_000 + index * PER_UNIT + n
                roles = frozenset({Role.SATGAS_KABKOTA})
                uow.people.add(
                    f"Satgas {unit.code}-{n}", unit.code, roles, telegram_id, telegram_id, now
                )
        uow.commit()
    core.services.submission.open_period(Period(2026, 10))
    with core.engine.begin() as conn:  # the kick-offs went out on day 1
        conn.exec_driver_sql("UPDATE outbox SET sent_at = created_at")
    plans = []
    for _ in range(3):
        start_plan = time.perf_counter()
        planned = core.services.reminders.plan(DAY)
        plans.append(time.perf_counter() - start_plan)
    queued = core.services.reminders.send(DAY).queued
    limits = Limits()
    server = start(port, limits)
    application = build_application(core)
    await application.initialize()
    context = ContextTypes.DEFAULT_TYPE(application=application)
    begin = time.perf_counter()
    while core.services.outbox.due(1):
        await outbox.drain(context)
    elapsed = time.perf_counter() - begin
    await application.shutdown()
    server.stop()
    print(f"people told: {len(planned)} (queued {queued})")
    print(f"planning: median {statistics.median(plans):.2f} s of {len(plans)} runs")
    print(
        f"sending: {limits.sent} messages in {elapsed:.1f} s = {limits.sent / elapsed:.1f} "
        f"messages/s (limit 30/s); 429 answers received: {limits.refused}"
    )


def main() -> None:
    logging.getLogger("tornado.access").setLevel(logging.ERROR)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    asyncio.run(main_async(args.people, args.port))


if __name__ == "__main__":
    main()
