from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, func, select

from chatbot.app import Core, prepare_database
from chatbot.config import DATA
from chatbot.domain.calendar import Period
from chatbot.domain.errors import (
    AlreadyInOtherUnit,
    InviteExpired,
    InviteInvalid,
    InviteUsed,
    NotYourRole,
    RoleNotForUnit,
    UnknownRole,
    UnknownUnit,
)
from chatbot.domain.events import EventKind
from chatbot.domain.roles import Role
from chatbot.domain.workflow import ItemStatus
from storage.models import AuditRow, ChecklistItemRow, InviteRow, OutboxRow, UnitRow
from tests.conftest import CHECKLIST_2024, Clock


def count(core: Core, model: type) -> int:
    with Session(core.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_init_twice_leaves_one_set_of_units_and_checklist(core: Core) -> None:
    again = prepare_database(core)
    assert (again.units.added, again.units.updated, again.checklist.added) == (0, 0, 0)
    assert count(core, UnitRow) == 15
    assert count(core, ChecklistItemRow) == 18
    with Session(core.engine) as session:
        loads = session.exec(select(AuditRow).where(AuditRow.kind == EventKind.DATA_DIMUAT)).all()
    assert len(loads) == 1  # the second, unchanged load records nothing


def test_init_with_an_edited_checklist_updates_and_deactivates(core: Core, tmp_path: Path) -> None:
    text = CHECKLIST_2024.read_text(encoding="utf-8")
    text = text.replace("Rekapitulasi daftar hadir pegawai", "Rekap daftar hadir")
    cut = text.index('[[card_type]]\ncode = "RPL"')
    edited = tmp_path / "checklist.toml"
    edited.write_text(text[:cut], encoding="utf-8")
    result = prepare_database(core, checklist_file=edited)
    assert (result.checklist.updated, result.checklist.deactivated) == (1, 1)
    with core.uow() as uow:
        catalogue = uow.catalogue.load()
    assert len(catalogue.items) == 17 and catalogue.item("RPL-01") is None
    renamed = catalogue.item("KPG-01")
    assert renamed is not None and renamed.name == "Rekap daftar hadir"
    assert count(core, ChecklistItemRow) == 18  # kept for history, inactive


def test_a_reload_never_changes_what_a_closed_month_owed(core: Core) -> None:
    """October closes on the checklist it was reported on; the eight default cards loaded
    afterwards apply to November, while October's status and recap keep its own items, with
    what was delivered, even for items the new list no longer has."""
    reg = core.services.registration
    kul = reg.redeem(reg.create_invite("KUL", "bagian").code, 51, 51, "Dewi").person
    october, november = Period(2026, 10), Period(2026, 11)
    core.services.submission.open_period(october)
    core.services.submission.deliver(kul, october, "KEU-01", 0, note="Tidak ada LRA")
    with core.uow() as uow:  # the hand-over closes it (services/card.py)
        uow.periods.close(october, core.clock())
        uow.catalogue.snapshot_into(october)
        uow.commit()
    result = prepare_database(core, checklist_file=DATA / "checklist.toml")
    assert result.checklist.deactivated == 18
    core.services.submission.open_period(november)
    status = core.services.status
    october_kul = next(u for u in status.period_status(october).units if u.unit.code == "KUL")
    assert [line.item.code for line in october_kul.lines][:2] == ["KEU-01", "KEU-02"]
    assert (october_kul.lines[0].status, october_kul.lines[0].version) == (
        ItemStatus.DIKIRIM,
        1,
    )
    november_kul = next(u for u in status.period_status(november).units if u.unit.code == "KUL")
    assert november_kul.lines[0].item.code == "KNH-01" and len(november_kul.lines) == 39
    book = load_workbook(BytesIO(core.services.recap.workbook(october)))
    cells = {str(c.value) for row in book.worksheets[1].iter_rows() for c in row}
    assert any("KEU-01" in c for c in cells) and not any("KNH-01" in c for c in cells)


def test_invite_is_redeemed_once(core: Core) -> None:
    reg = core.services.registration
    issued = reg.create_invite("1501", "satgas_kabkota", "Budi Santoso")
    joined = reg.redeem(issued.display.lower(), 5001, 5001, "budi")
    assert joined.new_person and joined.person.name == "Budi Santoso"
    assert joined.person.unit.code == "1501" and joined.person.roles == {Role.SATGAS_KABKOTA}
    with pytest.raises(InviteUsed):
        reg.redeem(issued.code, 5002, 5002, "someone else")
    assert reg.person(5002) is None
    with core.uow() as uow:
        assert uow.invites.by_hash(issued.code) is None  # only the hash is stored
    with Session(core.engine) as session:
        row = session.exec(select(InviteRow)).one()
        assert issued.code not in row.code_hash and row.used_by == joined.person.id


def test_expired_unknown_and_malformed_codes(core: Core, clock: Clock) -> None:
    reg = core.services.registration
    issued = reg.create_invite("HSDM", "bagian")
    clock.advance(days=7)  # Monday to Monday: 5 working days
    with pytest.raises(InviteExpired):
        reg.redeem(issued.code, 5001, 5001, "x")
    with pytest.raises(InviteInvalid):
        reg.redeem("ABCDE-FGH23", 5001, 5001, "x")
    with pytest.raises(InviteInvalid):
        reg.redeem("hello", 5001, 5001, "x")


def test_bad_invite_requests(core: Core) -> None:
    reg = core.services.registration
    with pytest.raises(UnknownUnit):
        reg.create_invite("9999", "satgas_kabkota")
    with pytest.raises(UnknownRole):
        reg.create_invite("1501", "raja")
    with pytest.raises(RoleNotForUnit):
        reg.create_invite("1501", "ketua")
    with pytest.raises(RoleNotForUnit):
        reg.create_invite("15", "satgas_kabkota")
    member = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 1, 1, "a").person
    with pytest.raises(NotYourRole):
        reg.create_invite("1502", "satgas_kabkota", by=member)


def test_second_role_same_unit_is_added_other_unit_is_refused(core: Core) -> None:
    reg = core.services.registration
    first = reg.redeem(reg.create_invite("15", "satgas_prov").code, 7, 7, "Sari").person
    second = reg.redeem(reg.create_invite("15", "admin").code, 7, 7, "Sari")
    assert not second.new_person and second.person.id == first.id
    assert second.person.roles == {Role.SATGAS_PROV, Role.ADMIN}
    with pytest.raises(AlreadyInOtherUnit):
        reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 7, 7, "Sari")


def test_joining_writes_audit_and_tells_the_inviter_in_one_transaction(
    core: Core, clock: Clock
) -> None:
    reg = core.services.registration
    admin = reg.redeem(reg.create_invite("15", "admin").code, 1, 1, "Admin").person
    issued = reg.create_invite("1502", "satgas_kabkota", "Rina", by=admin)
    clock.advance(minutes=5)
    joined = reg.redeem(issued.code, 2, 2, "rina")
    with Session(core.engine) as session:
        kinds = [r.kind for r in session.exec(select(AuditRow).order_by(AuditRow.id))]
        outbox = session.exec(select(OutboxRow)).all()
    assert kinds[-2:] == [EventKind.UNDANGAN_DIBUAT, EventKind.ANGGOTA_BERGABUNG]
    assert len(outbox) == 1 and outbox[0].person_id == admin.id
    assert "Rina telah bergabung" in outbox[0].text and joined.person.unit.code == "1502"


def test_a_failed_redeem_leaves_nothing_behind(core: Core) -> None:
    reg = core.services.registration
    reg.redeem(reg.create_invite("15", "satgas_prov").code, 7, 7, "Sari")
    before = (count(core, AuditRow), count(core, OutboxRow))
    issued = reg.create_invite("1501", "satgas_kabkota")
    with pytest.raises(AlreadyInOtherUnit):
        reg.redeem(issued.code, 7, 7, "Sari")
    assert (count(core, AuditRow), count(core, OutboxRow)) == (before[0] + 1, before[1])
    # the code is still good for the right person
    assert reg.redeem(issued.code, 8, 8, "Andi").person.unit.code == "1501"


def test_invite_lifetime_is_the_setting(core: Core, clock: Clock) -> None:
    """5 working days: made Monday 2 November 2026 08:00 WIB, good until Monday 9 November
    08:00; made on a Friday 09:00, good until the next Friday (not the Monday)."""
    assert core.settings.spip_invite_ttl_working_days == 5
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    assert issued.expires_at - clock() == timedelta(days=7)
    clock.now = datetime(2026, 11, 6, 2, 0, tzinfo=UTC)  # Friday 6 November, 09.00 WIB
    friday = core.services.registration.create_invite("1501", "satgas_kabkota")
    assert friday.expires_at == datetime(2026, 11, 13, 2, 0, tzinfo=UTC)
