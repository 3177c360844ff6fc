"""The SOP calendar with Indonesia's holidays (the ``holidays`` package) and extra days off."""

from __future__ import annotations

from collections.abc import Iterable
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
