"""The compliance scorecard (rapor): lengkap, sesuai, tepat waktu per unit and month, per
quarter and per year, read from the record in two queries (``chatbot.domain.scorecard``
decides what each figure means)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period, SopCalendar
from chatbot.domain.errors import NotYourRole
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.scorecard import (
    ItemFacts,
    MonthScore,
    Summary,
    quarter_of,
    score_month,
    summarise,
    trend,
)
from chatbot.domain.units import Unit
from chatbot.domain.workflow import UNIT_CARD_ITEM
from chatbot.services.ports import Clock, UnitOfWorkFactory


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

    def ranked(self) -> list[UnitYear]:
        """Highest index first (ties by unit code): the chat's list, the picture, the CLI
        and the yearly sheet rank alike."""
        return sorted(self.units, key=lambda e: (-e.year.index, e.unit.code))


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
            owed_codes = {i.code for c in catalogues.values() for i in c.items if i.required} | {
                UNIT_CARD_ITEM
            }
            last_accepted = uow.items.last_accepted(first, last, owed_codes) if scored else {}
        wanted = {p.code for p in scored}
        facts: dict[tuple[str, str], dict[str, ItemFacts]] = defaultdict(dict)
        for period_code, unit_code, item_code, accepted, in_time in rows:
            if period_code not in wanted or (only_unit and unit_code != only_unit):
                continue
            facts[(period_code, unit_code)][item_code] = ItemFacts(
                item_code,
                in_time,
                accepted,
                (period_code, unit_code, item_code) in returned,
            )
        result = []
        owed: dict[tuple[int, str], list[str]] = {}
        for unit in units:
            months: dict[Period, MonthScore] = {}
            for period in scored:
                catalogue = catalogues[period]
                key = (id(catalogue), unit.code)  # months on one catalogue: worked out once
                if key not in owed:
                    owed[key] = [i.code for i in catalogue.items_for(unit) if i.required]
                required = owed[key]
                owes_card = catalogue.owes_signed_card(unit)
                if not required and not owes_card:
                    continue
                own = facts.get((period.code, unit.code), {})
                card = None
                if owes_card:
                    card = own.get(UNIT_CARD_ITEM) or ItemFacts.missing(UNIT_CARD_ITEM)
                months[period] = score_month(
                    unit.code,
                    period,
                    required,
                    own,
                    card,
                    last_accepted.get((period.code, unit.code)),
                )
            if not months:
                continue
            quarters = {
                q: summarise(unit.code, (s for p, s in months.items() if quarter_of(p) == q))
                for q in sorted({quarter_of(p) for p in months})
            }
            ordered = list(quarters.values())
            result.append(
                UnitYear(
                    unit=unit,
                    months=months,
                    quarters=quarters,
                    year=summarise(unit.code, months.values()),
                    trend=trend(ordered[-2] if len(ordered) > 1 else None, ordered[-1]),
                )
            )
        return Scorecard(year, tuple(scored), running, tuple(result), now)
