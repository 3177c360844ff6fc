"""Deadline warnings day by day with a frozen clock: who gets what, on which days, once."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.domain.workflow import UNIT_CARD_ITEM
from chatbot.services.ports import EvidenceFile
from handlers import jobs, outbox
from tests.conftest import Clock
from tests.handlers.conftest import HSDM, KERINCI, MERANGIN, SATGAS
from tests.support.telegram import TelegramHarness

WIB = timedelta(hours=7)


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - WIB


async def walk(
    bot: TelegramHarness, clock: Clock, days: list[date], twice: bool = True
) -> dict[int, dict[int, list[str]]]:
    """Run the 08:00 job on each day (twice, as a restart would) and collect what each chat
    received that day: {chat id: {day of month: [texts]}}."""
    received: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for day in days:
        clock.now = at(day)
        await jobs.send_reminders(bot.context())
        if twice:
            await jobs.send_reminders(bot.context())
        await outbox.drain(bot.context())
        for call in bot.take():
            if call.method == "sendMessage" and "berikut pengingat" in call.text:
                received[int(call.chat_id or 0)][day.day].append(call.text)
    return received


def month(year: int, month_: int) -> list[date]:
    first = date(year, month_, 1)
    return [first + timedelta(d) for d in range(31) if (first + timedelta(d)).month == month_]


def people(core: Core) -> dict[str, Person]:
    return {p.name: p for p in core.services.registration.people()}


async def test_a_whole_month_day_by_day(
    small_bot: TelegramHarness, small_core: Core, clock: Clock
) -> None:
    svc, who = small_core.services, people(small_core)
    clock.now = at(date(2026, 11, 2))
    svc.submission.open_period(Period(2026, 10))
    await outbox.drain(small_bot.context())
    small_bot.take()
    clock.now = at(date(2026, 11, 3), 10)
    for item in ("KEU-01", "RPL-01"):
        svc.submission.deliver(who["Budi Kerinci"], Period(2026, 10), item, 0, note="Nihil")
    svc.submission.deliver(who["Dewi KUL"], Period(2026, 10), "KEU-01", 0, note="Nihil")
    for target in svc.review.queue(who["Sari Satgas"]):
        for t in target[1]:
            svc.review.decide_item(who["Sari Satgas"], t.state_id, t.state.version, True)

    received = await walk(small_bot, clock, month(2026, 11)[:11])  # 1-11 November
    clock.now = at(date(2026, 11, 12), 12)
    stored = small_core.evidence.put_bytes(b"%PDF-1.4 kartu kendali bertanda tangan")
    signed = EvidenceFile(stored.sha256, "kartu.pdf", "application/pdf", stored.size)
    svc.submission.deliver(who["Budi Kerinci"], Period(2026, 10), UNIT_CARD_ITEM, 0, [signed])
    rest = await walk(small_bot, clock, [date(2026, 11, 12), date(2026, 11, 13)])
    clock.now = at(date(2026, 11, 13), 12)
    [(_, [card])] = svc.review.queue(who["Sari Satgas"])
    svc.review.decide_item(who["Sari Satgas"], card.state_id, card.state.version, True)
    rest2 = await walk(small_bot, clock, month(2026, 11)[13:])
    for part in (rest, rest2):
        for chat, days in part.items():
            for d, messages in days.items():
                received[chat][d] += messages

    assert all(len(m) == 1 for days in received.values() for m in days.values()), "twice"
    days_of = {chat: sorted(days) for chat, days in received.items()}
    assert days_of == {
        MERANGIN.id: [5, 9, 10, 11, 12, 13],
        KERINCI.id: [10, 11, 12, 13],
        SATGAS.id: [5, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 23, 24, 25, 26, 27, 30],
        HSDM.id: [23, 24, 25, 26, 27, 30],
    }
    assert received[MERANGIN.id][11] == [
        "Yth. Bapak/Ibu Mira Merangin,\n"
        "berikut pengingat Kartu Kendali SPIP hari ini, Rabu, 11 November 2026:\n\n"
        "• Data dukung KPU Kabupaten Merangin bulan Oktober 2026 telah melewati batas "
        "10 November 2026 dan baru 0% lengkap. Belum dikirim: KEU-01, RPL-01. Mohon segera "
        "dilengkapi melalui /kirim.\n"
        "• Kartu kendali bertanda tangan KPU Kabupaten Merangin bulan Oktober 2026 belum "
        "dikirim; batas Minggu, 15 November 2026, hari libur; hari kerja terakhir Jumat, "
        "13 November 2026.\n\n"
        "Terima kasih."
    ]
    assert (
        "baru 0% lengkap; batas pengiriman Selasa, 10 November 2026"
        in (received[MERANGIN.id][5][0])
    )
    assert "belum disetujui; batas Minggu, 15 November 2026" in received[KERINCI.id][13][0]
    assert "1 kiriman bulan Oktober 2026 menunggu pemeriksaan Anda" in received[SATGAS.id][13][0]
    assert "Unit yang belum lengkap untuk bulan Oktober 2026 (2)" in received[SATGAS.id][11][0]
    assert (
        "• Kartu kendali provinsi bulan Oktober 2026 belum disusun; batas pemeriksaan, paraf dan "
        "tanda tangan Minggu, 15 November 2026, hari libur; hari kerja terakhir Jumat, "
        "13 November 2026. Data dukung 2 unit belum lengkap. Unggah drafnya melalui /kirim, "
        "tombol “🗂 Kartu kendali provinsi”."
    ) in received[SATGAS.id][12][0]
    assert "telah melewati batas 20 November 2026" in received[HSDM.id][23][0]


@pytest.mark.parametrize(
    "period, year, month_, expected",
    [
        (  # October 2026: the 10th is a Saturday
            Period(2026, 9),
            2026,
            10,
            {
                "merangin": [7, 9, 12, 13, 14, 15],
                "satgas": [7, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30],
                "hsdm": [21, 22, 23, 26, 27, 28, 29, 30],
            },
        ),
        (  # March 2026: Nyepi, Idulfitri and cuti bersama from the 18th to the 24th
            Period(2026, 2),
            2026,
            3,
            {
                "merangin": [5, 9, 10, 11, 12, 13],
                "satgas": [5, 9, 10, 11, 12, 13, 16, 17, 25, 26, 27, 30, 31],
                "hsdm": [25, 26, 27, 30, 31],
            },
        ),
    ],
)
async def test_months_with_days_off(
    small_bot: TelegramHarness,
    small_core: Core,
    clock: Clock,
    period: Period,
    year: int,
    month_: int,
    expected: dict[str, list[int]],
) -> None:
    clock.now = at(date(year, month_, 1), 0, 10)
    small_core.services.submission.open_period(period)
    await outbox.drain(small_bot.context())
    small_bot.take()
    received = await walk(small_bot, clock, month(year, month_))
    assert sorted(received[MERANGIN.id]) == expected["merangin"]
    assert sorted(received[SATGAS.id]) == expected["satgas"]
    assert sorted(received[HSDM.id]) == expected["hsdm"]
    assert sorted(received[KERINCI.id]) == expected["merangin"]  # Kerinci delivered nothing


async def test_down_before_day_8_up_on_day_11_catches_up_once(
    small_bot: TelegramHarness, small_core: Core, clock: Clock
) -> None:
    clock.now = at(date(2026, 11, 2))
    small_core.services.submission.open_period(Period(2026, 10))
    await outbox.drain(small_bot.context())
    small_bot.take()
    before = await walk(small_bot, clock, month(2026, 11)[:7], twice=False)
    assert sorted(before[MERANGIN.id]) == [5]
    clock.now = at(date(2026, 11, 11), 9, 30)  # the bot starts again on the 11th, 09.30 WIB
    await jobs.send_reminders(small_bot.context())  # the catch-up at start
    await outbox.drain(small_bot.context())
    first = [c for c in small_bot.take() if c.chat_id == MERANGIN.id]
    assert len(first) == 1 and "telah melewati batas 10 November 2026" in first[0].text
    await jobs.send_reminders(small_bot.context())  # a second start
    await outbox.drain(small_bot.context())
    assert small_bot.take() == []
    clock.now = at(date(2026, 11, 11), 17, 0)  # after office hours: nothing goes out
    small_core.services.reminders.send(date(2026, 11, 11))
    clock.now = at(date(2026, 11, 12), 6, 0)
    await jobs.send_reminders(small_bot.context())
    await outbox.drain(small_bot.context())
    assert small_bot.take() == []


async def test_jadwal_shows_the_month_plan_to_admins(
    small_bot: TelegramHarness, small_core: Core, clock: Clock
) -> None:
    from tests.handlers.conftest import ADMIN, join

    join(small_core, ADMIN, "15", "admin")
    clock.now = at(date(2026, 11, 3))
    [plan] = await small_bot.send(ADMIN, "/jadwal")
    lines = plan.text.splitlines()
    assert lines[0] == (
        "Jadwal pengingat untuk laporan bulan Oktober 2026 (hari kerja, pukul 08.00 WIB):"
    )
    assert lines[1] == "👉 Hari ini, Selasa, 3 November 2026: tidak ada pengingat."
    assert lines[2].startswith("Kamis, 5 November 2026: pengingat pengiriman data dukung")
    assert any(
        line.startswith("Senin, 23 November 2026: pemberitahuan keterlambatan penyerahan")
        for line in lines
    )
    assert not any("Sabtu" in line or "Minggu" in line for line in lines)
    [refused] = await small_bot.send(MERANGIN, "/jadwal")
    assert refused.text == texts.NOT_ALLOWED


def test_remind_from_the_command_line_prints_then_sends_once(
    small_core: Core,
    clock: Clock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chatbot import cli

    monkeypatch.setattr(cli, "load_settings", lambda: small_core.settings)
    monkeypatch.setattr(cli, "build_core", lambda *_: small_core)
    clock.now = at(date(2026, 11, 2))
    small_core.services.submission.open_period(Period(2026, 10))
    assert cli.main(["remind", "--date", "2026-11-09"]) == 0
    out = capsys.readouterr().out
    assert "--- kepada Mira Merangin" in out and "Senin, 9 November 2026" in out
    with small_core.uow() as uow:
        before = len(uow.outbox.due(clock.now + timedelta(days=30), 1000))
    assert cli.main(["remind", "--date", "2026-11-09", "--send"]) == 0
    assert "Diantrekan: 4; sudah pernah dikirim: 0." in capsys.readouterr().out
    assert cli.main(["remind", "--date", "2026-11-09", "--send"]) == 0
    assert "Diantrekan: 0; sudah pernah dikirim: 4." in capsys.readouterr().out
    with small_core.uow() as uow:
        assert len(uow.outbox.due(clock.now + timedelta(days=30), 1000)) == before + 4
    assert cli.main(["remind", "--date", "2026-11-07"]) == 0  # a Saturday
    assert "Tidak ada pengingat untuk Sabtu, 7 November 2026." in capsys.readouterr().out


async def test_a_reminder_tells_what_is_unsent_from_what_waits_for_review(
    small_bot: TelegramHarness, small_core: Core, clock: Clock
) -> None:
    svc, who = small_core.services, people(small_core)
    clock.now = at(date(2026, 11, 2))
    svc.submission.open_period(Period(2026, 10))
    await outbox.drain(small_bot.context())
    small_bot.take()
    clock.now = at(date(2026, 11, 4), 10)
    svc.submission.deliver(who["Mira Merangin"], Period(2026, 10), "KEU-01", 0, note="Nihil")
    received = await walk(small_bot, clock, [date(2026, 11, 11)], twice=False)
    [text] = received[MERANGIN.id][11]
    assert "Belum dikirim: RPL-01; sudah dikirim, menunggu pemeriksaan: KEU-01." in text
