"""The contract suite's channel: each scenario runs once per channel (and per database)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.contract.drivers import Driver, TelegramDriver, WhatsAppDriver
from tests.support.fake_graph_api import APP_SECRET, PHONE_ID, FakeGraphApi
from tests.support.telegram import TelegramHarness
from whatsapp.app import build_whatsapp
from whatsapp.server import web_app

OCTOBER = Period(2026, 10)


@pytest.fixture(params=["telegram", "whatsapp"])
async def driver(request: pytest.FixtureRequest, core: Core) -> AsyncIterator[Driver]:
    if request.param == "telegram":
        async with TelegramHarness(core) as bot:
            # the job queue runs for the conversations' time-outs (run by hand in idle());
            # the bot's own jobs (outbox, day's steps) are left out: notices() drains
            jobs = bot.app.job_queue
            assert jobs is not None
            for job in jobs.jobs():
                job.schedule_removal()
            await jobs.start()
            try:
                yield TelegramDriver(core, bot)
            finally:
                await jobs.stop()
        return
    graph = FakeGraphApi()
    await graph.start()
    settings = core.settings.model_copy(
        update={
            "whatsapp_phone_id": PHONE_ID,
            "whatsapp_token": SecretStr("token-graph"),
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr("token-verifikasi"),
        }
    )
    wa_core = replace(core, settings=settings, services=replace(core.services, whatsapp=True))
    session = httpx.AsyncClient(transport=graph.transport())
    channel = build_whatsapp(wa_core, session=session)
    app = web_app(channel.client, "/whatsapp", channel.flows)
    async with TestClient(TestServer(app)) as client:
        yield WhatsAppDriver(wa_core, client, graph, channel.client, channel.flows)
    await session.aclose()
    await graph.stop()
