"""The real `spip-bot run-whatsapp` as a subprocess: Meta-shaped signed updates posted to its
webhook over HTTP, the Graph API faked on loopback (`WHATSAPP_GRAPH_URL`), the period opened
from the command line; the kick-off, a delivery, the satgas' notice and the decision all go
through the running process and its outbox loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from chatbot import texts
from tests.e2e.player import BIN, CODE, BotProcess, acli, cli, environment, free_port
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_graph_api import (
    APP_SECRET,
    PHONE_ID,
    FakeGraphApi,
    choice_update,
    document_update,
    signed,
    text_update,
)
from tests.support.pdf import real_pdf

BUDI, SARI = "62811041", "62811031"


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    api = FakeGraphApi()
    await api.start()
    yield api
    await api.stop()


async def wait_until(condition: Any, what: str, timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_the_running_whatsapp_channel(
    fake: FakeBotApi, graph: FakeGraphApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    env.update(
        WHATSAPP_PHONE_ID=PHONE_ID,
        WHATSAPP_TOKEN="token-graph",
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN="verifikasi",
        WHATSAPP_GRAPH_URL=graph.url,
    )
    cli(env, "init")
    codes = {}
    for who, unit, role in ((BUDI, "1501", "satgas_kabkota"), (SARI, "15", "satgas_prov")):
        match = CODE.search(cli(env, "invite", "--unit", unit, "--role", role))
        assert match is not None
        codes[who] = match[1]
    port = free_port()
    url = f"http://127.0.0.1:{port}/whatsapp"
    args = ("--listen", "127.0.0.1", "--port", str(port), "--path", "/whatsapp")
    bot = BotProcess(
        env, tmp_path / "wa.log", args, command=(str(BIN / "spip-bot"), "run-whatsapp")
    )
    await bot.start()
    try:
        async with ClientSession() as http:
            challenge = {
                "hub.mode": "subscribe",
                "hub.verify_token": "verifikasi",
                "hub.challenge": "42",
            }
            for _ in range(200):
                try:
                    async with http.get(url, params=challenge) as response:
                        if response.status == 200 and await response.text() == "42":
                            break
                except OSError:
                    pass
                await asyncio.sleep(0.1)

            async def post(update: dict[str, Any], secret: str = APP_SECRET) -> int:
                body, headers = signed(update, secret)
                async with http.post(url, data=body, headers=headers) as response:
                    return response.status

            assert await post(text_update(BUDI, "Budi", "halo"), secret="palsu") == 403
            assert await post(text_update(BUDI, "Budi", "halo")) == 200
            assert graph.texts_to(BUDI) == [texts.WA_NOT_REGISTERED]
            for who, code in codes.items():
                assert await post(text_update(who, who, code, message_id=f"wamid.{who}")) == 200
                assert await post(text_update(who, who, code, message_id=f"wamid.{who}")) == 200
            assert len(graph.texts_to(BUDI)) == 2 and "selamat datang" in graph.texts_to(BUDI)[1]

            await acli(env, "period", "open", "2026-10")  # queued here, sent by the channel
            await wait_until(
                lambda: any("mohon menyampaikan" in t for t in graph.texts_to(BUDI)), "kick-off"
            )
            graph.media["M1"] = (real_pdf(note="laporan"), "application/pdf")
            for update in (
                text_update(BUDI, "Budi", "kirim"),
                choice_update(BUDI, "Budi", "kr:i:KEU-01", "list_reply"),
                choice_update(BUDI, "Budi", "kr:f"),
                document_update(BUDI, "Budi", "M1", "LRA.pdf"),
                choice_update(BUDI, "Budi", "kr:d"),
                choice_update(BUDI, "Budi", "kr:c"),
            ):
                assert await post(update) == 200
            assert graph.texts_to(BUDI)[-1].startswith("Terima kasih. Kiriman untuk butir KEU-01")
            await wait_until(
                lambda: any("LRA.pdf" in t for t in graph.texts_to(SARI)), "the satgas' notice"
            )
            notice = [p for p in graph.sent if str(p["to"]) == SARI and "interactive" in p][-1]
            periksa = notice["interactive"]["action"]["buttons"][0]["reply"]["id"]
            assert periksa.startswith("rp:op:")
            assert await post(choice_update(SARI, "Sari", periksa)) == 200  # the desk
            desk = [p for p in graph.sent if str(p["to"]) == SARI and "interactive" in p][-1]
            assert "Pemeriksaan 1 dari 1" in desk["interactive"]["body"]["text"]
            approve = desk["interactive"]["action"]["buttons"][0]["reply"]["id"]
            assert await post(choice_update(SARI, "Sari", approve)) == 200
            await wait_until(
                lambda: any("telah disetujui" in t for t in graph.texts_to(BUDI)), "the decision"
            )
    finally:
        await bot.stop()
    log = bot.output()
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
    assert "refused a WhatsApp update" in log
    assert "GET /whatsapp 200" in log and "verifikasi" not in log  # no query string logged
    assert "item_disetujui" in cli(env, "audit", "--period", "2026-10")
