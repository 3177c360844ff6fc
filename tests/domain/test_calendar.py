from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.domain.calendar import (
    CalendarRules,
    Period,
    SopCalendar,
    Window,
    WorkingDays,
    period_at_work,
)
from chatbot.domain.errors import InvalidData

# 2026-03-20 and 2026-03-23/24 are cuti bersama, 2026-03-19 and 21-22 holidays (Nyepi, Idulfitri)
MARCH_2026_OFF = {date(2026, 3, d) for d in (18, 19, 20, 21, 22, 23, 24)}
WD = WorkingDays(holidays=lambda year: MARCH_2026_OFF if year == 2026 else ())


def test_period_names_the_month_reported_on() -> None:
    period = Period.parse("2026-10")
    assert (period.year, period.month, str(period)) == (2026, 10, "2026-10")
    assert Period.parse(" 2026-1 ").code == "2026-01"
    assert period.shifted(3) == Period(2027, 1)
    assert period.shifted(-10) == Period(2025, 12)
    for bad in ("2026/10", "2026-13", "okt", "1999-01"):
        with pytest.raises(InvalidData):
            Period.parse(bad)


def test_october_report_is_made_1_to_20_november() -> None:
    cal = SopCalendar()
    s = cal.schedule(Period(2026, 10))
    assert (s.kickoff, s.submission_deadline, s.review_deadline, s.handover_deadline) == (
        date(2026, 11, 1),
        date(2026, 11, 10),
        date(2026, 11, 15),
        date(2026, 11, 20),
    )
    assert cal.period_reported_in(date(2026, 11, 23)) == Period(2026, 10)
    assert cal.period_reported_in(date(2027, 1, 5)) == Period(2026, 12)


def test_a_period_can_report_on_its_own_month() -> None:
    cal = SopCalendar(rules=CalendarRules(report_lag_months=0))
    assert cal.schedule(Period(2026, 10)).submission_deadline == date(2026, 10, 10)
    assert cal.period_reported_in(date(2026, 10, 3)) == Period(2026, 10)


@pytest.mark.parametrize(
    "day, window",
    [
        (date(2026, 10, 31), Window.BELUM_DIBUKA),
        (date(2026, 11, 1), Window.PENGIRIMAN),
        (date(2026, 11, 10), Window.PENGIRIMAN),
        (date(2026, 11, 11), Window.PEMERIKSAAN),
        (date(2026, 11, 15), Window.PEMERIKSAAN),
        (date(2026, 11, 16), Window.PENYERAHAN),
        (date(2026, 11, 20), Window.PENYERAHAN),
        (date(2026, 11, 21), Window.TERLAMBAT),
    ],
)
def test_windows(day: date, window: Window) -> None:
    cal = SopCalendar()
    assert cal.window_on(Period(2026, 10), day) is window


def test_late_delivery_is_after_the_10th() -> None:
    cal = SopCalendar()
    assert not cal.is_late(Period(2026, 10), date(2026, 11, 10))
    assert cal.is_late(Period(2026, 10), date(2026, 11, 11))


def test_working_days_skip_weekends_holidays_and_extra_days_off() -> None:
    wd = WorkingDays(
        holidays=lambda year: MARCH_2026_OFF, extra_days_off=frozenset({date(2026, 3, 25)})
    )
    assert not wd.is_working_day(date(2026, 3, 14))  # Saturday
    assert not wd.is_working_day(date(2026, 3, 20))  # cuti bersama
    assert not wd.is_working_day(date(2026, 3, 25))  # extra day off
    assert wd.on_or_after(date(2026, 3, 18)) == date(2026, 3, 26)
    assert wd.on_or_before(date(2026, 3, 24)) == date(2026, 3, 17)
    assert wd.shift(date(2026, 3, 17), 1) == date(2026, 3, 26)
    assert wd.between(date(2026, 3, 16), date(2026, 3, 27)) == 3  # 17, 26, 27


def test_deadline_on_a_weekend_stays_unless_the_setting_moves_it() -> None:
    # October 2026's report: 10 Oct 2026 is a Saturday (report month of the 2026-09 period)
    stays = SopCalendar(working_days=WD)
    moves = SopCalendar(rules=CalendarRules(move_deadlines_to_working_day=True), working_days=WD)
    period = Period(2026, 9)
    assert stays.schedule(period).submission_deadline == date(2026, 10, 10)
    assert moves.schedule(period).submission_deadline == date(2026, 10, 9)


def test_calendar_rules_must_be_ordered() -> None:
    with pytest.raises(InvalidData):
        CalendarRules(submission_deadline_day=16)
    with pytest.raises(InvalidData):
        CalendarRules(report_lag_months=2)


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@given(days, st.integers(min_value=1, max_value=40))
def test_shift_lands_on_a_working_day_n_working_days_away(day: date, n: int) -> None:
    later = WD.shift(day, n)
    assert WD.is_working_day(later)
    assert WD.between(day, later) == n
    earlier = WD.shift(later, -n)
    assert WD.is_working_day(earlier)
    assert earlier <= later


@given(days)
def test_on_or_after_is_the_first_working_day(day: date) -> None:
    first = WD.on_or_after(day)
    assert WD.is_working_day(first) and first >= day
    assert all(not WD.is_working_day(day + timedelta(d)) for d in range((first - day).days))


@given(st.integers(min_value=2001, max_value=2998), st.integers(min_value=1, max_value=12))
def test_every_period_has_ordered_windows(year: int, month: int) -> None:
    s = SopCalendar().schedule(Period(year, month))
    assert s.kickoff < s.submission_deadline < s.review_deadline < s.handover_deadline
    assert (s.kickoff.year * 12 + s.kickoff.month) - (year * 12 + month) == 1


def test_a_deadline_on_a_day_off_says_what_the_setting_does() -> None:
    """Issue 17, 5: 15 November 2026 is a Sunday. Kept (the default), it is said with the last
    working day before it; moved, it is Friday the 13th and says where it came from."""
    october = Period(2026, 10)
    kept = SopCalendar()
    deadline = kept.deadline(october, kept.schedule(october).review_deadline)
    assert (deadline.day, deadline.sop_day, deadline.last_working_day) == (
        date(2026, 11, 15),
        date(2026, 11, 15),
        date(2026, 11, 13),
    )
    assert deadline.on_day_off and not deadline.moved
    moved = SopCalendar(CalendarRules(move_deadlines_to_working_day=True))
    deadline = moved.deadline(october, moved.schedule(october).review_deadline)
    assert (deadline.day, deadline.sop_day) == (date(2026, 11, 13), date(2026, 11, 15))
    assert deadline.moved and not deadline.on_day_off
    tuesday = kept.deadline(october, kept.schedule(october).submission_deadline)
    assert not tuesday.moved and not tuesday.on_day_off  # 10 November: a working day


def test_the_period_due_is_the_next_one_once_the_hand_over_has_passed() -> None:
    cal = SopCalendar()
    assert cal.due_period(date(2026, 10, 20)) == Period(2026, 9)  # September's hand-over day
    assert cal.due_period(date(2026, 10, 30)) == Period(2026, 10)  # not September any more
    assert cal.due_period(date(2026, 11, 9)) == Period(2026, 10)


def test_opening_early_or_past_the_hand_over_asks_first() -> None:
    cal = SopCalendar()
    ninth = date(2026, 11, 9)
    assert cal.out_of_time(Period(2026, 10), ninth) is None
    assert cal.out_of_time(Period(2026, 11), ninth) is Window.BELUM_DIBUKA
    assert cal.out_of_time(Period(2026, 9), date(2026, 10, 30)) is Window.TERLAMBAT


def test_the_period_at_work_is_the_oldest_with_work_left() -> None:
    october, november = Period(2026, 10), Period(2026, 11)
    assert period_at_work([], lambda _: True) is None
    assert period_at_work([november, october], lambda _: True) == october
    assert period_at_work([october, november], lambda p: p == november) == november
    assert period_at_work([november, october], lambda _: False) == october
