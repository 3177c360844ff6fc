"""Where every unit stands in a period: one query for the items, one for the card's history.
Channel-neutral: the chat message, the terminal table, the JSON, the picture and the workbook
are all drawn from ``PeriodStatus``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Deadline, Period, SopCalendar, Window
from chatbot.domain.checklist import CardType, ChecklistItem
from chatbot.domain.errors import NotYourRole, NotYourUnit, UnknownPeriod
from chatbot.domain.events import Event, EventKind
from chatbot.domain.people import Person
from chatbot.domain.progress import Progress, unit_progress
from chatbot.domain.roles import Permission
from chatbot.domain.units import Unit, province_of
from chatbot.domain.workflow import UNIT_CARD_ITEM, CardState, ItemState, ItemStatus, Stage
from chatbot.services.calendar import CalendarSource
from chatbot.services.ports import Clock, ItemRecord, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ItemLine:
    item: ChecklistItem
    status: ItemStatus
    version: int
    updated_at: datetime | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class UnitStatus:
    unit: Unit
    progress: Progress
    lines: tuple[ItemLine, ...]
    card: ItemLine | None  # the regency's signed card
    overdue: bool

    def count(self, status: ItemStatus) -> int:
        return sum(1 for line in self.lines if line.status is status)


@dataclass(frozen=True, slots=True)
class PeriodStatus:
    period: Period
    made_at: datetime
    today: date
    window: Window
    window_end: date | None
    closed: bool
    items: tuple[ChecklistItem, ...]  # the columns, catalogue order
    card_types: tuple[CardType, ...]
    units: tuple[UnitStatus, ...]
    card: CardState
    chain: tuple[Stage, ...]
    events: tuple[Event, ...] = field(default=())
    deadline: Deadline | None = None  # the window's end as people are told it (not before)
    periods: tuple[Period, ...] = ()  # every period there is, read with it

    @property
    def days_left(self) -> int | None:
        return (self.window_end - self.today).days if self.window_end else None

    def unit(self, code: str) -> UnitStatus | None:
        return next((u for u in self.units if u.unit.code == code), None)

    def card_decisions(self) -> list[Event]:
        """Paraf and signatures of the card's current version, in order."""
        return [
            e
            for e in self.events
            if e.kind is EventKind.KARTU_DISETUJUI_PEJABAT and e.version == self.card.version
        ]

    def card_record(self) -> list[Event]:
        """Everything that happened to the provincial card in the period, every version, in
        order: drafts, paraf and signatures, returns (with their reasons), the signed card,
        e-SPIP, "kirim data", the hand-over. Kept whatever the card's state now is."""
        return [e for e in self.events if e.kind in CARD_RECORD and e.subject != "bukti"]

    def as_json(self) -> dict[str, Any]:
        return {
            "period": self.period.code,
            "made_at": self.made_at.isoformat(),
            "window": self.window.value,
            "days_left": self.days_left,
            "closed": self.closed,
            "provincial_card": {
                "status": self.card.status.value,
                "version": self.card.version,
                "stage": self.card.stage,
            },
            "units": [
                {
                    "code": u.unit.code,
                    "name": u.unit.name,
                    "percent": u.progress.percent,
                    "overdue": u.overdue,
                    "signed_card": u.card.status.value if u.card else None,
                    "items": [
                        {
                            "code": line.item.code,
                            "status": line.status.value,
                            "version": line.version,
                            "last_change": line.updated_at.isoformat() if line.updated_at else None,
                        }
                        for line in u.lines
                    ],
                }
                for u in self.units
            ],
        }


CARD_RECORD = frozenset(
    {
        EventKind.KARTU_DRAFT_DIUNGGAH,
        EventKind.KARTU_DISETUJUI_PEJABAT,
        EventKind.KARTU_DIKEMBALIKAN,
        EventKind.KARTU_TTD_DIUNGGAH,
        EventKind.KARTU_ESPIP_DIUNGGAH,
        EventKind.KARTU_DATA_DIKIRIM,
        EventKind.PERIODE_DISERAHKAN,
    }
)


class StatusService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calendar: CalendarSource,
        chain: tuple[Stage, ...],
        timezone: ZoneInfo,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.calendar = calendar
        self.chain = chain
        self.timezone = timezone

    def default_period(self) -> Period | None:
        """The period the task force works on: the oldest open one (its work is due
        soonest), else the latest period at all."""
        with self.uow_factory() as uow:
            open_periods = [p.period for p in uow.periods.open_periods()]
            every = uow.periods.all()
        if open_periods:
            return min(open_periods)
        return every[-1].period if every else None

    def for_person(
        self, person: Person, period: Period, unit_code: str | None = None
    ) -> PeriodStatus:
        """All units for those who may see them; one's own unit for the others."""
        if (
            unit_code is not None
            and unit_code != person.unit.code
            and not person.may(Permission.VIEW_ALL_STATUS)
        ):
            raise NotYourUnit(unit_code)
        if not person.may(Permission.VIEW_ALL_STATUS):
            if not person.may(Permission.VIEW_OWN_STATUS):
                raise NotYourRole(Permission.VIEW_OWN_STATUS.value)
            unit_code = person.unit.code
        return self.period_status(period, only_unit=unit_code, with_events=False)

    def period_status(
        self, period: Period, only_unit: str | None = None, with_events: bool = True
    ) -> PeriodStatus:
        now = self.clock()
        today = now.astimezone(self.timezone).date()
        cal: SopCalendar = self.calendar()
        with self.uow_factory() as uow:
            known = uow.periods.all()
            info = next((p for p in known if p.period == period), None)
            if info is None:
                raise UnknownPeriod(period.code)
            catalogue = uow.catalogue.load(period)
            all_units = uow.units.all()
            records = uow.items.records(period)
            card = uow.items.get_card(period, province_of(all_units).code).state
            events = tuple(uow.audit.for_period(period.code)) if with_events else ()
        by_unit: dict[str, dict[str, ItemRecord]] = {}
        for record in records:
            by_unit.setdefault(record.state.unit_code, {})[record.state.item_code] = record
        late = today > cal.schedule(period).submission_deadline
        units = []
        for unit in all_units:
            if only_unit is not None and unit.code != only_unit:
                continue
            owned = by_unit.get(unit.code, {})
            items = catalogue.items_for(unit)
            if not items and not catalogue.owes_signed_card(unit):
                continue  # owes nothing (the province in the eight-card default): not listed
            lines = tuple(_line(item, owned.get(item.code)) for item in items)
            progress = unit_progress(items, {c: r.state for c, r in owned.items()})
            card_line = None
            if catalogue.owes_signed_card(unit):
                card_item = ChecklistItem(
                    UNIT_CARD_ITEM, "Kartu kendali bertanda tangan", "", frozenset(), True
                )
                card_line = _line(card_item, owned.get(UNIT_CARD_ITEM))
            units.append(
                UnitStatus(unit, progress, lines, card_line, late and not progress.complete)
            )
        window, window_end = cal.window_on(period, today), cal.window_end(period, today)
        return PeriodStatus(
            period=period,
            made_at=now,
            today=today,
            window=window,
            window_end=window_end,
            deadline=(
                cal.deadline(period, window_end)
                if window_end is not None and window is not Window.BELUM_DIBUKA
                else None
            ),
            closed=info.closed,
            periods=tuple(p.period for p in known),
            items=catalogue.items,
            card_types=catalogue.card_types,
            units=tuple(units),
            card=card,
            chain=self.chain,
            events=events,
        )

    def periods(self) -> list[Period]:
        with self.uow_factory() as uow:
            return [p.period for p in uow.periods.all()]


def _line(item: ChecklistItem, record: ItemRecord | None) -> ItemLine:
    if record is None:
        return ItemLine(item, ItemStatus.KOSONG, 0, None, None)
    state: ItemState = record.state
    return ItemLine(item, state.status, state.version, record.updated_at, state.reason)


def count_statuses(status: PeriodStatus) -> Counter[ItemStatus]:
    return Counter(line.status for u in status.units for line in u.lines)
