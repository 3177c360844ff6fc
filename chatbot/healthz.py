"""The health URL, ``GET /healthz``, for a monitor: the answers of `spip-bot doctor` as JSON,
200 when every check is fine, 503 otherwise (with the sentences). The WhatsApp process serves
it beside Meta's webhook; the Telegram process on a small server of its own
(``SPIP_HEALTH_PORT``), since PTB's webhook server takes no other routes. The network checks
are kept a minute by the service, so a monitor polling every 10 s does not reach Telegram
every 10 s. Nothing secret is in the body: the checks name settings, never their values."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial

from aiohttp import web

from chatbot.services.health import HealthService, healthy, report_json

log = logging.getLogger(__name__)
PATH = "/healthz"


def handler(health: HealthService) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def healthz(_: web.Request) -> web.Response:
        checks = await health.check()
        return web.json_response(
            report_json(checks),
            status=200 if healthy(checks) else 503,
            dumps=partial(json.dumps, ensure_ascii=False),
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
