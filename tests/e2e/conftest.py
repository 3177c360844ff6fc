"""The running `spip-bot` as a subprocess, a fresh database for it, and the fake Bot API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine
from tests.conftest import TOKEN
from tests.e2e.player import RUNNING
from tests.support.db import BACKENDS, PG_URL
from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite in the data folder, or a schema of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'spip.db'}"
        return
    assert PG_URL is not None
    schema = f"spip_e2e_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """Every bot a test started is killed afterwards, with its process group, even when the
    test failed half-way (it would go on polling a fake server that no longer exists)."""
    yield
    for bot in list(RUNNING):
        bot.ensure_stopped()
        RUNNING.discard(bot)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi(TOKEN)
    await api.start()
    yield api
    await api.stop()
