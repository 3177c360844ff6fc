"""The running `spip-bot` as a subprocess, a fresh database for it, and the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import TOKEN
from tests.e2e.player import RUNNING
from tests.support.db import BACKENDS, schema_url
from tests.support.fake_bot_api import FakeBotApi


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite in the data folder, or a schema of its own on the PostgreSQL test server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'spip.db'}"
        return
    with schema_url("spip_e2e") as url:
        yield url


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
