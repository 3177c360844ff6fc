from __future__ import annotations

from datetime import date

from chatbot.domain.calendar import Period, SopCalendar, WorkingDays
from chatbot.domain.checklist import ChecklistItem
from chatbot.domain.reminders import (
    Audience,
    PeriodSnapshot,
    Rule,
    UnitSnapshot,
    plan,
    rules_on,
    submission_reminder_days,
)
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit, UnitKind
from chatbot.domain.workflow import DEFAULT_CHAIN, CardState, CardStatus, ItemStatus

MARCH_2026_OFF = {date(2026, 3, d) for d in (18, 19, 20, 21, 22, 23, 24)}
CAL = SopCalendar(working_days=WorkingDays(holidays=lambda y: MARCH_2026_OFF if y == 2026 else ()))
ITEM = ChecklistItem("KEU-01", "LRA", "KEU", frozenset({"kabkota"}))
KERINCI = Unit("1501", "KPU Kabupaten Kerinci", UnitKind.KABKOTA)


def test_the_10th_on_a_saturday_moves_the_warnings_not_the_deadline() -> None:
    period = Period(2026, 9)  # reported in October 2026; 10 October is a Saturday
    assert CAL.schedule(period).submission_deadline == date(2026, 10, 10)
    assert submission_reminder_days(CAL, period) == (date(2026, 10, 7), date(2026, 10, 9))
    assert rules_on(CAL, period, date(2026, 10, 10)) == ()  # no warning on a day off


def test_cuti_bersama_moves_the_hand_over_warnings() -> None:
    period = Period(2026, 2)  # reported in March 2026
    days = {d: rules_on(CAL, period, date(2026, 3, d)) for d in range(1, 32)}
    assert [d for d, r in days.items() if Rule.PENGINGAT_KIRIM in r] == [5, 9, 10]
    assert [d for d, r in days.items() if Rule.TERLAMBAT_KIRIM in r] == [11, 12, 13]
    # the 15th is a Sunday: like the 10th's, its warning goes out on the working day before
    assert [d for d, r in days.items() if Rule.PENYERAHAN in r] == [13, 16, 17]
    assert [d for d, r in days.items() if Rule.TERLAMBAT_SERAH in r] == [25, 26, 27, 30, 31]


def test_one_message_per_person_per_day_however_much_is_due() -> None:
    short = UnitSnapshot(KERINCI, (ITEM,), (), ItemStatus.KOSONG, 0)
    snapshots = [
        PeriodSnapshot(Period(2026, 10), (short,), 3, CardState(Period(2026, 10)), DEFAULT_CHAIN),
        PeriodSnapshot(Period(2026, 9), (short,), 0, CardState(Period(2026, 9)), DEFAULT_CHAIN),
    ]
    audience = Audience({"1501": [7]}, {Role.SATGAS_PROV: [1], Role.KABAG_HSDM: [2]})
    reminders = plan(SopCalendar(), date(2026, 11, 12), snapshots, audience)
    by_person = {r.person_id: r for r in reminders}
    assert set(by_person) == {1, 2, 7}
    assert {(n.period.code, n.rule) for n in by_person[7].notices} == {
        ("2026-10", Rule.TERLAMBAT_KIRIM),
        ("2026-10", Rule.KARTU_KABKOTA),
    }
    assert {(n.period.code, n.rule) for n in by_person[1].notices} == {
        ("2026-10", Rule.RINGKASAN_SATGAS),
        ("2026-10", Rule.ANTRIAN),
        ("2026-10", Rule.DRAF_KARTU),  # the 12th and no draft of the card yet
        ("2026-09", Rule.TERLAMBAT_SERAH),  # last month's period is still open, past the 20th
    }
    assert {n.rule for n in by_person[2].notices} == {Rule.TERLAMBAT_SERAH}  # escalation


def test_closed_periods_and_complete_units_are_left_alone() -> None:
    done = UnitSnapshot(KERINCI, (), (), ItemStatus.DISETUJUI, 100)
    snapshot = PeriodSnapshot(
        Period(2026, 10), (done,), 0, CardState(Period(2026, 10)), DEFAULT_CHAIN
    )
    audience = Audience({"1501": [7]}, {Role.SATGAS_PROV: [1]})
    assert plan(SopCalendar(), date(2026, 11, 9), [snapshot], audience) == []
    closed = PeriodSnapshot(
        Period(2026, 10), (), 0, CardState(Period(2026, 10)), DEFAULT_CHAIN, closed=True
    )
    assert plan(SopCalendar(), date(2026, 11, 25), [closed], audience) == []


def test_the_satgas_is_reminded_to_draft_the_card_while_it_has_none() -> None:
    """Issue 17, 5: a day-12 dry run with every unit complete and no draft used to say
    nothing. From the 10th to the 15th the satgas is reminded while the card has no draft
    (never drafted, or returned); not once a draft is in the chain."""
    october = Period(2026, 10)
    done = UnitSnapshot(KERINCI, (), (), ItemStatus.DISETUJUI, 100)
    audience = Audience({"1501": [7]}, {Role.SATGAS_PROV: [1]})
    cal = SopCalendar()

    def told(card: CardState, day: date) -> set[Rule]:
        snapshot = PeriodSnapshot(october, (done,), 0, card, DEFAULT_CHAIN)
        return {n.rule for r in plan(cal, day, [snapshot], audience) for n in r.notices}

    none = CardState(october)
    assert told(none, date(2026, 11, 12)) == {Rule.DRAF_KARTU}
    assert Rule.DRAF_KARTU in told(none, date(2026, 11, 10))
    assert Rule.DRAF_KARTU not in told(none, date(2026, 11, 9))  # units still delivering
    assert Rule.DRAF_KARTU not in told(none, date(2026, 11, 16))  # the hand-over's days
    returned = CardState(october, CardStatus.DIKEMBALIKAN, 1, reason="Tanggal salah")
    assert Rule.DRAF_KARTU in told(returned, date(2026, 11, 13))
    in_chain = CardState(october, CardStatus.PROSES, 1)
    assert Rule.DRAF_KARTU not in told(in_chain, date(2026, 11, 12))
