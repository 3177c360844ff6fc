"""The `spip-bot` command, in-process and once as the installed console script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from chatbot import cli, texts
from chatbot.app import build_core
from chatbot.config import load_settings
from chatbot.domain.checklist import SignedCard
from storage.models import ChecklistItemRow, UnitRow
from tests.conftest import TOKEN
from tests.handlers.conftest import BUDI, OUTSIDER
from tests.support.telegram import TelegramHarness, texts_to

CODE = re.compile(r"Kode: ([A-Z0-9]{5}-[A-Z0-9]{5})")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SPIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "spip_jambi_bot")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


async def test_init_twice_then_invite_redeemed_once(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "init")[0] == 0
    code, out, _ = run(capsys, "init")
    assert code == 0 and "Unit: 0 baru, 0 diperbarui" in out
    settings = load_settings()
    core = build_core(settings)
    with Session(core.engine) as session:
        assert session.exec(select(func.count()).select_from(UnitRow)).one() == 15
        assert session.exec(select(func.count()).select_from(ChecklistItemRow)).one() == 46
    code, out, _ = run(capsys, "units")
    assert code == 0 and len(out.strip().splitlines()) == 15 and "1572" in out

    code, out, _ = run(capsys, "invite", "--unit", "1501", "--role", "satgas_kabkota")
    assert code == 0 and "https://t.me/spip_jambi_bot?start=" in out
    match = CODE.search(out)
    assert match is not None

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    core = build_core(load_settings())
    async with TelegramHarness(core) as bot:
        greeting = texts_to(await bot.send(BUDI, f"/start {match[1]}"), BUDI.id)
        assert "KPU Kabupaten Kerinci" in greeting[0]
        refused = texts_to(await bot.send(OUTSIDER, f"/start {match[1]}"), OUTSIDER.id)
        assert refused == [texts.INVITE_ERRORS["invite_used"]]
    code, out, _ = run(capsys, "users")
    assert code == 0 and "1501" in out and "satgas_kabkota" in out and "Budi Santoso" in out


def test_a_provinces_excel_form_ceklis_replaces_the_default(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The satgas' own form ceklis (one sheet: card, item, who owes it, required) loaded with
    `spip-bot init --checklist`: the eight default cards are deactivated (kept for history),
    a later start with the default settings keeps the province's list, a reload of the same
    sheet changes nothing, and a bad row is named with its number."""
    from openpyxl import Workbook

    assert run(capsys, "init")[0] == 0
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["FORM CEKLIS KARTU KENDALI SPIP KPU PROVINSI JAMBI"])
    sheet.append([])
    sheet.append(["No", "Kartu Kendali", "Data Dukung", "Wajib Oleh", "Wajib"])
    sheet.append([1, "Kepegawaian", "Kartu Kendali Kepegawaian", "Kabupaten/Kota, HSDM", "Ya"])
    sheet.append([2, None, "Rekap absensi", None, "Ya"])
    sheet.append([3, "Rapat Pleno", "Notulen rapat pleno", "Kabupaten/Kota", "Tidak"])
    ceklis = env / "ceklis.xlsx"
    book.save(ceklis)
    code, out, err = run(capsys, "init", "--checklist", str(ceklis))
    assert code == 0, err
    # the card form the default also has keeps its code (same card, same name): its history
    # goes on; the other 45 default items are deactivated, kept for the months they served
    assert "Butir ceklis: 2 baru, 1 diperbarui, 45 dinonaktifkan." in out
    again = run(capsys, "init")[1]  # a later init (or start) keeps the province's list
    assert "Butir ceklis: 0 baru, 0 diperbarui, 0 dinonaktifkan." in again
    assert f"Ceklis tetap yang dimuat sebelumnya dengan --checklist: {ceklis}." in again
    core = build_core(load_settings())
    with core.uow() as uow:
        catalogue = uow.catalogue.load()
    assert [(i.code, i.name, i.form) for i in catalogue.items] == [
        ("PEG-01", "Kartu Kendali Kepegawaian", True),
        ("PEG-05", "Rekap absensi", False),
        ("RP-01", "Notulen rapat pleno", False),
    ]
    with Session(core.engine) as session:
        assert session.exec(select(func.count()).select_from(ChecklistItemRow)).one() == 48
    # the signed-card setting, which an Excel sheet does not hold, given on the command line
    assert catalogue.signed_card is SignedCard.PER_BULAN
    assert run(capsys, "init", "--kartu-bertanda-tangan", "per_kartu")[0] == 0
    with build_core(load_settings()).uow() as uow:  # another process's load: a fresh cache
        assert uow.catalogue.load().signed_card is SignedCard.PER_KARTU
        assert [i.code for i in uow.catalogue.load().items] == ["PEG-01", "PEG-05", "RP-01"]
    sheet.append([4, "Rapat Pleno", "Daftar hadir", "Bagian Antah", "Ya"])
    book.save(ceklis)
    code, _, err = run(capsys, "init", "--checklist", str(ceklis))
    assert code == 2 and "baris 7: unit “Bagian Antah” tidak dikenal" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--unit", "9999", "--role", "satgas_kabkota"], "kode unit tidak dikenal: 9999"),
        (["--unit", "1501", "--role", "raja"], "peran tidak dikenal: raja"),
        (["--unit", "1501", "--role", "ketua"], "peran tidak sesuai dengan jenis unit"),
    ],
)
def test_bad_invite_arguments(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    run(capsys, "init")
    code, out, err = run(capsys, "invite", *args)
    assert code == 1 and message in err and "Kode:" not in out


def test_commands_before_init_say_what_to_do(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "users")
    assert code == 2 and "jalankan `spip-bot init`" in err


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("SPIP_TIMEZONE", "Mars/Olympus", "SPIP_TIMEZONE: zona waktu tidak dikenal"),
        ("TELEGRAM_BOT_TOKEN", "abc", "TELEGRAM_BOT_TOKEN: bentuk token salah"),
        ("SPIP_DEADLINE_SUBMISSION_DAY", "40", "SPIP_DEADLINE_SUBMISSION_DAY"),
        ("SPIP_DEADLINE_SUBMISSION_DAY", "16", "urut naik"),
        ("SPIP_EXTRA_DAYS_OFF", "2026-13-01", "SPIP_EXTRA_DAYS_OFF: tanggal harus"),
        ("SPIP_CHAIN", '[{"kind": "paraf", "roles": ["raja"]}]', "SPIP_CHAIN"),
        ("SPIP_CHECKLIST_FILE", "/nowhere.toml", "berkas tidak ditemukan"),
    ],
)
def test_malformed_settings_stop_with_one_clear_line(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(name, value)
    code, _, err = run(capsys, "init")
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1


def test_run_without_a_token_says_how_to_get_one(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "run")
    assert code == 2 and "TELEGRAM_BOT_TOKEN belum diisi" in err and "@BotFather" in err


def test_settings_from_a_dotenv_file(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / ".env").write_text("SPIP_TIMEZONE=Asia/Makassar\nSPIP_INVITE_TTL_WORKING_DAYS=3\n")
    settings = load_settings()
    assert settings.spip_timezone == "Asia/Makassar"
    assert settings.spip_invite_ttl_working_days == 3


def test_the_installed_console_script(env: Path) -> None:
    exe = shutil.which("spip-bot") or str(Path(sys.executable).parent / "spip-bot")
    result = subprocess.run(
        [exe, "init"], capture_output=True, text=True, timeout=120, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    assert "Unit: 15 baru" in result.stdout


def test_period_open_from_the_command_line_once(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the training clock: the commands run on Monday 2 November 2026, whatever today is
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02T09:00+07:00")
    run(capsys, "init")
    code, out, _ = run(capsys, "period", "open", "2026-10")
    assert code == 0 and out.startswith("Periode Oktober 2026 telah dibuka.")
    assert "Selasa, 10 November 2026" in out
    code, out, _ = run(capsys, "period", "open", "2026-10")
    assert code == 0 and "sudah dibuka sebelumnya" in out
    assert run(capsys, "period", "list")[1].strip() == "2026-10  Oktober 2026"
    code, _, err = run(capsys, "period", "open", "Oktober")
    assert code == 2 and "TTTT-BB" in err
    # a month before its report month is asked about, as in the chat, and opens with --ya
    code, out, err = run(capsys, "period", "open", "2026-11")
    assert code == 2 and out == ""
    assert err.startswith("Galat: Periode November 2026 belum waktunya dibuka")
    assert err.rstrip().endswith("Ulangi dengan --ya untuk tetap membukanya.")
    code, out, _ = run(capsys, "period", "open", "2026-11", "--ya")
    assert code == 0 and out.startswith("Periode November 2026 telah dibuka.")
    assert "Periode Oktober 2026 tetap ditampilkan lebih dahulu" in out


def test_delegate_and_audit_from_the_command_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "init")
    core = build_core(load_settings())
    reg = core.services.registration
    hsdm = reg.redeem(reg.create_invite("15", "kabag_hsdm").code, 1, 1, "Hadi").person
    sekar = reg.redeem(reg.create_invite("15", "sekretaris").code, 2, 2, "Sekar").person
    cover = reg.redeem(reg.create_invite("KUL", "bagian").code, 3, 3, "Dewi").person
    # the Sekretaris signs: initialling as Kabag HSDM too would be two duties on one card
    dates = ["--from", "2026-11-10", "--until", "2026-11-14"]
    refused = ["delegate", "--to", str(sekar.id), "--role", "kabag_hsdm", "--for", str(hsdm.id)]
    code, _, err = run(capsys, *refused, *dates)
    assert code == 1 and "Sekar tidak dapat mewakili sebagai Kepala Bagian Hukum dan SDM" in err
    args = ["delegate", "--to", str(cover.id), "--role", "kabag_hsdm", "--for", str(hsdm.id)]
    code, out, _ = run(capsys, *args, *dates)
    assert code == 0 and out.startswith("Tercatat: Dewi mewakili Hadi sebagai Kepala Bagian")
    code, _, err = run(
        capsys, *args[:-1], str(cover.id), "--from", "2026-11-10", "--until", "2026-11-14"
    )
    assert code == 1 and "penunjukan wakil tidak valid" in err
    run(capsys, "period", "open", "2026-10", "--ya")  # whatever today is
    code, out, _ = run(capsys, "audit", "--period", "2026-10")
    assert code == 0 and "periode_dibuka | sistem" in out


def test_rapor_from_the_command_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`spip-bot rapor --year`: the ranked table, the JSON and the workbook, the same figures."""
    import json

    from openpyxl import load_workbook

    from bench.scorecard import generate_months
    from chatbot.domain.calendar import Period

    assert run(capsys, "init")[0] == 0
    core = build_core(load_settings())
    generate_months(core, [Period(2026, m) for m in range(1, 7)], seed=11)
    code, out, _ = run(capsys, "rapor", "--year", "2026", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["bulan_dinilai"] == [f"2026-0{m}" for m in range(1, 7)]
    kerinci = next(u for u in data["unit"] if u["kode"] == "1501")
    assert len(kerinci["bulan"]) == 6 and set(kerinci["triwulan"]) == {"1", "2"}
    card = core.services.scorecard.year(2026)
    mine = card.unit("1501")
    assert mine is not None and kerinci["tahun"]["tepat_waktu"] == mine.year.on_time
    book = env / "rapor.xlsx"
    code, out, err = run(capsys, "rapor", "--year", "2026", "--out", str(book))
    assert code == 0 and f"tersimpan di {book}" in err
    lines = out.strip().splitlines()
    assert lines[0] == "Rapor kepatuhan pelaporan kartu kendali SPIP 2026" and len(lines) == 2 + 14
    wb = load_workbook(book)
    assert wb.sheetnames == ["Sampul", "Rapor Bulanan", "Rapor Triwulan", "Rapor Tahunan"]
    # the province owes nothing in the eight-card default: 14 units
    assert wb["Rapor Bulanan"].max_row == 1 + 14 * 6 and wb["Rapor Tahunan"].max_row == 1 + 14
