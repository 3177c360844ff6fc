"""The WhatsApp process: Meta's webhook (aiohttp), the handlers (pywa) and the outbox loop
for the people WhatsApp reaches. The services come from the composition root
(``chatbot.app.build_core``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import httpx
from aiohttp import web
from httpx_aiohttp import AiohttpTransport
from pywa_async.client import WhatsApp

from chatbot import healthz
from chatbot.app import Core, prepare_database
from chatbot.services.outbox import DrainBackoff
from storage.db import is_outage
from whatsapp import handlers as whatsapp_handlers
from whatsapp import server as whatsapp_server
from whatsapp.handlers import Flows
from whatsapp.outbox import WhatsAppSender

log = logging.getLogger(__name__)


class GraphTransport(AiohttpTransport):
    """The Graph API's requests over aiohttp (``httpx-aiohttp``) rather than httpcore: pywa
    speaks httpx, and on this machine httpcore, h11 and anyio were a fifth of a WhatsApp
    step's CPU. With ``redirect`` (``WHATSAPP_GRAPH_URL``), sent there instead of
    graph.facebook.com (pywa fixes the host); the path and query stay as they are."""

    def __init__(self, redirect: str | None = None) -> None:
        super().__init__()
        self.target = httpx.URL(redirect) if redirect else None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Every fault an ``httpx.HTTPError`` (the outbox tries those again; anything else
        would set a notice aside for good): what ``httpx-aiohttp`` leaves unmapped (a
        malformed answer) too. The whole request up to the answer's headers within httpx's
        time-outs added up: aiohttp alone has no write time-out, and a stalled upload would
        hold the outbox."""
        if self.target is not None and request.url.host == "graph.facebook.com":
            request.url = request.url.copy_with(
                scheme=self.target.scheme, host=self.target.host, port=self.target.port
            )
            request.headers["Host"] = self.target.netloc.decode()
        limits = request.extensions.get("timeout", {})
        parts = [limits.get(k) for k in ("pool", "connect", "write", "read")]
        total = None if any(p is None for p in parts) else float(sum(parts))
        try:
            async with asyncio.timeout(total):
                return await super().handle_async_request(request)
        except TimeoutError as exc:
            raise httpx.TimeoutException(f"no answer within {total} s", request=request) from exc
        except aiohttp.ClientError as exc:
            raise httpx.TransportError(
                f"aiohttp.{type(exc).__name__}: {exc}", request=request
            ) from exc


def graph_session(redirect: str | None = None) -> httpx.AsyncClient:
    """The WhatsApp client's HTTP session: httpx's interface (pywa's), aiohttp underneath."""
    return httpx.AsyncClient(transport=GraphTransport(redirect))


@dataclass(frozen=True, slots=True)
class WhatsAppChannel:
    client: WhatsApp
    flows: Flows
    session: httpx.AsyncClient  # the client's HTTP session: closed when the process stops


def build_whatsapp(core: Core, session: httpx.AsyncClient | None = None) -> WhatsAppChannel:
    """The WhatsApp client with its handlers (pywa); updates come through ``whatsapp.server``.
    Refuses to build without the app secret: every update's signature is checked with it."""
    phone_id, token, app_secret, verify_token = core.settings.require_whatsapp()
    if session is None:
        session = graph_session(core.settings.whatsapp_graph_url or None)
    wa = WhatsApp(
        phone_id=phone_id,
        token=token,
        app_secret=app_secret,
        verify_token=verify_token,
        session=session,
        server=None,
        validate_updates=True,
    )
    flows = whatsapp_handlers.register(wa, core.services, core.settings.telegram_bot_username)
    return WhatsAppChannel(wa, flows, session)


def whatsapp_sender(core: Core, wa: WhatsApp) -> WhatsAppSender:
    settings = core.settings
    return WhatsAppSender(
        wa,
        core.evidence,
        core.clock,
        settings.whatsapp_template_name,
        settings.whatsapp_template_language,
        settings.whatsapp_max_media_mb,
        settings.whatsapp_send_rate,
    )


def whatsapp_app(core: Core, channel: WhatsAppChannel, path: str) -> web.Application:
    """The process's web app: Meta's webhook at ``path``, the health URL (``/healthz``), and
    while it runs the outbox loop and the health watch (the admins told of a failing outbox
    or a full disk, decided by the health service)."""
    app = whatsapp_server.web_app(channel.client, path, channel.flows)
    healthz.add_route(app, core.services.health)
    sender = whatsapp_sender(core, channel.client)
    interval = core.settings.spip_outbox_interval_seconds
    tick = core.settings.spip_schedule_tick_seconds

    async def drain_forever(_: object) -> AsyncIterator[None]:
        async def loop() -> None:
            pace = DrainBackoff(interval)
            while True:
                try:
                    await core.services.outbox.drain(sender, channel="whatsapp")
                except Exception as exc:
                    pace.failed(exc, is_outage(exc))
                else:
                    pace.succeeded()
                await asyncio.sleep(pace.next_wait())

        async def watch() -> None:
            while True:
                try:
                    core.services.health.alert()
                except Exception as exc:  # the drain's log says when the database fails
                    if not is_outage(exc):
                        log.exception("health: the watch failed")
                await asyncio.sleep(tick)

        tasks = [asyncio.create_task(loop()), asyncio.create_task(watch())]
        yield
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await channel.session.aclose()  # the Graph API's connections, closed in good order

    app.cleanup_ctx.append(drain_forever)
    return app


def run_whatsapp(core: Core, listen: str, port: int, path: str) -> None:
    prepare_database(core)
    app = whatsapp_app(core, build_whatsapp(core), path)
    log.info("WhatsApp webhook on %s:%s%s (health URL %s)", listen, port, path, healthz.PATH)
    web.run_app(app, host=listen, port=port, print=None, access_log_class=whatsapp_server.AccessLog)
