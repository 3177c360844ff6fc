"""The health service on real storage (SQLite and PostgreSQL): the outbox's backlog and
failures, the day's steps, the network checks kept a minute, and the admins' alerts told
once per incident."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.services.health import MB, Check, HealthService, Probe, ProbeStatus
from chatbot.services.outbox import Outcome, SendResult
from chatbot.services.ports import OutgoingMessage, QueuedMessage
from storage.models import OutboxRow
from tests.conftest import Clock


def join(core: Core, user_id: int, unit: str, role: str, name: str) -> Person:
    reg = core.services.registration
    return reg.redeem(reg.create_invite(unit, role, name).code, user_id, user_id, name).person


@pytest.fixture
def admin(core: Core) -> Person:
    return join(core, 11, "15", "admin", "Arif Admin")


@pytest.fixture
def budi(core: Core) -> Person:
    return join(core, 21, "1501", "satgas_kabkota", "Budi Santoso")


def queue(core: Core, person: Person, text: str, at_minutes_ago: float) -> int:
    """A notice queued that long ago (by the clock), as a service queues one."""
    with core.uow() as uow:
        uow.outbox.put(
            OutgoingMessage(person.id, text), core.clock() - timedelta(minutes=at_minutes_ago)
        )
        uow.commit()
    with Session(core.engine) as session:
        row = session.exec(select(OutboxRow).where(OutboxRow.text == text)).one()
        assert row.id is not None
        return row.id


def clear_outbox(core: Core) -> None:
    with Session(core.engine) as session:
        for row in session.exec(select(OutboxRow)):
            session.delete(row)
        session.commit()


def record(core: Core, message_id: int, person: Person, outcome: SendResult) -> None:
    """How the drain records a send's outcome."""
    message = QueuedMessage(message_id, person.id, person.telegram_chat_id, "", (), attempts=0)
    core.services.outbox.record(message, outcome)


def sent_to(core: Core, person: Person) -> list[OutboxRow]:
    with Session(core.engine) as session:
        return list(
            session.exec(
                select(OutboxRow).where(OutboxRow.person_id == person.id).order_by(OutboxRow.id)
            )
        )


def by_code(checks: list[Check] | tuple[Check, ...], code: str) -> Check:
    return next(c for c in checks if c.code == code)


def test_the_outbox_backlog_and_failures(core: Core, budi: Person, clock: Clock) -> None:
    health = core.services.health
    clear_outbox(core)
    waiting, failed = health.outbox()
    assert waiting.ok and waiting.sentence == "tidak ada pesan yang menunggu dikirim"
    assert failed.ok and failed.sentence == "tidak ada pesan gagal dalam 24 jam terakhir"

    queue(core, budi, "baru saja", at_minutes_ago=5)
    waiting, _ = health.outbox()
    assert waiting.ok
    assert waiting.sentence.startswith("1 pesan menunggu dikirim, yang tertua sejak Senin")

    old = queue(core, budi, "sudah lama", at_minutes_ago=75)
    waiting, failed = health.outbox()
    assert not waiting.ok and failed.ok
    assert waiting.sentence.startswith(
        "2 pesan belum terkirim, yang tertua sejak Senin, 2 November 2026 pukul 06.45 WIB "
        "(1 jam 15 menit lalu): pastikan spip-bot run"
    )

    record(core, old, budi, SendResult(Outcome.FAILED, "bad request: chat not found"))
    waiting, failed = health.outbox()
    assert waiting.ok  # the old one is no longer waiting: it failed
    assert not failed.ok and failed.sentence.startswith(
        "1 pesan gagal terkirim dalam 24 jam terakhir (terakhir Senin, 2 November 2026 pukul "
        "08.00 WIB): lihat penyebabnya di log bot"
    )
    clock.advance(hours=25)  # a failure a day old is history
    assert health.outbox()[1].ok


def test_what_the_bot_cannot_help_is_not_a_problem(core: Core, budi: Person, admin: Person) -> None:
    """A notice to someone who blocked the bot (the satgas is told of that apart), one set
    aside unsent when its person left, and a gathering notice held back on purpose."""
    health = core.services.health
    clear_outbox(core)
    blocked = queue(core, budi, "untuk Budi", at_minutes_ago=90)
    record(core, blocked, budi, SendResult(Outcome.FAILED, "forbidden: blocked", blocked=True))
    with core.uow() as uow:
        person = uow.people.get(budi.id)
        assert person is not None and person.blocked
        uow.outbox.put(
            OutgoingMessage(admin.id, "dikumpulkan", not_before=core.clock() + timedelta(hours=1)),
            core.clock() - timedelta(hours=1),
        )
        uow.commit()
    set_aside = queue(core, admin, "ditinggalkan", at_minutes_ago=60)
    with Session(core.engine) as session:  # as the hand-over marks it: never tried
        row = session.get(OutboxRow, set_aside)
        assert row is not None
        row.failed_at = core.clock()
        session.add(row)
        session.commit()
    waiting, failed = health.outbox()
    assert waiting.ok and failed.ok, (waiting, failed)


def test_the_days_steps(core: Core, clock: Clock) -> None:
    health = core.services.health
    assert health.steps().ok
    assert health.steps().sentence == "belum pernah berjalan; tidak ada periode terbuka"
    core.services.submission.open_period(Period(2026, 10))
    never = health.steps()
    assert not never.ok and never.sentence == (
        "Langkah harian (pembukaan periode dan pengingat) belum pernah berjalan pada basis data "
        "ini, padahal periode 2026-10 terbuka: jalankan spip-bot run dan biarkan tetap berjalan."
    )
    health.steps_ran()  # the scheduler's first tick of the day
    ran = health.steps()
    assert ran.ok and ran.sentence == (
        "terakhir berjalan Senin, 2 November 2026 pukul 08.00 WIB; pengingat terakhir "
        "diantrekan belum pernah"
    )
    clock.advance(hours=25)
    assert health.steps().ok  # a day and some slack
    clock.advance(hours=2)
    stale = health.steps()
    assert not stale.ok and stale.sentence.startswith(
        "Langkah harian terakhir berjalan Senin, 2 November 2026 pukul 08.00 WIB (1 hari 3 jam "
        "lalu), padahal periode 2026-10 terbuka: pengingat tidak terkirim selama itu"
    )
    health.steps_ran()
    assert health.steps().ok
    without_bot = replace(health, steps_expected=False).steps()
    assert without_bot.skipped and without_bot.ok


async def test_the_network_checks_are_kept_a_minute(core: Core) -> None:
    """A monitor polling the health URL every 10 s asks Telegram once a minute."""
    asked: list[str] = []
    now = [0.0]
    answers = [Probe(ProbeStatus.OK, "spip_jambi_bot"), Probe(ProbeStatus.REJECTED, "401")]

    async def telegram() -> Probe:
        asked.append("getMe")
        return answers[len(asked) - 1]

    base = core.services.health
    health = replace(
        base, network=replace(base.network, telegram=telegram), monotonic=lambda: now[0]
    )
    first = await health.telegram()
    assert first.ok and first.sentence == "token diterima Telegram (@spip_jambi_bot)"
    for _ in range(5):
        now[0] += 10
        assert await health.telegram() == first
    assert asked == ["getMe"]
    now[0] += 11  # 61 s after the first answer
    rejected = await health.telegram()
    assert asked == ["getMe", "getMe"] and not rejected.ok
    assert rejected.sentence.startswith("Token bot ditolak Telegram (salah atau sudah dicabut)")


def test_the_admins_are_told_once_per_incident(
    core: Core, admin: Person, budi: Person, clock: Clock
) -> None:
    health = core.services.health
    clear_outbox(core)
    assert health.alert() == [] and sent_to(core, admin) == []

    stuck = queue(core, budi, "tertahan", at_minutes_ago=20)
    assert health.alert() == ["antrean"]
    told = sent_to(core, admin)
    assert len(told) == 1
    assert told[0].text.startswith(
        "⚠️ Peringatan untuk admin: pengiriman pesan bot terganggu.\n\n1 pesan belum terkirim"
    )
    assert "Pemeriksaan lengkap: jalankan spip-bot doctor di server bot." in told[0].text
    # the next ticks, of either process: nothing more while it lasts
    clock.advance(minutes=1)
    assert health.alert() == []
    assert health.alert() == []
    assert len(sent_to(core, admin)) == 1

    # it recovers: nothing is said; the next failure is a new incident, told again
    core.services.outbox.record(
        QueuedMessage(stuck, budi.id, budi.telegram_chat_id, "", (), attempts=0),
        SendResult(Outcome.SENT),
    )
    with core.uow() as uow:  # the alert itself went out too
        uow.outbox.mark_sent(told[0].id or 0, core.clock())
        uow.commit()
    assert health.alert() == [] and len(sent_to(core, admin)) == 1
    failed = queue(core, budi, "gagal", at_minutes_ago=1)
    record(core, failed, budi, SendResult(Outcome.FAILED, "bad request: message is too long"))
    assert health.alert() == ["antrean"]
    again = sent_to(core, admin)
    assert len(again) == 2 and "1 pesan gagal terkirim dalam 24 jam terakhir" in again[1].text
    assert again[1].dedupe_key == f"kesehatan:antrean:2:{admin.id}"
    assert health.alert() == []


def test_a_nearly_full_disk_is_told_once(core: Core, admin: Person) -> None:
    free = [10 * 1024 * MB]
    health = replace(core.services.health, disk_usage=lambda _: (0, 0, free[0]))
    clear_outbox(core)
    assert health.disk().ok and health.disk().sentence == "10,0 GB bebas (batas 1,0 GB)"
    assert health.alert() == []
    free[0] = 300 * MB
    low = health.disk()
    assert not low.ok and low.sentence == (
        "Ruang disk folder bukti tinggal 300 MB, di bawah batas 1,0 GB: kosongkan atau tambah "
        "kapasitas disk itu (atau ubah SPIP_MIN_FREE_MB bila batasnya terlalu tinggi)."
    )
    assert health.alert() == ["disk"] and health.alert() == []
    told = sent_to(core, admin)
    assert [r.text.split("\n")[0] for r in told] == [
        "⚠️ Peringatan untuk admin: ruang disk server bot hampir penuh."
    ]
    free[0] = 5 * 1024 * MB
    assert health.alert() == []
    free[0] = 100 * MB
    assert health.alert() == ["disk"]
    assert len(sent_to(core, admin)) == 2


def test_a_second_process_tells_nothing_twice(core: Core, admin: Person, budi: Person) -> None:
    """The Telegram and the WhatsApp process both watch: one incident, one message."""
    clear_outbox(core)
    queue(core, budi, "tertahan", at_minutes_ago=30)
    telegram_side: HealthService = core.services.health
    whatsapp_side = replace(telegram_side, _kept={})
    assert telegram_side.alert() == ["antrean"]
    assert whatsapp_side.alert() == []
    assert len(sent_to(core, admin)) == 1
