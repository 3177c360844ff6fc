"""What a person sees, written once and played on Telegram and on WhatsApp (SQLite, and
PostgreSQL when configured): deliver with a file, "tidak ada kegiatan", withdraw, a return
with a reason and the resubmission, the status, and a refusal. A difference between the
channels here is a gap in parity."""

from __future__ import annotations

from chatbot import callbacks, texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.contract.conftest import OCTOBER
from tests.contract.drivers import Driver, Seen, Who, command

NOVEMBER = Period(2026, 11)
PDF = b"%PDF-1.4 laporan realisasi anggaran oktober " * 20


def last(seen: list[Seen]) -> Seen:
    assert seen, "the bot said nothing"
    return seen[-1]


async def regency(driver: Driver) -> Who:
    who = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()  # the kick-off
    return who


async def open_item(driver: Driver, who: Who, code: str) -> Seen:
    checklist = last(await driver.say(who, command(driver, "kirim")))
    assert "Kelengkapan: 0%" in checklist.text
    return last(await driver.press(who, checklist.action(callbacks.kirim_item(code))))


async def deliver_file(driver: Driver, who: Who, code: str, name: str) -> Seen:
    item = await open_item(driver, who, code)
    ask = last(await driver.press(who, item.action(callbacks.KIRIM_FILES)))
    received = last(await driver.send_file(who, name, PDF, "application/pdf"))
    assert f"Berkas diterima: {name}" in received.text
    summary = last(await driver.press(who, received.action(callbacks.KIRIM_DONE)))
    assert ask.action(callbacks.KIRIM_DONE) and "versi 1" in summary.text
    receipts = await driver.press(who, summary.action(callbacks.KIRIM_CONFIRM))
    return next(s for s in receipts if s.text.startswith("Terima kasih"))


async def test_deliver_one_item_with_a_file(driver: Driver, core: Core) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    receipt = await deliver_file(driver, budi, "KEU-01", "LRA Oktober.pdf")
    assert "KEU-01" in receipt.text and "versi 1 (1 berkas)" in receipt.text

    told = (await driver.notices())[satgas.address]
    assert [s.document for s in told if s.document] == ["LRA Oktober.pdf"]
    notice = next(s for s in told if "KEU-01" in s.text and not s.document)
    assert notice.action("rv:ok:") and notice.action("rv:no:")


async def test_no_activity_with_a_note(driver: Driver) -> None:
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-02")
    ask = last(await driver.press(budi, item.action(callbacks.KIRIM_NIHIL)))
    assert ask.text == texts.ASK_NOTE
    summary = last(await driver.say(budi, "Tidak ada hibah pada bulan Oktober"))
    assert "Tidak ada kegiatan. Keterangan: Tidak ada hibah pada bulan Oktober" in summary.text
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any("versi 1 (pernyataan tidak ada kegiatan)" in s.text for s in receipts)
    closed = last(await driver.say(budi, command(driver, "batal")))
    assert "1 kiriman yang sudah Anda konfirmasi dalam sesi ini tetap tersimpan" in closed.text


async def test_withdraw_a_delivery(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await driver.say(budi, command(driver, "batal"))
    item = await open_item_again(driver, budi, "KEU-01")
    assert "dikirim, menunggu pemeriksaan" in item.text
    seen = await driver.press(budi, item.action(f"{callbacks.KIRIM_WITHDRAW}:KEU-01:1"))
    assert any("Kiriman versi 1 untuk butir KEU-01 telah ditarik" in s.text for s in seen)
    after = last(seen)
    assert "Status: ⬜ kosong" in after.text
    assert not [d for _, d in after.actions if d.startswith(callbacks.KIRIM_WITHDRAW)]


async def open_item_again(driver: Driver, who: Who, code: str) -> Seen:
    checklist = last(await driver.say(who, command(driver, "kirim")))
    return last(await driver.press(who, checklist.action(callbacks.kirim_item(code))))


async def test_return_with_a_reason_and_resubmit(driver: Driver) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    notice = next(
        s for s in (await driver.notices())[satgas.address] if s.actions and "KEU-01" in s.text
    )
    ask = last(await driver.press(satgas, notice.action("rv:no:")))
    assert "alasan" in ask.text.lower()
    question = last(await driver.say(satgas, "Tanda tangan kepala belum ada"))
    assert "Tanda tangan kepala belum ada" in question.text
    decided = await driver.press(satgas, question.action("rt:y"))
    assert any("Dikembalikan oleh Sari" in s.text for s in decided)

    told = (await driver.notices())[budi.address]
    assert any("dikembalikan" in s.text and "Tanda tangan kepala belum ada" in s.text for s in told)
    item = await open_item_again(driver, budi, "KEU-01")
    assert "Alasan pengembalian: Tanda tangan kepala belum ada" in item.text
    ask = last(await driver.press(budi, item.action(callbacks.KIRIM_FILES)))
    received = last(await driver.send_file(budi, "LRA ttd.pdf", PDF + b"ttd", "application/pdf"))
    summary = last(await driver.press(budi, received.action(callbacks.KIRIM_DONE)))
    assert ask.text and "versi 2" in summary.text
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any("sebagai versi 2 (1 berkas)" in s.text for s in receipts)


async def test_status_of_the_unit(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await driver.say(budi, command(driver, "batal"))
    status = await driver.say(budi, command(driver, "status"))
    text = "\n".join(s.text for s in status)
    assert "KPU Kabupaten Kerinci" in text and "KEU-01" in text


async def test_a_regency_cannot_approve(driver: Driver) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    notice = next(
        s for s in (await driver.notices())[satgas.address] if s.actions and "KEU-01" in s.text
    )
    refused = await driver.press(budi, notice.action("rv:ok:"))
    assert any(texts.REVIEW_ERRORS["not_your_role"] in s.text for s in refused)
    item = await open_item_again(driver, budi, "KEU-01")
    assert "dikirim, menunggu pemeriksaan" in item.text  # nothing was approved


async def test_idle_session_ends_saying_what_was_kept(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    item = await open_item_again(driver, budi, "KEU-02")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    await driver.send_file(budi, "hibah.pdf", PDF + b"hibah", "application/pdf")
    ended = last(await driver.idle(budi))
    assert ended.text.startswith("Sesi pengiriman berakhir karena tidak ada tanggapan.")
    assert "1 berkas untuk butir KEU-02" in ended.text and "tidak dikirim" in ended.text
    assert "Tidak ada yang disimpan" not in ended.text


async def test_another_open_period(driver: Driver) -> None:
    budi = await regency(driver)
    driver.core.services.submission.open_period(NOVEMBER)
    await driver.notices()
    checklist = last(await driver.say(budi, command(driver, "kirim")))
    assert "Periode: November 2026" in checklist.text
    october = last(await driver.press(budi, checklist.action(callbacks.kirim_period(OCTOBER))))
    assert "Periode: Oktober 2026" in october.text
    item = last(await driver.press(budi, october.action(callbacks.kirim_item("KEU-01"))))
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    received = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    summary = last(await driver.press(budi, received.action(callbacks.KIRIM_DONE)))
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any(s.text.startswith("Terima kasih. Kiriman untuk butir KEU-01") for s in receipts)
    with driver.core.uow() as uow:  # recorded for October, not November
        assert uow.items.for_unit(OCTOBER, "1501")["KEU-01"].version == 1
        assert "KEU-01" not in uow.items.for_unit(NOVEMBER, "1501")
