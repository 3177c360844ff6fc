"""The composition root: the only place that knows every part and wires them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import httpx
from sqlalchemy import Engine
from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, Defaults
from telegram.request import BaseRequest

import handlers
from chatbot import texts
from chatbot.clock import SimulatedClock, utc_now
from chatbot.config import ConfigError, Settings
from chatbot.domain.checklist import load_catalogue
from chatbot.domain.units import load_org
from chatbot.services.bundle import Services
from chatbot.services.calendar import CalendarSource
from chatbot.services.card import CardService
from chatbot.services.delegation import DelegationService
from chatbot.services.history import HistoryService
from chatbot.services.outbox import DrainBackoff, OutboxService
from chatbot.services.ports import Clock
from chatbot.services.recap import RecapService
from chatbot.services.registration import RegistrationService
from chatbot.services.reminders import ReminderService
from chatbot.services.review import ReviewService
from chatbot.services.setup import ReferenceLoad, load_reference_data
from chatbot.services.status import StatusService
from chatbot.services.submission import SubmissionService
from handlers import outbox as outbox_handlers
from handlers import periode
from handlers.bot import HandledQueue, SpipBot
from handlers.request import RetryingRequest
from storage import migrate, training
from storage.db import is_outage, make_engine
from storage.files import EvidenceStore
from storage.repositories import ReferenceCache
from storage.uow import SqlUnitOfWork

if TYPE_CHECKING:  # the WhatsApp channel is imported where it is built: the Telegram
    # process does not carry pywa and aiohttp (about 27 MB of its memory)
    from pywa_async.client import WhatsApp

    from whatsapp.handlers import Flows
    from whatsapp.outbox import WhatsAppSender

log = logging.getLogger(__name__)


def make_clock(settings: Settings, engine: Engine) -> Clock:
    """The real clock, or the training clock of ``SPIP_CLOCK_START`` (loudly logged), which
    only a training database accepts: one created with it, or still empty."""
    if settings.spip_clock_start is None:
        return utc_now
    try:
        mark, new = training.training_mark(engine, settings.spip_clock_start, utc_now())
    except training.NotATrainingDatabase:
        raise ConfigError(
            "SPIP_CLOCK_START hanya untuk basis data latihan: basis data ini sudah dipakai "
            "dengan jam sebenarnya. Hapus SPIP_CLOCK_START, atau pakai DATABASE_URL dan "
            "SPIP_DATA_DIR tersendiri untuk latihan."
        ) from None
    clock = SimulatedClock(mark.start, mark.anchor)
    log.warning(
        "JAM LATIHAN, BUKAN JAM SEBENARNYA: waktu bot %s (dimulai %s pada jam sebenarnya "
        "%s%s). Jangan dipakai untuk pelaporan sungguhan.",
        clock().astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M:%S %Z"),
        mark.start.astimezone(settings.timezone).isoformat(),
        mark.anchor.isoformat(timespec="seconds"),
        ", baru" if new else "",
    )
    return clock


@dataclass
class Core:
    """Everything below the channels: settings, database, services."""

    settings: Settings
    engine: Engine
    services: Services
    evidence: EvidenceStore
    clock: Clock

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)


def build_core(settings: Settings, clock: Clock = utc_now, engine: Engine | None = None) -> Core:
    engine = engine or make_engine(settings.db_url)
    reference = ReferenceCache()

    def uow_factory() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, reference)

    def days_off_in_db() -> list[date]:
        with uow_factory() as uow:
            return uow.days_off.all()

    calendar = CalendarSource(
        settings.calendar_rules(), settings.spip_extra_days_off, days_off_in_db
    )
    evidence = EvidenceStore(settings.evidence_dir)
    status = StatusService(uow_factory, clock, calendar, settings.chain(), settings.timezone)
    services = Services(
        registration=RegistrationService(
            uow_factory, clock, timedelta(hours=settings.spip_invite_ttl_hours)
        ),
        outbox=OutboxService(uow_factory, clock, settings.timezone),
        submission=SubmissionService(
            uow_factory,
            clock,
            calendar,
            evidence,
            settings.file_policy(),
            settings.timezone,
            notify_each_delivery=settings.spip_review_notify == "each",
            open_time=settings.spip_period_open_time,
        ),
        review=ReviewService(uow_factory, clock, settings.timezone),
        card=CardService(uow_factory, clock, settings.chain(), settings.timezone),
        history=HistoryService(uow_factory, settings.timezone),
        delegation=DelegationService(uow_factory, clock),
        status=status,
        recap=RecapService(uow_factory, status, evidence, settings.timezone),
        reminders=ReminderService(
            uow_factory,
            clock,
            calendar,
            status,
            settings.timezone,
            escalation=tuple(settings.spip_escalation_roles),
            send_at=settings.spip_reminder_time,
            office_end=settings.spip_office_hours_end,
        ),
        calendar=calendar,
        timezone=settings.timezone,
        files=evidence,
        conversation_timeout=timedelta(minutes=settings.spip_conversation_timeout_minutes),
        is_outage=is_outage,
    )
    return Core(settings=settings, engine=engine, services=services, evidence=evidence, clock=clock)


def prepare_database(
    core: Core, org_file: Path | None = None, checklist_file: Path | None = None
) -> ReferenceLoad:
    """Create or upgrade the schema, then load units and checklist. Safe to run again."""
    migrate.upgrade(core.engine)
    if not isinstance(core.clock, SimulatedClock) and training.read_mark(core.engine):
        log.warning(
            "basis data ini basis data latihan (dibuat dengan SPIP_CLOCK_START) tetapi bot "
            "berjalan dengan jam sebenarnya"
        )
    units = load_org(org_file or core.settings.spip_org_file)
    catalogue = load_catalogue(checklist_file or core.settings.spip_checklist_file)
    return load_reference_data(core.uow, units, catalogue, core.clock)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(c.name, c.help[:256]) for c in texts.COMMANDS]


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
        .bot(bot)
        .update_queue(HandledQueue())  # acknowledged to Telegram only once handled
        .post_init(_post_init)
    )
    application: Application = builder.build()  # type: ignore[type-arg]
    application.bot_data["services"] = core.services
    handlers.register(application)
    jobs = application.job_queue
    if jobs is not None:
        interval = settings.spip_outbox_interval_seconds
        jobs.run_once(
            outbox_handlers.drain_and_reschedule,
            1,
            data=DrainBackoff(interval),
            name="outbox",
        )
        # the day's steps by the services' clock (the real one, or a training clock), not by
        # the scheduler's wall clock: at start (catching up), then every few seconds (each step
        # is a no-op once done for the day, so a tick costs one clock read)
        jobs.run_repeating(
            periode.scheduled_steps,
            interval=settings.spip_schedule_tick_seconds,
            first=0,
            data=periode.ScheduleMemo(),
            name="jadwal-harian",
        )
        if settings.spip_review_notify == "digest":
            jobs.run_repeating(
                periode.announce_digest,
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


class GraphRedirect(httpx.AsyncHTTPTransport):
    """Sends the Graph API's requests to ``WHATSAPP_GRAPH_URL`` instead of graph.facebook.com
    (pywa fixes the host); the path and query stay as they are."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.target = httpx.URL(url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "graph.facebook.com":
            request.url = request.url.copy_with(
                scheme=self.target.scheme, host=self.target.host, port=self.target.port
            )
        return await super().handle_async_request(request)


@dataclass(frozen=True, slots=True)
class WhatsAppChannel:
    client: WhatsApp
    flows: Flows


def build_whatsapp(core: Core, session: httpx.AsyncClient | None = None) -> WhatsAppChannel:
    """The WhatsApp client with its handlers (pywa); updates come through ``whatsapp.server``.
    Refuses to build without the app secret: every update's signature is checked with it."""
    from pywa_async.client import WhatsApp

    from whatsapp import handlers as whatsapp_handlers

    phone_id, token, app_secret, verify_token = core.settings.require_whatsapp()
    if session is None and core.settings.whatsapp_graph_url:
        session = httpx.AsyncClient(transport=GraphRedirect(core.settings.whatsapp_graph_url))
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
    return WhatsAppChannel(wa, flows)


def whatsapp_sender(core: Core, wa: WhatsApp) -> WhatsAppSender:
    from whatsapp.outbox import WhatsAppSender

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


def run_whatsapp(core: Core, listen: str, port: int, path: str) -> None:
    from aiohttp import web

    from whatsapp import server as whatsapp_server

    prepare_database(core)
    channel = build_whatsapp(core)
    app = whatsapp_server.web_app(channel.client, path, channel.flows)
    sender = whatsapp_sender(core, channel.client)
    interval = core.settings.spip_outbox_interval_seconds

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

        task = asyncio.create_task(loop())
        yield
        task.cancel()

    app.cleanup_ctx.append(drain_forever)
    log.info("WhatsApp webhook on %s:%s%s", listen, port, path)
    web.run_app(app, host=listen, port=port, print=None, access_log_class=whatsapp_server.AccessLog)
