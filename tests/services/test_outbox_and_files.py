from __future__ import annotations

import io
from datetime import timedelta, timezone

import pytest
from sqlmodel import Session, select

from chatbot.app import Core
from chatbot.services.outbox import RETRY_FOR, Outcome, SendResult
from chatbot.services.ports import Attachment, OutgoingMessage, QueuedMessage
from storage.files import EvidenceStore
from storage.models import OutboxRow
from tests.conftest import Clock


def _person(core: Core, telegram_id: int = 1) -> int:
    reg = core.services.registration
    code = reg.create_invite("15", "satgas_prov").code
    return reg.redeem(code, telegram_id, 90, "Sari").person.id


def _put(core: Core, person_id: int, key: str | None, text: str = "Halo") -> bool:
    with core.uow() as uow:
        queued = uow.outbox.put(
            OutgoingMessage(person_id, text, ((("Buka", "mn:start"),),), key), core.clock()
        )
        uow.commit()
    return queued


def test_dedupe_key_queues_a_message_once(core: Core) -> None:
    pid = _person(core)
    assert _put(core, pid, "k1") and not _put(core, pid, "k1") and _put(core, pid, None)
    due = core.services.outbox.due()
    assert [m.text for m in due] == ["Halo", "Halo"]
    assert due[0].chat_id == 90 and due[0].buttons == ((("Buka", "mn:start"),),)


@pytest.mark.parametrize("key", ["kunci", None])
def test_a_message_to_someone_whose_access_ended_is_kept_and_never_sent(
    core: Core, key: str | None
) -> None:
    pid = _person(core)
    with core.uow() as uow:
        uow.people.set_active(pid, False)
        uow.commit()
    wib = timezone(timedelta(hours=7))
    now = core.clock().astimezone(wib)  # the moment in another zone: stored as the same UTC
    with core.uow() as uow:
        assert uow.outbox.put(OutgoingMessage(pid, "Halo", (), key), now)
        assert not key or not uow.outbox.put(OutgoingMessage(pid, "Lagi", (), key), now)
        uow.commit()
    with Session(core.engine) as session:
        [row] = session.exec(select(OutboxRow)).all()
    assert (row.text, row.failed_at, row.last_error) == ("Halo", now, "penerima dinonaktifkan")
    assert row.sent_at is None and core.services.outbox.due() == []


async def test_drain_sends_retries_with_backoff_and_gives_up(core: Core, clock: Clock) -> None:
    pid = _person(core)
    _put(core, pid, "a", "satu")
    _put(core, pid, "b", "dua")
    outcomes = {"satu": SendResult(Outcome.SENT), "dua": SendResult(Outcome.RETRY, "5xx")}
    sent: list[str] = []

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        sent.append(message.text)
        return outcomes[message.text]

    report = await core.services.outbox.drain(send)
    assert (report.sent, report.retried) == (1, 1)
    assert (await core.services.outbox.drain(send)).sent == 0  # "dua" waits for its back-off
    clock.advance(seconds=5)
    outcomes["dua"] = SendResult(Outcome.RETRY, "flood", retry_after=30)
    await core.services.outbox.drain(send)
    clock.advance(seconds=29)
    assert core.services.outbox.due() == []
    clock.advance(seconds=1)
    assert [m.text for m in core.services.outbox.due()] == ["dua"]
    # a passing fault is tried again for as long as the notice matters (RETRY_FOR), then no more
    tries = 0
    while clock() - clock.start < RETRY_FOR - timedelta(hours=1):
        clock.advance(hours=1)
        await core.services.outbox.drain(send)
        tries += 1
    with Session(core.engine) as session:
        rows = {r.text: r for r in session.exec(select(OutboxRow))}
    assert rows["dua"].failed_at is None and rows["dua"].attempts >= tries
    clock.advance(hours=2)
    await core.services.outbox.drain(send)
    assert sent.count("satu") == 1
    with Session(core.engine) as session:
        rows = {r.text: r for r in session.exec(select(OutboxRow))}
    assert rows["satu"].sent_at is not None
    assert rows["dua"].failed_at is not None and "gave up" in (rows["dua"].last_error or "")


async def test_permanent_failure_is_not_retried(core: Core) -> None:
    pid = _person(core)
    _put(core, pid, "x")
    calls = 0

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        nonlocal calls
        calls += 1
        return SendResult(Outcome.FAILED, "forbidden: bot was blocked by the user")

    await core.services.outbox.drain(send)
    await core.services.outbox.drain(send)
    assert calls == 1


def test_evidence_store_keeps_identical_content_once(tmp_path: pytest.TempPathFactory) -> None:
    store = EvidenceStore(tmp_path / "evidence")  # type: ignore[operator]
    first = store.put_bytes(b"%PDF-1.4 laporan")
    second = store.put_stream(io.BytesIO(b"%PDF-1.4 laporan"))
    other = store.put_chunks([b"lain", b" isi"])
    assert first.sha256 == second.sha256 and not first.existed and second.existed
    assert other.sha256 != first.sha256 and other.size == 8
    with store.open(first.sha256) as handle:
        assert handle.read() == b"%PDF-1.4 laporan"
    stored = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]  # type: ignore[operator]
    assert len(stored) == 2  # and no temporary files left behind


async def test_a_retry_goes_on_from_the_first_part_not_accepted(core: Core, clock: Clock) -> None:
    pid = _person(core)
    files = (Attachment("a" * 64, "satu.pdf"), Attachment("b" * 64, "dua.pdf"))
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(pid, "Kiriman baru", attachments=files), clock())
        uow.commit()
    sent: list[str] = []
    fail_on = {"dua.pdf"}

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        name = part.file_name if part else message.text
        if name in fail_on:
            fail_on.discard(name)
            return SendResult(Outcome.RETRY, "5xx")
        sent.append(name)
        return SendResult(Outcome.SENT)

    assert (await core.services.outbox.drain(send)).retried == 1
    clock.advance(minutes=1)
    assert (await core.services.outbox.drain(send)).sent == 1
    assert sent == ["satu.pdf", "dua.pdf", "Kiriman baru"]  # satu.pdf once


async def test_a_part_cut_off_by_a_crash_is_sent_again_and_named(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    pid = _person(core)
    _put(core, pid, "k", "Pengingat")

    async def die(message: QueuedMessage, part: Attachment | None) -> SendResult:
        raise SystemExit  # the process is killed while Telegram has the request

    with pytest.raises(SystemExit):
        await core.services.outbox.drain(die)
    [message] = core.services.outbox.due()
    assert message.interrupted
    sent: list[str] = []

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        sent.append(message.text)
        return SendResult(Outcome.SENT)

    await core.services.outbox.drain(send)
    assert sent == ["Pengingat"] and core.services.outbox.due() == []
    assert f"outbox message {message.id} to person {pid} was being sent" in caplog.text


def test_a_held_notice_gathers_only_until_it_is_due(core: Core, clock: Clock) -> None:
    """A gathering notice is joined while it is held back; once due, a sender may have read
    it, so a later decision is queued apart instead of changing what may be on its way."""
    pid = _person(core)
    now = clock()
    held = OutgoingMessage(
        pid, "satu", group="g", grouped=({"n": 1},), not_before=now + timedelta(minutes=2)
    )
    with core.uow() as uow:
        assert uow.outbox.put(held, now)
        gathering = uow.outbox.gathering(pid, "g", now)
        assert gathering is not None and gathering.grouped == ({"n": 1},)
        joined = OutgoingMessage(pid, "dua", group="g", grouped=({"n": 1}, {"n": 2}))
        assert uow.outbox.regather(gathering.id, joined, now)
        uow.commit()
    assert core.services.outbox.due() == []  # still held
    clock.advance(seconds=121)
    later = clock()
    with core.uow() as uow:
        assert uow.outbox.gathering(pid, "g", later) is None  # due now: not joined any more
        assert not uow.outbox.regather(gathering.id, joined, later)
    assert [m.text for m in core.services.outbox.due()] == ["dua"]


async def test_a_notice_settled_after_the_drain_read_it_goes_as_its_outcome(core: Core) -> None:
    """A decision between the drain's reading and its sending: the notice goes with the
    outcome and no buttons, is not edited afterwards, and the record says what was sent."""
    from chatbot.services import notify

    pid = _person(core)
    with core.uow() as uow:
        uow.outbox.put(
            OutgoingMessage(pid, "KEU-01 dikirim", ((("Periksa", "rp:op:1"),),), subject="x"),
            core.clock(),
        )
        uow.commit()
    sent: list[QueuedMessage] = []

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        sent.append(message)
        return SendResult(Outcome.SENT, message_id=77)

    outbox = core.services.outbox
    read = outbox.due

    def read_then_decided(*args: object, **kwargs: object) -> list[QueuedMessage]:
        due = read(*args, **kwargs)  # type: ignore[arg-type]
        with core.uow() as uow:
            notify.settled(uow, core.clock(), "x", "✅ Disetujui", pid)
            uow.commit()
        return due

    outbox.due = read_then_decided  # type: ignore[method-assign]
    try:
        await outbox.drain(send)
    finally:
        del outbox.due
    [message] = sent
    assert message.text == "KEU-01 dikirim\n\n✅ Disetujui" and message.buttons == ()
    assert outbox.due() == []  # no edit follows
    with Session(core.engine) as session:
        [row] = session.exec(select(OutboxRow)).all()
    assert row.text == message.text and row.sent_at is not None
