"""The real `spip-bot run` as a subprocess against the fake Bot API server on loopback:
joining, inviting, opening a period, a delivery with a real file, and the outbox at work.
Once in polling mode, once in webhook mode with a secret token."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from openpyxl import load_workbook
from sqlalchemy import text

from chatbot.domain.calendar import CalendarRules, Period
from chatbot.domain.reminders import submission_reminder_days
from chatbot.services.calendar import build_calendar
from storage.db import make_engine
from tests.conftest import TOKEN
from tests.support.db import BACKENDS, PG_URL
from tests.support.fake_bot_api import FakeBotApi

BIN = Path(sys.executable).parent
ADMIN = {"id": 11, "is_bot": False, "first_name": "Admin"}
BUDI = {"id": 21, "is_bot": False, "first_name": "Budi", "last_name": "Santoso"}
SARI = {"id": 31, "is_bot": False, "first_name": "Sari", "last_name": "Satgas"}
OUTSIDER = {"id": 99, "is_bot": False, "first_name": "Orang"}
CODE = re.compile(r"Kode: ([A-Z0-9]{5}-[A-Z0-9]{5})")
LINK = re.compile(r"\?start=([A-Z0-9]{10})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite in the data folder, or a schema of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'spip.db'}"
        return
    assert PG_URL is not None
    schema = f"spip_e2e_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    yield api
    await api.stop()


def environment(fake: FakeBotApi, data: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIP_", "TELEGRAM_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_BASE_FILE_URL=fake.base_file_url,
        SPIP_DATA_DIR=str(data),
        DATABASE_URL=database_url,
        SPIP_OUTBOX_INTERVAL_SECONDS="0.3",
    )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "spip-bot"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def run_bot(env: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(BIN / "spip-bot"),
        "run",
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("wb"),
    )


async def stop(process: asyncio.subprocess.Process, log: Path) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    return log.read_text(encoding="utf-8", errors="replace")


async def invite(fake: FakeBotApi, user: dict[str, object], args: str, greeting: str) -> None:
    mark = len(fake.sent)
    await fake.send_text(ADMIN, f"/undang {args}")
    created = await fake.wait_for(ADMIN["id"], "Kode undangan berhasil dibuat", after=mark)
    match = LINK.search(created.text)
    assert match is not None
    await fake.send_text(user, f"/start {match[1]}")
    await fake.wait_for(int(str(user["id"])), greeting, after=mark)


async def deliver(fake: FakeBotApi, user: dict[str, object], item: str, name: str) -> None:
    chat = int(str(user["id"]))
    mark = len(fake.sent)
    await fake.send_text(user, "/kirim")
    checklist = await fake.wait_for(chat, "Kelengkapan:", after=mark)
    await fake.press(user, checklist, f"kr:i:{item}")
    detail = await fake.wait_for(chat, f"{item} ", after=mark)
    await fake.press(user, detail, "kr:f")
    await fake.wait_for(chat, "Silakan kirim berkas", after=mark)
    await fake.send_document(user, name, b"%PDF-1.4 " + name.encode() * 500)
    received = await fake.wait_for(chat, f"Berkas diterima: {name}", after=mark)
    await fake.press(user, received, "kr:d")
    summary = await fake.wait_for(chat, "Mohon periksa kiriman Anda", after=mark)
    await fake.press(user, summary, "kr:c")
    await fake.wait_for(chat, "Terima kasih. Kiriman untuk butir", after=mark)


async def play_month_start(fake: FakeBotApi, admin_code: str) -> None:
    await fake.send_text(OUTSIDER, "/start")
    await fake.wait_for(OUTSIDER["id"], "belum terdaftar")
    await fake.send_text(ADMIN, f"/start {admin_code}")
    await fake.wait_for(ADMIN["id"], "selamat datang")
    await invite(fake, BUDI, "1501 satgas_kabkota Budi Santoso", "KPU Kabupaten Kerinci")
    await fake.wait_for(ADMIN["id"], "Budi Santoso telah bergabung")  # through the outbox
    await invite(fake, SARI, "15 satgas_prov Sari Satgas", "Satgas SPIP KPU Provinsi")

    await fake.send_text(ADMIN, "/periode")
    overview = await fake.wait_for(ADMIN["id"], "Periode pelaporan yang terbuka")
    await fake.press(ADMIN, overview, overview.buttons[0][1])
    await fake.wait_for(ADMIN["id"], "telah dibuka")
    await fake.wait_for(BUDI["id"], "mohon menyampaikan data dukung")  # the kick-off

    # a delivery, returned with a reason, delivered again, approved
    mark = len(fake.sent)
    await deliver(fake, BUDI, "KEU-01", "LRA Oktober.pdf")
    notice = await fake.wait_for(SARI["id"], "Kiriman baru untuk diperiksa", after=mark)
    await fake.press(SARI, notice, notice.buttons[1][1])
    await fake.wait_for(SARI["id"], "Silakan tuliskan alasan", after=mark)
    await fake.send_text(SARI, "Tanda tangan bendahara belum ada")
    confirm = await fake.wait_for(SARI["id"], "dengan alasan:", after=mark)
    await fake.press(SARI, confirm, "rt:y")
    await fake.wait_for(BUDI["id"], "Alasan: Tanda tangan bendahara belum ada", after=mark)
    edited = [s for s in fake.sent[mark:] if s.method == "editMessageText"]
    assert edited and "Dikembalikan oleh Sari Satgas" in edited[-1].text
    mark = len(fake.sent)
    await deliver(fake, BUDI, "KEU-01", "LRA Oktober perbaikan.pdf")
    notice = await fake.wait_for(SARI["id"], "Versi: 2", after=mark)
    await fake.press(SARI, notice, notice.buttons[0][1])
    await fake.wait_for(BUDI["id"], "versi 2 telah disetujui oleh Sari Satgas", after=mark)

    # the recap workbook, received as a file and opened
    mark = len(fake.sent)
    await fake.send_text(SARI, "/rekap")
    await fake.wait_for(SARI["id"], "Rekap Kartu Kendali SPIP", after=mark)
    [document] = [s for s in fake.sent[mark:] if s.method == "sendDocument"]
    upload = document.params["document"]
    workbook = load_workbook(io.BytesIO(upload["data"]))
    assert upload["file_name"].endswith(".xlsx") and workbook.sheetnames[0] == "Sampul"
    summary_rows = list(workbook["Ringkasan"].iter_rows(min_row=2, values_only=True))
    assert any(row[0] == "1501" and "disetujui" in row for row in summary_rows)
    mark = len(fake.sent)
    await fake.send_text(SARI, "/status")
    await fake.wait_for(SARI["id"], "Status Kartu Kendali SPIP", after=mark)


def period_code(env: dict[str, str]) -> str:
    return cli(env, "period", "list").split()[0]


def clean(log: str, fake: FakeBotApi) -> None:
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
    assert fake.unknown == []
    assert fake.unanswered() == set()


async def test_polling(fake: FakeBotApi, tmp_path: Path, database_url: str) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    cli(env, "init")
    match = CODE.search(cli(env, "invite", "--unit", "15", "--role", "admin", "--name", "Admin"))
    assert match is not None
    log = tmp_path / "bot.log"
    process = await run_bot(env, log)
    try:
        await play_month_start(fake, match[1])
        # the warnings of a chosen day, queued from the command line, sent by the running bot
        period = Period.parse(period_code(env))
        calendar = build_calendar(CalendarRules())
        day = submission_reminder_days(calendar, period)[-1]
        mark = len(fake.sent)
        out = cli(env, "remind", "--date", day.isoformat(), "--send")
        assert "--- kepada Budi Santoso" in out
        reminder = await fake.wait_for(BUDI["id"], "berikut pengingat", after=mark)
        assert "KPU Kabupaten Kerinci" in reminder.text
        assert "Diantrekan: 0" in cli(env, "remind", "--date", day.isoformat(), "--send")
    finally:
        output = await stop(process, log)
    clean(output, fake)
    assert len([s for s in fake.sent if "berikut pengingat" in s.text and s.chat_id == 21]) == 1
    assert any(method == "getUpdates" for method, _ in fake.calls)
    assert "Budi Santoso" in cli(env, "users")
    history = cli(env, "audit", "--period", period_code(env))
    assert "item_dikembalikan | Sari Satgas | 1501 | KEU-01 | v1" in history
    assert "item_disetujui | Sari Satgas | 1501 | KEU-01 | v2" in history


async def test_webhook_with_a_secret_token(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    cli(env, "init")
    match = CODE.search(cli(env, "invite", "--unit", "15", "--role", "admin"))
    assert match is not None
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    log = tmp_path / "bot.log"
    process = await run_bot(
        env,
        log,
        "--webhook-url",
        url,
        "--listen",
        "127.0.0.1",
        "--port",
        str(port),
        "--secret-token",
        "rahasia-123",
    )
    try:
        for _ in range(300):
            if fake.webhook_url == url:
                break
            await asyncio.sleep(0.05)
        assert fake.webhook_secret == "rahasia-123"
        await asyncio.sleep(0.5)  # the listener is up right after setWebhook
        async with ClientSession() as session:
            forged = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 5, "type": "private"},
                    "text": "/start",
                },
            }
            async with session.post(url, json=forged) as response:
                assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "salah"}
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 403
        await play_month_start(fake, match[1])
    finally:
        output = await stop(process, log)
    clean(output.replace("Invalid secret token", ""), fake)
