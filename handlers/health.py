"""The Telegram side of the health check: the token asked with ``getMe`` (PTB's ``Bot``, at
``TELEGRAM_BASE_URL``), and the health URL of the Telegram process on a small aiohttp server
of its own (``SPIP_HEALTH_PORT``) started and stopped with the PTB application: PTB's webhook
server (tornado) serves only Telegram's updates."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from chatbot.services.health import HealthService, Probe, ProbeStatus

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)
TIMEOUT = 5.0  # seconds: `spip-bot doctor` stays quick when Telegram does not answer


async def get_me(token: str, base_url: str, base_file_url: str) -> Probe:
    request = HTTPXRequest(
        connection_pool_size=1,
        connect_timeout=TIMEOUT,
        read_timeout=TIMEOUT,
        write_timeout=TIMEOUT,
        pool_timeout=TIMEOUT,
    )
    bot = Bot(token, base_url=base_url, base_file_url=base_file_url, request=request)

    def said(exc: TelegramError) -> str:  # PTB's InvalidToken quotes the token: never logged
        return exc.message.replace(token, "<TELEGRAM_BOT_TOKEN>")

    try:
        async with bot:  # initialize() asks getMe
            return Probe(ProbeStatus.OK, bot.username)
    except InvalidToken as exc:  # 401 or 404: the token is not a bot's
        return Probe(ProbeStatus.REJECTED, said(exc))
    except NetworkError as exc:  # time-outs included
        return Probe(ProbeStatus.UNREACHABLE, said(exc))
    except TelegramError as exc:
        return Probe(ProbeStatus.FAILED, said(exc))


def serve_health(
    application: Application,  # type: ignore[type-arg]
    health: HealthService,
    host: str,
    port: int,
) -> None:
    """``GET /healthz`` on ``host:port`` while the application runs (polling or webhook)."""
    started: list[web.AppRunner] = []
    before_init, before_shutdown = application.post_init, application.post_shutdown

    async def post_init(app: Any) -> None:
        if before_init is not None:
            await before_init(app)
        from chatbot import healthz  # aiohttp: loaded only when the health URL is served

        started.append(await healthz.serve(health, host, port))

    async def post_shutdown(app: Any) -> None:
        while started:
            await started.pop().cleanup()
        if before_shutdown is not None:
            await before_shutdown(app)

    application.post_init = post_init
    application.post_shutdown = post_shutdown
