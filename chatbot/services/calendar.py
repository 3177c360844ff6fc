"""The SOP calendar with Indonesia's holidays (the ``holidays`` package) and extra days off."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from datetime import date

import holidays

from chatbot.domain.calendar import CalendarRules, SopCalendar, WorkingDays


def indonesian_days_off(year: int) -> Iterable[date]:
    """National holidays and cuti bersama (the package's 'government' category)."""
    calendar = holidays.country_holidays("ID", years=year, categories=("public", "government"))
    return [day for day in calendar if isinstance(day, date)]


def build_calendar(rules: CalendarRules, extra_days_off: Iterable[date] = ()) -> SopCalendar:
    return SopCalendar(
        rules=rules,
        working_days=WorkingDays(
            holidays=indonesian_days_off, extra_days_off=frozenset(extra_days_off)
        ),
    )


class CalendarSource:
    """The calendar with the days off the admin set in the database; rebuilt when they change."""

    def __init__(
        self,
        rules: CalendarRules,
        settings_days_off: Iterable[date],
        days_off_from_db: Callable[[], Iterable[date]],
        ttl: float = 30.0,
    ) -> None:
        self.rules = rules
        self.settings_days_off = frozenset(settings_days_off)
        self.days_off_from_db = days_off_from_db
        self.ttl = ttl
        self._cached: tuple[frozenset[date], SopCalendar] | None = None
        self._read_at = -math.inf

    def __call__(self) -> SopCalendar:
        """Days off are read again at most every ``ttl`` seconds (the admin adds them rarely,
        from the command line), not on every update."""
        now = time.monotonic()
        if self._cached is not None and now - self._read_at <= self.ttl:
            return self._cached[1]
        extra = self.settings_days_off | frozenset(self.days_off_from_db())
        self._read_at = now
        if self._cached is None or self._cached[0] != extra:
            self._cached = (extra, build_calendar(self.rules, extra))
        return self._cached[1]
