"""Deadline warnings as a pure function of (calendar, day, state): who is told what today.

Deadlines stay where the SOP puts them (a setting may move them to the working day before);
warnings go out on working days only, and every person gets at most one message a day however
much is due: the notices of all rules and periods are gathered per person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from chatbot.domain.calendar import Period, SopCalendar
from chatbot.domain.checklist import ChecklistItem
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit
from chatbot.domain.workflow import CardState, CardStatus, ItemStatus, Stage


class Rule(StrEnum):
    PENGINGAT_KIRIM = "pengingat_kirim"  # 3 and 1 working days before the 10th, and on it
    TERLAMBAT_KIRIM = "terlambat_kirim"  # after the 10th, until the 15th: units still short
    RINGKASAN_SATGAS = "ringkasan_satgas"  # after the 10th, until the 15th: to the satgas
    ANTRIAN = "antrian"  # 10th-15th: reviewers and signers who hold something
    KARTU_KABKOTA = "kartu_kabkota"  # 10th-15th: regencies whose signed card is missing
    DRAF_KARTU = "draf_kartu"  # 10th-15th: the satgas, while the provincial card has no draft
    PENYERAHAN = "penyerahan"  # 15th-20th: what stands between the period and the hand-over
    TERLAMBAT_SERAH = "terlambat_serah"  # after the 20th: the satgas and the escalation roles


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    unit: Unit
    missing: tuple[ChecklistItem, ...]  # required items not yet accepted
    returned: tuple[tuple[ChecklistItem, str], ...]  # returned items with their reasons
    card: ItemStatus | None  # the regency's signed card; None for other units
    percent: int = 0
    waiting: tuple[ChecklistItem, ...] = ()  # required items sent, waiting for review

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def done(self) -> bool:
        """Evidence at 100% and, for a regency, its signed card accepted."""
        return self.complete and self.card in (None, ItemStatus.DISETUJUI)


@dataclass(frozen=True, slots=True)
class PeriodSnapshot:
    period: Period
    units: tuple[UnitSnapshot, ...]
    pending_reviews: int  # deliveries waiting for the satgas
    card: CardState
    chain: tuple[Stage, ...]
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Notice:
    rule: Rule
    period: Period
    units: tuple[UnitSnapshot, ...] = ()  # the unit(s) the notice is about
    deadline: date | None = None
    pending_reviews: int = 0
    card: CardState | None = None
    role: Role | None = None  # the chain role that must act


@dataclass(frozen=True, slots=True)
class Reminder:
    person_id: int
    day: date
    notices: tuple[Notice, ...] = field(default=())

    @property
    def rules(self) -> frozenset[tuple[str, Rule]]:
        return frozenset((n.period.code, n.rule) for n in self.notices)


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is there to tell: submitters per unit, and who acts in each role today (holders
    and their delegates)."""

    submitters: Mapping[str, Sequence[int]]
    holders: Mapping[Role, Sequence[int]]
    escalation: tuple[Role, ...] = (Role.KABAG_HSDM,)


def submission_reminder_days(calendar: SopCalendar, period: Period) -> tuple[date, ...]:
    """Working days on which units short of 100% are reminded before the deadline."""
    wd = calendar.working_days
    deadline = calendar.schedule(period).submission_deadline
    on_the_day = wd.on_or_before(deadline)
    return tuple(sorted({wd.shift(deadline, -3), wd.shift(deadline, -1), on_the_day}))


def rules_on(calendar: SopCalendar, period: Period, day: date) -> tuple[Rule, ...]:
    """The rules that may fire on ``day`` for ``period``, from the calendar alone."""
    if not calendar.working_days.is_working_day(day):
        return ()
    s = calendar.schedule(period)
    rules: list[Rule] = []
    if s.kickoff <= day and day in submission_reminder_days(calendar, period):
        rules.append(Rule.PENGINGAT_KIRIM)
    if s.submission_deadline < day <= s.review_deadline:
        rules += [Rule.TERLAMBAT_KIRIM, Rule.RINGKASAN_SATGAS]
    if s.submission_deadline <= day <= s.review_deadline:
        rules += [Rule.ANTRIAN, Rule.KARTU_KABKOTA, Rule.DRAF_KARTU]
    # like the 10th's: a review date on a day off is warned of on the working day before
    if calendar.working_days.on_or_before(s.review_deadline) <= day <= s.handover_deadline:
        rules.append(Rule.PENYERAHAN)
    if day > s.handover_deadline:
        rules.append(Rule.TERLAMBAT_SERAH)
    return tuple(rules)


def _waiting_roles(snapshot: PeriodSnapshot) -> tuple[Role, ...]:
    card = snapshot.card
    if card.status is not CardStatus.PROSES:
        return ()
    return tuple(r for r in snapshot.chain[card.stage].roles if r not in card.approvals)


def notices_for(
    calendar: SopCalendar, snapshot: PeriodSnapshot, day: date, audience: Audience
) -> dict[int, list[Notice]]:
    """Per person, the notices one period gives on ``day``."""
    result: dict[int, list[Notice]] = {}
    if snapshot.closed:
        return result
    period = snapshot.period
    deadline = calendar.schedule(period).submission_deadline
    short = tuple(u for u in snapshot.units if not u.complete)

    def tell(people: Sequence[int], notice: Notice) -> None:
        for person in people:
            result.setdefault(person, []).append(notice)

    satgas = audience.holders.get(Role.SATGAS_PROV, ())
    for rule in rules_on(calendar, period, day):
        if rule in (Rule.PENGINGAT_KIRIM, Rule.TERLAMBAT_KIRIM):
            for unit in short:
                notice = Notice(rule, period, (unit,), deadline=deadline)
                tell(audience.submitters.get(unit.unit.code, ()), notice)
        elif rule is Rule.RINGKASAN_SATGAS and short:
            tell(satgas, Notice(rule, period, short, deadline=deadline))
        elif rule is Rule.ANTRIAN:
            if snapshot.pending_reviews:
                tell(satgas, Notice(rule, period, pending_reviews=snapshot.pending_reviews))
            for role in _waiting_roles(snapshot):
                tell(
                    audience.holders.get(role, ()),
                    Notice(rule, period, card=snapshot.card, role=role),
                )
        elif rule is Rule.KARTU_KABKOTA:
            for unit in snapshot.units:
                if unit.card is not None and unit.card is not ItemStatus.DISETUJUI:
                    tell(audience.submitters.get(unit.unit.code, ()), Notice(rule, period, (unit,)))
        elif rule is Rule.DRAF_KARTU:
            if snapshot.card.status in (CardStatus.KOSONG, CardStatus.DIKEMBALIKAN):
                tell(satgas, Notice(rule, period, short, card=snapshot.card))
        elif rule is Rule.PENYERAHAN:
            blockers = tuple(u for u in snapshot.units if not u.done)
            tell(satgas, Notice(rule, period, blockers, card=snapshot.card))
        elif rule is Rule.TERLAMBAT_SERAH:
            blockers = tuple(u for u in snapshot.units if not u.done)
            people = list(satgas)
            for role in audience.escalation:
                people += [p for p in audience.holders.get(role, ()) if p not in people]
            tell(people, Notice(rule, period, blockers, card=snapshot.card))
    return result


def plan(
    calendar: SopCalendar,
    day: date,
    snapshots: Sequence[PeriodSnapshot],
    audience: Audience,
) -> list[Reminder]:
    """One reminder per person for ``day``, gathering every rule of every open period."""
    gathered: dict[int, list[Notice]] = {}
    for snapshot in snapshots:
        for person, notices in notices_for(calendar, snapshot, day, audience).items():
            gathered.setdefault(person, []).extend(notices)
    return [Reminder(person, day, tuple(n)) for person, n in sorted(gathered.items())]
