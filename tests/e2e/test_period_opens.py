"""Step 1 of the SOP by itself: the running bot opens the period of the month at 07:55 WIB of
day 1 (or of the first working day after it) and sends every submitter the kick-off once,
however often it is started that day. Played on a training clock, whatever today's date is."""

from __future__ import annotations

import asyncio
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.db import make_engine
from storage.models import PeriodRow
from tests.e2e.player import (
    CODE,
    BotProcess,
    Player,
    User,
    acli,
    chat,
    cli,
    environment,
    user,
)
from tests.support.fake_bot_api import FakeBotApi

# the subject is the scheduler's clock, not the storage (the period's opening is stored by the
# same service on both databases in tests/services and tests/handlers): SQLite only
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

WIB = ZoneInfo("Asia/Jakarta")
KICKOFF = "mohon menyampaikan data dukung"
SUBMITTERS: list[tuple[User, str, str]] = [
    (user(31, "Sari", "Satgas"), "15", "satgas_prov"),
    (user(41, "Budi", "Kerinci"), "1501", "satgas_kabkota"),
    (user(43, "Mira", "Merangin"), "1502", "satgas_kabkota"),
    (user(51, "Dewi", "KUL"), "KUL", "bagian"),
]


def opened(database_url: str) -> dict[str, datetime]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(PeriodRow.code, PeriodRow.opened_at)).all()  # type: ignore[call-overload]
    finally:
        engine.dispose()
    return {code: at for code, at in rows}


def kickoffs(fake: FakeBotApi) -> dict[int, int]:
    counts = {int(who["id"]): 0 for who, _, _ in SUBMITTERS}
    for sent in fake.sent:
        if KICKOFF in sent.text and sent.chat_id in counts:
            counts[sent.chat_id] += 1
    return counts


async def join_everyone(fake: FakeBotApi, env: dict[str, str], tmp_path: Path) -> None:
    """The office before the month: people join while no period is due to open."""
    cli(env, "init")
    bot = BotProcess(env, tmp_path / "bot-join.log")
    await bot.start()
    play = Player(fake)
    for who, unit, role in SUBMITTERS:
        out = await acli(env, "invite", "--unit", unit, "--role", role, "--name", who["first_name"])
        match = CODE.search(out)
        assert match is not None
        await play.says(who, f"/start {match[1]}", "selamat datang")
    await bot.stop()
    assert " ERROR " not in bot.output()


async def started_at(
    fake: FakeBotApi, env: dict[str, str], log: Path, instant: str, wait_for_kickoff: bool
) -> BotProcess:
    """The bot started as of ``instant``; returns once its first scheduler step has run (the
    admin's /periode is answered after it) or, when asked, once every kick-off arrived."""
    bot = BotProcess({**env, "SPIP_CLOCK_START": instant}, log)
    await bot.start()
    if wait_for_kickoff:
        for _ in range(300):  # the scheduler looks every second here
            if all(n >= 1 for n in kickoffs(fake).values()):
                break
            await asyncio.sleep(0.1)
    else:  # the bot answers once it polls, and its first scheduler step runs at start
        await Player(fake).says(SUBMITTERS[0][0], "/bantuan", "")
        await asyncio.sleep(2)
    return bot


async def test_a_working_day_1_opens_the_period_once(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url, clock_start="2026-11-30T10:00+07:00")
    await join_everyone(fake, env, tmp_path)
    assert opened(database_url) == {}  # 30 November: October's hand-over days, nothing opens

    # Tuesday 1 December 2026, 07:56 WIB: November's period opens at start
    bot = await started_at(fake, env, tmp_path / "bot.log", "2026-12-01T07:56+07:00", True)
    await bot.stop()
    assert kickoffs(fake) == {int(who["id"]): 1 for who, _, _ in SUBMITTERS}
    assert set(opened(database_url)) == {"2026-11"}

    # started again the same morning (the timeline goes on): nothing twice
    bot = await started_at(fake, env, tmp_path / "bot.log", "2026-12-01T07:56+07:00", False)
    await bot.stop()
    assert kickoffs(fake) == {int(who["id"]): 1 for who, _, _ in SUBMITTERS}
    log = bot.output()
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
    assert "JAM LATIHAN" in log and "period 2026-11 opened by the scheduler" in log


async def test_day_1_on_a_sunday_opens_on_monday_at_0755(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url, clock_start="2026-10-30T10:00+07:00")
    await join_everyone(fake, env, tmp_path)

    # Sunday 1 November 2026, 09:00 WIB: not a working day, nothing opens
    bot = await started_at(fake, env, tmp_path / "bot.log", "2026-11-01T09:00+07:00", False)
    await bot.stop()
    assert opened(database_url) == {} and set(kickoffs(fake).values()) == {0}

    # Monday 2 November, 07:54:55 WIB: not yet; at 07:55 it opens, and everyone is told once
    bot = await started_at(fake, env, tmp_path / "bot.log", "2026-11-02T07:54:55+07:00", True)
    await bot.stop()
    assert kickoffs(fake) == {int(who["id"]): 1 for who, _, _ in SUBMITTERS}
    at = opened(database_url)["2026-10"].astimezone(WIB)
    assert at.date().isoformat() == "2026-11-02" and time(7, 55) <= at.time() < time(7, 56)
    log = bot.output()
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]


ADMIN = user(11, "Arif", "Admin")


async def test_next_month_opened_on_the_9th_leaves_everyone_on_october(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    """Issue 17, 3: on 9 November the admin types /periode 2026-11. The bot asks first (the
    month it is, its deadlines, that every unit is told); once confirmed, November is open and
    every unit is told, yet /kirim and /status stay on October, whose deadline is tomorrow,
    until a person chooses November with its button."""
    env = environment(fake, tmp_path / "data", database_url, clock_start="2026-10-30T10:00+07:00")
    await join_everyone(fake, env, tmp_path)
    play = Player(fake)

    # Friday 30 October: /periode offers no month already past, and says when October opens
    bot = await started_at(fake, env, tmp_path / "bot-30.log", "2026-10-30T10:00+07:00", False)
    out = await acli(env, "invite", "--unit", "15", "--role", "admin", "--name", "Arif")
    match = CODE.search(out)
    assert match is not None
    await play.says(ADMIN, f"/start {match[1]}", "selamat datang")
    overview = await play.says(ADMIN, "/periode", "Periode pelaporan yang terbuka")
    assert "September" not in overview.text and overview.buttons == []
    assert (
        "Periode Oktober 2026 dibuka otomatis pada 2 November 2026 pukul 07.55 WIB."
        in overview.text
    )
    await bot.stop()

    bot = await started_at(fake, env, tmp_path / "bot-2.log", "2026-11-02T07:56+07:00", True)
    await bot.stop()

    # Monday 9 November, the day before October's deadline
    bot = await started_at(fake, env, tmp_path / "bot-9.log", "2026-11-09T09:00+07:00", False)
    mark = play.mark()
    ask = await play.says(ADMIN, "/periode 2026-11", "Buka periode November 2026 sekarang?")
    assert ask.text.startswith(
        "Periode November 2026 belum waktunya dibuka: pelaporannya dimulai Selasa, "
        "1 Desember 2026 dan periode ini dibuka otomatis pada 1 Desember 2026 pukul 07.55 WIB."
    )
    assert "penyerahan kepada Inspektorat KPU RI s.d. 20 Desember 2026" in ask.text
    assert "Periode Oktober 2026 yang sedang dikerjakan tetap ditampilkan lebih dahulu." in (
        ask.text
    )
    assert [d for _, d in ask.buttons] == ["pr:y:2026-11", "pr:n:2026-11"]
    await asyncio.sleep(1)
    assert not any("November 2026" in s.text and KICKOFF in s.text for s in fake.sent[mark:])
    done = await play.presses(ADMIN, ask, "pr:y:2026-11", "telah dibuka")
    assert done.method == "editMessageText" and done.buttons == []  # the question answered
    assert "Periode Oktober 2026 tetap ditampilkan lebih dahulu" in done.text

    budi = SUBMITTERS[1][0]
    told = await fake.wait_for(chat(budi), "bulan November 2026 paling lambat", after=mark)
    assert "Periode Oktober 2026 masih berjalan: /kirim tetap menampilkannya lebih dahulu" in (
        told.text
    )
    kirim = await play.says(budi, "/kirim", "Kelengkapan:")
    assert kirim.text.splitlines()[0] == "Data dukung KPU Kabupaten Kerinci bulan Oktober 2026"
    assert ("🗓 Periode November 2026", "kr:p:2026-11") in kirim.buttons
    status = await play.says(budi, "/status", "Kelengkapan:")
    assert status.text.splitlines()[0] == "KPU Kabupaten Kerinci — Oktober 2026"
    sari = SUBMITTERS[0][0]
    overview = await play.says(sari, "/status", "Status Kartu Kendali SPIP")
    assert overview.text.splitlines()[0] == "Status Kartu Kendali SPIP — Oktober 2026"
    card = await play.says(sari, "/kirim", "Kelengkapan:")
    assert "bulan Oktober 2026" in card.text.splitlines()[0]
    plan = await play.says(ADMIN, "/jadwal", "Jadwal pengingat")
    assert plan.text.splitlines()[0].startswith("Jadwal pengingat untuk laporan bulan Oktober")
    assert "👉 Hari ini, Senin, 9 November 2026: pengingat pengiriman" in plan.text

    # until they choose otherwise: November is one tap away, and then it is November
    november = await play.presses(budi, kirim, "kr:p:2026-11", "Kelengkapan:")
    assert november.text.splitlines()[0] == (
        "Data dukung KPU Kabupaten Kerinci bulan November 2026"
    )
    await bot.stop()
    assert kickoffs(fake) == {int(who["id"]): 2 for who, _, _ in SUBMITTERS}  # Oct and Nov
    log = bot.output()
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
