"""The running `spip-bot` as a subprocess, a fresh database for it, and the fake Bot API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.player import RUNNING


@pytest.fixture(autouse=True)
def no_process_left() -> Iterator[None]:
    """Every bot a test started is killed afterwards, with its process group, even when the
    test failed half-way (it would go on polling a fake server that no longer exists)."""
    yield
    for bot in list(RUNNING):
        bot.ensure_stopped()
        RUNNING.discard(bot)
