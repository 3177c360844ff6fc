"""Periods and the SOP calendar: date windows and working days in Jambi's time zone.

A period is named by the month it reports on: ``2026-10`` is October's report, made from the
1st to the 20th of November (``report_lag_months`` = 1, a setting; 0 makes a period report on
its own month). The windows are days of the month in which the report is made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
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
        return PeriodSchedule(
            period=period,
            kickoff=date(month.year, month.month, self.rules.kickoff_day),
            submission_deadline=self._deadline(month, self.rules.submission_deadline_day),
            review_deadline=self._deadline(month, self.rules.review_deadline_day),
            handover_deadline=self._deadline(month, self.rules.handover_deadline_day),
        )

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

    def is_late(self, period: Period, day: date) -> bool:
        """A delivery after the submission deadline is accepted but marked late."""
        return day > self.schedule(period).submission_deadline

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
