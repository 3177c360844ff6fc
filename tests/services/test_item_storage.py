"""Item states are written with a conditional update: two writers from the same read cannot
both win (lost updates are impossible), on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.errors import ConcurrentChange
from chatbot.domain.workflow import DeliveryKind, ItemStatus
from storage.models import ReviewOpenedRow

P = Period(2026, 10)


def test_second_writer_from_the_same_read_loses(core: Core) -> None:
    core.services.submission.open_period(P)
    now = core.clock()
    with core.uow() as uow:
        first = uow.items.get(P, "1501", "KEU-01")
        uow.items.save(first, replace(first.state, status=ItemStatus.DIKIRIM, version=1), now)
        uow.commit()
    with core.uow() as a, core.uow() as b:
        read_a = a.items.get(P, "1501", "KEU-01")
        read_b = b.items.get(P, "1501", "KEU-01")
        a.items.save(read_a, replace(read_a.state, status=ItemStatus.DISETUJUI), now)
        a.commit()
        with pytest.raises(ConcurrentChange):
            b.items.save(read_b, replace(read_b.state, status=ItemStatus.DIKEMBALIKAN), now)
    with core.uow() as uow:
        assert uow.items.get(P, "1501", "KEU-01").state.status is ItemStatus.DISETUJUI


def test_two_first_writes_of_the_same_item(core: Core) -> None:
    core.services.submission.open_period(P)
    now = core.clock()
    with core.uow() as a:
        read_a = a.items.get(P, "1501", "KEU-01")
        a.items.save(
            read_a,
            replace(
                read_a.state, status=ItemStatus.DIKIRIM, version=1, delivery=DeliveryKind.BERKAS
            ),
            now,
        )
        a.commit()
    with core.uow() as b, pytest.raises(ConcurrentChange):
        b.items.save(read_a, replace(read_a.state, status=ItemStatus.DIKIRIM, version=1), now)


def test_a_delivery_carries_the_checklist_as_a_fresh_read_shows_it(core: Core) -> None:
    """The checklist redrawn after a confirmation comes with the delivery (not read again):
    the same as reading it afresh, the open periods with it."""
    reg, sub = core.services.registration, core.services.submission
    budi = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 41, 41, "Budi").person
    sub.open_period(P)
    sub.keep_draft(budi, P, "KEU-02", [])  # another item's draft shows on the checklist too
    receipt = sub.deliver(budi, P, "KEU-01", 0, note="Tidak ada LRA")
    assert receipt.checklist == sub.checklist(budi, P)
    assert receipt.periods == (P,)
    [row] = [r for r in receipt.checklist.rows if r.item.code == "KEU-01"]
    assert (row.state.status, row.state.version) == (ItemStatus.DIKIRIM, 1)
    assert sub.open_checklist(budi, (None,)) == ((P,), receipt.checklist)


def test_an_item_page_and_the_status_name_the_periods_read_with_them(core: Core) -> None:
    reg, sub = core.services.registration, core.services.submission
    budi = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 41, 41, "Budi").person
    november = Period(2026, 11)
    sub.open_period(P)
    sub.open_period(november)
    assert sub.item_detail(budi, P, "KEU-01").periods == (P, november)
    with core.uow() as uow:
        uow.periods.close(P, core.clock())
        uow.commit()
    assert sub.item_detail(budi, november, "KEU-01").periods == (november,)
    status = core.services.status.for_person(budi, P)
    assert status.periods == (P, november) and status.closed  # the closed month too


def test_a_desk_opening_keeps_the_first_time_it_was_opened(core: Core) -> None:
    reg, sub = core.services.registration, core.services.submission
    budi = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 41, 41, "Budi").person
    sari = reg.redeem(reg.create_invite("15", "satgas_prov").code, 31, 31, "Sari").person
    sub.open_period(P)
    sub.deliver(budi, P, "KEU-01", 0, note="Tidak ada LRA")
    first = core.clock()
    with core.uow() as uow:
        state_id = uow.items.get(P, "1501", "KEU-01").id
        assert state_id is not None
        uow.reviews.opened(sari.id, state_id, 1, first)
        uow.reviews.opened(sari.id, state_id, 1, first + timedelta(minutes=5))  # again
        uow.commit()
    with core.uow() as uow:
        assert uow.reviews.opened_of(sari.id, [(state_id, 1), (state_id, 2)]) == {(state_id, 1)}
    with Session(core.engine) as session:
        [row] = session.exec(select(ReviewOpenedRow)).all()
    assert row.opened_at == first
