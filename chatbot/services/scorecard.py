"""The compliance scorecard (rapor): lengkap, sesuai, tepat waktu per unit and month, per
quarter and per year, read from the record in two queries (``chatbot.domain.scorecard``
decides what each figure means)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period, SopCalendar
from chatbot.domain.errors import NotYourRole
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.scorecard import (
    ROMAN,
    ItemFacts,
    MonthScore,
    Summary,
    quarter_of,
    score_month,
    summarise,
    trend,
)
from chatbot.domain.units import Unit
from chatbot.domain.workflow import COMPLETE_STATUSES, UNIT_CARD_ITEM
from chatbot.services.ports import Clock, UnitOfWorkFactory

COMPLETE = frozenset(s.value for s in COMPLETE_STATUSES)


@dataclass(frozen=True, slots=True)
class UnitYear:
    unit: Unit
    months: dict[Period, MonthScore]
    quarters: dict[int, Summary]
    year: Summary
    trend: int  # the last quarter against the one before: +1, 0, -1


@dataclass(frozen=True, slots=True)
class Scorecard:
    year: int
    months: tuple[Period, ...]  # the months scored: past their hand-over date, or closed
    running: tuple[Period, ...]  # open months of the year not scored yet
    units: tuple[UnitYear, ...]
    made_at: datetime

    def unit(self, code: str) -> UnitYear | None:
        return next((u for u in self.units if u.unit.code == code), None)


class ScorecardService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calendar: Callable[[], SopCalendar],
        timezone: ZoneInfo,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.calendar = calendar
        self.timezone = timezone

    def default_year(self) -> int:
        """The year of the latest month that can be scored (past its hand-over date or
        closed), else this year: in January the rapor shows last year until January ends."""
        today = self.clock().astimezone(self.timezone).date()
        cal = self.calendar()
        with self.uow_factory() as uow:
            scored = [
                p.period
                for p in uow.periods.all()
                if p.closed or today > cal.schedule(p.period).handover_deadline
            ]
        return max(scored).year if scored else today.year

    def for_person(self, person: Person, year: int) -> Scorecard:
        """A unit sees its own; the satgas and the officials see every unit."""
        if person.may(Permission.VIEW_ALL_STATUS):
            return self.year(year)
        if not person.may(Permission.VIEW_OWN_STATUS):
            raise NotYourRole(Permission.VIEW_OWN_STATUS.value)
        return self.year(year, only_unit=person.unit.code)

    def year(self, year: int, only_unit: str | None = None) -> Scorecard:
        now = self.clock()
        today = now.astimezone(self.timezone).date()
        cal = self.calendar()
        first, last = Period(year, 1), Period(year, 12)
        with self.uow_factory() as uow:
            periods = [p for p in uow.periods.all() if first <= p.period <= last]
            scored = [
                p.period
                for p in periods
                if p.closed or today > cal.schedule(p.period).handover_deadline
            ]
            running = tuple(p.period for p in periods if p.period not in scored)
            catalogues = {p: uow.catalogue.load(p) for p in scored}
            units = [u for u in uow.units.all() if only_unit in (None, u.code)]
            rows = uow.items.score_rows(first, last) if scored else []
            returned = uow.audit.returned(first, last) if scored else set()
        facts: dict[tuple[str, str], dict[str, ItemFacts]] = defaultdict(dict)
        wanted = {p.code for p in scored}
        for row in rows:
            if row.period not in wanted or (only_unit and row.unit_code != only_unit):
                continue
            delivered: date | None = None
            if row.first_delivery_at is not None:
                delivered = row.first_delivery_at.astimezone(self.timezone).date()
            facts[(row.period, row.unit_code)][row.item_code] = ItemFacts(
                row.item_code,
                delivered,
                row.updated_at if row.status in COMPLETE else None,
                (row.period, row.unit_code, row.item_code) in returned,
            )
        result = []
        for unit in units:
            months: dict[Period, MonthScore] = {}
            for period in scored:
                catalogue = catalogues[period]
                required = [i.code for i in catalogue.items_for(unit) if i.required]
                owes_card = catalogue.owes_signed_card(unit)
                if not required and not owes_card:
                    continue
                schedule = cal.schedule(period)
                own = facts.get((period.code, unit.code), {})
                card = None
                if owes_card:
                    card = own.get(UNIT_CARD_ITEM) or ItemFacts(UNIT_CARD_ITEM, None, None, False)
                months[period] = score_month(
                    unit.code,
                    period,
                    required,
                    own,
                    schedule.submission_deadline,
                    card,
                    schedule.review_deadline,
                )
            if not months:
                continue
            quarters = {
                q: summarise(
                    unit.code,
                    f"Triwulan {ROMAN[q - 1]} {year}",
                    (s for p, s in months.items() if quarter_of(p) == q),
                )
                for q in sorted({quarter_of(p) for p in months})
            }
            ordered = list(quarters.values())
            result.append(
                UnitYear(
                    unit=unit,
                    months=months,
                    quarters=quarters,
                    year=summarise(unit.code, str(year), months.values()),
                    trend=trend(ordered[-2] if len(ordered) > 1 else None, ordered[-1]),
                )
            )
        return Scorecard(year, tuple(scored), running, tuple(result), now)
