"""The composition root: the only place that knows every part and wires them together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from chatbot.clock import SimulatedClock, utc_now
from chatbot.config import DATA, ConfigError, Settings
from chatbot.domain.checklist import Catalogue, SignedCard, load_catalogue
from chatbot.domain.errors import InvalidData
from chatbot.domain.units import Unit, load_org
from chatbot.export.preview import Previews
from chatbot.services.bundle import Services
from chatbot.services.calendar import CalendarSource
from chatbot.services.card import CardService
from chatbot.services.delegation import DelegationService
from chatbot.services.health import Database, HealthService, Limits, Network, Probe
from chatbot.services.history import HistoryService
from chatbot.services.outbox import OutboxService
from chatbot.services.ports import Clock
from chatbot.services.recap import RecapService
from chatbot.services.registration import RegistrationService
from chatbot.services.reminders import ReminderService
from chatbot.services.review import ReviewService
from chatbot.services.scorecard import ScorecardService
from chatbot.services.setup import ReferenceLoad, load_reference_data
from chatbot.services.staffing import StaffingService
from chatbot.services.status import StatusService
from chatbot.services.submission import SubmissionService
from chatbot.workers import Workers
from storage import migrate, training
from storage.db import is_outage, make_engine
from storage.files import EvidenceStore
from storage.repositories import ReferenceCache
from storage.repositories.health import database_label, schema_state
from storage.uow import SqlUnitOfWork

DEFAULT_CHECKLIST = DATA / "checklist.toml"

log = logging.getLogger(__name__)


def make_clock(settings: Settings, engine: Engine) -> Clock:
    """The real clock, or the training clock of ``SPIP_CLOCK_START`` (loudly logged), which
    only a training database accepts: one created with it, or still empty."""
    if settings.spip_clock_start is None:
        return utc_now
    # the training mark lives in the schema: upgraded first (a newer one is refused), and
    # what was done is told by the next prepare_database (`spip-bot init` prints it)
    _UPGRADED_EARLIER[engine] = upgrade_schema(engine)
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
    # the services' cache of units and checklist: a load through ``uow`` drops it at once
    reference: ReferenceCache = field(default_factory=ReferenceCache)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.reference)


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
    scorecard = ScorecardService(uow_factory, clock, calendar, settings.timezone)
    workers = Workers(settings.spip_workers)
    services = Services(
        registration=RegistrationService(
            uow_factory,
            clock,
            settings.spip_invite_ttl_working_days,
            calendar,
            settings.timezone,
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
            duties=settings.duties(),
            workers=workers,
        ),
        review=ReviewService(
            uow_factory,
            clock,
            settings.timezone,
            timedelta(seconds=settings.spip_decision_gather_seconds),
            settings.duties(),
        ),
        card=CardService(
            uow_factory, clock, settings.chain(), settings.timezone, settings.duties()
        ),
        history=HistoryService(uow_factory, settings.timezone),
        delegation=DelegationService(
            uow_factory,
            clock,
            tuple(r for stage in settings.chain() for r in stage.roles),
            settings.duties(),
        ),
        status=status,
        recap=RecapService(uow_factory, status, evidence, settings.timezone, scorecard),
        scorecard=scorecard,
        staffing=StaffingService(
            uow_factory,
            clock,
            calendar,
            tuple(r for stage in settings.chain() for r in stage.roles),
            settings.duties(),
        ),
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
        previews=Previews(settings.evidence_dir / "previews", workers),
        workers=workers,
        health=build_health(settings, engine, clock, reference),
        conversation_timeout=timedelta(minutes=settings.spip_conversation_timeout_minutes),
        is_outage=is_outage,
        whatsapp=settings.whatsapp_phone_id is not None,
    )
    return Core(
        settings=settings,
        engine=engine,
        services=services,
        evidence=evidence,
        clock=clock,
        reference=reference,
    )


def build_health(
    settings: Settings,
    engine: Engine,
    clock: Clock,
    reference: ReferenceCache | None = None,
) -> HealthService:
    """The health check (`spip-bot doctor`, the health URL, the admins' alerts), with the
    network probes of the channels that are set up (their libraries imported when asked)."""
    kept = reference if reference is not None else ReferenceCache()
    label, sqlite = database_label(settings.db_url)
    return HealthService(
        uow_factory=lambda: SqlUnitOfWork(engine, kept),
        clock=clock,
        timezone=settings.timezone,
        evidence_dir=settings.evidence_dir,
        database=Database(label, sqlite, lambda: schema_state(engine)),
        network=network_probes(settings),
        limits=Limits(
            min_free_bytes=settings.spip_min_free_mb * 1024 * 1024,
            outbox_late=timedelta(minutes=settings.spip_outbox_late_minutes),
        ),
        steps_expected=settings.telegram_bot_token is not None,
    )


def network_probes(settings: Settings) -> Network:
    """Telegram's getMe when there is a token; the WhatsApp phone number's lookup when the
    channel is set up (half-way: the sentence naming what is missing)."""
    from urllib.parse import urlparse

    telegram = None
    if settings.telegram_bot_token is not None:
        token = settings.require_token()

        async def telegram_probe() -> Probe:
            from handlers.health import get_me

            return await get_me(token, settings.telegram_base_url, settings.telegram_base_file_url)

        telegram = telegram_probe
    whatsapp, missing = None, None
    graph = settings.whatsapp_graph_url or "https://graph.facebook.com"
    if settings.whatsapp_phone_id is not None or settings.whatsapp_token is not None:
        try:
            phone_id, wa_token, _, _ = settings.require_whatsapp()
        except ConfigError as exc:
            missing = str(exc)
        else:

            async def whatsapp_probe() -> Probe:
                from whatsapp.health import phone_number

                return await phone_number(graph, phone_id, wa_token)

            whatsapp = whatsapp_probe
    return Network(
        telegram=telegram,
        telegram_host=urlparse(settings.telegram_base_url).netloc or settings.telegram_base_url,
        whatsapp=whatsapp,
        whatsapp_host=urlparse(graph).netloc or graph,
        whatsapp_missing=missing,
    )


def read_clock(settings: Settings, engine: Engine) -> Clock:
    """The clock for a command that changes nothing (`spip-bot doctor`): the training clock
    kept in the database when ``SPIP_CLOCK_START`` names it, else as of that start now, else
    the real clock. Unlike ``make_clock`` it neither migrates nor marks the database."""
    start = settings.spip_clock_start
    if start is None:
        return utc_now
    try:  # no schema yet (nor a SQLite file, which is not created), or unreachable
        state = schema_state(engine)
        mark = training.read_mark(engine) if state.current is not None else None
    except Exception:  # the doctor says so
        mark = None
    if mark is not None and mark.start == start:
        return SimulatedClock(mark.start, mark.anchor)
    return SimulatedClock(start, utc_now())


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared(ReferenceLoad):
    """What a start or ``spip-bot init`` did: the schema's upgrade, then the reference data."""

    schema: migrate.Upgraded


# a schema upgraded before prepare_database in this process (by make_clock), to be reported
_UPGRADED_EARLIER: WeakKeyDictionary[Engine, migrate.Upgraded] = WeakKeyDictionary()


def newer_schema(exc: migrate.NewerSchema) -> ConfigError:
    return ConfigError(
        f"Basis data ini dibuat oleh versi spip-bot yang lebih baru (revisi {exc.revision}); "
        "pasang versi itu atau yang lebih baru, jangan menurunkan versi."
    )


def schema_revision(engine: Engine) -> str | None:
    """The database's schema revision (None: none yet); ConfigError with the sentence for the
    admin when a newer release migrated it."""
    try:
        return migrate.check(engine)
    except migrate.NewerSchema as exc:
        raise newer_schema(exc) from None


def upgrade_schema(engine: Engine) -> migrate.Upgraded:
    """Create or upgrade the schema to this code's head, saying so in the log; a database of a
    newer release is refused (ConfigError) before anything is changed."""
    try:
        schema = migrate.upgrade(engine)
    except migrate.NewerSchema as exc:
        log.error("database at revision %s, unknown to this version: refusing it", exc.revision)
        raise newer_schema(exc) from None
    if schema.created:
        log.info("database created at revision %s", schema.after)
    elif schema.changed:
        log.info("database upgraded from revision %s to %s", schema.before, schema.after)
    else:
        log.debug("database at revision %s", schema.after)
    return schema


def prepare_database(
    core: Core,
    org_file: Path | None = None,
    checklist_file: Path | None = None,
    signed_card: SignedCard | None = None,
) -> Prepared:
    """Create or upgrade the schema, then load units and checklist. Safe to run again.
    ``signed_card`` sets the catalogue's signed-card setting (an Excel form ceklis has none).
    A database of a newer release is refused (ConfigError) and left as it is."""
    schema = upgrade_schema(core.engine)
    if (earlier := _UPGRADED_EARLIER.pop(core.engine, None)) is not None:
        schema = migrate.Upgraded(earlier.before, schema.after)
    loaded = _load_reference(core, org_file, checklist_file, signed_card)
    return Prepared(loaded.units, loaded.checklist, loaded.kept, schema=schema)


def _load_reference(
    core: Core,
    org_file: Path | None,
    checklist_file: Path | None,
    signed_card: SignedCard | None,
) -> ReferenceLoad:
    if not isinstance(core.clock, SimulatedClock) and training.read_mark(core.engine):
        log.warning(
            "basis data ini basis data latihan (dibuat dengan SPIP_CLOCK_START) tetapi bot "
            "berjalan dengan jam sebenarnya"
        )
    units = load_org(org_file or core.settings.spip_org_file)
    path = checklist_file or core.settings.spip_checklist_file
    own = checklist_file is not None or path.resolve() != DEFAULT_CHECKLIST.resolve()
    with core.uow() as uow:
        known, kept = uow.catalogue.everything(), uow.catalogue.loaded_from()
    if not own and kept:
        # the province's own checklist, loaded with `spip-bot init --checklist`, stays: a
        # start with the shipped default never replaces it
        log.info("ceklis yang dipakai: %s (dimuat dengan spip-bot init --checklist)", kept)
        held = None
        if signed_card is not None:  # only the setting changes
            with core.uow() as uow:
                held = replace(uow.catalogue.load(), signed_card=signed_card)
        loaded = load_reference_data(core.uow, units, held, core.clock, kept if held else None)
        return replace(loaded, kept=kept)
    catalogue = read_checklist(path, units, known if known.items else None)
    if signed_card is not None:
        catalogue = replace(catalogue, signed_card=signed_card)
    return load_reference_data(core.uow, units, catalogue, core.clock, str(path) if own else None)


def read_checklist(path: Path, units: list[Unit], known: Catalogue | None) -> Catalogue:
    """The catalogue from a TOML file or the satgas' Excel form ceklis (.xlsx)."""
    if path.suffix.lower() == ".xls":
        raise InvalidData(
            f"{path.name}: buku kerja Excel lama (.xls) belum dapat dibaca; simpan sebagai "
            ".xlsx (Excel: Simpan Sebagai, Buku Kerja Excel) lalu muat kembali"
        )
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from chatbot.export.ceklis import read_ceklis  # openpyxl, only when asked

        return read_ceklis(path, units, known)
    return load_catalogue(path)
