"""Submitting evidence from a phone: /kirim with documents, photos, albums, "tidak ada
kegiatan", confirmations and every refusal, through the real Application."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.domain.workflow import UNIT_CARD_ITEM, Approve, Context, ItemStatus, apply_item
from handlers import outbox
from storage.models import ItemStateRow, PeriodRow, SubmissionFileRow, SubmissionRow
from tests.conftest import Clock
from tests.handlers.conftest import ADMIN, KERINCI, KERINCI2, KETUA, KUL, SATGAS, join
from tests.support.pdf import real_pdf
from tests.support.telegram import Call, TelegramHarness, User, texts_to

P = Period(2026, 10)
PDF = real_pdf(note="laporan realisasi anggaran")


def buttons(calls: list[Call]) -> list[tuple[str, str]]:
    return [b for c in calls for b in c.buttons]


def sent(calls: list[Call]) -> list[str]:
    """What the person reads: messages sent, and messages brought up to date in place (the
    receipt takes the place of the message whose "Kirim" was pressed)."""
    return [c.text for c in calls if c.method in ("sendMessage", "editMessageText")]


def approve(core: Core, person: Person, unit: str, item: str) -> None:
    """Stand-in for the reviewer (the review buttons are another issue's handlers)."""
    with core.uow() as uow:
        stored = uow.items.get(P, unit, item)
        actor = replace(person.actor(), roles=frozenset(person.roles))
        new = apply_item(stored.state, Approve(stored.state.version), Context(actor, core.clock()))
        uow.items.save(stored, new.state, core.clock())
        uow.commit()


async def deliver_pdf(bot: TelegramHarness, user: User, item: str, name: str = "lra.pdf") -> str:
    await bot.send(user, "/kirim")
    await bot.press(user, f"kr:i:{item}")
    await bot.press(user, "kr:f")
    await bot.send_document(user, name, PDF + name.encode())
    await bot.press(user, "kr:d")
    return sent(await bot.press(user, "kr:c"))[0]


def states(core: Core) -> dict[tuple[str, str], ItemStateRow]:
    with Session(core.engine) as session:
        return {(r.unit_code, r.item_code): r for r in session.exec(select(ItemStateRow))}


def submissions(core: Core) -> list[SubmissionRow]:
    with Session(core.engine) as session:
        return list(session.exec(select(SubmissionRow).order_by(SubmissionRow.id)))


async def test_kickoff_once_per_submitter_with_deadline_and_checklist(
    bot: TelegramHarness, core: Core, admin: Person
) -> None:
    kerinci = join(core, KERINCI, "1501", "satgas_kabkota")
    join(core, KUL, "KUL", "bagian")
    join(core, KETUA, "15", "ketua")
    [reply] = await bot.send(ADMIN, "/periode 2026-10")
    assert reply.text.startswith("Periode Oktober 2026 telah dibuka.")
    assert "Selasa, 10 November 2026" in reply.text and "kepada 2 penyampai data" in reply.text
    [again] = await bot.send(ADMIN, "/periode 2026-10")
    assert again.text == texts.period_already_open(P)
    await outbox.drain(bot.context())
    calls = bot.take()
    assert {c.chat_id for c in calls} == {KERINCI.id, KUL.id}
    [kickoff] = texts_to(calls, KERINCI.id)
    assert kickoff.startswith(f"Yth. Bapak/Ibu {kerinci.name} (KPU Kabupaten Kerinci),")
    assert "bulan Oktober 2026 paling lambat Selasa, 10 November 2026" in kickoff
    assert "KPG-01 Rekapitulasi daftar hadir pegawai" in kickoff and "/kirim" in kickoff
    assert "HBH-03 Bukti setor sisa dana hibah (bila ada kegiatan)" in kickoff
    [kul_kickoff] = texts_to(calls, KUL.id)
    assert "KEU-01" in kul_kickoff and "KPG-01" not in kul_kickoff
    assert ("📤 Kirim data dukung", "mn:kirim") in calls[0].buttons
    await outbox.drain(bot.context())
    assert bot.take() == []


async def test_scheduler_opens_the_period_of_the_month_once(
    bot: TelegramHarness, core: Core, admin: Person, clock: Clock
) -> None:
    join(core, KERINCI, "1501", "satgas_kabkota")
    svc = core.services.submission
    clock.now = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)  # Sunday 1 November: not a working day
    assert svc.open_due_period() is None
    clock.now = datetime(2026, 11, 2, 0, 55, tzinfo=UTC)  # Monday, 07.55 WIB
    result = svc.open_due_period()
    assert result is not None and result.opened and result.period == P and result.kickoffs == 1
    assert svc.open_due_period() is None
    assert svc.open_periods() == [P]


async def test_deliver_a_document_end_to_end(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    [checklist] = await bot.send(KERINCI, "/kirim")
    assert "Kelengkapan: 0% (0 dari 17 butir wajib disetujui)" in checklist.text
    assert "Batas waktu: Selasa, 10 November 2026" in checklist.text
    assert ("⬜ KEU-01 Laporan realisasi anggaran (LRA)", "kr:i:KEU-01") in checklist.buttons
    assert ("⬜ Kartu kendali bertanda tangan", f"kr:i:{UNIT_CARD_ITEM}") in checklist.buttons

    answer, detail = await bot.press(KERINCI, "kr:i:KEU-01")
    assert answer.method == "answerCallbackQuery"
    assert detail.text.startswith("KEU-01 Laporan realisasi anggaran (LRA)\nLRA bulan laporan.")
    assert "Status: ⬜ kosong" in detail.text
    assert [d for _, d in detail.buttons] == ["kr:f", "kr:n", "kr:b"]

    _, ask = await bot.press(KERINCI, "kr:f")
    assert ask.text == texts.ASK_FILES
    calls = await bot.send_document(KERINCI, "LRA Oktober.pdf", PDF)
    assert [c.method for c in calls] == ["getFile", "download", "sendMessage"]
    assert calls[-1].text.startswith("Berkas diterima: LRA Oktober.pdf (")
    assert (
        "Butir: KEU-01 Laporan realisasi anggaran (LRA), bulan Oktober 2026. Jumlah berkas "
        "dalam kiriman ini: 1." in (calls[-1].text)
    )
    assert "(dicatat sebagai versi 1)" in calls[-1].text  # the file's answer is the confirmation
    assert calls[-1].buttons == [("✅ Kirim", "kr:c:2026-10:KEU-01:0"), ("✖️ Tutup", "kr:x")]
    assert states(core) == {}  # nothing delivered before the confirmation

    calls = await bot.press(KERINCI, "kr:c", on=calls[-1])
    # no new message: the receipt takes the place of the file's answer, and the checklist
    # shown at /kirim is brought up to date where it is
    assert [c.method for c in calls if c.text] == ["editMessageText", "editMessageText"]
    receipt, checklist = sent(calls)
    assert receipt.startswith("Terima kasih. Kiriman untuk butir KEU-01 Laporan realisasi")
    assert "sebagai versi 1 (1 berkas)" in receipt and "terlambat" not in receipt
    assert calls[-2].buttons == [("📋 Daftar butir", "mn:kirim")]  # works after the session too
    assert "📤 KEU-01" in " ".join(label for label, _ in calls[-1].buttons)
    assert "menunggu pemeriksaan Satgas SPIP KPU Provinsi: 1 butir" in checklist

    row = states(core)[("1501", "KEU-01")]
    assert (row.status, row.version, row.delivery) == ("dikirim", 1, "berkas")
    [submission] = submissions(core)
    assert (submission.version, submission.late, submission.submitted_by) == (
        1,
        False,
        people["kerinci"].id,
    )
    with Session(core.engine) as session:
        [file_row] = session.exec(select(SubmissionFileRow)).all()
    assert file_row.file_name == "LRA Oktober.pdf" and file_row.size == len(PDF)
    assert core.evidence.path(file_row.sha256).read_bytes() == PDF

    await outbox.drain(bot.context())
    to_satgas = [c for c in bot.take() if c.chat_id == SATGAS.id]
    assert [c.method for c in to_satgas] == ["sendMessage"]  # one message, files at the desk
    notice = to_satgas[0]
    assert notice.text.startswith("Kiriman baru untuk diperiksa\nUnit: KPU Kabupaten Kerinci")
    assert "Butir: KEU-01 Laporan realisasi anggaran (LRA)\nVersi: 1" in notice.text
    assert notice.buttons == [("🔎 Periksa", f"rp:op:{row.id}")]
    calls = await bot.press(SATGAS, f"rp:op:{row.id}", on=notice)
    # the first page as a picture (an unreadable PDF no longer gets this far: issue 18)
    [picture] = [c for c in calls if c.method == "sendPhoto"]
    assert "LRA Oktober.pdf, halaman 1 dari 1" in str(picture.params.get("caption"))
    desk = calls[-1]
    assert "LRA Oktober.pdf (PDF 1 halaman" in desk.text
    assert desk.buttons[:3] == [
        ("✅ Setujui", f"rp:ok:{row.id}:1"),
        ("↩️ Kembalikan", f"rp:no:{row.id}:1"),
        ("⏭ Lewati", f"rp:sk:{row.id}"),
    ]


async def test_a_photo_album_is_one_delivery(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:RPL-01")
    await bot.press(KERINCI, "kr:f")
    calls = []
    for n in range(3):
        calls += await bot.send_photo(KERINCI, b"\xff\xd8\xff" + bytes([n]) * 500, "album1")
    # one answer for the album, brought up to date in place as its photos arrive
    assert [c.method for c in calls if c.text] == ["sendMessage", *["editMessageText"] * 2]
    assert "Jumlah berkas dalam kiriman ini: 3" in calls[-1].text
    _, summary = await bot.press(KERINCI, "kr:d")  # an older message's "Selesai"
    assert [n for n in ("foto 1.jpg", "foto 2.jpg", "foto 3.jpg") if n in summary.text] == [
        "foto 1.jpg",
        "foto 2.jpg",
        "foto 3.jpg",
    ]  # numbered, not named by their hash (issue 15)
    await bot.press(KERINCI, "kr:c")
    [submission] = submissions(core)
    with Session(core.engine) as session:
        files = session.exec(select(SubmissionFileRow)).all()
    assert submission.version == 1 and len(files) == 3
    assert all(f.file_name.endswith(".jpg") and f.mime_type == "image/jpeg" for f in files)
    # delivered, each says what it is: the item, the unit, the day and its number
    assert sorted(f.file_name for f in files) == [
        f"RPL-01 - KPU Kabupaten Kerinci - 2026-11-02 - foto {n}.jpg" for n in (1, 2, 3)
    ]


async def test_an_album_sent_straight_is_asked_about_once(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    """Photos sent without /kirim: one question for the album, counting on in place; the
    answer takes them all, numbered."""
    calls = []
    for n in range(3):
        calls += await bot.send_photo(KERINCI, b"\xff\xd8\xff" + bytes([n + 7]) * 500, "album2")
    assert [c.method for c in calls if c.text] == ["sendMessage", *["editMessageText"] * 2]
    assert "Berkas diterima (3 berkas):" in calls[-1].text
    assert "Untuk butir mana berkas ini?" in calls[-1].text
    question = next(c for c in calls if c.method == "sendMessage")
    confirmation = sent(await bot.press(KERINCI, "kr:a:RPL-01", on=question))[0]
    assert "foto 1.jpg" in confirmation and "foto 3.jpg" in confirmation
    assert "Jumlah berkas: 3." in confirmation


async def test_no_activity_with_a_note(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KUL, "/kirim")
    await bot.press(KUL, "kr:i:HBH-03")
    _, ask = await bot.press(KUL, "kr:n")
    assert ask.text == texts.ASK_NOTE
    [short] = await bot.send(KUL, "-")
    assert short.text == texts.NOTE_TOO_SHORT
    [summary] = await bot.send(KUL, "Tidak ada kegiatan hibah pada bulan ini")
    assert "Nihil. Keterangan: Tidak ada kegiatan hibah" in summary.text
    await bot.press(KUL, "kr:c")
    row = states(core)[("KUL", "HBH-03")]
    assert (row.status, row.delivery) == ("dikirim", "nihil")
    await outbox.drain(bot.context())
    [notice] = [c for c in bot.take() if c.chat_id == SATGAS.id and c.method == "sendMessage"]
    assert "Nihil. Keterangan: Tidak ada kegiatan hibah pada bulan ini" in notice.text


async def test_each_delivery_is_a_new_version_and_old_ones_are_kept(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    assert "versi 1" in await deliver_pdf(bot, KERINCI, "KEU-01", "a.pdf")
    assert "versi 2" in await deliver_pdf(bot, KERINCI, "KEU-01", "b.pdf")
    await bot.send(KERINCI, "/kirim")
    _, detail = await bot.press(KERINCI, "kr:i:KEU-01")
    assert "Kiriman terakhir: versi 2" in detail.text and "b.pdf" in detail.text
    assert ("↩️ Tarik kiriman", "kr:w:KEU-01:2") in detail.buttons
    calls = await bot.press(KERINCI, "kr:w:KEU-01:2")
    assert sent(calls)[0] == texts.withdrawn("KEU-01", 2)
    assert "Status: ⬜ kosong" in sent(calls)[1]
    assert states(core)[("1501", "KEU-01")].status == "kosong"
    assert "versi 3" in await deliver_pdf(bot, KERINCI, "KEU-01", "c.pdf")
    rows = submissions(core)
    assert [(s.version, s.withdrawn_at is not None) for s in rows] == [
        (1, False),
        (2, True),
        (3, False),
    ]


async def test_the_same_file_twice_is_stored_once(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-02")
    await bot.press(KERINCI, "kr:f")
    await bot.send_document(KERINCI, "spj.pdf", PDF)
    [ack] = sent(await bot.send_document(KERINCI, "spj-lagi.pdf", PDF))
    # the same content again is not a second file of the delivery (issue 13/15: it was
    # "not stored twice" and yet counted, listed and forwarded twice)
    assert "sama dengan spj.pdf" in ack and "Jumlah berkas dalam kiriman ini: 1" in ack
    stored = [p for p in core.evidence.root.rglob("*") if p.is_file()]
    assert len(stored) == 1


async def test_oversized_and_wrong_type_files_are_refused_before_download(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    calls = await bot.send_document(KERINCI, "scan.pdf", b"x", size=25 * 1024 * 1024)
    assert [c.method for c in calls] == ["sendMessage"]  # no getFile, no download
    assert calls[0].text == texts.file_too_large(20)
    assert "batas 20 MB" in calls[0].text and "kompres" in calls[0].text
    calls = await bot.send_document(KERINCI, "virus.exe", b"MZ", "application/octet-stream")
    assert [c.method for c in calls] == ["sendMessage"]
    assert "DOC, DOCX, HEIC, HEIF, JPG, PDF, PNG, XLS, XLSX, ZIP" in calls[0].text
    [sticker] = await bot.send_sticker(KERINCI)  # named for what it is (issue 15)
    assert sticker.text.startswith("Yang Anda kirim adalah stiker, bukan berkas.")
    [hint] = await bot.send(KERINCI, "ini laporannya pak")
    assert hint.text == texts.TEXT_INSTEAD_OF_FILE
    _, nothing = await bot.press(KERINCI, "kr:d")
    assert nothing.text == texts.NO_FILES_YET
    assert states(core) == {} and submissions(core) == []


async def test_download_is_retried_and_a_failure_saves_nothing(
    bot: TelegramHarness, core: Core, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("chatbot.services.submission.DOWNLOAD_BACKOFF_SECONDS", 0)
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    bot.request.failing_downloads = 2
    calls = await bot.send_document(KERINCI, "lra.pdf", PDF)
    assert [c.method for c in calls].count("download") == 3
    assert sent(calls)[0].startswith("Berkas diterima: lra.pdf")
    bot.request.failing_downloads = 3
    calls = await bot.send_document(KERINCI, "spj.pdf", PDF + b"2")
    assert sent(calls) == [texts.download_failed("spj.pdf")]
    _, summary = await bot.press(KERINCI, "kr:d")
    assert "lra.pdf" in summary.text and "spj.pdf" not in summary.text


async def test_another_units_item_is_refused(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KUL, "/kirim")
    calls = await bot.press(KUL, "kr:i:KPG-01")  # a forged button: HSDM's item
    assert sent(calls) == [texts.SUBMISSION_ERRORS["not_owed"]]
    calls = await bot.press(KUL, f"kr:i:{UNIT_CARD_ITEM}")  # departments have no signed card
    assert sent(calls) == [texts.SUBMISSION_ERRORS["not_owed"]]
    [refused] = await bot.send(KETUA, "/kirim")
    assert refused.text == texts.NOT_ALLOWED


async def test_closed_period_refuses_and_no_open_period_is_explained(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:n")
    await bot.send(KERINCI, "Tidak ada kegiatan")
    with Session(core.engine) as session:  # the hand-over happens meanwhile
        period = session.get(PeriodRow, P.code)
        assert period is not None
        period.closed_at = datetime(2026, 11, 18, tzinfo=UTC)
        session.add(period)
        session.commit()
    assert sent(await bot.press(KERINCI, "kr:c")) == [texts.SUBMISSION_ERRORS["period_closed"]]
    assert submissions(core) == []
    assert sent(await bot.send(KERINCI, "/kirim")) == [texts.NO_OPEN_PERIOD]


async def test_approved_item_cannot_be_changed(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    approve(core, people["satgas"], "1501", "KEU-01")
    await bot.send(KERINCI, "/kirim")
    _, detail = await bot.press(KERINCI, "kr:i:KEU-01")
    assert "Status: ✅ disetujui" in detail.text and texts.ITEM_LOCKED in detail.text
    assert [d for _, d in detail.buttons] == ["kr:b"]
    assert sent(await bot.press(KERINCI, "kr:f")) == [texts.STEP_NOT_AVAILABLE]  # forged
    # a file sent now is not for the approved item: it is kept apart, and the bot asks
    [question] = sent(await bot.send_document(KERINCI, "baru.pdf", PDF + b"baru"))
    assert "Untuk butir mana berkas ini?" in question
    assert sent(await bot.press(KERINCI, "kr:a:KEU-01")) == [texts.ITEM_TAKES_NO_FILES]
    assert sent(await bot.press(KERINCI, "kr:c")) == [texts.ITEM_LOCKED]  # the domain says no
    assert states(core)[("1501", "KEU-01")].status == ItemStatus.DISETUJUI


async def test_stale_confirmation_after_the_item_changed(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    await bot.send_document(KERINCI, "lra-budi.pdf", PDF)
    await bot.press(KERINCI, "kr:d")
    await deliver_pdf(bot, KERINCI2, "KEU-01", "lra-ani.pdf")  # a colleague, meanwhile
    assert sent(await bot.press(KERINCI, "kr:c")) == [texts.SUBMISSION_ERRORS["stale_version"]]
    assert [s.version for s in submissions(core)] == [1]


async def test_cancel_keeps_the_files_as_a_draft_and_sends_nothing(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    await bot.send_document(KERINCI, "lra.pdf", PDF)
    [closed] = sent(await bot.send(KERINCI, "/batal"))
    assert "tetap tersimpan sebagai draf (butir KEU-01: 1 berkas)" in closed
    assert "belum dikirim" in closed
    [stale] = sent(await bot.press(KERINCI, "kr:c"))
    assert stale.startswith("Sesi pengiriman tersebut sudah berakhir.") and "KEU-01" in stale
    assert sent(await bot.send(KERINCI, "/batal")) == [texts.NOTHING_TO_CANCEL]
    assert states(core) == {} and submissions(core) == []
    # discarded from the item: gone, and said so
    await bot.send(KERINCI, "/kirim")
    _, detail = await bot.press(KERINCI, "kr:i:KEU-01")
    assert "📝 Draf belum dikirim (1 berkas):" in detail.text and "lra.pdf" in detail.text
    assert [d for _, d in detail.buttons] == [
        "kr:c:2026-10:KEU-01:0",
        "kr:z:2026-10:KEU-01",
        "kr:b",
    ]
    said = sent(await bot.press(KERINCI, "kr:z:2026-10:KEU-01"))
    assert said[0] == texts.draft_discarded(1) and "Draf belum dikirim" not in said[1]
    assert core.services.submission.drafts(people["kerinci"].id) == {}


async def test_restart_keeps_everything_confirmed(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await deliver_pdf(bot, KERINCI, "KEU-01")
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-02")
    await bot.press(KERINCI, "kr:f")
    await bot.send_document(KERINCI, "spj.pdf", PDF + b"spj")
    await bot.press(KERINCI, "kr:d")  # half-way: not confirmed when the bot restarts
    await bot.app.shutdown()
    async with TelegramHarness(core) as restarted:
        [stale] = sent(await restarted.press(KERINCI, "kr:c"))
        assert "tetap tersimpan sebagai draf (butir KEU-02: 1 berkas)" in stale
        [checklist] = await restarted.send(KERINCI, "/kirim")
        labels = [label for label, _ in checklist.buttons]
        assert "📤 KEU-01 Laporan realisasi anggaran (LRA)" in labels
        assert "⬜📝 KEU-02 Verifikasi pertanggungjawaban keuangan (SPJ)" in labels
        assert "📝 Draf belum dikirim (butir KEU-02: 1 berkas)" in checklist.text
        _, detail = await restarted.press(KERINCI, "kr:i:KEU-01")
        assert "Kiriman terakhir: versi 1" in detail.text
        _, draft = await restarted.press(KERINCI, "kr:i:KEU-02")  # the draft survived
        assert "spj.pdf" in draft.text
        assert ("✅ Kirim draf", "kr:c:2026-10:KEU-02:0") in draft.buttons
        receipt = sent(await restarted.press(KERINCI, "kr:c"))[0]
        assert "KEU-02" in receipt and "versi 1 (1 berkas)" in receipt
    assert [(s.version, s.item_state_id) for s in submissions(core)] == [
        (1, states(core)[("1501", "KEU-01")].id),
        (1, states(core)[("1501", "KEU-02")].id),
    ]
    assert core.services.submission.drafts(people["kerinci"].id) == {}
    await bot.app.initialize()  # the fixture shuts it down again


async def test_signed_card_waits_for_100_percent(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    await bot.send(KERINCI, "/kirim")
    _, not_ready = await bot.press(KERINCI, f"kr:i:{UNIT_CARD_ITEM}")
    assert not_ready.text.startswith("Kartu kendali bertanda tangan baru dapat dikirim setelah")
    assert "KEU-01 Laporan realisasi anggaran (LRA)" in not_ready.text
    with core.uow() as uow:
        owed = [i for i in uow.catalogue.load().items if i.owed_by_unit(people["kerinci"].unit)]
    for item in owed:
        if item.required:
            await deliver_pdf(bot, KERINCI, item.code, f"{item.code}.pdf")
            approve(core, people["satgas"], "1501", item.code)
    [checklist] = await bot.send(KERINCI, "/kirim")
    assert "Kelengkapan: 100% (17 dari 17" in checklist.text
    receipt = await deliver_pdf(bot, KERINCI, UNIT_CARD_ITEM, "kartu-kendali-ttd.pdf")
    assert "Kartu kendali bertanda tangan telah diterima sebagai versi 1" in receipt.replace(
        f"butir {UNIT_CARD_ITEM} ", ""
    )
    assert states(core)[("1501", UNIT_CARD_ITEM)].status == "dikirim"


async def test_late_delivery_is_accepted_and_marked(
    bot: TelegramHarness, core: Core, people: dict[str, Person], clock: object
) -> None:
    clock.now = datetime(2026, 11, 12, 3, 0, tzinfo=UTC)  # type: ignore[attr-defined]
    receipt = await deliver_pdf(bot, KERINCI, "KEU-01")
    assert "dicatat sebagai terlambat" in receipt
    assert submissions(core)[0].late
    await outbox.drain(bot.context())
    [notice] = [c for c in bot.take() if c.chat_id == SATGAS.id and c.method == "sendMessage"]
    assert notice.text.startswith("Kiriman baru untuk diperiksa (terlambat)")


async def test_a_conversation_left_half_way_expires(core: Core, people: dict[str, Person]) -> None:
    # the time-out is PTB's job; it is run here by hand rather than waited for, so a slow
    # machine can neither make it fire early (between two steps) nor late (after the sleep)
    core.services = replace(core.services, conversation_timeout=timedelta(hours=1))
    async with TelegramHarness(core) as bot:
        await bot.app.start()
        try:
            await bot.send(KERINCI, "/kirim")
            await bot.press(KERINCI, "kr:i:KEU-01")
            await bot.press(KERINCI, "kr:f")
            await bot.send_document(KERINCI, "lra.pdf", PDF)
            assert bot.app.job_queue is not None
            [timeout] = [
                job
                for job in bot.app.job_queue.jobs()
                if getattr(job.callback, "__name__", "") == "_trigger_timeout"
            ]
            timeout.schedule_removal()
            await timeout.run(bot.app)
            [ended] = [t for t in texts_to(bot.take(), KERINCI.id) if "tidak ada tanggapan" in t]
            assert "tetap tersimpan sebagai draf (butir KEU-01: 1 berkas)" in ended
            [stale] = sent(await bot.press(KERINCI, "kr:d"))
            assert "tetap tersimpan sebagai draf (butir KEU-01: 1 berkas)" in stale
        finally:
            await bot.app.stop()
    assert states(core) == {}


async def test_digest_mode_tells_the_satgas_once_about_many_deliveries(
    core: Core, people: dict[str, Person]
) -> None:
    core.services.submission.notify_each_delivery = False  # SPIP_REVIEW_NOTIFY=digest
    async with TelegramHarness(core) as bot:
        await deliver_pdf(bot, KERINCI, "KEU-01")
        await deliver_pdf(bot, KERINCI, "KEU-02")
        await deliver_pdf(bot, KUL, "KEU-01")
        await outbox.drain(bot.context())
        assert texts_to(bot.take(), SATGAS.id) == []  # nothing one by one
        assert core.services.submission.announce_digest() == 3
        assert core.services.submission.announce_digest() == 0
        await outbox.drain(bot.context())
        [digest] = [c for c in bot.take() if c.chat_id == SATGAS.id and c.method == "sendMessage"]
    assert digest.text.startswith("Kiriman baru untuk diperiksa: 3 butir")
    assert "KPU Kabupaten Kerinci: KEU-02 Verifikasi pertanggungjawaban keuangan (SPJ) versi 1" in (
        digest.text
    )
    assert "Bagian Keuangan, Umum dan Logistik: KEU-01" in digest.text
    # the same file three times: the two after the first carry the evidence check's finding
    assert digest.text.count("versi 1 ⚠️ 1 catatan pemeriksaan otomatis") == 2
    assert digest.buttons == [("🔎 Periksa (3)", "rp:go")]  # into the desk, oldest first


async def test_the_digest_counts_only_what_its_reader_decides(
    core: Core, people: dict[str, Person]
) -> None:
    """The satgas' own delivery (the province's RPL-01) is not in his digest: it went to
    Kabag HSDM at once, and "Periksa (N)" counts what he can decide."""
    from tests.handlers.conftest import HSDM

    join(core, HSDM, "15", "kabag_hsdm")
    core.services.submission.notify_each_delivery = False  # SPIP_REVIEW_NOTIFY=digest
    async with TelegramHarness(core) as bot:
        await deliver_pdf(bot, KERINCI, "KEU-01")
        await deliver_pdf(bot, SATGAS, "RPL-01", "notulen.pdf")
        await outbox.drain(bot.context())
        told = bot.take()
        [second] = [c for c in told if c.chat_id == HSDM.id and c.method == "sendMessage"]
        assert "RPL-01" in second.text and "Sari Satgas" in second.text
        assert core.services.submission.announce_digest() == 2
        await outbox.drain(bot.context())
        [digest] = [c for c in bot.take() if c.chat_id == SATGAS.id and c.method == "sendMessage"]
        [queue] = await bot.send(SATGAS, "/antrian")
    assert digest.text.startswith("Kiriman baru untuk diperiksa: 1 butir")
    assert "RPL-01" not in digest.text
    assert digest.buttons == [("🔎 Periksa", "rp:go")]  # one delivery: no count
    assert "RPL-01" not in queue.text and "KPU Kabupaten Kerinci: 1" in queue.text


async def test_closing_after_a_confirmed_delivery_says_it_was_kept(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    """Issue 15, 1: "Tutup" and a time-out after confirmed deliveries said nothing was saved."""
    await deliver_pdf(bot, KERINCI, "KEU-01")
    [closed] = sent(await bot.press(KERINCI, "kr:x"))
    assert "1 kiriman yang sudah Anda konfirmasi dalam sesi ini tetap tersimpan" in closed
    assert "Tidak ada yang disimpan" not in closed and "Tidak ada perubahan" not in closed
    await bot.send(KERINCI, "/kirim")
    [closed] = sent(await bot.press(KERINCI, "kr:x"))
    assert "Tidak ada perubahan pada data Anda" in closed


async def test_a_large_png_is_told_its_size_not_its_type(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    """PNG is allowed: a 22 MB one is refused for its size, with what to do."""
    await bot.send(KERINCI, "/kirim")
    await bot.press(KERINCI, "kr:i:KEU-01")
    await bot.press(KERINCI, "kr:f")
    calls = await bot.send_document(
        KERINCI, "scan.png", b"\x89PNG\r\n", mime_type="image/png", size=22 * 1024 * 1024
    )
    [answer] = sent(calls)
    assert answer.startswith("Mohon maaf, berkas melebihi batas")
    assert "jenis berkas" not in answer
