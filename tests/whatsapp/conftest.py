"""The WhatsApp channel's webhook app on a test server, with the Graph API faked on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from chatbot.app import Core
from tests.support.fake_graph_api import APP_SECRET, PHONE_ID, FakeGraphApi, signed
from whatsapp.app import build_whatsapp
from whatsapp.server import web_app

VERIFY = "token-verifikasi"
BUDI = "6281234567890"


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphApi]:
    api = FakeGraphApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def webhook(core: Core, graph: FakeGraphApi) -> AsyncIterator[TestClient[Any, Any]]:
    settings = core.settings.model_copy(
        update={
            "whatsapp_phone_id": PHONE_ID,
            "whatsapp_token": SecretStr("token-graph"),
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr(VERIFY),
        }
    )
    session = httpx.AsyncClient(transport=graph.transport())
    channel = build_whatsapp(replace(core, settings=settings), session=session)
    async with TestClient(
        TestServer(web_app(channel.client, "/whatsapp", channel.flows))
    ) as client:
        yield client
    await session.aclose()


async def post(client: TestClient[Any, Any], update: dict[str, Any], **kw: Any) -> int:
    body, headers = signed(update, **kw)
    response = await client.post("/whatsapp", data=body, headers=headers)
    return response.status
