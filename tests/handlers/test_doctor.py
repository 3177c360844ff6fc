"""`spip-bot doctor` as an admin runs it, on SQLite and PostgreSQL, against the fake Bot API
and the fake Graph API on loopback: all green on a prepared database, and one sentence per
problem (exit status 1) for a database not migrated or of a newer release, an evidence folder
that cannot be written, an outbox with an old unsent and a failed message, and tokens
refused."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from chatbot import cli
from chatbot.app import Core, build_core, make_clock
from chatbot.config import load_settings
from chatbot.services.outbox import Outcome, SendResult
from chatbot.services.ports import OutgoingMessage
from storage import migrate
from storage.db import make_engine
from tests.conftest import TOKEN
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_graph_api import PHONE_ID, FakeGraphApi

# the doctor reads the training clock kept in the database: no test reads today's date
START = "2026-11-02T09:00+07:00"


@pytest.fixture
def env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    bot_api: FakeBotApi,
    graph_api: FakeGraphApi,
) -> Path:
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_", "WHATSAPP_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    values = {
        "SPIP_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "SPIP_CLOCK_START": START,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": bot_api.base_url,
        "TELEGRAM_BASE_FILE_URL": bot_api.base_file_url,
        "WHATSAPP_PHONE_ID": PHONE_ID,
        "WHATSAPP_TOKEN": "token-graph",
        "WHATSAPP_APP_SECRET": "rahasia-aplikasi",
        "WHATSAPP_VERIFY_TOKEN": "token-verifikasi",
        "WHATSAPP_GRAPH_URL": graph_api.url,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return tmp_path


async def spip_bot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The command in a thread (it runs its own event loop; the fakes serve on this one)."""
    code = await asyncio.to_thread(cli.main, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def lines(out: str) -> dict[str, str]:
    """The doctor's lines by check name: "[baik]     basis data: ..." -> {"basis data": ...}."""
    found = {}
    for line in out.splitlines():
        if line.startswith("["):
            mark, rest = line.split("]", 1)
            name, sentence = rest.strip().split(": ", 1)
            found[name] = f"{mark}] {sentence}"
    return found


def problems(out: str) -> dict[str, str]:
    return {
        name: said.removeprefix("[MASALAH] ")
        for name, said in lines(out).items()
        if said.startswith("[MASALAH]")
    }


def core_of_env() -> Core:
    settings = load_settings()
    engine = make_engine(settings.db_url)
    return build_core(settings, make_clock(settings, engine), engine)


async def test_all_green_on_a_prepared_database(
    env: Path, capsys: pytest.CaptureFixture[str], bot_api: FakeBotApi
) -> None:
    assert (await spip_bot(capsys, "init"))[0] == 0
    code, out, err = await spip_bot(capsys, "doctor")
    assert code == 0, out + err
    said = lines(out)
    assert list(said) == [
        "setelan",
        "basis data",
        "folder bukti",
        "ruang disk",
        "token Telegram",
        "WhatsApp",
        "antrean kirim",
        "pesan gagal",
        "langkah harian",
    ]
    assert all(s.startswith("[baik]") for s in said.values()), out
    assert said["token Telegram"] == "[baik] token diterima Telegram (@spip_jambi_bot)"
    assert said["WhatsApp"] == "[baik] nomor +62 811-0000-1234 diterima Graph API"
    assert said["basis data"].endswith(f"revisi {migrate.head_revision()} (terbaru)")
    assert said["langkah harian"] == "[baik] belum pernah berjalan; tidak ada periode terbuka"
    assert out.splitlines()[-1] == "Sehat: semua pemeriksaan baik."
    assert [m for m, _ in bot_api.calls] == ["getMe"]
    assert TOKEN not in out + err and "token-graph" not in out + err

    # a period opens: the day's steps must run; once the scheduler ran them, green again
    assert (await spip_bot(capsys, "period", "open", "2026-10"))[0] == 0
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out) == {
        "langkah harian": "Langkah harian (pembukaan periode dan pengingat) belum pernah "
        "berjalan pada basis data ini, padahal periode 2026-10 terbuka: jalankan spip-bot run "
        "dan biarkan tetap berjalan."
    }
    assert out.splitlines()[-1] == (
        "1 masalah ditemukan: perbaiki yang bertanda [MASALAH], lalu jalankan spip-bot doctor lagi."
    )
    core_of_env().services.health.steps_ran()  # as the bot's scheduler records its tick
    code, out, _ = await spip_bot(capsys, "doctor", "--json")
    report = json.loads(out)
    assert code == 0 and report["sehat"] is True and report["masalah"] == 0
    steps = next(c for c in report["pemeriksaan"] if c["kode"] == "langkah_harian")
    assert steps["keterangan"].startswith("terakhir berjalan Senin, 2 November 2026 pukul 09.")

    # --local: nothing leaves the machine
    bot_api.calls.clear()
    code, out, _ = await spip_bot(capsys, "doctor", "--local")
    assert code == 0 and bot_api.calls == []
    assert lines(out)["token Telegram"] == (
        "[lewati] tidak diperiksa: pemeriksaan jaringan dilewati"
    )


async def test_a_database_not_migrated(
    env: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    (env / "data" / "evidence" / "tmp").mkdir(parents=True)
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out) == {
        "basis data": "Basis data belum disiapkan: jalankan spip-bot init (atau mulai bot "
        "dengan spip-bot run, yang menyiapkannya)."
    }
    assert "[lewati] tidak diperiksa: basis data belum siap" in lines(out)["antrean kirim"]

    engine = make_engine(database_url)
    migrate.upgrade(engine, "0012")  # the release before
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out) == {
        "basis data": f"Basis data masih revisi 0012, sedangkan versi spip-bot ini memakai "
        f"revisi {migrate.head_revision()}: buat cadangan, lalu jalankan spip-bot init untuk "
        "memperbaruinya."
    }
    assert migrate.current_revision(engine) == "0012"  # the doctor changed nothing

    with engine.begin() as conn:  # a newer release migrated it
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_masa_depan'"))
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out) == {
        "basis data": "Basis data berasal dari versi spip-bot yang lebih baru (revisi "
        "0099_masa_depan tidak dikenal versi ini): pasang versi spip-bot itu atau yang lebih "
        "baru; jangan menurunkan versi."
    }
    engine.dispose()


def refuse_writes(folder: Path) -> bool:
    """The folder made unwritable: by its mode, or (root ignores modes) made immutable.
    False when neither holds on this machine."""
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    probe = folder / ".tulis"
    try:
        probe.write_bytes(b"")
    except OSError:
        return True
    probe.unlink()
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False)
    try:
        probe.write_bytes(b"")
    except OSError:
        return True
    probe.unlink()
    return False


def allow_writes(folder: Path) -> None:
    chattr = shutil.which("chattr")
    if chattr is not None:
        subprocess.run([chattr, "-i", str(folder)], capture_output=True, check=False)
    folder.chmod(stat.S_IRWXU)


async def test_an_evidence_folder_that_cannot_be_written(
    env: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    assert (await spip_bot(capsys, "init"))[0] == 0
    evidence = env / "data" / "evidence"
    try:
        if not refuse_writes(evidence):
            pytest.skip("this machine's user writes into any folder (root without chattr)")
        code, out, _ = await spip_bot(capsys, "doctor", "--local")
    finally:
        allow_writes(evidence)
    assert code == 1 and problems(out) == {
        "folder bukti": f"Folder bukti {evidence} tidak dapat ditulisi oleh pengguna yang "
        f"menjalankan bot: perbaiki pemilik atau izinnya (mis. chown -R pengguna-bot {evidence}"
        "), atau kosongkan disk bila penuh."
    }
    assert f"health: cannot write into {evidence}" in caplog.text  # the log line, in English
    assert (await spip_bot(capsys, "doctor", "--local"))[0] == 0

    shutil.rmtree(evidence)  # the data volume not mounted, say
    code, out, _ = await spip_bot(capsys, "doctor", "--local")
    assert code == 1 and problems(out)["folder bukti"].startswith(
        f"Folder bukti {evidence} tidak ada: periksa SPIP_DATA_DIR"
    )


async def test_an_outbox_with_an_old_unsent_and_a_failed_message(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (await spip_bot(capsys, "init"))[0] == 0
    core = core_of_env()
    reg = core.services.registration
    budi = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 21, 21, "Budi").person
    ani = reg.redeem(reg.create_invite("1502", "satgas_kabkota").code, 22, 22, "Ani").person
    now = core.clock()
    with core.uow() as uow:  # queued 2 hours ago, never sent (the bot not running)
        uow.outbox.put(OutgoingMessage(budi.id, "Pengingat"), now - timedelta(hours=2))
        uow.outbox.put(OutgoingMessage(ani.id, "Gagal"), now - timedelta(minutes=30))
        uow.commit()
    failing = next(m for m in core.services.outbox.due() if m.person_id == ani.id)
    core.services.outbox.record(failing, SendResult(Outcome.FAILED, "bad request: x"))

    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1
    found = problems(out)
    assert list(found) == ["antrean kirim", "pesan gagal"], out
    assert found["antrean kirim"].startswith(
        "1 pesan belum terkirim, yang tertua sejak Senin, 2 November 2026 pukul 07."
    )
    assert found["antrean kirim"].endswith(
        "lalu): pastikan spip-bot run (dan spip-bot run-whatsapp bila kanal WhatsApp dipakai) "
        "berjalan dan dapat menghubungi Telegram atau WhatsApp; lihat log bot."
    )
    assert "(2 jam lalu)" in found["antrean kirim"]
    assert found["pesan gagal"].startswith(
        "1 pesan gagal terkirim dalam 24 jam terakhir (terakhir Senin, 2 November 2026 pukul 09."
    )
    assert found["pesan gagal"].endswith(
        'lihat penyebabnya di log bot (baris "failed for good"), lalu hubungi penerimanya '
        "langsung bila pesannya penting."
    )
    assert out.splitlines()[-1].startswith("2 masalah ditemukan")


async def test_tokens_refused(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    bot_api: FakeBotApi,
    graph_api: FakeGraphApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (await spip_bot(capsys, "init"))[0] == 0
    bot_api.token = "987654321:AAEanotherBotsTokenxxxxxxxxxxxxxxxxx"  # ours answers 401
    graph_api.token = "token-lain"
    code, out, err = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out) == {
        "token Telegram": "Token bot ditolak Telegram (salah atau sudah dicabut): ambil token "
        "yang berlaku dari @BotFather, setel TELEGRAM_BOT_TOKEN, lalu mulai ulang bot.",
        "WhatsApp": "Token WhatsApp ditolak Meta (salah atau kedaluwarsa): buat token akses baru "
        "di Meta for Developers, setel WHATSAPP_TOKEN, lalu mulai ulang spip-bot run-whatsapp.",
    }
    # the log says why, in English, without the tokens (PTB's own error quotes the token)
    assert "Telegram's getMe: rejected: The token `<TELEGRAM_BOT_TOKEN>` was rejected" in (
        caplog.text
    )
    assert "the Graph API: rejected: 401 190 Invalid OAuth access token" in caplog.text
    for secret in (TOKEN, "token-graph"):
        assert secret not in out + err + caplog.text

    monkeypatch.setenv("WHATSAPP_PHONE_ID", "123")  # not the number's id
    monkeypatch.delenv("WHATSAPP_APP_SECRET")
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out)["WhatsApp"].startswith(
        "Kanal WhatsApp belum lengkap: WHATSAPP_APP_SECRET belum diisi."
    )
    monkeypatch.setenv("WHATSAPP_APP_SECRET", "rahasia-aplikasi")
    graph_api.token = None
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and problems(out)["WhatsApp"].startswith(
        "WHATSAPP_PHONE_ID tidak dikenal Graph API"
    )

    await bot_api.stop()  # Telegram does not answer at all
    monkeypatch.delenv("WHATSAPP_PHONE_ID")
    monkeypatch.delenv("WHATSAPP_TOKEN")
    code, out, _ = await spip_bot(capsys, "doctor")
    host = bot_api.base_url.removeprefix("http://").removesuffix("/bot")
    assert code == 1 and problems(out) == {
        "token Telegram": f"Telegram ({host}) tidak dapat dihubungi dari server ini: periksa "
        "sambungan internet, proxy dan firewall, lalu periksa lagi."
    }
    assert lines(out)["WhatsApp"] == "[lewati] tidak dipakai: WHATSAPP_PHONE_ID belum diisi"


async def test_a_bad_setting_is_one_sentence(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPIP_TIMEZONE", "Asia/Jambi")
    monkeypatch.setenv("SPIP_MIN_FREE_MB", "0")
    code, out, _ = await spip_bot(capsys, "doctor")
    assert code == 1 and list(problems(out)) == ["setelan"]
    said = problems(out)["setelan"]
    assert said.startswith("Setelan tidak valid — ") and said.count("\n") == 0
    assert "SPIP_TIMEZONE: zona waktu tidak dikenal: 'Asia/Jambi'" in said
    assert "SPIP_MIN_FREE_MB: " in said
