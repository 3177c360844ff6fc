"""SIGTERM (as ``docker stop`` sends it) while Telegram does not answer: the bot is gone within
10 seconds (Docker's default grace period), and the notices it could not send stay queued."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.e2e.player import BotProcess, Player, acli, admin_code, environment, outbox_rows, user
from tests.support.fake_bot_api import FakeBotApi

ADMIN = user(11, "Admin")


async def test_sigterm_while_telegram_hangs(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    code = admin_code(env)
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    play = Player(fake)
    await play.says(ADMIN, f"/start {code}", "selamat datang")
    for n in (1, 2):
        await play.join(ADMIN, user(40 + n, f"Staf{n}", "Kabupaten"), f"150{n}", "satgas_kabkota")

    # Telegram stops answering: connections are accepted and then nothing comes back
    port = fake.port
    await fake.stop()
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await asyncio.sleep(3600)

    server = await asyncio.start_server(hold, "127.0.0.1", port)
    try:
        await acli(env, "period", "open", "2026-10")  # two kick-offs queued, none can go
        await asyncio.sleep(3)  # the outbox is now waiting on a send
        await bot.stop(timeout=10)  # raises TimeoutError if the bot is still there after 10 s
    finally:
        server.close()
        for writer in held:
            writer.close()
    kickoffs = [q for q in outbox_rows(database_url) if "mohon menyampaikan" in q.text]
    assert len(kickoffs) == 2 and not any(q.sent for q in kickoffs)
    assert "Application.stop() complete" in bot.output()
