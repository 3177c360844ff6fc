"""Never lost, never stuck (issue 13): notices under outages, missing files, time-outs and any
exception; exports with control characters in stored text; the error path; texts over the
channels' limits. Through the real PTB application, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from telegram.error import NetworkError, TimedOut

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.events import Event, EventKind
from chatbot.domain.people import Person
from chatbot.domain.text import MAX_REASON_LENGTH
from chatbot.services import notify
from chatbot.services.outbox import ALERT_AFTER, DrainBackoff
from chatbot.services.ports import Attachment, OutgoingMessage
from handlers import outbox
from storage.models import OutboxRow
from tests.conftest import Clock
from tests.handlers.conftest import ADMIN, KERINCI, KUL, SATGAS
from tests.handlers.test_kirim import P, deliver_pdf, sent
from tests.handlers.test_review import at_desk, notice_for_satgas
from tests.support.pdf import real_pdf
from tests.support.telegram import TelegramHarness

DOWN = NetworkError("httpx.ConnectError: All connection attempts failed")


def queue(core: Core, person: Person, text: str, files: tuple[Attachment, ...] = ()) -> None:
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(person.id, text, attachments=files), core.clock())
        uow.commit()


def rows(core: Core) -> list[OutboxRow]:
    with Session(core.engine) as session:
        return list(session.exec(select(OutboxRow).order_by(OutboxRow.id)))  # type: ignore[arg-type]


def accepted(bot: TelegramHarness, chat_id: int) -> list[str]:
    return [
        c.text
        for c in bot.take()
        if c.method == "sendMessage" and c.chat_id == chat_id and c.result is not None
    ]


async def test_an_outage_of_ten_minutes_loses_no_notice(
    bot: TelegramHarness, core: Core, people: dict[str, Person], clock: Clock
) -> None:
    for n in (1, 2, 3):
        queue(core, people["kerinci"], f"pemberitahuan {n}")
    start = clock()
    while clock() - start < timedelta(seconds=700):  # every send refused for 700 s
        bot.request.faults["sendMessage"] = [DOWN] * 20
        await outbox.drain(bot.context())
        clock.advance(seconds=20)
    assert all(r.sent_at is None and r.failed_at is None for r in rows(core))
    bot.request.faults.clear()
    bot.take()
    clock.advance(minutes=5)  # the back-off is capped: everything goes within minutes
    await outbox.drain(bot.context())
    assert sorted(accepted(bot, KERINCI.id)) == [f"pemberitahuan {n}" for n in (1, 2, 3)]
    await outbox.drain(bot.context())
    assert accepted(bot, KERINCI.id) == []


async def test_notices_failing_for_an_hour_are_reported_once_to_satgas_and_admin(
    bot: TelegramHarness, core: Core, people: dict[str, Person], admin: Person, clock: Clock
) -> None:
    queue(core, people["kerinci"], "pemberitahuan penting")
    start = clock()
    while clock() - start < ALERT_AFTER * 3:
        bot.request.faults["sendMessage"] = [DOWN]  # Kerinci's notice is first: it fails
        await outbox.drain(bot.context())
        clock.advance(minutes=5)
    [kerinci] = [r for r in rows(core) if r.text == "pemberitahuan penting"]
    assert kerinci.sent_at is None and kerinci.failed_at is None  # still being tried
    alerts = [r for r in rows(core) if "belum dapat terkirim" in r.text]
    assert sorted(r.person_id for r in alerts) == sorted([people["satgas"].id, admin.id])
    assert all("Budi Kerinci" in r.text and r.sent_at is not None for r in alerts)


async def test_a_notice_whose_file_is_gone_goes_without_it_and_says_so(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01", "lra.pdf")
    await outbox.drain(bot.context())
    bot.take()
    # a notice with the file attached (the provincial card's requests carry the card)
    with core.uow() as uow:
        stored = uow.items.get(P, "1501", "KEU-01")
        assert stored.id is not None
        submission = uow.items.submission(stored.id, 1)
    assert submission is not None
    queue(
        core, people["satgas"], "Kartu kendali untuk diparaf", notify.attachments(submission.files)
    )
    [row] = [r for r in rows(core) if r.text == "Kartu kendali untuk diparaf"]
    for path in core.evidence.root.rglob("*"):
        if path.is_file():
            path.unlink()  # a restore without the evidence folder
    bot.request.faults["sendDocument"] = [
        {"error_code": 400, "description": "Bad Request: wrong file identifier"}
    ]
    queue(core, people["kerinci"], "pemberitahuan berikutnya")
    await outbox.drain(bot.context())
    calls = bot.take()
    [notice] = [c for c in calls if c.chat_id == SATGAS.id and c.method == "sendMessage"]
    assert notice.text.startswith(row.text) and "lra.pdf tidak dapat dilampirkan" in notice.text
    assert [c.text for c in calls if c.chat_id == KERINCI.id] == ["pemberitahuan berikutnya"]
    assert all(r.sent_at is not None for r in rows(core))


async def test_an_exception_in_a_send_sets_that_notice_aside_and_the_others_go(
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sha = core.evidence.put_bytes(real_pdf(note="bukti")).sha256
    queue(core, people["satgas"], "dengan berkas", (Attachment(sha, "bukti.pdf"),))
    queue(core, people["kerinci"], "tanpa berkas")

    def broken(_: str) -> io.BytesIO:
        raise PermissionError("disk says no")

    monkeypatch.setattr(core.evidence, "open", broken)
    with caplog.at_level(logging.ERROR):
        await outbox.drain(bot.context())
        await outbox.drain(bot.context())
    assert accepted(bot, KERINCI.id) == ["tanpa berkas"]
    first, second = rows(core)
    assert first.failed_at is not None and "PermissionError" in (first.last_error or "")
    assert second.sent_at is not None
    assert caplog.text.count("could not be sent") == 1  # set aside once, not retried forever


@pytest.mark.parametrize(
    ("cause", "doubled"),
    [(httpx.ReadTimeout("read"), True), (httpx.ConnectTimeout("connect"), False)],
)
async def test_a_time_out_is_sent_again_and_named_when_it_may_have_arrived(
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    cause: httpx.TimeoutException,
    doubled: bool,
) -> None:
    queue(core, people["kerinci"], "pemberitahuan")
    timeout = TimedOut("Timed out")
    timeout.__cause__ = cause
    bot.request.faults["sendMessage"] = [timeout]
    with caplog.at_level(logging.WARNING):
        await outbox.drain(bot.context())
    # a read time-out: Telegram may have taken it, so the admin's log names it
    assert ("may have arrived" in caplog.text and "may arrive twice" in caplog.text) is doubled
    clock.advance(minutes=1)
    await outbox.drain(bot.context())
    assert accepted(bot, KERINCI.id) == ["pemberitahuan"]


async def test_a_long_notice_is_split_with_its_buttons_on_the_last_part(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    paragraph = "Butir ini perlu dilengkapi dengan dokumen pendukung. " * 20
    text = "\n\n".join([paragraph] * 8)  # about 8,500 characters
    with core.uow() as uow:
        uow.outbox.put(
            OutgoingMessage(people["kerinci"].id, text, ((("📤 Kirim", "mn:kirim"),),)),
            core.clock(),
        )
        uow.commit()
    await outbox.drain(bot.context())
    parts = [c for c in bot.take() if c.method == "sendMessage"]
    assert len(parts) == 3 and all(len(c.text) <= 4096 for c in parts)
    assert [bool(c.buttons) for c in parts] == [False, False, True]
    assert " ".join(" ".join(c.text for c in parts).split()) == " ".join(text.split())


async def test_a_control_character_in_stored_text_leaves_rekap_and_paket_working(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    core.services.submission.open_period(P)
    await bot.send(KUL, "/kirim")
    await bot.press(KUL, "kr:i:KEU-01")
    await bot.press(KUL, "kr:n")
    await bot.send(KUL, "Tidak ada kegiatan\x0bbulan ini\x00")  # Word's manual line break
    done = sent(await bot.press(KUL, "kr:c"))[0]
    assert done.startswith("Terima kasih")
    with core.uow() as uow:  # text stored before this release, as it was typed
        uow.audit.append(
            Event(
                EventKind.ITEM_DIKIRIM,
                core.clock(),
                people["kul"].id,
                P.code,
                "KUL",
                "KEU-02",
                detail={"catatan": "abc\x07def\x1b[31m\x0cx\x7f"},
            )
        )
        uow.commit()
    workbook = core.services.recap.workbook(P)
    values = [
        str(cell.value)
        for sheet in load_workbook(io.BytesIO(workbook)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("Tidak ada kegiatan\nbulan ini" in v for v in values)
    assert any("abcdef[31m\nx" in v for v in values)
    calls = await bot.send(SATGAS, "/rekap")
    assert any(c.method == "sendDocument" for c in calls)
    calls = await bot.send(SATGAS, "/paket")
    [document] = [c for c in calls if c.method == "sendDocument"]
    with zipfile.ZipFile(io.BytesIO(document.uploads["document"][1])) as zf:
        assert zf.testzip() is None


async def test_an_error_in_a_button_handler_still_reaches_the_person_once(
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    notice = await at_desk(bot, await notice_for_satgas(bot))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something broke")

    monkeypatch.setattr(core.services.review, "decide_item", broken)
    bot.request.faults["answerCallbackQuery"] = [
        {"error_code": 400, "description": "Bad Request: query is too old"}
    ] * 2
    with caplog.at_level(logging.ERROR):
        calls = await bot.press(SATGAS, notice.buttons[0][1], on=notice)
    assert sent(calls) == [texts.GENERIC_ERROR]
    assert "something broke" in caplog.text


async def test_a_database_outage_gets_its_own_sentence(
    bot: TelegramHarness, core: Core, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def down(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(core.services.registration, "person", down)
    assert sent(await bot.send(KERINCI, "/kirim")) == [texts.SERVICE_UNAVAILABLE]


async def test_the_drain_backs_off_while_the_database_is_down(
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from sqlalchemy.exc import OperationalError

    def down(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(core.services.outbox, "due", down)
    schedule = DrainBackoff(0.2)
    waits = []
    # the application's own drain (its own pace) would fire a second after the start and log
    # the outage once more on a slow machine: only this test's pace runs here
    for job in bot.app.job_queue.jobs():  # type: ignore[union-attr]
        job.schedule_removal()
    await bot.app.job_queue.start()  # type: ignore[union-attr]
    try:
        with caplog.at_level(logging.INFO):
            for _ in range(6):
                job = bot.app.job_queue.run_once(  # type: ignore[union-attr]
                    outbox.drain_and_reschedule, 3600, data=schedule
                )
                await job.run(bot.app)
                job.schedule_removal()
                waits.append(schedule.wait)
            monkeypatch.undo()
            job = bot.app.job_queue.run_once(  # type: ignore[union-attr]
                outbox.drain_and_reschedule, 3600, data=schedule
            )
            await job.run(bot.app)
    finally:
        for job in bot.app.job_queue.jobs():  # type: ignore[union-attr]
            job.schedule_removal()
        await bot.app.job_queue.stop(wait=False)  # type: ignore[union-attr]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    assert caplog.text.count("the database cannot be reached") == 1
    assert "working again" in caplog.text and " ERROR " not in caplog.text


async def test_reasons_must_say_something_and_fit(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    notice = await at_desk(bot, await notice_for_satgas(bot))
    await bot.press(SATGAS, notice.buttons[1][1], on=notice)
    for blank in ("\u200b\u200b\u200b", "\u3164\u3164\u3164", "\u2800\u2800\u2800", "...", "?!"):
        assert sent(await bot.send(SATGAS, blank)) == [texts.REVIEW_ERRORS["reason_required"]]
    assert sent(await bot.send(SATGAS, "x" * 3900)) == [texts.TEXT_TOO_LONG]
    longest = ("Dokumen belum lengkap. " * 60)[:MAX_REASON_LENGTH]
    [confirm] = await bot.send(SATGAS, longest)
    await bot.press(SATGAS, "rt:y", on=confirm)
    await outbox.drain(bot.context())
    [told] = [c for c in bot.take() if c.chat_id == KERINCI.id and c.method == "sendMessage"]
    assert told.result is not None and len(told.text) <= 4096
    assert longest.strip() in told.text


async def test_hostile_button_data_is_answered_and_logs_no_error(
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    await notice_for_satgas(bot)
    with caplog.at_level(logging.INFO):
        for data in (
            "rv:ok:9223372036854775808:1",
            "rv:ok:2147483648:1",
            "rv:no:-1:1",
            "rv:ok:1:99999999999",
            "kc:ok:2026-13:1",
            "kc:no:abcd-10:1",
        ):
            calls = await bot.press(SATGAS, data)
            [answer] = [c for c in calls if c.method == "answerCallbackQuery"]
            assert answer.params.get("text") == texts.BUTTON_INVALID, data
    assert " ERROR " not in caplog.text and "Traceback" not in caplog.text


async def test_a_regency_pressing_a_card_return_is_refused_before_any_question(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    core.services.submission.open_period(P)
    replies = sent(await bot.press(KERINCI, "kc:no:2026-10:1"))
    assert replies == [texts.CARD_ERRORS["not_your_role"]]
    # and a message typed next is not taken as a reason
    assert texts.ASK_CARD_RETURN_REASON[:30] not in " ".join(sent(await bot.send(KERINCI, "ya")))


async def test_long_and_odd_names_are_kept_on_every_database(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    name = "Laporan " + "sangat panjang " * 25 + "\x00akhir.pdf"  # 300+ characters and a NUL
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    [ack] = sent(
        await bot.send_document(KERINCI, name, real_pdf(note="x"), mime_type="a/" + "b" * 300)
    )
    assert ack.startswith("Berkas diterima: Laporan sangat panjang")
    await bot.press(KERINCI, "kr:d")
    done = sent(await bot.press(KERINCI, "kr:c"))[0]
    assert done.startswith("Terima kasih")
    [created] = sent(await bot.send(ADMIN, f"/undang 1501 satgas_kabkota {'Nama ' * 70}"))
    assert "Kode undangan berhasil dibuat" in created


async def test_twenty_two_long_file_names_still_make_one_summary(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    for n in range(22):
        name = f"{n:02d} " + "Surat pertanggungjawaban perjalanan dinas " * 5 + ".pdf"
        await bot.send_document(KERINCI, name, real_pdf(note=f"{n}"))
    [summary] = sent(await bot.press(KERINCI, "kr:d"))
    assert len(summary) <= 4096 and "dan 2 berkas lainnya" in summary
    assert "Jumlah berkas: 22." in summary
    done = sent(await bot.press(KERINCI, "kr:c"))[0]
    assert done.startswith("Terima kasih")


async def test_a_note_must_say_something_and_fit(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KUL, "/kirim")
    await bot.press(KUL, "kr:i:KEU-01")
    [ask] = sent(await bot.press(KUL, "kr:n"))
    assert "Paling banyak 1.000 karakter" in ask
    assert sent(await bot.send(KUL, "\u200b\u200b\u200b")) == [texts.NOTE_TOO_SHORT]
    assert sent(await bot.send(KUL, "Tidak ada kegiatan. " * 205)) == [texts.TEXT_TOO_LONG]
    [confirm] = sent(await bot.send(KUL, "Tidak ada perjalanan dinas bulan ini"))
    assert len(confirm) <= 4096 and "Tidak ada perjalanan dinas bulan ini" in confirm
