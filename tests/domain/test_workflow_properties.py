"""Property-based: no sequence of actions reaches an illegal state, skips a stage of the
chain, or applies a decision twice."""

from __future__ import annotations

from dataclasses import replace

import hypothesis
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.domain.errors import DomainError
from chatbot.domain.events import EventKind
from chatbot.domain.roles import Role
from chatbot.domain.workflow import (
    DEFAULT_CHAIN,
    Approve,
    CardState,
    CardStatus,
    Decide,
    Deliver,
    DeliveryKind,
    Handover,
    ItemState,
    ItemStatus,
    RecordEspip,
    RecordKirimData,
    Return,
    UploadDraft,
    UploadSigned,
    Withdraw,
    apply_card,
    apply_item,
)
from tests.domain.test_workflow import KERINCI, MERANGIN, NOW, ROLE_PEOPLE, SATGAS, P, ctx

ACTORS = [KERINCI, MERANGIN, SATGAS, *ROLE_PEOPLE.values()]
versions = st.integers(min_value=0, max_value=4)
reasons = st.sampled_from(["", "x", "Berkas tidak terbaca"])

item_actions = st.one_of(
    st.builds(Deliver, st.just(DeliveryKind.BERKAS), st.just("")),
    st.builds(Deliver, st.just(DeliveryKind.NIHIL), st.sampled_from(["", "Tidak ada kegiatan"])),
    st.builds(Withdraw, versions),
    st.builds(Approve, versions),
    st.builds(Return, versions, reasons),
)
item_steps = st.lists(
    st.tuples(st.sampled_from(ACTORS), item_actions, st.booleans(), st.booleans()),
    min_size=5,
    max_size=40,
)


@settings(max_examples=400)
@given(item_steps)
def test_item_machine_never_breaks_its_rules(steps: list[tuple]) -> None:
    state = ItemState(period=P, unit_code="1501", item_code="KPG-01")
    decided: set[int] = set()
    for actor, action, closed, late in steps:
        try:
            t = apply_item(state, action, ctx(actor, period_closed=closed, late=late))
        except DomainError:
            continue
        new = t.state
        assert not closed, "nothing changes in a closed period"
        assert not state.complete, "an accepted item never changes"
        assert len(t.events) == 1 and t.events[0].version == new.version
        kind = t.events[0].kind
        if kind is EventKind.ITEM_DIKIRIM:
            assert actor.unit_code == "1501"
            assert new.version == state.version + 1 and new.status is ItemStatus.DIKIRIM
        else:
            assert new.version == state.version
        if kind in (EventKind.ITEM_DISETUJUI, EventKind.ITEM_DIKEMBALIKAN):
            assert state.status is ItemStatus.DIKIRIM and action.version == state.version
            assert new.version not in decided, "a decision applied twice"
            decided.add(new.version)
            assert Role.SATGAS_PROV in actor.roles
        if new.status is ItemStatus.DIKEMBALIKAN:
            assert new.reason and len(new.reason.strip()) >= 3
        if new.status is ItemStatus.TIDAK_ADA_KEGIATAN:
            assert state.delivery is DeliveryKind.NIHIL
        state = new


chain_roles = st.sampled_from([*ROLE_PEOPLE, *ROLE_PEOPLE, Role.SATGAS_PROV, Role.ADMIN])
mostly_yes = st.sampled_from([True, True, True, True, False])
decide = st.builds(Decide, versions, chain_roles, mostly_yes, reasons)
card_actions = st.one_of(
    st.just(UploadDraft()),
    decide,
    decide,
    decide,
    decide,
    st.just(UploadSigned()),
    st.just(RecordEspip()),
    st.just(RecordKirimData()),
    st.just(Handover()),
)
card_steps = st.lists(
    st.tuples(st.sampled_from(ACTORS), card_actions, mostly_yes, mostly_yes, st.booleans()),
    min_size=30,
    max_size=120,
)
ORDER = [
    CardStatus.MENUNGGU_TTD,
    CardStatus.FINAL,
    CardStatus.ESPIP,
    CardStatus.DATA_DIKIRIM,
    CardStatus.DISERAHKAN,
]


@settings(max_examples=300)
@given(card_steps)
def test_card_chain_never_skips_a_stage_or_decides_twice(steps: list[tuple]) -> None:
    state = CardState(P)
    approvals_seen: set[tuple[int, Role]] = set()
    stages_done: list[int] = []  # stage indexes completed since the last draft
    for any_actor, action, right_actor, current_version, complete in steps:
        # Half the time the right person acts on the current version, so that long runs reach
        # the end of the chain; the other half anyone acts on any version.
        actor = any_actor
        if right_actor and isinstance(action, Decide) and state.status is CardStatus.PROSES:
            waiting = [r for r in DEFAULT_CHAIN[state.stage].roles if r not in state.approvals]
            action = replace(action, role=waiting[list(Role).index(action.role) % len(waiting)])
        if right_actor:
            role = action.role if isinstance(action, Decide) else Role.SATGAS_PROV
            actor = ROLE_PEOPLE.get(role, SATGAS)
        if isinstance(action, Decide) and current_version:
            action = replace(action, version=state.version)
        try:
            t = apply_card(state, action, ctx(actor, all_units_complete=complete))
        except DomainError:
            continue
        new = t.state
        assert 0 <= new.stage <= len(DEFAULT_CHAIN)
        if new.status is CardStatus.PROSES:
            assert new.stage < len(DEFAULT_CHAIN)
            assert new.approvals <= set(DEFAULT_CHAIN[new.stage].roles)
        else:
            assert new.approvals == frozenset()
        for event in t.events:
            if event.kind is EventKind.KARTU_DRAFT_DIUNGGAH:
                stages_done = []
                assert new.version == state.version + 1
            if event.kind is EventKind.KARTU_DISETUJUI_PEJABAT:
                key = (state.version, Role(event.detail["peran"]))
                assert key not in approvals_seen, "a decision applied twice"
                approvals_seen.add(key)
                assert Role(event.detail["peran"]) in DEFAULT_CHAIN[state.stage].roles
            if event.kind is EventKind.KARTU_TAHAP_SELESAI:
                assert stages_done == list(range(len(stages_done))), "a stage was skipped"
                stages_done.append(state.stage)
            if event.kind is EventKind.KARTU_DIKEMBALIKAN:
                stages_done = []
        if new.status is CardStatus.MENUNGGU_TTD and state.status is CardStatus.PROSES:
            assert stages_done == list(range(len(DEFAULT_CHAIN)))
        if new.status in ORDER and state.status in ORDER:
            assert ORDER.index(new.status) - ORDER.index(state.status) in (0, 1)
        if new.status is CardStatus.DISERAHKAN:
            assert complete and state.status is CardStatus.DATA_DIKIRIM
        assert t.events and all(e.at == NOW for e in t.events)
        state = new
    hypothesis.event(f"reached {state.status.value}")


def test_property_test_reaches_the_end_of_the_chain() -> None:
    """The generators can reach the hand-over, so the properties above are not vacuous."""
    state = CardState(P)
    state = apply_card(state, UploadDraft(), ctx(SATGAS)).state
    for stage in DEFAULT_CHAIN:
        for role in stage.roles:
            state = apply_card(state, Decide(1, role, True), ctx(ROLE_PEOPLE[role])).state
    for action in (UploadSigned(), RecordEspip(), RecordKirimData()):
        state = apply_card(state, action, ctx(SATGAS)).state
    state = apply_card(state, Handover(), ctx(SATGAS, all_units_complete=True)).state
    assert state.status is CardStatus.DISERAHKAN
