"""The real `spip-bot run` as a subprocess against the fake Bot API server on loopback:
joining, inviting, opening a period, a delivery with a real file, and the outbox at work.
Once in polling mode, once in webhook mode with a secret token."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from tests.conftest import TOKEN
from tests.support.fake_bot_api import FakeBotApi

BIN = Path(sys.executable).parent
ADMIN = {"id": 11, "is_bot": False, "first_name": "Admin"}
BUDI = {"id": 21, "is_bot": False, "first_name": "Budi", "last_name": "Santoso"}
CODE = re.compile(r"Kode: ([A-Z0-9]{5}-[A-Z0-9]{5})")
LINK = re.compile(r"\?start=([A-Z0-9]{10})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    yield api
    await api.stop()


def environment(fake: FakeBotApi, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIP_", "TELEGRAM_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_BASE_FILE_URL=fake.base_file_url,
        SPIP_DATA_DIR=str(data),
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


async def play_month_start(fake: FakeBotApi, admin_code: str) -> None:
    await fake.send_text(ADMIN, f"/start {admin_code}")
    await fake.wait_for(ADMIN["id"], "selamat datang")
    await fake.send_text(ADMIN, "/undang 1501 satgas_kabkota Budi Santoso")
    invite = await fake.wait_for(ADMIN["id"], "Kode undangan berhasil dibuat")
    match = LINK.search(invite.text)
    assert match is not None
    await fake.send_text(BUDI, f"/start {match[1]}")
    await fake.wait_for(BUDI["id"], "KPU Kabupaten Kerinci")
    await fake.wait_for(ADMIN["id"], "Budi Santoso telah bergabung")  # through the outbox

    await fake.send_text(ADMIN, "/periode")
    overview = await fake.wait_for(ADMIN["id"], "Periode pelaporan yang terbuka")
    await fake.press(ADMIN, overview, overview.buttons[0][1])
    await fake.wait_for(ADMIN["id"], "telah dibuka")
    await fake.wait_for(BUDI["id"], "mohon menyampaikan data dukung")  # the kick-off

    mark = len(fake.sent)
    await fake.send_text(BUDI, "/kirim")
    checklist = await fake.wait_for(BUDI["id"], "Kelengkapan: 0%", after=mark)
    await fake.press(BUDI, checklist, "kr:i:KEU-01")
    detail = await fake.wait_for(BUDI["id"], "KEU-01 Laporan realisasi anggaran", after=mark)
    await fake.press(BUDI, detail, "kr:f")
    ask = await fake.wait_for(BUDI["id"], "Silakan kirim berkas", after=mark)
    await fake.send_document(BUDI, "LRA Oktober.pdf", b"%PDF-1.4 " + b"lra " * 2000)
    received = await fake.wait_for(BUDI["id"], "Berkas diterima: LRA Oktober.pdf", after=mark)
    await fake.press(BUDI, received, "kr:d")
    summary = await fake.wait_for(BUDI["id"], "Mohon periksa kiriman Anda", after=mark)
    await fake.press(BUDI, summary, "kr:c")
    await fake.wait_for(BUDI["id"], "telah diterima sebagai versi 1", after=mark)
    assert ask.text


def clean(log: str, fake: FakeBotApi) -> None:
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
    assert fake.unknown == []
    assert fake.unanswered() == set()


async def test_polling(fake: FakeBotApi, tmp_path: Path) -> None:
    env = environment(fake, tmp_path / "data")
    cli(env, "init")
    match = CODE.search(cli(env, "invite", "--unit", "15", "--role", "admin", "--name", "Admin"))
    assert match is not None
    log = tmp_path / "bot.log"
    process = await run_bot(env, log)
    try:
        await play_month_start(fake, match[1])
    finally:
        output = await stop(process, log)
    clean(output, fake)
    assert any(method == "getUpdates" for method, _ in fake.calls)
    assert "Budi Santoso" in cli(env, "users")


async def test_webhook_with_a_secret_token(fake: FakeBotApi, tmp_path: Path) -> None:
    env = environment(fake, tmp_path / "data")
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
