"""The Telegram process: the PTB application with its handlers and jobs, polling or webhook.
The services come from the composition root (``chatbot.app.build_core``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, Defaults
from telegram.request import BaseRequest

import handlers
from chatbot import texts
from chatbot.app import Core, prepare_database
from chatbot.services import acting
from chatbot.services.outbox import DrainBackoff
from handlers import jobs
from handlers import outbox as outbox_handlers
from handlers.bot import HandledQueue, SpipBot
from handlers.health import serve_health
from handlers.request import RetryingRequest

log = logging.getLogger(__name__)


def bot_commands() -> list[BotCommand]:
    """The "/" menu of a chat the bot does not know yet; each person's own menu is set for
    their chat when they join and when they open the menu (``handlers/start.py``)."""
    return [
        BotCommand(c.name, c.help[:256]) for c in texts.COMMANDS if c.name in texts.GUEST_COMMANDS
    ]


class SpipApplication(Application):  # type: ignore[type-arg]
    """PTB's application; each update is one step of a person (``acting.one_reading``: who
    covers what and who reviews are read once however many units of work it opens)."""

    async def process_update(self, update: object) -> None:
        with acting.one_reading():
            await super().process_update(update)

    async def stop(self) -> None:
        """No job starts once stopping began: PTB waits for the jobs running, then shuts the
        scheduler down, which cancels a job it handed out in between (the outbox's next drain,
        a day's step) and logs that as an ERROR with a traceback. A job not started is simply
        run at the next start (the drain, the day's steps catch up)."""
        queue = self.job_queue
        if queue is None or not queue.scheduler.running:
            await super().stop()
            return
        queue.scheduler.pause()
        try:
            await super().stop()
        except BaseException:  # still running: its jobs go on
            queue.scheduler.resume()
            raise


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    await application.bot.set_my_commands(bot_commands())


def build_application(
    core: Core,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: bool = True,
) -> Application:  # type: ignore[type-arg]
    settings = core.settings
    limiter = (
        AIORateLimiter(overall_max_rate=settings.spip_send_rate, max_retries=3)
        if rate_limiter and settings.spip_send_rate > 0
        else None
    )
    bot = SpipBot(
        token=settings.require_token(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        defaults=Defaults(tzinfo=settings.timezone),
        request=request or RetryingRequest(connection_pool_size=256),
        # read_timeout is added to the long poll's own time-out; a short one bounds the last
        # getUpdates at shutdown when Telegram does not answer (the bot stops within 10 s)
        get_updates_request=get_updates_request
        or RetryingRequest(connection_pool_size=1, read_timeout=2),
        rate_limiter=limiter,
    )
    builder: Any = (
        Application.builder()
        .application_class(SpipApplication)
        .bot(bot)
        .update_queue(HandledQueue())  # acknowledged to Telegram only once handled
        .post_init(_post_init)
    )
    application: Application = builder.build()  # type: ignore[type-arg]
    application.bot_data["services"] = core.services
    handlers.register(application)
    queue = application.job_queue
    if queue is not None:
        interval = settings.spip_outbox_interval_seconds
        queue.run_once(
            outbox_handlers.drain_and_reschedule,
            1,
            data=DrainBackoff(interval),
            name="outbox",
        )
        # the day's steps by the services' clock (the real one, or a training clock), not by
        # the scheduler's wall clock: at start (catching up), then every few seconds (each step
        # is a no-op once done for the day, so a tick costs one clock read)
        queue.run_repeating(
            jobs.scheduled_steps,
            interval=settings.spip_schedule_tick_seconds,
            first=0,
            data=jobs.ScheduleMemo(),
            name="jadwal-harian",
        )
        if settings.spip_review_notify == "digest":
            queue.run_repeating(
                jobs.announce_digest,
                interval=settings.spip_digest_minutes * 60,
                first=settings.spip_digest_minutes * 60,
                name="ringkasan-kiriman",
            )
    return application


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    url: str
    listen: str = "0.0.0.0"
    port: int = 8443
    secret_token: str | None = None


def run(core: Core, webhook: WebhookOptions | None = None) -> None:
    prepare_database(core)
    application = build_application(core)
    settings = core.settings
    if settings.spip_health_port is not None:  # PTB's webhook server takes no other route
        serve_health(
            application,
            core.services.health,
            settings.spip_health_listen,
            settings.spip_health_port,
        )
    if webhook is None:
        log.info("starting in polling mode")
        application.run_polling(drop_pending_updates=False)
    else:
        log.info("starting in webhook mode on %s:%s", webhook.listen, webhook.port)
        application.run_webhook(
            listen=webhook.listen,
            port=webhook.port,
            url_path=urlparse(webhook.url).path.lstrip("/"),  # behind a proxy: the same path
            webhook_url=webhook.url,
            secret_token=webhook.secret_token,
        )
