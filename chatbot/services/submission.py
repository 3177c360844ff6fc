"""Periods and deliveries (SOP steps 1, 2 and 7): opening, the kick-off, the checklist,
receiving files, confirming a delivery as a new version, withdrawing it."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

import filetype

from chatbot.domain.calendar import Deadline, Period, SopCalendar, Window, period_at_work
from chatbot.domain.checklist import Catalogue, ChecklistItem
from chatbot.domain.duties import Duties
from chatbot.domain.errors import (
    DomainError,
    NotOwed,
    NotYourRole,
    PeriodClosed,
    StaleVersion,
    UnknownPeriod,
)
from chatbot.domain.events import Event, EventKind
from chatbot.domain.evidence import Finding, FindingKind, other_month
from chatbot.domain.files import FilePolicy, FileTooLarge, UnreadableFile, check_content
from chatbot.domain.people import Person
from chatbot.domain.progress import Progress, unit_progress
from chatbot.domain.roles import Permission
from chatbot.domain.text import MAX_MIME_TYPE, file_name, one_line
from chatbot.domain.units import Unit
from chatbot.domain.workflow import (
    UNIT_CARD_ITEM,
    UNIT_CARD_NAME,
    Context,
    Deliver,
    DeliveryKind,
    ItemState,
    ItemStatus,
    ItemStep,
    Withdraw,
    apply_item,
    item_steps,
)
from chatbot.export.inspect import Inspector, Unreadable, heic_to_jpeg
from chatbot.services import notify
from chatbot.services.ports import (
    Clock,
    EvidenceFile,
    FileStore,
    StoredItem,
    Submission,
    Template,
    UnitOfWork,
    UnitOfWorkFactory,
)
from chatbot.workers import Workers

log = logging.getLogger(__name__)
PHOTO = re.compile(r"foto(?: (\d+))?\.(\w+)")  # a photo's name until it is delivered

DOWNLOAD_ATTEMPTS = 3
DOWNLOAD_BACKOFF_SECONDS = 0.5
DIGEST_SIZE = 20  # deliveries per digest message (two buttons each)
CONTENT_HEAD = 8192  # bytes the type detector reads


class DownloadFailed(DomainError):
    code = "download_failed"


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """What the channel knows of a file before downloading it."""

    file_name: str | None
    mime_type: str | None
    size: int | None
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChecklistRow:
    item: ChecklistItem
    state: ItemState


@dataclass(frozen=True, slots=True)
class UnitChecklist:
    unit: Unit
    period: Period
    rows: tuple[ChecklistRow, ...]
    progress: Progress
    card: ItemState | None  # the regency's signed card, for regency units
    deadline: Deadline  # of the submission
    # the person's files received and not confirmed: per item, "" for those not yet given one
    drafts: Mapping[str, Sequence[EvidenceFile]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemDetail:
    item: ChecklistItem | None  # None for the signed card
    state: ItemState
    state_id: int | None
    submission: Submission | None  # the latest version, if any
    progress: Progress
    draft: tuple[EvidenceFile, ...] = ()  # the person's files received, not confirmed
    periods: tuple[Period, ...] = ()  # the open periods, read with it

    @property
    def steps(self) -> tuple[ItemStep, ...]:
        """What the submitter can do with the item now (the domain's rule)."""
        return item_steps(self.state, self.progress.complete)

    @property
    def card_not_ready(self) -> bool:
        """The regency's signed card, asked for before the unit's evidence is all accepted."""
        return self.state.is_unit_card and not self.progress.complete and not self.state.version


@dataclass(frozen=True, slots=True)
class Receipt:
    item_name: str
    state: ItemState
    late: bool
    files: int
    due: date | None = None  # its deadline, named when it is late
    # the person's checklist right after it, and the open periods, read in its transaction
    checklist: UnitChecklist | None = None
    periods: tuple[Period, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenResult:
    period: Period
    opened: bool
    kickoffs: int


CalendarSource = Callable[[], SopCalendar]


class SubmissionService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        calendar: CalendarSource,
        files: FileStore,
        policy: FilePolicy,
        timezone: ZoneInfo,
        notify_each_delivery: bool = True,
        open_time: time = time(7, 55),
        duties: Duties | None = None,
        inspector: Inspector | None = None,
        workers: Workers | None = None,
    ) -> None:
        self.inspector = inspector or Inspector()
        self.workers = workers or Workers()
        self.duties = duties or Duties()
        self.open_time = open_time
        self.timezone = timezone
        self.uow_factory = uow_factory
        self.clock = clock
        self.calendar = calendar
        self.files = files
        self.policy = policy
        self.notify_each_delivery = notify_each_delivery

    # ------------------------------------------------------------------ periods

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()

    def open_period(self, period: Period, by: Person | None = None) -> OpenResult:
        """Open a period and queue one kick-off per submitter. Opening again sends nothing."""
        if by is not None and not by.may(Permission.OPEN_PERIOD):
            raise NotYourRole(Permission.OPEN_PERIOD.value)
        now = self.clock()
        cal = self.calendar()
        deadline = cal.schedule(period).submission_deadline
        with self.uow_factory() as uow:
            opened = uow.periods.open(period, now, by.id if by else None)
            kickoffs = 0
            if opened:
                uow.audit.append(
                    Event(EventKind.PERIODE_DIBUKA, now, by.id if by else None, period.code)
                )
                older = [p.period for p in uow.periods.open_periods() if p.period < period]
                earlier = min(older) if older else None
                kickoffs = notify.kickoff(uow, now, period, deadline, uow.catalogue.load(), earlier)
            uow.commit()
        return OpenResult(period, opened, kickoffs)

    def open_due_period(self) -> OpenResult | None:
        """The scheduler's step 1: on day 1, or the first working day after, open the period
        reported this month if nobody opened it yet; a later day of the submission window
        (days 1-10) catches up. Never before ``open_time`` (07:55 WIB) of the day. The
        scheduler asks at start and then every few seconds; opening twice sends nothing."""
        cal = self.calendar()
        local = self.clock().astimezone(self.timezone)
        today = local.date()
        if local.time() < self.open_time:
            return None
        period = cal.period_reported_in(today)
        if cal.window_on(period, today) is not Window.PENGIRIMAN:
            return None
        if not cal.working_days.is_working_day(today):  # day 1, or the first working day after
            return None
        with self.uow_factory() as uow:
            if uow.periods.get(period) is not None:
                return None
        return self.open_period(period)

    def open_periods(self) -> list[Period]:
        with self.uow_factory() as uow:
            return [p.period for p in uow.periods.open_periods()]

    def working_period(self, person: Person | None = None) -> Period | None:
        """The open period ``person`` works on (None: none is open): the oldest one where
        their unit still has evidence to deliver (or, for the provincial satgas and those who
        do not deliver, the oldest open one). A month opened early does not take over."""
        with self.uow_factory() as uow:
            return self._working(uow, person, [p.period for p in uow.periods.open_periods()])

    @staticmethod
    def _working(uow: UnitOfWork, person: Person | None, periods: list[Period]) -> Period | None:
        """``working_period`` of the open ``periods``."""
        if (
            len(periods) < 2
            or person is None
            or not person.may(Permission.SUBMIT_EVIDENCE)
            or person.may(Permission.DRAFT_PROVINCIAL_CARD)
        ):
            return min(periods, default=None)
        catalogue = uow.catalogue.load()
        items = catalogue.items_for(person.unit)
        kabkota = catalogue.owes_signed_card(person.unit)

        def has_work(period: Period) -> bool:
            states = uow.items.for_unit(period, person.unit.code)
            progress = unit_progress(items, states)
            card = states.get(UNIT_CARD_ITEM)  # a regency's signed card, once it can go
            card_owed = (
                kabkota
                and progress.complete
                and (card is None or card.status in (ItemStatus.KOSONG, ItemStatus.DIKEMBALIKAN))
            )
            return card_owed or bool(progress.to_do)

        return period_at_work(periods, has_work)

    def opens_automatically(self, period: Period) -> datetime:
        """When the scheduler opens ``period``: ``open_time`` of the first working day from
        its kick-off day."""
        cal = self.calendar()
        day = cal.working_days.on_or_after(cal.schedule(period).kickoff)
        return datetime.combine(day, self.open_time, self.timezone)

    def suggested_to_open(self) -> Period:
        """The period /periode offers to open: the one being reported now (the next once
        this month's hand-over date has passed)."""
        return self.calendar().due_period(self.today())

    def _open_period(self, uow: UnitOfWork, period: Period) -> None:
        info = uow.periods.get(period)
        if info is None:
            raise UnknownPeriod(period.code)
        if info.closed:
            raise PeriodClosed(period.code)

    # ------------------------------------------------------------------ reading

    def checklist(self, person: Person, period: Period) -> UnitChecklist:
        cal = self.calendar()  # before the unit of work: it may read the days off in one
        with self.uow_factory() as uow:
            self._open_period(uow, period)
            return self._checklist(uow, cal, person, period)

    def open_checklist(
        self, person: Person, wanted: Sequence[Period | None] = ()
    ) -> tuple[tuple[Period, ...], UnitChecklist | None]:
        """The open periods, and the checklist of the first of ``wanted`` that is open (else
        of the one the person works on); no checklist when none is open. One unit of work."""
        cal = self.calendar()
        with self.uow_factory() as uow:
            periods = tuple(p.period for p in uow.periods.open_periods())
            period = next((p for p in wanted if p in periods), None)
            period = period or self._working(uow, person, list(periods))
            if period is None:
                return periods, None
            return periods, self._checklist(uow, cal, person, period)

    @classmethod
    def _checklist(
        cls, uow: UnitOfWork, cal: SopCalendar, person: Person, period: Period
    ) -> UnitChecklist:
        catalogue = uow.catalogue.load()
        states = uow.items.for_unit(period, person.unit.code)
        drafts = uow.drafts.of_person(person.id, period)
        return cls._sheet(cal, catalogue, person, period, states, drafts)

    @staticmethod
    def _sheet(
        cal: SopCalendar,
        catalogue: Catalogue,
        person: Person,
        period: Period,
        states: Mapping[str, ItemState],
        drafts: Mapping[str, Sequence[EvidenceFile]],
    ) -> UnitChecklist:
        """The unit's checklist of ``period``, of the states and the person's drafts read."""
        items = catalogue.items_for(person.unit)
        rows = tuple(
            ChecklistRow(i, states.get(i.code) or ItemState(period, person.unit.code, i.code))
            for i in items
        )
        card = None
        if catalogue.owes_signed_card(person.unit):
            card = states.get(UNIT_CARD_ITEM) or ItemState(period, person.unit.code, UNIT_CARD_ITEM)
        return UnitChecklist(
            unit=person.unit,
            period=period,
            rows=rows,
            progress=unit_progress(items, states),
            card=card,
            deadline=cal.deadline(period, cal.schedule(period).submission_deadline),
            drafts=drafts,
        )

    def item_detail(self, person: Person, period: Period, item_code: str) -> ItemDetail:
        with self.uow_factory() as uow:
            periods = self._open_with(uow, period)
            catalogue = uow.catalogue.load()
            item = self._owed_item(catalogue, person, item_code)
            stored, states = self._unit_items(uow, person, period, item_code)
            submission = (
                uow.items.submission(stored.id, stored.state.version)
                if stored.id is not None and stored.state.version
                else None
            )
            progress = unit_progress(catalogue.items_for(person.unit), states)
            draft = tuple(uow.drafts.get(person.id, period, item_code))
        return ItemDetail(item, stored.state, stored.id, submission, progress, draft, periods)

    def _open_with(self, uow: UnitOfWork, period: Period) -> tuple[Period, ...]:
        """The open periods, ``period`` among them (else refused: not opened, or closed)."""
        periods = tuple(p.period for p in uow.periods.open_periods())
        if period not in periods:
            self._open_period(uow, period)
        return periods

    @staticmethod
    def _unit_items(
        uow: UnitOfWork, person: Person, period: Period, item_code: str
    ) -> tuple[StoredItem, dict[str, ItemState]]:
        """The item as stored (to be written), and all the unit's: one read."""
        unit_items = uow.items.stored_for_unit(period, person.unit.code)
        stored = unit_items.get(item_code) or StoredItem(
            None, 0, ItemState(period, person.unit.code, item_code)
        )
        return stored, {code: s.state for code, s in unit_items.items()}

    @staticmethod
    def _owed_item(catalogue: Catalogue, person: Person, item_code: str) -> ChecklistItem | None:
        if item_code == UNIT_CARD_ITEM and catalogue.owes_signed_card(person.unit):
            return None
        item = catalogue.item(item_code)
        if item is None or not item.owed_by_unit(person.unit):
            raise NotOwed(item_code)
        return item

    # ------------------------------------------------------------------ files

    async def receive_file(
        self, incoming: IncomingFile, fetch: Callable[[], Awaitable[bytes]]
    ) -> EvidenceFile:
        """Check the policy before downloading, download with retries, store by sha256."""
        extension = self.policy.check(incoming.file_name, incoming.mime_type, incoming.size)
        data: bytes | None = None
        for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
            try:
                data = await fetch()
                break
            except Exception as exc:  # network faults of any channel
                log.warning(
                    "download of %s failed (attempt %s/%s): %s",
                    incoming.file_name,
                    attempt,
                    DOWNLOAD_ATTEMPTS,
                    exc,
                )
                if attempt < DOWNLOAD_ATTEMPTS:
                    await asyncio.sleep(DOWNLOAD_BACKOFF_SECONDS * attempt)
        if data is None:
            raise DownloadFailed(incoming.file_name or "")
        if len(data) > self.policy.max_bytes:
            raise FileTooLarge(str(len(data)))
        name = file_name(incoming.file_name) or f"foto.{extension}"  # numbered in the draft
        mime_type = incoming.mime_type or ""
        if extension in ("heic", "heif"):  # an iPhone photo: as a JPEG everyone can open
            try:  # what is not a HEIC photo fails to decode here
                data = await self.workers.run(heic_to_jpeg, data)
            except (OSError, ValueError) as exc:
                log.warning("HEIC photo %r could not be converted: %s", name, exc)
                raise UnreadableFile("foto") from None
            extension, mime_type = "jpg", "image/jpeg"
            name = f"{name.rsplit('.', 1)[0]}.jpg"
        detected = filetype.guess_extension(data[:CONTENT_HEAD])
        check_content(extension, "jpg" if detected == "jpeg" else detected, data[:CONTENT_HEAD])
        try:
            reading = await self.workers.run(self.inspector.read, data, extension)
        except Unreadable as exc:
            log.info("file %r refused: PDF unreadable (%s)", name, exc)
            raise UnreadableFile(exc.reason) from None
        stored = self.files.put_bytes(data)
        self.inspector.remember(stored.sha256, reading)
        return EvidenceFile(
            sha256=stored.sha256,
            file_name=name,
            mime_type=one_line(mime_type, MAX_MIME_TYPE),
            size=stored.size,
            telegram_file_id=incoming.telegram_file_id,
            telegram_file_unique_id=incoming.telegram_file_unique_id,
            already_known=stored.existed,
        )

    @staticmethod
    def add_to_draft(files: list[EvidenceFile], received: EvidenceFile) -> EvidenceFile | None:
        """Add a received file to a delivery being put together, unless the same content is
        in it already: then the file already there is returned and nothing is added."""
        earlier = next((f for f in files if f.sha256 == received.sha256), None)
        if earlier is None:
            photo = PHOTO.fullmatch(received.file_name)
            if photo is not None:  # a photo has no name of its own: it gets its number
                n = 1 + sum(PHOTO.fullmatch(f.file_name) is not None for f in files)
                received = replace(received, file_name=f"foto {n}.{photo.group(2)}")
            files.append(received)
        return earlier

    def findings(
        self, person_id: int, period: Period, item_code: str, files: Sequence[EvidenceFile]
    ) -> tuple[Finding, ...]:
        """What the files' own content says against the delivery the person is about to
        confirm (see domain.evidence)."""
        if not files:
            return ()
        with self.uow_factory() as uow:
            person = uow.people.get(person_id)
            if person is None:
                return ()
            state = uow.items.get(period, person.unit.code, item_code).state
            returned = state.version if state.status is ItemStatus.DIKEMBALIKAN else 0
            return self._findings(uow, person.unit.code, period, item_code, files, returned)

    def _findings(
        self,
        uow: UnitOfWork,
        unit_code: str,
        period: Period,
        item_code: str,
        files: Sequence[EvidenceFile],
        returned: int = 0,
    ) -> tuple[Finding, ...]:
        """``returned``: the version of this item that was returned, if it is (the same file
        sent again is then named as such)."""
        shas = {f.sha256 for f in files}
        earlier = uow.items.same_content(shas)
        templates = uow.templates.names(shas)
        units = uow.units.by_code() if earlier else {}
        found: list[Finding] = []
        for f in files:
            if f.sha256 in templates:
                found.append(Finding(FindingKind.TEMPLAT, f.file_name, item=templates[f.sha256]))
                continue
            seen = earlier.get(f.sha256, [])
            here = (unit_code, item_code, period)
            # this item's own latest version (sent again after a return), else the first
            prior = next(
                (e for e in reversed(seen) if (e.unit_code, e.item_code, e.period) == here), None
            )
            prior = prior or (seen[0] if seen else None)
            if prior is not None:
                unit = units.get(prior.unit_code)
                same_item = (prior.unit_code, prior.item_code, prior.period) == here
                named_item = uow.catalogue.load(prior.period).item(prior.item_code)
                found.append(
                    Finding(
                        FindingKind.SAMA,
                        f.file_name,
                        unit=unit.name if unit else prior.unit_code,
                        item=prior.item_code,
                        item_name=named_item.name
                        if named_item
                        else UNIT_CARD_NAME
                        if prior.item_code == UNIT_CARD_ITEM
                        else "",
                        period=prior.period.code,
                        version=prior.version,
                        same_item=same_item,
                        returned=same_item and prior.version == returned,
                    )
                )
            extension = self.policy.extension(f.file_name, f.mime_type) or ""
            reading = self.inspector.reading(
                f.sha256, extension, partial(self.files.path(f.sha256).read_bytes)
            )
            if reading.blank:
                found.append(Finding(FindingKind.KOSONG, f.file_name, photo=extension != "pdf"))
            named = other_month(reading.text, period)
            if named is not None:
                found.append(Finding(FindingKind.BULAN, f.file_name, period=named.code))
        return tuple(found)

    def register_template(self, data: bytes, name: str, by: int | None = None) -> bool:
        """A blank form (the card's form, a report template): evidence identical to it is
        named an unfilled form. False when that content was registered already."""
        stored = self.files.put_bytes(data)
        now = self.clock()
        with self.uow_factory() as uow:
            added = uow.templates.add(stored.sha256, stored.size, name, by, now)
            if added:
                uow.audit.append(
                    Event(
                        EventKind.TEMPLAT_DIDAFTARKAN,
                        now,
                        by,
                        subject=name,
                        detail={"sha256": stored.sha256},
                    )
                )
            uow.commit()
        return added

    def templates(self) -> list[Template]:
        with self.uow_factory() as uow:
            return uow.templates.all()

    @staticmethod
    def _named(
        files: Sequence[EvidenceFile], title: str, unit: Unit, day: date
    ) -> list[EvidenceFile]:
        """Photos delivered get a name that says what they are: the item, the unit, the day
        and their number (``KEU-01 - KPU Kabupaten Kerinci - 2026-11-02 - foto 1.jpg``)."""
        return [
            replace(f, file_name=f"{title} - {unit.name} - {day.isoformat()} - {f.file_name}")
            if PHOTO.fullmatch(f.file_name)
            else f
            for f in files
        ]

    # ------------------------------------------------------------------ drafts

    def draft(self, person: Person, period: Period, item_code: str) -> list[EvidenceFile]:
        """The files the person received for an item ("": for none yet), not confirmed."""
        with self.uow_factory() as uow:
            return uow.drafts.get(person.id, period, item_code)

    def keep_draft(
        self, person: Person, period: Period, item_code: str, files: Sequence[EvidenceFile]
    ) -> None:
        """Keep the files received as the person's draft of the item (none: discard it)."""
        with self.uow_factory() as uow:
            uow.drafts.put(person.id, period, item_code, list(files), self.clock())
            uow.commit()

    def drafts(self, person_id: int) -> dict[tuple[Period, str], list[EvidenceFile]]:
        """Every draft of the person in the open periods."""
        with self.uow_factory() as uow:
            return {
                (info.period, code): files
                for info in uow.periods.open_periods()
                for code, files in uow.drafts.of_person(person_id, info.period).items()
            }

    # ------------------------------------------------------------------ writing

    def deliver(
        self,
        person: Person,
        period: Period,
        item_code: str,
        expected_version: int,
        files: Sequence[EvidenceFile] = (),
        note: str = "",
    ) -> Receipt:
        """Confirm a delivery (files, or "tidak ada kegiatan" with a note) as a new version."""
        kind = DeliveryKind.BERKAS if files else DeliveryKind.NIHIL
        now = self.clock()
        cal = self.calendar()
        due = cal.due(period, signed_card=item_code == UNIT_CARD_ITEM)
        late = self.today() > due
        with self.uow_factory() as uow:
            periods = self._open_with(uow, period)
            catalogue = uow.catalogue.load()
            item = self._owed_item(catalogue, person, item_code)
            # the unit's items read once: this one to write, all for the progress and the
            # checklist shown after it
            stored, states = self._unit_items(uow, person, period, item_code)
            if stored.state.version != expected_version:
                raise StaleVersion(f"{expected_version} != {stored.state.version}")
            progress = unit_progress(catalogue.items_for(person.unit), states)
            transition = apply_item(
                stored.state,
                Deliver(kind, note),
                Context(
                    actor=person.actor(),
                    now=now,
                    late=late,
                    unit_complete=progress.complete,
                ),
            )
            new = transition.state
            state_id = uow.items.save(stored, new, now)
            files = self._named(
                files, item_code if item else UNIT_CARD_NAME, person.unit, self.today()
            )
            # by the names the reviewer sees (photos named), before this delivery is stored
            returned = stored.state.version if stored.state.status is ItemStatus.DIKEMBALIKAN else 0
            findings = self._findings(uow, person.unit.code, period, item_code, files, returned)
            uow.items.add_submission(
                state_id,
                new.version,
                kind,
                note.strip(),
                person.id,
                now,
                late,
                files,
                announced=self.notify_each_delivery,
                findings=findings,
            )
            for event in transition.events:
                if findings:  # the audit line names what the checks found, too
                    kinds = ", ".join(dict.fromkeys(f.kind.value for f in findings))
                    event = replace(event, detail={**event.detail, "temuan": kinds})
                uow.audit.append(event)
            uow.drafts.put(person.id, period, item_code, [], now)  # sent: no longer a draft
            item_name = item.name if item else UNIT_CARD_NAME
            notify.new_delivery(
                uow,
                now,
                person,
                item_name,
                new,
                state_id,
                late,
                files,
                note.strip(),
                self.today(),
                self.duties,
                only_second=not self.notify_each_delivery,
                findings=findings,
            )
            sheet = self._sheet(
                cal,
                catalogue,
                person,
                period,
                {**states, item_code: new},
                uow.drafts.of_person(person.id, period),
            )
            uow.commit()
        return Receipt(item_name, new, late, len(files), due, sheet, periods)

    def announce_digest(self, limit: int = DIGEST_SIZE) -> int:
        """Digest mode: one message per reviewer listing the deliveries not yet announced,
        each with its review buttons. Returns how many deliveries were announced."""
        now = self.clock()
        with self.uow_factory() as uow:
            pending = uow.items.unannounced(limit)
            if not pending:
                return 0
            units = {u.code: u for u in uow.units.all()}
            catalogue = uow.catalogue.load()
            names = {i.code: i.name for i in catalogue.items} | {UNIT_CARD_ITEM: UNIT_CARD_NAME}
            notify.delivery_digest(uow, now, pending, units, names, self.today(), self.duties)
            uow.items.mark_announced([p.submission_id for p in pending], now)
            uow.commit()
        return len(pending)

    def withdraw(self, person: Person, period: Period, item_code: str, version: int) -> ItemState:
        now = self.clock()
        with self.uow_factory() as uow:
            self._open_period(uow, period)
            self._owed_item(uow.catalogue.load(), person, item_code)
            stored = uow.items.get(period, person.unit.code, item_code)
            transition = apply_item(
                stored.state, Withdraw(version), Context(actor=person.actor(), now=now)
            )
            state_id = uow.items.save(stored, transition.state, now)
            uow.items.withdraw(state_id, version, now)
            for event in transition.events:
                uow.audit.append(event)
            uow.commit()
        return transition.state
