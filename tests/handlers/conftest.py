from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chatbot.app import Core
from chatbot.domain.people import Person
from tests.support.telegram import TelegramHarness, User

ADMIN = User(11, "Admin", "Provinsi")
BUDI = User(21, "Budi", "Santoso")
OUTSIDER = User(99, "Orang", "Luar")


@pytest.fixture
async def bot(core: Core) -> AsyncIterator[TelegramHarness]:
    async with TelegramHarness(core) as harness:
        yield harness


@pytest.fixture
def admin(core: Core) -> Person:
    reg = core.services.registration
    return reg.redeem(reg.create_invite("15", "admin").code, ADMIN.id, ADMIN.id, "Admin").person
