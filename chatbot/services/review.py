"""Reviewing deliveries (SOP steps 2 and 8): the provincial satgas approves or returns each
item, and each regency's signed card, with a reason for a return."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from chatbot.domain.duties import Duties, Reviewers
from chatbot.domain.errors import (
    AlreadyDecided,
    ConcurrentChange,
    DomainError,
    InvalidTransition,
    NotYourRole,
    OwnDelivery,
    StaleVersion,
    UnknownPeriod,
)
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.units import Unit
from chatbot.domain.workflow import (
    UNIT_CARD_ITEM,
    UNIT_CARD_NAME,
    Approve,
    Context,
    ItemStatus,
    Return,
    apply_item,
)
from chatbot.services import acting, notify
from chatbot.services.ports import (
    Clock,
    StoredItem,
    Submission,
    UnitOfWork,
    UnitOfWorkFactory,
)
from chatbot.services.views import Decision, ReviewTarget

__all__ = ["Decision", "ReviewService", "ReviewTarget", "UnknownItem"]


class UnknownItem(DomainError):
    code = "unknown_item"


class ReviewService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        timezone: ZoneInfo,
        gather: timedelta = timedelta(0),
        duties: Duties | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.timezone = timezone
        self.gather = gather  # how long a decision's notice waits for the next ones
        self.duties = duties or Duties()

    def _may_look(self, uow: UnitOfWork, person: Person) -> bool:
        """A reviewer, or a second reviewer (who sees only what falls to them)."""
        actor = acting.actor(uow, person, self.today())
        second = self.duties.second_reviewer
        return actor.may(Permission.REVIEW_ITEMS) or (second is not None and actor.has_role(second))

    def _reviewers(
        self, uow: UnitOfWork, state_id: int, version: int, known: Submission | None = None
    ) -> tuple[int, Reviewers]:
        """Who delivered the version, and who decides it; ``known``: the version's submission
        when it was read already."""
        if known is not None and known.version == version:
            submission: Submission | None = known
        else:
            submission = uow.items.submission(state_id, version) if version else None
        submitter = submission.submitted_by if submission is not None else 0
        return submitter, acting.reviewers(uow, submitter, self.today(), self.duties)

    def _own(self, uow: UnitOfWork, reviewers: Reviewers) -> OwnDelivery:
        """The refusal of one's own delivery, naming who decides it instead."""
        names = [p.name for i in reviewers.people if (p := uow.people.get(i)) is not None]
        return OwnDelivery("kiriman sendiri", instead=names, second=reviewers.second)

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()

    @staticmethod
    def _target(uow: UnitOfWork, state_id: int) -> ReviewTarget:
        return ReviewService._target_of(uow, state_id, uow.items.by_id(state_id))

    @staticmethod
    def _target_of(uow: UnitOfWork, state_id: int, stored: StoredItem | None) -> ReviewTarget:
        """The delivery as the reviewer sees it, of the item state read (``stored``)."""
        if stored is None or stored.id is None:
            raise UnknownItem(str(state_id))
        state = stored.state
        unit = uow.units.get(state.unit_code)
        if unit is None:
            raise UnknownItem(state.unit_code)
        item = uow.catalogue.load(state.period).item(state.item_code)
        name = (
            UNIT_CARD_NAME
            if state.item_code == UNIT_CARD_ITEM
            else (item.name if item else state.item_code)
        )
        submission = uow.items.submission(stored.id, state.version) if state.version else None
        return ReviewTarget(stored.id, state, unit, name, submission)

    def target(self, person: Person, state_id: int) -> ReviewTarget:
        with self.uow_factory() as uow:
            if not self._may_look(uow, person):
                raise NotYourRole(Permission.REVIEW_ITEMS.value)
            return self._target(uow, state_id)

    def check_return(self, person: Person, state_id: int, version: int) -> ReviewTarget:
        """Before asking for a reason: the role first, then the item, its version and whether
        it waits for review; the typed refusal otherwise."""
        target = self.target(person, state_id)
        state = target.state
        if version != state.version:
            raise StaleVersion(f"{version} != {state.version}")
        if state.status is not ItemStatus.DIKIRIM:
            if state.status is ItemStatus.KOSONG:
                raise InvalidTransition(state.status.value)
            raise AlreadyDecided(state.status.value)
        with self.uow_factory() as uow:
            submitter, reviewers = self._reviewers(uow, state_id, version)
            if self.duties.separate and submitter == person.id:
                raise self._own(uow, reviewers)
        return target

    def decide_item(
        self,
        person: Person,
        state_id: int,
        version: int,
        approve: bool,
        reason: str = "",
        notice: bool = True,
        bulk: bool = False,
        shown_on: tuple[int, int] | None = None,
    ) -> Decision:
        """Apply one decision; the state, the audit log and the notice to the submitter are
        written in one transaction, and a second decision on the same version is refused.
        A write that lost a race is read again once, so the loser hears what happened.
        ``shown_on``: the message it was taken on (the channel edits that one itself)."""
        args = (person, state_id, version, approve, reason, notice, bulk, shown_on)
        try:
            return self._decide_item(*args)
        except ConcurrentChange:
            return self._decide_item(*args)

    def _decide_item(
        self,
        person: Person,
        state_id: int,
        version: int,
        approve: bool,
        reason: str,
        notice: bool,
        bulk: bool,
        shown_on: tuple[int, int] | None,
    ) -> Decision:
        now = self.clock()
        with self.uow_factory() as uow:
            if not self._may_look(uow, person):  # before reading anything
                raise NotYourRole(Permission.REVIEW_ITEMS.value)
            stored = uow.items.by_id(state_id)  # read once: the decision writes this version
            target = self._target_of(uow, state_id, stored)
            assert stored is not None
            period = uow.periods.get(target.state.period)
            if period is None:
                raise UnknownPeriod(target.state.period.code)
            submitter, reviewers = self._reviewers(
                uow, state_id, stored.state.version, target.submission
            )
            action = Approve(version) if approve else Return(version, reason)
            try:
                transition = apply_item(
                    stored.state,
                    action,
                    Context(
                        actor=acting.actor(uow, person, self.today()),
                        now=now,
                        period_closed=period.closed,
                        separate_duties=self.duties.separate,
                        delivered_by=submitter or None,
                        second_reviewer=reviewers.second and person.id in reviewers.people,
                    ),
                )
            except OwnDelivery:
                raise self._own(uow, reviewers) from None
            uow.items.save(stored, transition.state, now)
            # the record says whether the reviewer had the evidence in front of them, and
            # an approve-all as such
            opened = bool(uow.reviews.opened_of(person.id, [(state_id, version)]))
            seen = {"pemeriksaan": "berkas dibuka" if opened else "berkas tidak dibuka"}
            if bulk:
                seen["cara"] = "setujui semua"
            for event in transition.events:
                uow.audit.append(replace(event, detail={**event.detail, **seen}))
            decided = ReviewTarget(
                target.state_id,
                transition.state,
                target.unit,
                target.item_name,
                target.submission,
            )
            decision = Decision(decided, approve, reason.strip(), person, now)
            notify.settled(
                uow,
                now,
                notify.item_subject(state_id, version),
                notify.decided_line(decision, self.timezone),
                person.id,
                shown_on,
            )
            if notice:  # else the caller tells them, gathered (approve-all)
                notify.decisions(uow, now, [decision], self.timezone, self.gather)
            uow.commit()
        return decision

    def waiting(self, person: Person, refuse: bool = False) -> list[ReviewTarget]:
        """Deliveries waiting for a decision in the open periods, oldest first (without their
        submissions: ``target`` reads one). Few queries whatever their number. Someone who
        does not review sees none, or (``refuse``) is refused."""
        with self.uow_factory() as uow:
            if not self._may_look(uow, person):
                if refuse:
                    raise NotYourRole(Permission.REVIEW_ITEMS.value)
                return []
            open_periods = {p.period for p in uow.periods.open_periods()}
            units = {u.code: u for u in uow.units.all()}
            catalogue = uow.catalogue.load()
            found: list[ReviewTarget] = []
            deciders: dict[int, Reviewers] = {}  # per submitter: who decides their deliveries
            pool: acting.ReviewPool | None = None  # read when the first delivery needs it
            for state_id, state, submitter in uow.items.pending_review():
                unit = units.get(state.unit_code)
                if state.period not in open_periods or unit is None:
                    continue
                if submitter not in deciders:
                    pool = pool or acting.review_pool(uow, self.today(), self.duties)
                    deciders[submitter] = pool.of(submitter, self.duties)
                if person.id not in deciders[submitter].people:
                    continue  # one's own delivery, or (a second reviewer) not theirs
                item = catalogue.item(state.item_code)
                name = (
                    UNIT_CARD_NAME
                    if state.item_code == UNIT_CARD_ITEM
                    else (item.name if item else state.item_code)
                )
                found.append(ReviewTarget(state_id, state, unit, name, None))
        return found

    def queue(self, person: Person) -> list[tuple[Unit, list[ReviewTarget]]]:
        """Deliveries waiting for a decision, grouped by unit (the unit of the oldest first),
        oldest first."""
        groups: dict[str, tuple[Unit, list[ReviewTarget]]] = {}
        for target in self.waiting(person):
            groups.setdefault(target.unit.code, (target.unit, []))[1].append(target)
        return list(groups.values())

    def at_desk(self, person: Person, state_id: int) -> tuple[ReviewTarget, str]:
        """The delivery the desk shows the reviewer, and who delivered that version; showing
        it is what the record calls "berkas dibuka" (``reviews.opened``). One unit of work."""
        with self.uow_factory() as uow:
            if not self._may_look(uow, person):
                raise NotYourRole(Permission.REVIEW_ITEMS.value)
            target = self._target(uow, state_id)
            sender = ""
            if target.submission is not None:
                by = uow.people.get(target.submission.submitted_by)
                sender = by.name if by is not None else ""
            uow.reviews.opened(person.id, target.state_id, target.state.version, self.clock())
            uow.commit()
        return target, sender

    def not_opened(self, person: Person, pairs: list[tuple[int, int]]) -> int:
        """How many of these deliveries the person has not opened at the desk."""
        with self.uow_factory() as uow:
            return len(pairs) - len(uow.reviews.opened_of(person.id, pairs))

    def approve_all(
        self, person: Person, pairs: list[tuple[int, int]]
    ) -> tuple[list[Decision], list[ReviewTarget]]:
        """Approve the listed (state id, version) pairs; those changed meanwhile are skipped."""
        done: list[Decision] = []
        skipped: list[ReviewTarget] = []
        try:
            for state_id, version in pairs:
                try:
                    done.append(
                        self.decide_item(person, state_id, version, True, notice=False, bulk=True)
                    )
                except (AlreadyDecided, StaleVersion, InvalidTransition, ConcurrentChange):
                    skipped.append(self.target(person, state_id))
        finally:  # one notice per submitter, not one per item; also when the loop broke off
            if done:
                with self.uow_factory() as uow:
                    notify.decisions(uow, self.clock(), done, self.timezone, self.gather)
                    uow.commit()
        return done, skipped
