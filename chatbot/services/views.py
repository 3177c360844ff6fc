"""What the services answer with: plain data of the domain's types, read by the screens and
the texts (which import these, never the services themselves)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.domain.progress import Progress
from chatbot.domain.roles import Role
from chatbot.domain.staffing import Vacancy
from chatbot.domain.units import Unit
from chatbot.domain.workflow import (
    CardState,
    CardStep,
    ItemState,
    ItemStatus,
    Stage,
    StageKind,
    card_steps,
)
from chatbot.services.ports import Submission


@dataclass(frozen=True, slots=True)
class ReviewTarget:
    state_id: int
    state: ItemState
    unit: Unit
    item_name: str
    submission: Submission | None


@dataclass(frozen=True, slots=True)
class Decision:
    target: ReviewTarget
    approve: bool
    reason: str
    reviewer: Person
    at: datetime


@dataclass(frozen=True, slots=True)
class Delegated:
    role: Role
    covered: Person
    delegate: Person
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class UnitStanding:
    unit: Unit
    progress: Progress
    card: ItemStatus | None  # the regency's signed card; None for other units

    @property
    def complete(self) -> bool:
        return self.progress.complete and self.card in (None, ItemStatus.DISETUJUI)


@dataclass(frozen=True, slots=True)
class Given:
    """A paraf or signature given on the card's current version."""

    role: Role
    kind: StageKind
    name: str  # who gave it
    on_behalf_of: str  # the holder covered, "" for one's own role
    at: datetime
    person_id: int = 0  # who gave it


@dataclass(frozen=True, slots=True)
class CardView:
    period: Period
    state: CardState
    state_id: int | None
    submission: Submission | None
    standings: tuple[UnitStanding, ...]
    chain: tuple[Stage, ...]
    given: tuple[Given, ...] = ()

    def given_by(self, role: Role) -> Given | None:
        return next((g for g in self.given if g.role is role), None)

    @property
    def short(self) -> list[UnitStanding]:
        return [s for s in self.standings if not s.complete]

    @property
    def short_line(self) -> str:
        """The units below 100% as the record and the confirmation say them: "KPU Kabupaten
        Kerinci 80%, …"."""
        return ", ".join(f"{s.unit.name} {s.progress.percent}%" for s in self.short)

    @property
    def steps(self) -> tuple[CardStep, ...]:
        """What the satgas can do with the card now (the domain's rule)."""
        return card_steps(self.state, self.chain)


@dataclass(frozen=True, slots=True)
class CardDecision:
    state: CardState
    role: Role  # the role the person decided in
    stage: Stage  # the stage it belongs to
    at: datetime  # when it was recorded


# ------------------------------------------------------------------ people who come and go


class ChangeKind(StrEnum):
    DEACTIVATE = "nonaktif"
    REACTIVATE = "aktif"
    MOVE = "pindah"
    REPLACE = "ganti"


@dataclass(frozen=True, slots=True)
class DraftItem:
    """A draft handed over: its month and item ("" code: files whose item is not chosen)."""

    period: Period
    code: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """A line of the directory: the person and their last recorded activity."""

    person: Person
    last_seen: datetime | None


@dataclass(frozen=True, slots=True)
class Plan:
    """What a change would do, shown before it is confirmed."""

    kind: ChangeKind
    person: Person
    after: Person  # as they would be
    successor: Person | None  # who takes over their open work
    drafts: tuple[DraftItem, ...]  # drafts that go to the successor
    vacant: tuple[Vacancy, ...]  # roles nobody would hold
    leaving: frozenset[Role] = frozenset()  # the roles whose open work is handed over
    waiting: int = 0  # requests still waiting for them, forwarded to the successor
    changes: int = 0  # changes of the person so far: a confirmation's token
    dropped: tuple[DraftItem, ...] = ()  # drafts of the unit they leave, nobody to take them
    others: tuple[Person, ...] = ()  # everyone as they will be (who takes each request)


@dataclass(frozen=True, slots=True)
class Change:
    """A change made."""

    kind: ChangeKind
    before: Person
    after: Person
    successor: Person | None
    drafts: tuple[DraftItem, ...]  # handed to the successor
    forwarded: int  # requests still waiting, forwarded to the successor
    vacant: tuple[Vacancy, ...]  # roles nobody holds now (confirmed)
    by: Person | None
    seq: int = 0  # the person's changes with this one (each notice of it is sent once)
    dropped: tuple[DraftItem, ...] = ()  # drafts let go of (nobody in the unit they left)
