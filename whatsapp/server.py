"""Meta's webhook, the WhatsApp channel's front door: the verification challenge (GET) and
signed updates (POST, ``X-Hub-Signature-256`` checked against the app secret before anything
is read). pywa does the checking and parsing; this module only serves it over aiohttp."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from pywa import utils
from pywa_async.client import WhatsApp

from whatsapp.handlers import Flows

log = logging.getLogger(__name__)
EXPIRE_EVERY_SECONDS = 5.0


class AccessLog(AbstractAccessLogger):
    """One line per request without the query string: Meta's verification request carries the
    verify token in it (``hub.verify_token``), which must not reach the log."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        if request.path == "/healthz" and response.status == 200:
            return  # a monitor asks every few seconds: only its unhealthy answers are logged
        self.logger.info(
            "%s %s %s %s %.3fs", request.remote, request.method, request.path, response.status, time
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


def web_app(wa: WhatsApp, path: str, flows: Flows | None = None) -> web.Application:
    """The webhook; with ``flows``, idle delivery drafts end while the app runs."""

    async def verify(request: web.Request) -> web.Response:
        challenge, status = await wa.webhook_challenge_handler(
            vt=request.query.get(utils.HUB_VT), ch=request.query.get(utils.HUB_CH)
        )
        return web.Response(text=challenge or "", status=status)

    async def update(request: web.Request) -> web.Response:
        body = await request.read()
        refused = await wa.webhook_update_validator(body, request.headers.get(utils.HUB_SIG))
        if refused is not None:
            log.warning("refused a WhatsApp update from %s: %s", request.remote, refused[0])
            return web.Response(text=refused[0], status=refused[1])
        text, status = await wa.webhook_update_handler(body)
        return web.Response(text=text, status=status)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_get(path, verify)
    app.router.add_post(path, update)
    if flows is not None:

        async def expire_drafts(_: web.Application) -> AsyncIterator[None]:
            task = asyncio.create_task(flows.expire_forever(EXPIRE_EVERY_SECONDS))
            yield
            task.cancel()

        app.cleanup_ctx.append(expire_drafts)
    return app
