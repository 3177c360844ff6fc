"""/status, the picture, /rekap and /paket for a period with every status present, checked
against the database; and the refusals."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import datetime

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import Session, select

from chatbot import cli, texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.workflow import UNIT_CARD_ITEM, ItemStatus
from chatbot.export.picture import picture_size
from chatbot.export.workbook import STATUS_TEXT
from storage.models import AuditRow, ItemStateRow
from tests.handlers.conftest import HUKUM, KERINCI, KUL, MERANGIN, SATGAS
from tests.handlers.test_chain import Month
from tests.support.pdf import real_pdf
from tests.support.telegram import Call, TelegramHarness, give_card_step

P = Period(2026, 10)


@pytest.fixture
async def month(small_bot: TelegramHarness, small_core: Core) -> Month:
    """Every status present: disetujui, dikembalikan (with a reason), dikirim, kosong,
    tidak ada kegiatan; a regency card delivered; the provincial card half-initialled."""
    m = Month(small_bot)
    bot = small_bot
    small_core.services.submission.open_period(P)
    await m.inbox()  # the kick-offs
    await m.deliver(KERINCI, "KEU-01", "lra-kerinci.pdf")
    await m.deliver(KERINCI, "RPL-01", "pleno-kerinci.pdf")
    await m.deliver(MERANGIN, "KEU-01", "lra-merangin.pdf")
    await bot.send(KUL, "/kirim")
    await bot.press(KUL, "kr:i:KEU-01")
    await bot.press(KUL, "kr:n")
    await bot.send(KUL, "Tidak ada realisasi bulan ini")
    await bot.press(KUL, "kr:c")
    notices = [c for c in (await m.inbox())[SATGAS.id] if c.buttons]
    assert ["Kerinci" in n.text for n in notices] == [True, True, False, False]
    await m.approve(notices[0])
    await m.approve(notices[1])
    await m.give_back(SATGAS, notices[2], "Tanda tangan bendahara kurang")
    await m.approve(notices[3])
    await m.deliver(MERANGIN, "RPL-01", "pleno-merangin.pdf")
    await m.deliver(KERINCI, UNIT_CARD_ITEM, "kartu-kerinci.pdf")
    await bot.send(SATGAS, "/kirim")
    await bot.press(SATGAS, "kr:i:KARTU_PROV")
    await bot.press(SATGAS, "kr:f")
    await bot.send_document(SATGAS, "draft.pdf", real_pdf(note="draft"))
    await bot.press(SATGAS, "kr:d")
    await bot.press(SATGAS, "kr:c")
    inbox = await m.inbox()
    notice = next(c for c in inbox[HUKUM.id] if c.buttons)
    await give_card_step(bot, HUKUM, notice)
    await m.inbox()
    return m


def db_states(core: Core) -> dict[tuple[str, str], ItemStateRow]:
    with Session(core.engine) as session:
        rows = session.exec(select(ItemStateRow).where(ItemStateRow.period == P.code))
        return {(r.unit_code, r.item_code): r for r in rows}


async def test_workbook_sheets_match_the_database(
    month: Month, small_bot: TelegramHarness, small_core: Core
) -> None:
    calls = await small_bot.send(SATGAS, "/rekap")
    assert [c.method for c in calls] == ["sendMessage", "sendChatAction", "sendDocument"]
    assert calls[0].text == "Sedang menyiapkan rekap Oktober 2026, mohon tunggu sebentar…"
    assert calls[1].params["action"] == "upload_document"
    name, data = calls[2].uploads["document"]
    assert name == "Rekap-Kartu-Kendali-SPIP-2026-10.xlsx"
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [
        "Sampul",
        "Ringkasan",
        "Belum Lengkap",
        "Kartu Kendali",
        "Riwayat",
        "Rapor Bulanan",  # the year's scorecard (issue 18)
        "Rapor Triwulan",
        "Rapor Tahunan",
    ]

    cover = {row[0]: row[1] for row in wb["Sampul"].iter_rows(values_only=True)}
    assert cover["Periode (bulan yang dilaporkan)"] == "Oktober 2026"
    assert isinstance(cover["Dibuat"], datetime) and cover["Jumlah unit"] == 4
    assert cover["  disetujui"] == 2 and cover["  nihil"] == 1

    states = db_states(small_core)
    summary = wb["Ringkasan"]
    header = [c.value for c in summary[1]]
    assert header[:3] == ["Kode", "Unit", "Kelengkapan (%)"]
    assert header[3].startswith("KEU-01") and header[4].startswith("RPL-01")
    assert summary.freeze_panes == "D2" and summary.auto_filter.ref == "A1:F5"
    assert summary.page_setup.orientation == "landscape" and summary.page_setup.paperSize == 9
    seen = 0
    for row in summary.iter_rows(min_row=2):
        unit = row[0].value
        for cell, code in ((row[3], "KEU-01"), (row[4], "RPL-01"), (row[5], UNIT_CARD_ITEM)):
            db = states.get((unit, code))
            if db is not None:
                assert cell.value == STATUS_TEXT[ItemStatus(db.status)], (unit, code)
                seen += 1
    assert seen == len([k for k in states if k[1] != "KARTU_PROV"])
    percent = {r[0].value: r[2].value for r in summary.iter_rows(min_row=2)}
    assert percent == {"15": 0, "1501": 100, "1502": 0, "KUL": 100}
    assert summary["D3"].fill.fgColor.rgb.endswith("C6EFCE")  # Kerinci KEU-01 disetujui

    missing = [r for r in wb["Belum Lengkap"].iter_rows(min_row=2, values_only=True)]
    [returned] = [r for r in missing if r[4] == "dikembalikan"]
    assert returned[0] == "1502" and returned[6] == "Tanda tangan bendahara kurang"
    assert {(r[0], r[2], r[4]) for r in missing} == {
        ("15", "RPL-01", "kosong"),
        ("1501", "KARTU", "dikirim"),
        ("1502", "KEU-01", "dikembalikan"),
        ("1502", "RPL-01", "dikirim"),
        ("1502", "KARTU", "kosong"),
    }

    cards = list(wb["Kartu Kendali"].iter_rows(values_only=True))
    assert cards[1][1] == "menunggu paraf: Kepala Bagian Hukum dan SDM"
    assert cards[4] == ("Versi", "Langkah", "Peran", "Nama", "Atas nama", "Waktu", "Alasan")
    assert cards[5][:4] == (1, "draf kartu diunggah", None, "Sari Satgas")
    assert cards[6][:4] == (1, "paraf", "Subbagian Hukum", "Hana Hukum")
    assert isinstance(cards[6][5], datetime)

    history = list(wb["Riwayat"].iter_rows(min_row=2, values_only=True))
    with Session(small_core.engine) as session:
        audit = session.exec(select(AuditRow).where(AuditRow.period == P.code)).all()
    assert len(history) == len(audit)
    assert any(
        r[1] == "butir dikembalikan" and "Tanda tangan bendahara kurang" in r[7] for r in history
    )
    assert wb["Riwayat"]["A2"].number_format == "dd/mm/yyyy hh:mm"


async def test_status_message_unit_detail_and_picture(
    month: Month, small_bot: TelegramHarness
) -> None:
    [overview] = await small_bot.send(SATGAS, "/status")
    assert overview.text.startswith("Status Kartu Kendali SPIP — Oktober 2026\nTahap: pengiriman")
    assert "sisa 8 hari (sampai Selasa, 10 November 2026)" in overview.text
    assert "1502 KPU Kabupaten Merangin: 0% (1/1/0), kartu kosong" in overview.text
    assert "✅ KUL Bagian Keuangan, Umum dan Logistik: 100% (0/0/0)" in overview.text
    assert "Kartu kendali provinsi: menunggu paraf: Kepala Bagian Hukum dan SDM" in overview.text
    assert ("1502", "st:u:1502:2026-10") in overview.buttons
    _, detail = await small_bot.press(SATGAS, "st:u:1502:2026-10")
    assert "↩️ KEU-01 Laporan realisasi anggaran (LRA) (versi 1)" in detail.text
    assert "alasan: Tanda tangan bendahara kurang" in detail.text
    calls = await small_bot.press(SATGAS, "st:img:2026-10")
    photo = next(c for c in calls if c.method == "sendPhoto")
    image = Image.open(io.BytesIO(photo.uploads["photo"][1]))
    assert image.format == "PNG" and image.size == picture_size(4)
    assert photo.params["caption"] == "Status Oktober 2026"


async def test_own_unit_only_for_regency_staff(month: Month, small_bot: TelegramHarness) -> None:
    [own] = await small_bot.send(KERINCI, "/status")
    assert own.text.startswith("KPU Kabupaten Kerinci — Oktober 2026\nKelengkapan: 100%")
    assert not any(data.startswith("st:u:") for _, data in own.buttons)
    refused = await small_bot.press(KERINCI, "st:u:1502:2026-10")  # a forged button
    assert [c.text for c in refused if c.method == "sendMessage"] == [
        texts.STATUS_ERRORS["not_your_unit"]
    ]
    assert [c.text for c in await small_bot.send(KERINCI, "/rekap")] == [texts.NOT_ALLOWED]
    assert [c.text for c in await small_bot.send(KERINCI, "/paket")] == [texts.NOT_ALLOWED]


async def test_unknown_period_is_answered_clearly(month: Month, small_bot: TelegramHarness) -> None:
    assert [c.text for c in await small_bot.send(SATGAS, "/status 2030-01")] == [
        texts.STATUS_ERRORS["unknown_period"]
    ]
    assert [c.text for c in await small_bot.send(SATGAS, "/rekap oktober")] == [
        texts.STATUS_ERRORS["invalid_data"]
    ]


async def test_package_holds_the_accepted_files_and_a_true_manifest(
    month: Month, small_bot: TelegramHarness
) -> None:
    calls = await small_bot.send(SATGAS, "/paket")
    document = next(c for c in calls if c.method == "sendDocument")
    name, data = document.uploads["document"]
    assert name == "Paket-eSPIP-2026-10.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        manifest = zf.read("MANIFEST.txt").decode().splitlines()[1:]
        assert len(manifest) == 2  # Kerinci KEU-01 and RPL-01; KUL declared no activity
        for line in manifest:
            sha, size, path = line.split("  ", 2)
            content = zf.read(path)
            assert hashlib.sha256(content).hexdigest() == sha and len(content) == int(size)
        assert "Rekap-Kartu-Kendali-SPIP-2026-10.xlsx" in names
    assert (
        "1501 KPU Kabupaten Kerinci/Keuangan Negara dan Hibah/"
        "KEU-01 Laporan realisasi anggaran (LRA)/lra-kerinci.pdf"
    ) in names
    assert not any("merangin" in n for n in names)  # nothing not yet accepted
    assert document.params["caption"].startswith("Paket e-SPIP Oktober 2026: 2 berkas")


def _call(calls: list[Call], method: str) -> Call:
    return next(c for c in calls if c.method == method)


async def test_status_json_from_the_command_line(
    month: Month,
    small_core: Core,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cli, "load_settings", lambda: small_core.settings)
    monkeypatch.setattr(cli, "build_core", lambda *_: small_core)
    assert cli.main(["status", "--period", "2026-10", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    units = {u["code"]: u for u in data["units"]}
    assert units["1501"]["percent"] == 100 and units["1502"]["percent"] == 0
    items = {i["code"]: i for i in units["1502"]["items"]}
    assert items["KEU-01"]["status"] == "dikembalikan" and items["KEU-01"]["version"] == 1
    assert items["KEU-01"]["last_change"].startswith("2026-11-02")
    assert units["1501"]["signed_card"] == "dikirim"
    assert cli.main(["status", "--period", "2026-10"]) == 0
    assert "1502 KPU Kabupaten Merangin: 0%" in capsys.readouterr().out
    workbook = small_core.settings.spip_data_dir / "r.xlsx"
    assert cli.main(["export", "--period", "2026-10", "--out", str(workbook)]) == 0
    assert load_workbook(workbook).sheetnames[0] == "Sampul"
    out = small_core.settings.spip_data_dir / "p.zip"
    assert cli.main(["package", "--period", "2026-10", "--out", str(out)]) == 0
    assert zipfile.ZipFile(out).testzip() is None
    assert cli.main(["status", "--period", "2031-01"]) == 1
    assert "periode tidak dikenal" in capsys.readouterr().err
