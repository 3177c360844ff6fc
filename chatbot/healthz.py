"""The health URL, ``GET /healthz``, for a monitor: the answers of `spip-bot doctor` as JSON,
200 when every check is fine, 503 otherwise (with the sentences). The WhatsApp process serves
it beside Meta's webhook; the Telegram process on a small server of its own
(``SPIP_HEALTH_PORT``), since PTB's webhook server takes no other routes. The network checks
are kept a minute by the service, so a monitor polling every 10 s does not reach Telegram
every 10 s. Nothing secret is in the body: the checks name settings, never their values; and
a request from another machine reads only which checks failed, by code (``public``)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from chatbot.services.health import HealthService, healthy, report_json

log = logging.getLogger(__name__)
PATH = "/healthz"


LOOPBACK = {"127.0.0.1", "::1"}
KEPT = 5.0  # seconds an answer is kept: monitors polling together check once


def public(report: dict[str, object]) -> dict[str, object]:
    """What a monitor from outside reads: healthy or not, and which checks failed by code.
    The sentences (paths, free space, the bot's name, the outbox) only to this machine: the
    WhatsApp webhook's port, where the URL is, is open to the internet for Meta."""
    checks = report.get("pemeriksaan")
    codes = (
        {str(c.get("kode")): bool(c.get("baik")) for c in checks if isinstance(c, dict)}
        if isinstance(checks, list)
        else {}
    )
    return {"sehat": report.get("sehat"), "masalah": report.get("masalah"), "pemeriksaan": codes}


def handler(health: HealthService) -> Callable[[web.Request], Awaitable[web.Response]]:
    kept: list[tuple[float, dict[str, object], bool]] = []

    async def healthz(request: web.Request) -> web.Response:
        now = time.monotonic()
        if kept and now - kept[0][0] < KEPT:
            _, report, ok = kept[0]
        else:
            checks = await health.check()
            report, ok = report_json(checks), healthy(checks)
            kept[:] = [(now, report, ok)]
        body = report if request.remote in LOOPBACK else public(report)
        return web.json_response(
            body, status=200 if ok else 503, dumps=partial(json.dumps, ensure_ascii=False)
        )

    return healthz


def add_route(app: web.Application, health: HealthService) -> None:
    app.router.add_get(PATH, handler(health))


async def serve(health: HealthService, host: str, port: int) -> web.AppRunner:
    """The health URL alone on ``host:port``; ``cleanup()`` the runner to stop it."""
    app = web.Application()
    add_route(app, health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("health URL on %s:%s%s", host, port, PATH)
    return runner
