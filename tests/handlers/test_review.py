"""Item review with one tap: approve, return with a reason, and every refusal."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlmodel import Session, select

from chatbot import callbacks, texts
from chatbot.app import Core
from chatbot.domain.errors import AlreadyDecided, ConcurrentChange
from chatbot.domain.people import Person
from handlers import outbox
from storage.models import AuditRow, OutboxRow, PeriodRow
from tests.handlers.conftest import KERINCI, SATGAS, join
from tests.handlers.test_kirim import P, deliver_pdf, sent, states
from tests.support.telegram import Call, TelegramHarness, User

WHEN = "2 November 2026 pukul 08.00 WIB"


async def notice_for_satgas(bot: TelegramHarness) -> Call:
    await outbox.drain(bot.context())
    [notice] = [c for c in bot.take() if c.chat_id == SATGAS.id and c.method == "sendMessage"]
    return notice


async def at_desk(bot: TelegramHarness, notice: Call) -> Call:
    """The notice's "Periksa": the desk's message (after the evidence)."""
    [(label, data)] = notice.buttons
    assert label == "🔎 Periksa" and data.startswith("rp:op:")
    calls = await bot.press(SATGAS, data, on=notice)
    return next(c for c in reversed(calls) if c.method == "sendMessage")


async def test_approve_edits_the_notice_and_tells_the_submitter(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    notice = await notice_for_satgas(bot)
    desk = await at_desk(bot, notice)
    assert desk.text.startswith("🔎 Pemeriksaan 1 dari 1\nKPU Kabupaten Kerinci")
    ok = desk.buttons[0][1]
    assert desk.buttons[:3] == [
        ("✅ Setujui", ok),
        ("↩️ Kembalikan", ok.replace(":ok:", ":no:")),
        ("⏭ Lewati", ok.replace("rp:ok:", "rp:sk:").rsplit(":", 1)[0]),
    ]
    calls = await bot.press(SATGAS, ok, on=desk)
    edit = next(c for c in calls if c.method == "editMessageText")
    assert edit.text == desk.text + f"\n\n✅ Disetujui oleh Sari Satgas, {WHEN}"
    assert edit.buttons == [] and edit.params["message_id"] == desk.result["message_id"]
    assert sent(calls)[-1].endswith(texts.DESK_EMPTY)  # nothing else waits
    assert states(core)[("1501", "KEU-01")].status == "disetujui"
    await outbox.drain(bot.context())
    calls = bot.take()
    # the notice, sent before, is edited: the outcome, no button left
    [notice_edit] = [
        c
        for c in calls
        if c.method == "editMessageText" and c.params["message_id"] == notice.result["message_id"]
    ]
    assert notice_edit.text == notice.text + f"\n\n✅ Disetujui oleh Sari Satgas, {WHEN}"
    assert notice_edit.buttons == []
    [told] = [c.text for c in calls if c.chat_id == KERINCI.id]
    assert told == (
        "Yth. Bapak/Ibu, kiriman KPU Kabupaten Kerinci untuk butir KEU-01 Laporan realisasi "
        f"anggaran (LRA) versi 1 telah disetujui oleh Sari Satgas ({WHEN})."
    )
    # a second tap changes nothing and says so
    again = await bot.press(SATGAS, ok, on=desk)
    assert texts.REVIEW_ERRORS["already_decided"] in sent(again)[-1]
    await outbox.drain(bot.context())
    assert [c for c in bot.take() if c.method == "sendMessage"] == []
    with Session(core.engine) as session:
        rows = list(session.exec(select(AuditRow).order_by(AuditRow.id)))
    [approved] = [r for r in rows if r.kind == "item_disetujui"]
    assert '"pemeriksaan": "berkas dibuka"' in approved.detail  # the record says it was seen


async def test_return_asks_the_reason_confirms_and_the_reason_reaches_the_submitter(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    notice = await notice_for_satgas(bot)
    desk = await at_desk(bot, notice)
    back = desk.buttons[1][1]
    [ask] = sent(await bot.press(SATGAS, back, on=desk))
    assert ask.startswith("Silakan tuliskan alasan pengembalian untuk KEU-01 Laporan")
    [short] = sent(await bot.send(SATGAS, "no"))
    assert short == texts.REVIEW_ERRORS["reason_required"]
    [confirm] = await bot.send(SATGAS, "Tanda tangan kepala belum ada")
    assert confirm.text.endswith("dengan alasan:\nTanda tangan kepala belum ada")
    assert confirm.buttons == [("↩️ Ya, kembalikan", "rt:y"), ("✖️ Batal", "rt:n")]
    assert states(core)[("1501", "KEU-01")].status == "dikirim"
    calls = await bot.press(SATGAS, "rt:y", on=confirm)
    edit = next(c for c in calls if c.method == "editMessageText")
    assert edit.params["message_id"] == desk.result["message_id"]
    assert edit.text.endswith(f"↩️ Dikembalikan oleh Sari Satgas, {WHEN}") and edit.buttons == []
    row = states(core)[("1501", "KEU-01")]
    assert (row.status, row.reason) == ("dikembalikan", "Tanda tangan kepala belum ada")
    await outbox.drain(bot.context())
    [told] = [c.text for c in bot.take() if c.chat_id == KERINCI.id]
    assert "dikembalikan oleh Sari Satgas" in told
    assert "Alasan: Tanda tangan kepala belum ada" in told and "/kirim" in told
    await bot.send(KERINCI, "/kirim")
    _, detail = await bot.press(KERINCI, "kr:i:KEU-01")
    assert "Status: ↩️ dikembalikan untuk perbaikan" in detail.text
    assert "Alasan pengembalian: Tanda tangan kepala belum ada" in detail.text


async def test_cancelled_return_changes_nothing(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    notice = await notice_for_satgas(bot)
    desk = await at_desk(bot, notice)
    await bot.press(SATGAS, desk.buttons[1][1], on=desk)
    assert sent(await bot.send(SATGAS, "/batal")) == [texts.RETURN_CANCELLED]
    assert states(core)[("1501", "KEU-01")].status == "dikirim"


def review_buttons(notice: Call) -> Call:
    """A notice as the bot sent them before the desk (✅ / ↩️ on it): such messages still
    exist in people's chats, and their buttons are refused the same way."""
    state_id = int(notice.buttons[0][1].rsplit(":", 1)[1])
    version = int(notice.text.split("Versi: ")[1].split("\n")[0])
    markup = {
        "inline_keyboard": [
            [
                {"text": label, "callback_data": data}
                for label, data in (
                    ("✅ Setujui", callbacks.review(True, state_id, version)),
                    ("↩️ Kembalikan", callbacks.review(False, state_id, version)),
                )
            ]
        ]
    }
    return Call(
        notice.method,
        {**notice.params, "reply_markup": markup},
        {**notice.result, "reply_markup": markup},
        notice.uploads,
    )


async def test_refusals(bot: TelegramHarness, core: Core, people: dict[str, Person]) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01", "v1.pdf")
    first = review_buttons(await notice_for_satgas(bot))
    # someone without the role (a forged button)
    assert sent(await bot.press(KERINCI, first.buttons[0][1])) == [
        texts.REVIEW_ERRORS["not_your_role"]
    ]
    # an old notice after a resubmission
    await deliver_pdf(bot, KERINCI, "KEU-01", "v2.pdf")
    second = review_buttons(await notice_for_satgas(bot))
    assert sent(await bot.press(SATGAS, first.buttons[0][1], on=first)) == [
        texts.REVIEW_ERRORS["stale_version"]
    ]
    assert sent(await bot.press(SATGAS, first.buttons[1][1], on=first)) == [
        texts.REVIEW_ERRORS["stale_version"]
    ]
    # a withdrawn delivery
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:w:KEU-01:2")
    assert sent(await bot.press(SATGAS, second.buttons[0][1], on=second)) == [
        texts.REVIEW_ERRORS["invalid_transition"]
    ]
    # a closed period
    await deliver_pdf(bot, KERINCI, "KEU-02")
    third = review_buttons(await notice_for_satgas(bot))
    with Session(core.engine) as session:
        period = session.get(PeriodRow, P.code)
        assert period is not None
        period.closed_at = datetime(2026, 11, 20, tzinfo=UTC)
        session.add(period)
        session.commit()
    assert sent(await bot.press(SATGAS, third.buttons[0][1], on=third)) == [
        texts.REVIEW_ERRORS["period_closed"]
    ]
    assert {r.item_code: r.status for r in states(core).values()} == {
        "KEU-01": "kosong",
        "KEU-02": "dikirim",
    }
    with Session(core.engine) as session:
        assert not session.exec(select(AuditRow).where(AuditRow.kind == "item_disetujui")).all()
        assert not [r for r in session.exec(select(OutboxRow)) if r.text.startswith("Yth. Bapak")]


def test_two_simultaneous_decisions_exactly_one_wins(core: Core, people: dict[str, Person]) -> None:
    """Two reviewers decide the same delivery at the same moment, each in its own session."""
    other = join(core, User(32, "Rudi", "Satgas"), "15", "satgas_prov")
    satgas = people["satgas"]
    kerinci = people["kerinci"]
    core.services.submission.deliver(kerinci, P, "KEU-01", 0, note="Tidak ada kegiatan")
    state_id = states(core)[("1501", "KEU-01")].id
    assert state_id is not None
    results: list[object] = []
    barrier = threading.Barrier(2)

    def decide(person: Person, approve: bool) -> None:
        barrier.wait()
        try:
            results.append(
                core.services.review.decide_item(person, state_id, 1, approve, "Kurang lengkap")
            )
        except (AlreadyDecided, ConcurrentChange) as exc:
            results.append(exc)

    threads = [
        threading.Thread(target=decide, args=(satgas, True)),
        threading.Thread(target=decide, args=(other, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1
    with Session(core.engine) as session:
        decisions = session.exec(
            select(AuditRow).where(
                AuditRow.kind.in_(["item_disetujui", "item_dikembalikan"])  # type: ignore[attr-defined]
            )
        ).all()
        notices = session.exec(select(OutboxRow).where(OutboxRow.person_id == kerinci.id)).all()
    assert len(decisions) == 1 and len(notices) == 1
