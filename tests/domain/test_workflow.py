from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chatbot.domain.calendar import Period
from chatbot.domain.errors import (
    AlreadyDecided,
    InvalidData,
    InvalidTransition,
    ItemLocked,
    NoteRequired,
    NotYourRole,
    NotYourUnit,
    PeriodClosed,
    PreconditionMissing,
    ReasonRequired,
    StaleVersion,
    UnitsIncomplete,
)
from chatbot.domain.events import EventKind
from chatbot.domain.roles import Role
from chatbot.domain.workflow import (
    CARD_STEP_ACTION,
    UNIT_CARD_ITEM,
    Actor,
    Approve,
    CardState,
    CardStatus,
    Context,
    Decide,
    Deliver,
    DeliveryKind,
    Handover,
    ItemState,
    ItemStatus,
    ItemStep,
    RecordEspip,
    RecordKirimData,
    Return,
    UploadDraft,
    UploadSigned,
    Withdraw,
    apply_card,
    apply_item,
    card_steps,
    item_steps,
    parse_chain,
)

NOW = datetime(2026, 11, 5, 3, 0, tzinfo=UTC)
P = Period(2026, 10)
KERINCI = Actor(1, "1501", frozenset({Role.SATGAS_KABKOTA}))
MERANGIN = Actor(2, "1502", frozenset({Role.SATGAS_KABKOTA}))
SATGAS = Actor(3, "15", frozenset({Role.SATGAS_PROV}))
ROLE_PEOPLE = {
    role: Actor(10 + i, "15", frozenset({role}))
    for i, role in enumerate(
        [Role.SUBBAG_HUKUM, Role.KABAG_HSDM, Role.SEKRETARIS, Role.DIVISI_HUKUM, Role.KETUA]
    )
}


def ctx(actor: Actor, **kw: bool) -> Context:
    return Context(actor=actor, now=NOW, **kw)


def item() -> ItemState:
    return ItemState(period=P, unit_code="1501", item_code="KPG-01")


def test_deliver_approve_path_with_versions_and_events() -> None:
    t = apply_item(item(), Deliver(), ctx(KERINCI))
    assert (t.state.status, t.state.version) == (ItemStatus.DIKIRIM, 1)
    assert [e.kind for e in t.events] == [EventKind.ITEM_DIKIRIM]
    t = apply_item(t.state, Return(1, "Tanda tangan belum ada"), ctx(SATGAS))
    assert (t.state.status, t.state.reason) == (ItemStatus.DIKEMBALIKAN, "Tanda tangan belum ada")
    assert t.events[0].detail["alasan"] == "Tanda tangan belum ada"
    t = apply_item(t.state, Deliver(), ctx(KERINCI, late=True))
    assert (t.state.version, t.state.reason, t.events[0].detail["terlambat"]) == (2, None, "ya")
    t = apply_item(t.state, Approve(2), ctx(SATGAS))
    assert t.state.status is ItemStatus.DISETUJUI and t.state.complete


def test_no_activity_needs_a_note_and_is_accepted_as_tidak_ada_kegiatan() -> None:
    with pytest.raises(NoteRequired):
        apply_item(item(), Deliver(DeliveryKind.NIHIL, "  "), ctx(KERINCI))
    t = apply_item(item(), Deliver(DeliveryKind.NIHIL, "Tidak ada hibah"), ctx(KERINCI))
    t = apply_item(t.state, Approve(1), ctx(SATGAS))
    assert t.state.status is ItemStatus.TIDAK_ADA_KEGIATAN and t.state.complete


def test_refusals_for_items() -> None:
    delivered = apply_item(item(), Deliver(), ctx(KERINCI)).state
    with pytest.raises(NotYourUnit):
        apply_item(item(), Deliver(), ctx(MERANGIN))
    with pytest.raises(NotYourRole):
        apply_item(item(), Deliver(), ctx(ROLE_PEOPLE[Role.KETUA]))
    with pytest.raises(NotYourRole):
        apply_item(delivered, Approve(1), ctx(KERINCI))
    with pytest.raises(PeriodClosed):
        apply_item(item(), Deliver(), ctx(KERINCI, period_closed=True))
    with pytest.raises(PeriodClosed):
        apply_item(delivered, Approve(1), ctx(SATGAS, period_closed=True))
    with pytest.raises(StaleVersion):
        apply_item(delivered, Approve(0), ctx(SATGAS))
    with pytest.raises(ReasonRequired):
        apply_item(delivered, Return(1, " "), ctx(SATGAS))
    approved = apply_item(delivered, Approve(1), ctx(SATGAS)).state
    with pytest.raises(AlreadyDecided):
        apply_item(approved, Approve(1), ctx(SATGAS))
    with pytest.raises(AlreadyDecided):
        apply_item(approved, Return(1, "salah"), ctx(SATGAS))
    with pytest.raises(ItemLocked):
        apply_item(approved, Deliver(), ctx(KERINCI))
    with pytest.raises(InvalidTransition):
        apply_item(item(), Approve(0), ctx(SATGAS))


def test_withdraw_then_replace_makes_old_buttons_stale() -> None:
    delivered = apply_item(item(), Deliver(), ctx(KERINCI)).state
    withdrawn = apply_item(delivered, Withdraw(1), ctx(KERINCI)).state
    assert withdrawn.status is ItemStatus.KOSONG
    with pytest.raises(InvalidTransition):
        apply_item(withdrawn, Approve(1), ctx(SATGAS))
    replaced = apply_item(withdrawn, Deliver(), ctx(KERINCI)).state
    assert replaced.version == 2
    with pytest.raises(StaleVersion):
        apply_item(replaced, Approve(1), ctx(SATGAS))
    # replacing while waiting, without withdrawing first, is also a new version
    assert apply_item(replaced, Deliver(), ctx(KERINCI)).state.version == 3


def test_unit_card_needs_the_unit_complete_first() -> None:
    card = ItemState(period=P, unit_code="1501", item_code=UNIT_CARD_ITEM)
    with pytest.raises(PreconditionMissing):
        apply_item(card, Deliver(), ctx(KERINCI))
    assert apply_item(card, Deliver(), ctx(KERINCI, unit_complete=True)).state.version == 1
    bagian = Actor(4, "1501", frozenset({Role.BAGIAN}))
    with pytest.raises(NotYourRole):
        apply_item(card, Deliver(), ctx(bagian, unit_complete=True))


def _chain_to_final() -> CardState:
    state = apply_card(CardState(P), UploadDraft(), ctx(SATGAS)).state
    for role in (Role.SUBBAG_HUKUM, Role.KABAG_HSDM, Role.SEKRETARIS, Role.DIVISI_HUKUM):
        state = apply_card(state, Decide(1, role, True), ctx(ROLE_PEOPLE[role])).state
    t = apply_card(state, Decide(1, Role.KETUA, True), ctx(ROLE_PEOPLE[Role.KETUA]))
    assert [e.kind for e in t.events] == [
        EventKind.KARTU_DISETUJUI_PEJABAT,
        EventKind.KARTU_TAHAP_SELESAI,
    ]
    assert t.state.status is CardStatus.MENUNGGU_TTD
    return apply_card(t.state, UploadSigned(), ctx(SATGAS)).state


def test_provincial_card_chain_to_handover() -> None:
    state = _chain_to_final()
    assert (state.status, state.version) == (CardStatus.FINAL, 2)
    with pytest.raises(PreconditionMissing):
        apply_card(state, RecordKirimData(), ctx(SATGAS))
    state = apply_card(state, RecordEspip(), ctx(SATGAS)).state
    state = apply_card(state, RecordKirimData(), ctx(SATGAS)).state
    with pytest.raises(PreconditionMissing, match="unit_belum_lengkap"):
        apply_card(state, Handover(), ctx(SATGAS))
    t = apply_card(state, Handover(), ctx(SATGAS, all_units_complete=True))
    assert t.state.status is CardStatus.DISERAHKAN
    assert t.events[0].kind is EventKind.PERIODE_DISERAHKAN
    with pytest.raises(PeriodClosed):
        apply_card(t.state, RecordEspip(), ctx(SATGAS, period_closed=True))


def test_both_paraf_needed_and_a_return_restarts_the_chain() -> None:
    state = apply_card(CardState(P), UploadDraft(), ctx(SATGAS)).state
    hukum, hsdm = ROLE_PEOPLE[Role.SUBBAG_HUKUM], ROLE_PEOPLE[Role.KABAG_HSDM]
    state = apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), ctx(hukum)).state
    assert state.stage == 0 and state.approvals == {Role.SUBBAG_HUKUM}
    with pytest.raises(AlreadyDecided):
        apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), ctx(hukum))
    with pytest.raises(PreconditionMissing):
        apply_card(state, Decide(1, Role.KETUA, True), ctx(ROLE_PEOPLE[Role.KETUA]))
    with pytest.raises(NotYourRole):
        apply_card(state, Decide(1, Role.KABAG_HSDM, True), ctx(hukum))
    with pytest.raises(ReasonRequired):
        apply_card(state, Decide(1, Role.KABAG_HSDM, False), ctx(hsdm))
    state = apply_card(state, Decide(1, Role.KABAG_HSDM, False, "Angka salah"), ctx(hsdm)).state
    assert (state.status, state.reason, state.stage) == (
        CardStatus.DIKEMBALIKAN,
        "Angka salah",
        0,
    )
    with pytest.raises(AlreadyDecided):
        apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), ctx(hukum))
    state = apply_card(state, UploadDraft(), ctx(SATGAS)).state
    assert (state.version, state.approvals) == (2, frozenset())
    with pytest.raises(StaleVersion):
        apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), ctx(hukum))


def test_a_covering_person_acts_for_the_role_and_it_is_recorded() -> None:
    state = apply_card(CardState(P), UploadDraft(), ctx(SATGAS)).state
    cover = Actor(99, "15", frozenset({Role.SATGAS_PROV}), covering={Role.SUBBAG_HUKUM: 10})
    t = apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), ctx(cover))
    assert t.events[0].actor_id == 99 and t.events[0].detail["atas_nama"] == "10"


def test_chain_is_data() -> None:
    chain = parse_chain([{"kind": "paraf", "roles": ["kabag_hsdm"]}])
    state = apply_card(CardState(P), UploadDraft(), ctx(SATGAS), chain).state
    hsdm = ROLE_PEOPLE[Role.KABAG_HSDM]
    state = apply_card(state, Decide(1, Role.KABAG_HSDM, True), ctx(hsdm), chain).state
    assert state.status is CardStatus.MENUNGGU_TTD
    for bad in ([], [{"kind": "x", "roles": ["ketua"]}], [{"kind": "paraf", "roles": []}]):
        with pytest.raises(InvalidData):
            parse_chain(bad)


def test_the_signed_card_cannot_be_declared_no_activity() -> None:
    card = ItemState(P, "1501", UNIT_CARD_ITEM)
    with pytest.raises(InvalidTransition):
        apply_item(card, Deliver(DeliveryKind.NIHIL, "Tidak ada"), ctx(KERINCI, unit_complete=True))


@pytest.mark.parametrize("status", list(ItemStatus))
@pytest.mark.parametrize("code", ["KEU-01", UNIT_CARD_ITEM])
def test_the_steps_offered_are_the_steps_applied(status: ItemStatus, code: str) -> None:
    """A button is offered exactly when the submitter's action would be accepted."""
    state = ItemState(P, "1501", code, status, version=1)
    steps = item_steps(state, unit_complete=True)
    actions = {
        ItemStep.FILES: Deliver(DeliveryKind.BERKAS),
        ItemStep.NIHIL: Deliver(DeliveryKind.NIHIL, "Tidak ada perjalanan dinas"),
        ItemStep.WITHDRAW: Withdraw(1),
    }
    for step, action in actions.items():
        try:
            apply_item(state, action, ctx(KERINCI, unit_complete=True))
            accepted = True
        except (ItemLocked, InvalidTransition, PreconditionMissing):
            accepted = False
        assert (step in steps) is accepted, (step, status, code)


@pytest.mark.parametrize("status", list(CardStatus))
def test_the_card_steps_offered_are_the_steps_applied(status: CardStatus) -> None:
    state = CardState(P, status, version=1)
    offered = card_steps(state)
    actor = Actor(3, "15", frozenset({Role.SATGAS_PROV}))
    for step, action in CARD_STEP_ACTION.items():
        try:
            apply_card(state, action, Context(actor, NOW, all_units_complete=True))
            accepted = True
        except (InvalidTransition, PreconditionMissing):
            accepted = False
        assert (step in offered) is accepted, (step, status)
    if status is CardStatus.DATA_DIKIRIM:  # offered; refused while units are short
        with pytest.raises(UnitsIncomplete):
            apply_card(state, Handover(), Context(actor, NOW, all_units_complete=False))


@pytest.mark.parametrize(
    ("extension", "detected", "head", "accepted"),
    [
        ("pdf", "pdf", b"%PDF", True),
        ("pdf", "exe", b"MZ", False),
        ("pdf", None, b"hello", False),
        ("jpg", "jpg", b"\xff\xd8\xff", True),
        ("png", "jpg", b"\xff\xd8\xff", False),
        ("docx", "docx", b"PK", True),
        ("xlsx", "zip", b"PK", True),
        ("doc", None, bytes.fromhex("d0cf11e0a1b11ae1"), True),
        ("xls", "exe", b"MZ", False),
        ("txt", None, b"anything", True),  # a type the rule does not know: as named
    ],
)
def test_a_files_content_must_be_its_type(
    extension: str, detected: str | None, head: bytes, accepted: bool
) -> None:
    from chatbot.domain.files import ContentMismatch, check_content

    if accepted:
        check_content(extension, detected, head)
    else:
        with pytest.raises(ContentMismatch):
            check_content(extension, detected, head)
