"""The provincial control card (SOP steps 3-6 and 9): the draft, the paraf and signature chain,
the signed card, e-SPIP, "kirim data" and the hand-over to Inspektorat KPU RI."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period
from chatbot.domain.duties import Duties
from chatbot.domain.errors import (
    AlreadyDecided,
    ConcurrentChange,
    DutyTaken,
    InvalidTransition,
    NotYourRole,
    PeriodClosed,
    PreconditionMissing,
    StaleVersion,
    UnitsIncomplete,
    UnknownPeriod,
)
from chatbot.domain.events import Event, EventKind
from chatbot.domain.people import Person
from chatbot.domain.progress import unit_progress
from chatbot.domain.roles import Role
from chatbot.domain.units import province_of
from chatbot.domain.workflow import (
    CARD_STEP_ACTION,
    UNIT_CARD_ITEM,
    CardAction,
    CardState,
    CardStatus,
    CardStep,
    Context,
    Decide,
    DeliveryKind,
    Handover,
    ItemState,
    ItemStatus,
    Stage,
    StageKind,
    UploadDraft,
    UploadSigned,
    apply_card,
    card_steps,
)
from chatbot.services import acting, notify
from chatbot.services.ports import (
    Clock,
    EvidenceFile,
    StoredCard,
    UnitOfWork,
    UnitOfWorkFactory,
)
from chatbot.services.views import CardDecision, CardView, Given, UnitStanding

__all__ = ["CardDecision", "CardService", "CardView", "UnitStanding"]
CONFLICT_RETRIES = 3


class Applied(NamedTuple):
    stored: StoredCard
    state: CardState
    events: tuple[Event, ...]
    view: CardView


class CardService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        chain: tuple[Stage, ...],
        timezone: ZoneInfo,
        duties: Duties | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.chain = chain
        self.timezone = timezone
        self.duties = duties or Duties()

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()

    # ------------------------------------------------------------------ reading

    @staticmethod
    def standings(uow: UnitOfWork, period: Period) -> tuple[UnitStanding, ...]:
        catalogue = uow.catalogue.load(period)
        by_unit: dict[str, dict[str, ItemState]] = {}
        for state in uow.items.for_period(period):
            by_unit.setdefault(state.unit_code, {})[state.item_code] = state
        result = []
        for unit in uow.units.all():
            states = by_unit.get(unit.code, {})
            card = None
            if catalogue.owes_signed_card(unit):
                signed = states.get(UNIT_CARD_ITEM)
                card = signed.status if signed else ItemStatus.KOSONG
            progress = unit_progress(catalogue.items_for(unit), states)
            result.append(UnitStanding(unit, progress, card))
        return tuple(result)

    def view(self, period: Period) -> CardView:
        with self.uow_factory() as uow:
            if uow.periods.get(period) is None:
                raise UnknownPeriod(period.code)
            return self._view(uow, period)

    def _view(self, uow: UnitOfWork, period: Period) -> CardView:
        province = province_of(uow.units.all())
        stored = uow.items.get_card(period, province.code)
        submission = (
            uow.items.submission(stored.id, stored.state.version)
            if stored.id is not None and stored.state.version
            else None
        )
        return CardView(
            period,
            stored.state,
            stored.id,
            submission,
            self.standings(uow, period),
            self.chain,
            self._given(uow, stored.state),
        )

    @staticmethod
    def _given(uow: UnitOfWork, state: CardState) -> tuple[Given, ...]:
        """The paraf and signatures of the current version while it is in the chain (a
        return voids them; a new version starts afresh)."""
        if state.status is not CardStatus.PROSES and state.status is not CardStatus.MENUNGGU_TTD:
            return ()
        given = []
        names: dict[int, str] = {}

        def name(person_id: int | None) -> str:
            if person_id is None:
                return ""
            if person_id not in names:
                person = uow.people.get(person_id)
                names[person_id] = person.name if person else ""
            return names[person_id]

        for e in uow.audit.for_period(state.period.code, (EventKind.KARTU_DISETUJUI_PEJABAT,)):
            if e.version != state.version:
                continue
            behalf = e.detail.get("atas_nama", "")
            given.append(
                Given(
                    Role(e.detail["peran"]),
                    StageKind(e.detail["tahap"]),
                    name(e.actor_id),
                    name(int(behalf)) if behalf.isdigit() else "",
                    e.at,
                    e.actor_id or 0,
                )
            )
        return tuple(given)

    # ------------------------------------------------------------------ writing

    def _apply(
        self,
        uow: UnitOfWork,
        person: Person,
        period: Period,
        action: CardAction,
        expected_version: int | None = None,
    ) -> Applied:
        info = uow.periods.get(period)
        if info is None:
            raise UnknownPeriod(period.code)
        view = self._view(uow, period)
        province = province_of(uow.units.all())
        stored = uow.items.get_card(period, province.code)
        if expected_version is not None and stored.state.version != expected_version:
            raise StaleVersion(f"{expected_version} != {stored.state.version}")
        ctx = Context(
            actor=acting.actor(uow, person, self.today()),
            now=self.clock(),
            period_closed=info.closed,
            all_units_complete=not view.short,
            separate_duties=self.duties.separate,
            given_by=frozenset(g.person_id for g in view.given),
        )
        try:
            transition = apply_card(stored.state, action, ctx, self.chain)
        except UnitsIncomplete as exc:  # name the units, so nobody recomputes them
            raise UnitsIncomplete(exc.detail, short=view.short) from None
        except DutyTaken as exc:
            raise self._duty_taken(uow, view, person, Role(exc.detail)) from None
        uow.items.save_card(stored, transition.state, province.code, ctx.now)
        short = view.short_line
        for event in transition.events:
            if short and event.kind in STARTED_SHORT:  # the record says it began short
                event = replace(event, detail={**event.detail, "data_belum_lengkap": short})
            uow.audit.append(event)
        return Applied(stored, transition.state, transition.events, view)

    def upload(
        self, person: Person, period: Period, expected_version: int, files: Sequence[EvidenceFile]
    ) -> CardState:
        """A draft (step 3) or, once the chain is done, the signed card (a new version)."""
        with self.uow_factory() as uow:
            current = uow.items.get_card(period, province_of(uow.units.all()).code).state
            signed = CardStep.UPLOAD_SIGNED in card_steps(current, self.chain)
            action: CardAction = UploadSigned() if signed else UploadDraft()
            applied = self._apply(uow, person, period, action, expected_version)
            new = applied.state
            state_id = uow.items.get_card(period, province_of(uow.units.all()).code).id
            assert state_id is not None
            now = self.clock()
            uow.items.add_submission(
                state_id,
                new.version,
                DeliveryKind.BERKAS,
                "",
                person.id,
                now,
                False,
                files,
                announced=True,
            )
            if current.status is CardStatus.PROSES:  # the version in the chain is replaced
                notify.card_replaced(uow, now, current, new.version, self._roles, person)
            if not signed:
                # the units' standing is as it was read; the new version has no paraf yet
                fresh = replace(applied.view, state=new, submission=None, given=())
                self._ask_stage(uow, fresh, files)
            uow.commit()
        return new

    @property
    def _roles(self) -> tuple[Role, ...]:
        return tuple(r for s in self.chain for r in s.roles)

    def _ask_stage(self, uow: UnitOfWork, view: CardView, files: Sequence[EvidenceFile]) -> None:
        notify.card_stage(uow, self.clock(), self.today(), view, files, self.timezone)

    def decide(
        self,
        person: Person,
        period: Period,
        version: int,
        approve: bool,
        reason: str = "",
        shown_on: tuple[int, int] | None = None,
    ) -> CardDecision:
        """Paraf or signature (or a return) by whichever of the person's roles is due now.
        Two officials of one stage deciding at the same moment are both applied: the write
        that lost the race is read again and applied on top (a few tries)."""
        for attempt in range(1, CONFLICT_RETRIES + 1):
            try:
                return self._decide(person, period, version, approve, reason, shown_on)
            except ConcurrentChange:
                if attempt == CONFLICT_RETRIES:
                    raise
        raise AssertionError("unreachable")

    def _decide(
        self,
        person: Person,
        period: Period,
        version: int,
        approve: bool,
        reason: str,
        shown_on: tuple[int, int] | None,
    ) -> CardDecision:
        """``shown_on``: the request it was given on, which the channel edits itself."""
        with self.uow_factory() as uow:
            province = province_of(uow.units.all())
            current = uow.items.get_card(period, province.code).state
            actor = acting.actor(uow, person, self.today())
            role = self._due_role(current, {*actor.roles, *actor.covering})
            applied = self._apply(uow, person, period, Decide(version, role, approve, reason))
            stored, new = applied.stored, applied.state
            now, today = self.clock(), self.today()
            stage = next(s for s in self.chain if role in s.roles)
            if not approve:
                notify.card_returned(uow, now, today, new, version, role, person, reason.strip())
                notify.card_voided(
                    uow, now, new, version, self._roles, role, person, self.timezone, shown_on
                )
            else:
                notify.card_given(
                    uow, now, period, version, role, stage, person, self.timezone, shown_on
                )
                # the units' standing is as it was read: only the card and who gave what moved
                after = replace(applied.view, state=new, given=self._given(uow, new))
                given = after.given_by(role)
                assert given is not None
                if new.status is CardStatus.MENUNGGU_TTD:
                    notify.card_signed_all(uow, now, today, after, given)
                else:
                    notify.card_step(uow, now, today, after, given)
                if new.status is CardStatus.PROSES and new.stage != stored.state.stage:
                    submission = uow.items.submission(stored.id or 0, version)
                    self._ask_stage(uow, after, submission.files if submission else ())
            uow.commit()
        return CardDecision(new, role, stage, now)

    def check_return(self, person: Person, period: Period, version: int) -> CardView:
        """Before asking for a reason: may this person return this version now? The typed
        refusal otherwise (not a role of the chain, a stale button, nothing to return, already
        decided by them), so nobody is asked for a reason they cannot give."""
        view, role, _ = self._standing(person, period)
        state = view.state
        if state.version != version:
            raise StaleVersion(f"{version} != {state.version}")
        if state.status is not CardStatus.PROSES or role not in self.chain[state.stage].roles:
            raise InvalidTransition(state.status.value)
        if role in state.approvals:
            raise AlreadyDecided(role.value)
        return view

    def _duty_taken(self, uow: UnitOfWork, view: CardView, person: Person, due: Role) -> DutyTaken:
        """One person, a second paraf or signature on this version: refused, saying which
        they gave and who is asked in the role due instead."""
        mine = next(g for g in view.given if g.person_id == person.id)
        others = [
            h.person.name for h in acting.asked(uow, due, self.today()) if h.person.id != person.id
        ]
        due_kind = next(s.kind for s in self.chain if due in s.roles)
        return DutyTaken(
            due.value, given=mine.role, kind=mine.kind, due=due, due_kind=due_kind, instead=others
        )

    def check_decide(self, person: Person, period: Period, version: int) -> CardView:
        """Before asking to confirm a paraf or signature: would it be accepted now? The same
        refusals as the decision itself (``workflow._decide``), so nobody confirms in vain."""
        view, role, closed = self._standing(person, period)
        if closed:
            raise PeriodClosed(period.code)
        state = view.state
        if state.version != version:
            raise StaleVersion(f"{version} != {state.version}")
        if state.status is not CardStatus.PROSES:
            raise AlreadyDecided(state.status.value)
        stage = self.chain[state.stage]
        if role not in stage.roles:
            if any(role in s.roles for s in self.chain[state.stage + 1 :]):
                raise PreconditionMissing(f"tahap {stage.kind.value} belum selesai")
            raise AlreadyDecided(role.value)
        if role in state.approvals:
            raise AlreadyDecided(role.value)
        if self.duties.separate and any(g.person_id == person.id for g in view.given):
            with self.uow_factory() as uow:
                raise self._duty_taken(uow, view, person, role)
        return view

    def _standing(self, person: Person, period: Period) -> tuple[CardView, Role, bool]:
        """The card, the person's role due on it now, and whether the period is closed."""
        with self.uow_factory() as uow:
            info = uow.periods.get(period)
            if info is None:
                raise UnknownPeriod(period.code)
            actor = acting.actor(uow, person, self.today())
            view = self._view(uow, period)
            role = self._due_role(view.state, {*actor.roles, *actor.covering})
        return view, role, info.closed

    def _due_role(self, state: CardState, roles: Collection[Role]) -> Role:
        if state.status is CardStatus.PROSES:
            waiting = [r for r in self.chain[state.stage].roles if r not in state.approvals]
            mine = [r for r in waiting if r in roles]
            if mine:
                return mine[0]
            done = [r for r in self.chain[state.stage].roles if r in roles]
            if done:
                return done[0]  # already decided: the domain says so
        chain_roles = [r for s in self.chain for r in s.roles if r in roles]
        if not chain_roles:
            raise NotYourRole("rantai")
        return chain_roles[0]

    def record(
        self, person: Person, period: Period, step: CardStep, evidence: EvidenceFile | None
    ) -> CardState:
        """e-SPIP uploaded, "kirim data", or the hand-over (which closes the period)."""
        if step not in RECORDED:
            raise InvalidTransition(step.value)
        action = CARD_STEP_ACTION[step]
        with self.uow_factory() as uow:
            applied = self._apply(uow, person, period, action)
            new = applied.state
            now = self.clock()
            if evidence is not None:
                uow.audit.append(
                    Event(
                        applied.events[0].kind,
                        now,
                        person.id,
                        period.code,
                        subject="bukti",
                        detail={"berkas": evidence.file_name, "sha256": evidence.sha256},
                    )
                )
            if isinstance(action, Handover):
                uow.periods.close(period, now)
                uow.catalogue.snapshot_into(period)
                uow.drafts.drop_period(period)  # a closed period takes nothing more
                notify.handed_over(uow, now, period, person, self.timezone)
            uow.commit()
        return new

    def waiting_for(self, person: Person) -> list[tuple[CardState, Stage, Role]]:
        """Provincial cards (of open periods) waiting for this person's paraf or signature,
        with the role it is due in."""
        result = []
        with self.uow_factory() as uow:
            actor = acting.actor(uow, person, self.today())
            roles = {*actor.roles, *actor.covering}
            province = province_of(uow.units.all())
            for info in uow.periods.open_periods():
                state = uow.items.get_card(info.period, province.code).state
                if state.status is not CardStatus.PROSES:
                    continue
                stage = self.chain[state.stage]
                due = [r for r in stage.roles if r in roles and r not in state.approvals]
                if due:
                    result.append((state, stage, due[0]))
        return result

    def check_handover(self, period: Period) -> CardView:
        """Before asking "serahkan?": the card must be at "kirim data" and every unit
        complete; the typed refusal otherwise (``UnitsIncomplete`` names the units)."""
        view = self.view(period)
        if CardStep.HANDOVER not in view.steps:
            raise PreconditionMissing(view.state.status.value)
        if view.short:
            raise UnitsIncomplete("unit_belum_lengkap", short=view.short)
        return view


RECORDED = (CardStep.ESPIP, CardStep.KIRIM_DATA, CardStep.HANDOVER)  # steps without a file
# drafted, initialled or signed while units were below 100%: the audit says which
STARTED_SHORT = (EventKind.KARTU_DRAFT_DIUNGGAH, EventKind.KARTU_DISETUJUI_PEJABAT)
