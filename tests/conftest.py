"""Shared fixtures: a fresh database per test on each backend, a core, a fixed clock."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from telegram.warnings import PTBUserWarning

from chatbot.app import Core, build_core, prepare_database
from chatbot.config import Settings
from tests.support.db import BACKENDS, PG_URL, PostgresSchema, SqliteTemplate, schema_url
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_graph_api import FakeGraphApi

warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")

TOKEN = "123456789:AAEtestTokenForTheSpipBotxxxxxxxxxx"
CHECKLIST_2024 = Path(__file__).parent / "support" / "checklist_2024.toml"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PostgresSchema | None]:
    if PG_URL is None:
        yield None
        return
    schema = PostgresSchema(PG_URL)
    yield schema
    schema.drop()


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: SqliteTemplate,
    pg_schema: PostgresSchema | None,
) -> Iterator[Engine]:
    if request.param == "sqlite":
        _, eng = sqlite_template.fresh(tmp_path)
        yield eng
        eng.dispose()
    else:
        assert pg_schema is not None
        yield pg_schema.fresh()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 2, 1, 0, tzinfo=UTC))  # Monday 2 November, 08.00 WIB


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_bot_username="spip_jambi_bot",
        spip_data_dir=tmp_path / "data",
        # the tests' clock stands still: a decision's notice is due at once, and decisions
        # made before the outbox is drained still gather (test_review holds it for real)
        spip_decision_gather_seconds=0,
        # the tests of the flows run on the earlier, smaller checklist (18 items, 6 types): a
        # province's own list as `spip-bot init --checklist` loads it; the shipped eight-card
        # catalogue has its own tests (tests/domain, tests/contract/test_catalogue.py)
        spip_checklist_file=CHECKLIST_2024,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def core(settings: Settings, engine: Engine, clock: Clock) -> Core:
    core = build_core(settings, clock=clock, engine=engine)
    prepare_database(core)
    return core


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database for a process of its own (`spip-bot` as a subprocess, the CLI): SQLite in
    the data folder, or a schema of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'spip.db'}"
        return
    with schema_url("spip_url") as url:
        yield url


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API on loopback (the end-to-end tests' Telegram)."""
    api = FakeBotApi(TOKEN)
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
def fake(bot_api: FakeBotApi) -> FakeBotApi:
    """The end-to-end tests' name for it."""
    return bot_api


@pytest.fixture
async def graph_api() -> AsyncIterator[FakeGraphApi]:
    """The fake Graph API on loopback, checking the WhatsApp token ("token-graph")."""
    api = FakeGraphApi(token="token-graph")
    await api.start()
    yield api
    await api.stop()
