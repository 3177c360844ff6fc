from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from chatbot.app import Core, build_core, prepare_database
from chatbot.config import Settings
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from storage.models import OutboxRow
from tests.conftest import TOKEN, Clock
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


# a small province for whole-month tests: two regencies, one department, two items
ORG = """
[[unit]]
code = "15"
name = "KPU Provinsi Jambi"
kind = "provinsi"
[[unit]]
code = "1501"
name = "KPU Kabupaten Kerinci"
kind = "kabkota"
[[unit]]
code = "1502"
name = "KPU Kabupaten Merangin"
kind = "kabkota"
[[unit]]
code = "KUL"
name = "Bagian Keuangan, Umum dan Logistik"
kind = "bagian"
"""
CHECKLIST = """
[[card_type]]
code = "KEU"
name = "Keuangan Negara dan Hibah"
[[card_type.item]]
code = "KEU-01"
name = "Laporan realisasi anggaran (LRA)"
owed_by = ["kabkota", "KUL"]
[[card_type]]
code = "RPL"
name = "Rapat Pleno"
[[card_type.item]]
code = "RPL-01"
name = "Notulen rapat pleno"
owed_by = ["kabkota", "provinsi"]
"""
HUKUM = User(71, "Hana", "Hukum")
HSDM = User(72, "Hadi", "HSDM")
SEKRETARIS = User(73, "Sekar", "Sekretaris")
DIVISI = User(74, "Dodi", "Divisi")
MERANGIN = User(43, "Mira", "Merangin")


@pytest.fixture
def small_core(tmp_path: Path, engine: Engine, clock: Clock) -> Core:
    org, checklist = tmp_path / "org.toml", tmp_path / "checklist.toml"
    org.write_text(ORG, encoding="utf-8")
    checklist.write_text(CHECKLIST, encoding="utf-8")
    settings = Settings(
        telegram_bot_token=TOKEN,
        spip_data_dir=tmp_path / "data",
        spip_decision_gather_seconds=0,  # the clock stands still (see tests/conftest.py)
        spip_org_file=org,
        spip_checklist_file=checklist,
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, clock=clock, engine=engine)
    prepare_database(core)
    for user, unit, role in [
        (SATGAS, "15", "satgas_prov"),
        (HUKUM, "15", "subbag_hukum"),
        (HSDM, "15", "kabag_hsdm"),
        (SEKRETARIS, "15", "sekretaris"),
        (DIVISI, "15", "divisi_hukum"),
        (KETUA, "15", "ketua"),
        (KERINCI, "1501", "satgas_kabkota"),
        (MERANGIN, "1502", "satgas_kabkota"),
        (KUL, "KUL", "bagian"),
    ]:
        join(core, user, unit, role)
    return core


@pytest.fixture
async def small_bot(small_core: Core) -> AsyncIterator[TelegramHarness]:
    async with TelegramHarness(small_core) as harness:
        yield harness
