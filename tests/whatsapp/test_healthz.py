"""The WhatsApp process's health URL, asked of the running app (its webhook, outbox loop and
health watch), with Telegram and the Graph API faked on loopback: 200 while healthy, 503 with
the sentences once the outbox is stuck; and the watch tells the admin once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from pydantic import SecretStr
from sqlalchemy import Engine

from chatbot import healthz
from chatbot.app import Core, build_core
from chatbot.services.ports import OutgoingMessage
from tests.conftest import TOKEN, Clock
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_graph_api import APP_SECRET, PHONE_ID, FakeGraphApi, text_update
from tests.whatsapp.conftest import post
from whatsapp.app import build_whatsapp, whatsapp_app
from whatsapp.server import AccessLog

ADMIN_WA = "6281100000011"


@pytest.fixture
async def running(
    core: Core, engine: Engine, clock: Clock, bot_api: FakeBotApi, graph_api: FakeGraphApi
) -> AsyncIterator[tuple[Core, TestClient[Any, Any]]]:
    """`spip-bot run-whatsapp`'s app on a test server, its loops turning quickly."""
    settings = core.settings.model_copy(
        update={
            "telegram_base_url": bot_api.base_url,
            "telegram_base_file_url": bot_api.base_file_url,
            "whatsapp_phone_id": PHONE_ID,
            "whatsapp_token": SecretStr("token-graph"),
            "whatsapp_app_secret": SecretStr(APP_SECRET),
            "whatsapp_verify_token": SecretStr("token-verifikasi"),
            "whatsapp_graph_url": graph_api.url,
            "spip_outbox_interval_seconds": 0.05,
            "spip_schedule_tick_seconds": 0.05,
        }
    )
    wa_core = build_core(settings, clock=clock, engine=engine)  # the database is prepared
    session = httpx.AsyncClient(transport=graph_api.transport())
    app = whatsapp_app(wa_core, build_whatsapp(wa_core, session=session), "/whatsapp")
    async with TestClient(TestServer(app)) as client:
        yield wa_core, client
    await session.aclose()


async def test_the_health_url_says_200_then_503(
    running: tuple[Core, TestClient[Any, Any]],
    graph_api: FakeGraphApi,
    bot_api: FakeBotApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(healthz, "KEPT", 0.0)  # each request checks again
    core, client = running
    reg = core.services.registration
    await post(client, text_update(ADMIN_WA, "Arif", reg.create_invite("15", "admin").code))

    response = await client.get("/healthz")
    body = await response.json()
    assert response.status == 200, body
    assert body["sehat"] is True and body["masalah"] == 0
    by_code = {c["kode"]: c for c in body["pemeriksaan"]}
    assert by_code["telegram"]["keterangan"] == "token diterima Telegram (@spip_jambi_bot)"
    assert by_code["whatsapp"]["keterangan"] == "nomor +62 811-0000-1234 diterima Graph API"
    assert by_code["antrean"]["baik"] and by_code["gagal_kirim"]["baik"]

    # a regency's satgas on Telegram only, whose notice waits an hour: the Telegram
    # process is not running (this is the WhatsApp one)
    budi = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 21, 21, "Budi").person
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(budi.id, "Pengingat"), core.clock() - timedelta(hours=1))
        uow.commit()
    response = await client.get("/healthz")
    text = await response.text()
    body = await response.json()
    assert response.status == 503 and body["sehat"] is False and body["masalah"] == 1
    stuck = next(c for c in body["pemeriksaan"] if not c["baik"])
    assert stuck["kode"] == "antrean" and stuck["nama"] == "antrean kirim"
    assert (  # with it, perhaps the admin's alert the watch just queued (below)
        " pesan belum terkirim, yang tertua sejak Senin, 2 November 2026 pukul 07.00 WIB "
        "(1 jam lalu): pastikan spip-bot run"
    ) in stuck["keterangan"]
    for secret in (TOKEN, "token-graph", APP_SECRET, "token-verifikasi"):
        assert secret not in text
    # the network was asked once: the answers are kept a minute
    assert [m for m, _ in bot_api.calls].count("getMe") == 1

    # the watch (every tick) told the admin once, on WhatsApp, through the outbox
    for _ in range(100):
        told = [t for t in graph_api.texts_to(ADMIN_WA) if "Peringatan untuk admin" in t]
        if told:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # ten more ticks
    told = [t for t in graph_api.texts_to(ADMIN_WA) if "Peringatan untuk admin" in t]
    assert len(told) == 1, graph_api.texts_to(ADMIN_WA)
    assert told[0].startswith(
        "⚠️ Peringatan untuk admin: pengiriman pesan bot terganggu.\n\n1 pesan belum terkirim"
    )


def test_the_access_log_leaves_out_the_healthy_answers(caplog: pytest.LogCaptureFixture) -> None:
    """A monitor asking every 10 s would fill the log; its 503s are kept."""
    access = AccessLog(logging.getLogger("aiohttp.access"), "")
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        access.log(make_mocked_request("GET", "/healthz"), web.Response(status=200), 0.01)
        access.log(make_mocked_request("GET", "/healthz"), web.Response(status=503), 0.01)
        access.log(make_mocked_request("POST", "/whatsapp"), web.Response(status=200), 0.01)
    assert [r.getMessage().split()[1:4] for r in caplog.records] == [
        ["GET", "/healthz", "503"],
        ["POST", "/whatsapp", "200"],
    ]


def test_a_monitor_from_outside_reads_codes_only() -> None:
    """The webhook's port is open to the internet: paths, free space and names stay here."""
    report = {
        "sehat": False,
        "masalah": 1,
        "pemeriksaan": [
            {"kode": "disk", "nama": "ruang disk", "baik": False, "keterangan": "/srv/spip 2 GB"},
            {"kode": "basis_data", "nama": "basis data", "baik": True, "keterangan": "x.db"},
        ],
    }
    assert healthz.public(report) == {
        "sehat": False,
        "masalah": 1,
        "pemeriksaan": {"disk": False, "basis_data": True},
    }
