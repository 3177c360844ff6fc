from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session, select

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from storage.models import OutboxRow
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


SATGAS = User(31, "Sari", "Satgas")
KERINCI = User(41, "Budi", "Kerinci")
KERINCI2 = User(42, "Ani", "Kerinci")
KUL = User(51, "Dewi", "KUL")
KETUA = User(61, "Ketua", "KPU")


def join(core: Core, user: User, unit: str, role: str) -> Person:
    reg = core.services.registration
    code = reg.create_invite(unit, role, f"{user.first_name} {user.last_name}").code
    return reg.redeem(code, user.id, user.id, user.first_name).person


@pytest.fixture
def people(core: Core, admin: Person) -> dict[str, Person]:
    people = {
        "satgas": join(core, SATGAS, "15", "satgas_prov"),
        "kerinci": join(core, KERINCI, "1501", "satgas_kabkota"),
        "kerinci2": join(core, KERINCI2, "1501", "satgas_kabkota"),
        "kul": join(core, KUL, "KUL", "bagian"),
        "ketua": join(core, KETUA, "15", "ketua"),
    }
    core.services.submission.open_period(Period(2026, 10))
    with Session(core.engine) as session:  # kick-offs are tested on their own
        for row in session.exec(select(OutboxRow)):
            session.delete(row)
        session.commit()
    return people
