"""Evidence checked when it arrives, on both channels, with real files made here: the same
file under two names, a damaged PDF, a password-protected one, an empty scan, a blank form
the admin registered, a September document in October, an iPhone photo (HEIC). The submitter
reads each finding before sending; the reviewer reads it on the notice and at the desk; the
record keeps it; only an unreadable file is refused."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image
from pillow_heif import register_heif_opener
from sqlmodel import Session, select

from chatbot import callbacks, texts
from chatbot.app import Core
from storage.models import SubmissionFileRow, SubmissionRow
from tests.contract.drivers import Driver, Seen, TelegramDriver, Who, command
from tests.contract.test_contract import (
    at_desk,
    last,
    notice_about,
    open_item,
    regency,
)
from tests.support.pdf import blank_pdf, encrypted_pdf, real_pdf, text_pdf

LRA = real_pdf(2, "Laporan realisasi anggaran bulan Oktober 2026")


async def file_for(driver: Driver, who: Who, code: str, name: str, data: bytes) -> Seen:
    """The item opened, "send a file" pressed and the file sent: the file's answer."""
    item = await open_item(driver, who, code)
    await driver.press(who, item.action(callbacks.KIRIM_FILES))
    return last(await driver.send_file(who, name, data, "application/pdf"))


async def send(driver: Driver, who: Who, answer: Seen) -> None:
    receipts = await driver.press(who, answer.action(callbacks.KIRIM_CONFIRM))
    assert any(s.text.startswith("Terima kasih") for s in receipts)


async def test_the_same_file_under_another_name_is_named_to_both(
    driver: Driver, core: Core
) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    first = await file_for(driver, budi, "KEU-01", "LRA Oktober.pdf", LRA)
    assert "Perhatian" not in first.text
    await send(driver, budi, first)
    again = await file_for(driver, budi, "KEU-02", "SPJ Oktober.pdf", LRA)
    said = (
        "Berkas SPJ Oktober.pdf sama dengan kiriman KPU Kabupaten Kerinci untuk butir KEU-01 "
        "Laporan realisasi anggaran (LRA) bulan Oktober 2026; pastikan berkas ini memang bukti "
        "untuk butir ini."
    )
    assert f"⚠️ Perhatian:\n• {said}" in again.text
    assert "Kiriman tetap dapat dikirim" in again.text  # a warning, not a refusal
    await send(driver, budi, again)
    notice = await notice_about(driver, satgas, "KEU-02")
    fact = (
        "• Berkas SPJ Oktober.pdf sama dengan kiriman KPU Kabupaten Kerinci untuk butir KEU-01 "
        "Laporan realisasi anggaran (LRA) bulan Oktober 2026."
    )
    assert f"⚠️ Pemeriksaan otomatis:\n{fact}" in notice.text
    desk = await at_desk(driver, satgas, notice)
    assert fact in desk.text
    # returned, then the same file sent again for it: named as the returned version
    await driver.press(satgas, desk.action("rp:no:"))
    question = last(await driver.say(satgas, "Bukan berkas SPJ"))
    await driver.press(satgas, question.action("rt:y"))
    await driver.notices()
    resent = await file_for(driver, budi, "KEU-02", "SPJ Oktober (2).pdf", LRA)
    assert (
        "• Berkas SPJ Oktober (2).pdf sama persis dengan versi 1 yang dikembalikan; kirimkan "
        "berkas yang sudah diperbaiki sesuai alasan pengembalian." in resent.text
    )
    with Session(core.engine) as session:
        rows = session.exec(select(SubmissionRow).order_by(SubmissionRow.id)).all()
    assert rows[0].findings == ""
    assert '"kind": "sama"' in rows[1].findings and '"item": "KEU-01"' in rows[1].findings


async def test_a_deliverys_first_pages_are_ready_before_the_desk_opens_it(
    driver: Driver, core: Core
) -> None:
    """Rendered as the delivery is confirmed (in the background): the desk shows the picture
    and renders nothing, so on Telegram no "sending a photo" action precedes it either."""
    previews = core.services.previews
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    sha256 = core.evidence.put_bytes(LRA).sha256
    answer = await file_for(driver, budi, "KEU-01", "LRA Oktober.pdf", LRA)
    assert previews.cached(sha256) is None  # a file received is not rendered yet
    await send(driver, budi, answer)
    previews.settle()
    ready = previews.cached(sha256)
    assert ready is not None and ready.pages == 2 and ready.picture is not None
    rendered = ready.picture.stat().st_mtime_ns
    notice = await notice_about(driver, satgas, "KEU-01")
    opener = next(d for _, d in notice.actions if d.startswith("rp:op:"))
    history = len(driver.bot.request.history) if isinstance(driver, TelegramDriver) else 0
    shown = await driver.press(satgas, opener)
    assert [s.text for s in shown if s.document == "gambar"] == [
        "KEU-01 · KPU Kabupaten Kerinci · versi 1\nLRA Oktober.pdf, halaman 1 dari 2"
    ]
    assert ready.picture.stat().st_mtime_ns == rendered  # the one rendered ahead
    if isinstance(driver, TelegramDriver):
        methods = [c.method for c in driver.bot.request.history[history:]]
        assert "sendChatAction" not in methods and "sendPhoto" in methods, methods


async def test_an_unreadable_pdf_is_refused_with_what_to_do(driver: Driver, core: Core) -> None:
    budi = await regency(driver)
    damaged = real_pdf(3, "rusak")[:300]  # cut off in the middle of the transfer
    refused = await file_for(driver, budi, "KEU-01", "LRA rusak.pdf", damaged)
    assert refused.text == texts.unreadable("LRA rusak.pdf", "rusak")
    assert "rusak dan tidak dapat dibuka" in refused.text and "kirim kembali" in refused.text
    locked = last(
        await driver.send_file(budi, "LRA bersandi.pdf", encrypted_pdf(), "application/pdf")
    )
    assert locked.text == texts.unreadable("LRA bersandi.pdf", "sandi")
    assert "dilindungi kata sandi" in locked.text
    empty = io.BytesIO()
    pdfium.PdfDocument.new().save(empty)  # a PDF of no pages, right after the password one
    nothing = last(await driver.send_file(budi, "LRA.pdf", empty.getvalue(), "application/pdf"))
    assert nothing.text == texts.unreadable("LRA.pdf", "kosong")
    with Session(core.engine) as session:  # nothing kept of either
        assert not session.exec(select(SubmissionFileRow)).all()
    fine = last(await driver.send_file(budi, "LRA.pdf", LRA, "application/pdf"))
    assert "Berkas diterima: LRA.pdf" in fine.text and "versi 1" in fine.text


async def test_an_empty_scan_and_an_unfilled_form_are_named(driver: Driver, core: Core) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    scan = await file_for(driver, budi, "KEU-01", "scan0001.pdf", blank_pdf())
    assert "Berkas scan0001.pdf tampak kosong" in scan.text
    await send(driver, budi, scan)
    form = text_pdf(["FORMULIR KARTU KENDALI KEUANGAN", "Nama unit: ....", "Bulan: ...."])
    assert core.services.submission.register_template(form, "Formulir kartu kendali keuangan")
    assert not core.services.submission.register_template(form, "lagi")  # once
    unfilled = await file_for(driver, budi, "KEU-02", "kartu keuangan.pdf", form)
    assert (
        "Berkas kartu kendali keuangan.pdf" not in unfilled.text
        and "Berkas kartu keuangan.pdf sama persis dengan formulir kosong "
        "\u201cFormulir kartu kendali keuangan\u201d; formulir ini tampaknya belum diisi."
        in unfilled.text
    )
    await send(driver, budi, unfilled)
    told = (await driver.notices())[satgas.address]
    notice = next(s for s in told if "KEU-02" in s.text)
    assert "sama persis dengan formulir kosong" in notice.text and "belum diisi." in notice.text
    first = next(s for s in told if "KEU-01" in s.text)
    assert "• Berkas scan0001.pdf tampak kosong" in first.text


async def test_a_september_document_sent_for_october_is_a_warning(driver: Driver) -> None:
    budi = await regency(driver)
    september = text_pdf(
        [
            "LAPORAN REALISASI ANGGARAN",
            "Bulan September 2026",
            "Periode 1 s.d. 30 September 2026",
            "Jambi, 3 Oktober 2026",
        ]
    )
    answer = await file_for(driver, budi, "KEU-01", "LRA.pdf", september)
    assert (
        "Dokumen LRA.pdf menyebut September 2026, sedangkan kiriman ini untuk bulan Oktober "
        "2026; pastikan dokumennya untuk bulan Oktober 2026." in answer.text
    )
    await send(driver, budi, answer)  # still sent: the reviewer decides
    signed_in_november = text_pdf(["Laporan bulan Oktober 2026", "Jambi, 4 November 2026"])
    fine = await file_for(driver, budi, "KEU-02", "SPJ.pdf", signed_in_november)
    assert "Perhatian" not in fine.text


async def test_an_iphone_photo_is_converted_and_accepted(driver: Driver, core: Core) -> None:
    register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 90, 160)).save(out, "HEIF")
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-01")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    answer = last(await driver.send_file(budi, "IMG_0412.HEIC", out.getvalue(), "image/heic"))
    assert "Berkas diterima: IMG_0412.jpg" in answer.text
    await send(driver, budi, answer)
    with Session(core.engine) as session:
        [stored] = session.exec(select(SubmissionFileRow)).all()
    assert stored.file_name == "IMG_0412.jpg" and stored.mime_type == "image/jpeg"
    with core.evidence.open(stored.sha256) as handle:
        assert Image.open(handle).format == "JPEG"


async def test_the_rapor_in_chat(driver: Driver, core: Core) -> None:
    """/rapor: the satgas reads every unit ranked with its figures, then the picture; a
    regency reads its own months, quarters and year."""
    from bench.scorecard import generate_months
    from chatbot.domain.calendar import Period

    generate_months(core, [Period(2026, m) for m in range(7, 11)], seed=5)
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    seen = await driver.say(satgas, command(driver, "rapor"))
    text = next(s for s in seen if s.text.startswith("📈 Rapor Kepatuhan"))
    assert "Bulan dinilai: Juli 2026 s.d. Oktober 2026 (4 bulan)." in text.text
    assert "Urutan menurut indeks:\n1. " in text.text and "KPU Kabupaten Kerinci: " in text.text
    assert "tepat waktu " in text.text and " dari 4 bulan, lengkap " in text.text
    assert any(s.document == "gambar" for s in seen)  # the picture for a phone
    own = next(s for s in await driver.say(budi, command(driver, "rapor")) if "📈" in s.text)
    assert own.text.startswith("📈 Rapor KPU Kabupaten Kerinci 2026")
    assert "Oktober 2026: tepat waktu " in own.text and "Triwulan III 2026: " in own.text
    assert "KPU Kota Jambi" not in own.text
    wrong = last(await driver.say(budi, command(driver, "rapor") + " duaribu"))
    assert wrong.text.startswith("Tahun rapor ditulis empat angka, misalnya: ")
