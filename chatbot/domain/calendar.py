"""Periods and the SOP calendar: date windows and working days in Jambi's time zone.

A period is named by the month it reports on: ``2026-10`` is October's report, made from the
1st to the 20th of November (``report_lag_months`` = 1, a setting; 0 makes a period report on
its own month). The windows are days of the month in which the report is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache

from chatbot.domain.errors import InvalidData

_PERIOD_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2999:
            raise InvalidData(f"periode tidak valid: {self.year}-{self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        match = _PERIOD_RE.match(text)
        if not match:
            raise InvalidData(f"periode harus berbentuk TTTT-BB, bukan {text!r}")
        return cls(int(match[1]), int(match[2]))

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def __str__(self) -> str:
        return self.code

    def shifted(self, months: int) -> Period:
        index = self.year * 12 + (self.month - 1) + months
        return Period(index // 12, index % 12 + 1)

    def first_day(self) -> date:
        return date(self.year, self.month, 1)


class Window(StrEnum):
    """Where a day stands in the SOP calendar of one period."""

    BELUM_DIBUKA = "belum_dibuka"  # before the report month starts
    PENGIRIMAN = "pengiriman"  # days 1-10: units deliver (day 1 is the kick-off)
    PEMERIKSAAN = "pemeriksaan"  # days 10-15: review, paraf and signatures
    PENYERAHAN = "penyerahan"  # days 15-20: e-SPIP and hand-over
    TERLAMBAT = "terlambat"  # after the 20th


@dataclass(frozen=True, slots=True)
class CalendarRules:
    report_lag_months: int = 1
    kickoff_day: int = 1
    submission_deadline_day: int = 10
    review_deadline_day: int = 15
    handover_deadline_day: int = 20
    move_deadlines_to_working_day: bool = False

    def __post_init__(self) -> None:
        days = (
            self.kickoff_day,
            self.submission_deadline_day,
            self.review_deadline_day,
            self.handover_deadline_day,
        )
        if not all(1 <= d <= 28 for d in days) or list(days) != sorted(days):
            raise InvalidData("hari jadwal SOP harus urut naik dan di antara 1 dan 28")
        if self.report_lag_months not in (0, 1):
            raise InvalidData("report_lag_months harus 0 atau 1")


@dataclass(frozen=True, slots=True)
class PeriodSchedule:
    period: Period
    kickoff: date
    submission_deadline: date
    review_deadline: date
    handover_deadline: date
    # the days the SOP names (the 10th, 15th and 20th), where the setting moved a deadline
    sop_days: Mapping[date, date] = field(default_factory=dict, compare=False)

    def sop_day(self, deadline: date) -> date:
        """The day the SOP names for ``deadline`` (itself unless the setting moved it)."""
        return self.sop_days.get(deadline, deadline)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline as people are told it: the day, the day the SOP names when the setting
    moved it, and the last working day on or before it (the day its warning goes out)."""

    day: date
    sop_day: date
    last_working_day: date

    @property
    def moved(self) -> bool:
        return self.sop_day != self.day

    @property
    def on_day_off(self) -> bool:
        return self.last_working_day != self.day


HolidaySource = Callable[[int], Iterable[date]]


def _no_holidays(year: int) -> Iterable[date]:
    return ()


@dataclass(frozen=True)
class WorkingDays:
    """Monday to Friday, less national holidays, cuti bersama and the admin's extra days off."""

    holidays: HolidaySource = _no_holidays
    extra_days_off: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        source = self.holidays
        object.__setattr__(self, "_year", cache(lambda year: frozenset(source(year))))

    def is_day_off(self, day: date) -> bool:
        return day in self._year(day.year) or day in self.extra_days_off  # type: ignore[attr-defined]

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and not self.is_day_off(day)

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_before(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def shift(self, day: date, working_days: int) -> date:
        """The working day ``working_days`` working days after (or before, if negative) ``day``."""
        step = timedelta(days=1 if working_days > 0 else -1)
        remaining = abs(working_days)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


@dataclass(frozen=True)
class SopCalendar:
    rules: CalendarRules = field(default_factory=CalendarRules)
    working_days: WorkingDays = field(default_factory=WorkingDays)

    def report_month(self, period: Period) -> Period:
        """The month in which the report for ``period`` is made."""
        return period.shifted(self.rules.report_lag_months)

    def period_reported_in(self, day: date) -> Period:
        """The period whose report is made in the month of ``day``."""
        return Period(day.year, day.month).shifted(-self.rules.report_lag_months)

    def _deadline(self, month: Period, day_of_month: int) -> date:
        deadline = date(month.year, month.month, day_of_month)
        if self.rules.move_deadlines_to_working_day:
            return self.working_days.on_or_before(deadline)
        return deadline

    def schedule(self, period: Period) -> PeriodSchedule:
        month = self.report_month(period)
        rules = self.rules
        days = (
            rules.submission_deadline_day,
            rules.review_deadline_day,
            rules.handover_deadline_day,
        )
        sop = [date(month.year, month.month, d) for d in days]
        moved = [self._deadline(month, d) for d in days]
        return PeriodSchedule(
            period=period,
            kickoff=date(month.year, month.month, rules.kickoff_day),
            submission_deadline=moved[0],
            review_deadline=moved[1],
            handover_deadline=moved[2],
            sop_days={m: d for m, d in zip(moved, sop, strict=True) if m != d},
        )

    def deadline(self, period: Period, day: date) -> Deadline:
        """``day``, a deadline of ``period``, as people are told it."""
        return Deadline(
            day, self.schedule(period).sop_day(day), self.working_days.on_or_before(day)
        )

    def due_period(self, day: date) -> Period:
        """The period whose report is being made on ``day``: the one reported this month
        until its hand-over date has passed, then the next one."""
        period = self.period_reported_in(day)
        if day > self.schedule(period).handover_deadline:
            return period.shifted(1)
        return period

    def out_of_time(self, period: Period, day: date) -> Window | None:
        """Opening ``period`` on ``day`` asks for a confirmation: before its report month
        (``BELUM_DIBUKA``) or once its hand-over date has passed (``TERLAMBAT``)."""
        window = self.window_on(period, day)
        return window if window in (Window.BELUM_DIBUKA, Window.TERLAMBAT) else None

    def window_on(self, period: Period, day: date) -> Window:
        s = self.schedule(period)
        if day < s.kickoff:
            return Window.BELUM_DIBUKA
        if day <= s.submission_deadline:
            return Window.PENGIRIMAN
        if day <= s.review_deadline:
            return Window.PEMERIKSAAN
        if day <= s.handover_deadline:
            return Window.PENYERAHAN
        return Window.TERLAMBAT

    def due(self, period: Period, signed_card: bool = False) -> date:
        """The deadline of a delivery: evidence by the submission deadline (the 10th); a
        regency's signed card, checked with the provincial card, by the review deadline
        (the 15th: SOP step 7)."""
        s = self.schedule(period)
        return s.review_deadline if signed_card else s.submission_deadline

    def is_late(self, period: Period, day: date, signed_card: bool = False) -> bool:
        """A delivery after its deadline (``due``) is accepted but marked late: the record
        the rapor's "tepat waktu" reads."""
        return day > self.due(period, signed_card)

    def window_end(self, period: Period, day: date) -> date | None:
        """The last day of the window ``day`` falls in (None once past the hand-over)."""
        s = self.schedule(period)
        return {
            Window.BELUM_DIBUKA: s.kickoff,
            Window.PENGIRIMAN: s.submission_deadline,
            Window.PEMERIKSAAN: s.review_deadline,
            Window.PENYERAHAN: s.handover_deadline,
            Window.TERLAMBAT: None,
        }[self.window_on(period, day)]


def period_at_work(
    open_periods: Sequence[Period], has_work: Callable[[Period], bool]
) -> Period | None:
    """The open period people work on: the oldest one where they still have something to do
    (its work is due soonest), else the oldest. A period opened early never takes over a
    month whose work is still open."""
    ordered = sorted(open_periods)
    return next((p for p in ordered if has_work(p)), ordered[0] if ordered else None)
