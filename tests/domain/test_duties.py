"""Separation of duties (issue 17): every rule of ``chatbot.domain.duties`` and where the
workflow applies it, and leave cover as people type it (``chatbot.domain.leave``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chatbot.domain.calendar import Period
from chatbot.domain.duties import Duties, Reviewers, cover_conflict, reviewers_of
from chatbot.domain.errors import DutyTaken, NotYourRole, OwnDelivery
from chatbot.domain.leave import Typed, find_people, parse_day, parse_typed, presets
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit, UnitKind
from chatbot.domain.workflow import (
    DEFAULT_CHAIN,
    Actor,
    Approve,
    CardState,
    Context,
    Decide,
    ItemState,
    ItemStatus,
    Return,
    UploadDraft,
    apply_card,
    apply_item,
)

NOW = datetime(2026, 11, 9, 3, 0, tzinfo=UTC)
P = Period(2026, 10)
SATGAS = Actor(3, "15", frozenset({Role.SATGAS_PROV}))
KABAG = Actor(11, "15", frozenset({Role.KABAG_HSDM}))
CHAIN_ROLES = tuple(r for s in DEFAULT_CHAIN for r in s.roles)


def delivered() -> ItemState:
    return ItemState(P, "15", "RPL-01", ItemStatus.DIKIRIM, version=1)


def test_who_decides_a_delivery() -> None:
    on, off = Duties(), Duties(separate=False)
    assert reviewers_of(3, [3, 4], [11], on) == Reviewers((4,))  # another satgas
    assert reviewers_of(3, [3], [11], on) == Reviewers((11,), second=True)  # the second
    assert reviewers_of(11, [11], [11], on) == Reviewers((), second=True)  # never oneself
    assert reviewers_of(3, [3], [11], Duties(second_reviewer=None)) == Reviewers(())
    assert reviewers_of(3, [3], [11], off) == Reviewers((3,))  # the setting off: as before
    assert reviewers_of(7, [3], [11], on) == Reviewers((3,))  # a regency's: the satgas


def test_nobody_decides_their_own_delivery() -> None:
    own = Context(actor=SATGAS, now=NOW, delivered_by=SATGAS.person_id)
    with pytest.raises(OwnDelivery):
        apply_item(delivered(), Approve(1), own)
    with pytest.raises(OwnDelivery):
        apply_item(delivered(), Return(1, "kurang"), own)
    off = Context(actor=SATGAS, now=NOW, delivered_by=3, separate_duties=False)
    assert apply_item(delivered(), Approve(1), off).state.status is ItemStatus.DISETUJUI


def test_the_second_reviewer_decides_and_the_record_says_so() -> None:
    with pytest.raises(NotYourRole):  # Kabag HSDM does not review, but as second reviewer
        apply_item(delivered(), Approve(1), Context(actor=KABAG, now=NOW, delivered_by=3))
    second = Context(actor=KABAG, now=NOW, delivered_by=3, second_reviewer=True)
    t = apply_item(delivered(), Approve(1), second)
    assert t.state.status is ItemStatus.DISETUJUI
    assert t.events[0].detail["pemeriksa"].startswith("pemeriksa kedua")


def test_one_person_gives_one_paraf_or_signature_per_card_version() -> None:
    both = Actor(12, "15", frozenset({Role.SUBBAG_HUKUM, Role.KABAG_HSDM}))
    state = apply_card(CardState(P), UploadDraft(), Context(actor=SATGAS, now=NOW)).state
    first = apply_card(state, Decide(1, Role.SUBBAG_HUKUM, True), Context(actor=both, now=NOW))
    again = Context(actor=both, now=NOW, given_by=frozenset({12}))
    with pytest.raises(DutyTaken):
        apply_card(first.state, Decide(1, Role.KABAG_HSDM, True), again)
    # a return is no paraf: it stays possible; with the setting off, both are given
    returned = apply_card(first.state, Decide(1, Role.KABAG_HSDM, False, "salah"), again)
    assert returned.state.reason == "salah"
    off = Context(actor=both, now=NOW, given_by=frozenset({12}), separate_duties=False)
    assert apply_card(first.state, Decide(1, Role.KABAG_HSDM, True), off).state.stage == 1


def test_a_cover_that_would_give_two_duties_is_refused() -> None:
    on = Duties()
    assert cover_conflict(Role.SEKRETARIS, {Role.KABAG_HSDM}, CHAIN_ROLES, on) is Role.KABAG_HSDM
    assert cover_conflict(Role.KABAG_HSDM, {Role.SUBBAG_HUKUM}, CHAIN_ROLES, on) is not None
    assert cover_conflict(Role.SEKRETARIS, {Role.BAGIAN}, CHAIN_ROLES, on) is None
    assert cover_conflict(Role.SATGAS_PROV, {Role.KETUA}, CHAIN_ROLES, on) is None  # not chain
    assert cover_conflict(Role.SEKRETARIS, {Role.KETUA}, CHAIN_ROLES, Duties(False)) is None


UNIT = Unit("15", "KPU Provinsi Jambi", UnitKind.PROVINSI)
HENDRA = Person(7, "Hendra Saputra", UNIT, frozenset({Role.BAGIAN}))
HENDRA_W = Person(8, "Hendra Wijaya", UNIT, frozenset({Role.BAGIAN}))
SEKAR = Person(5, "Sekar Ayu", UNIT, frozenset({Role.SEKRETARIS}))
KETUA = Person(6, "Ketua KPU", UNIT, frozenset({Role.KETUA}))
PEOPLE = [HENDRA, HENDRA_W, SEKAR, KETUA]


def typed(text: str) -> Typed:
    return parse_typed(text.split(), PEOPLE)


def test_leave_cover_typed_with_names_and_dates() -> None:
    t = typed("Hendra Saputra sekretaris Sekar 12-11-2026 14-11-2026")
    assert (t.delegate, t.role, t.covered, t.start, t.end) == (
        HENDRA,
        Role.SEKRETARIS,
        SEKAR,
        date(2026, 11, 12),
        date(2026, 11, 14),
    )
    # a name holding a role's word, ids, ISO dates
    t = typed("Ketua KPU sekretaris 5 2026-11-12 2026-11-12")
    assert (t.delegate, t.covered) == (KETUA, SEKAR)
    two = typed("Hendra sekretaris Sekar 12-11-2026 14-11-2026")
    assert two.problem == "wakil" and two.ambiguous == (HENDRA, HENDRA_W)
    assert typed("Hendra S sekretaris Sekar 12-11-2026 besok").said == "besok"
    assert typed("Hendra Saputra Sekar Ayu 12-11-2026 14-11-2026").problem == "peran"
    assert parse_typed(["Hendra"], PEOPLE).problem == "bentuk"
    assert find_people(PEOPLE, "hendra saputra") == [HENDRA]
    assert parse_day("31/12/2026") == date(2026, 12, 31) and parse_day("31-13-2026") is None


def test_presets_from_each_day_of_the_week() -> None:
    monday = date(2026, 11, 9)
    keys = {p.key: (p.start, p.end) for p in presets(monday)}
    assert keys["sd_jumat"] == (monday, date(2026, 11, 13))
    assert keys["minggu_depan"] == (date(2026, 11, 16), date(2026, 11, 20))
    friday = {p.key for p in presets(date(2026, 11, 13))}
    assert "sd_jumat" not in friday and "besok_sd_jumat" not in friday
    saturday = {p.key: (p.start, p.end) for p in presets(date(2026, 11, 14))}
    assert saturday["minggu_depan"] == (date(2026, 11, 16), date(2026, 11, 20))
