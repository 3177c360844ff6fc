"""What the services need from storage. ``storage.uow.SqlUnitOfWork`` implements it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from chatbot.domain.calendar import Period
from chatbot.domain.channels import Channel
from chatbot.domain.checklist import Catalogue
from chatbot.domain.events import Event, EventKind
from chatbot.domain.evidence import Finding
from chatbot.domain.invites import Invite
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from chatbot.domain.units import Unit
from chatbot.domain.workflow import CardState, DeliveryKind, ItemState

Button = tuple[str, str]  # (label, callback data)


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A notification to one person, queued in the outbox with the change that causes it."""

    person_id: int
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    dedupe_key: str | None = None
    attachments: tuple[Attachment, ...] = ()
    group: str | None = None  # a gathering notice (``Outbox.gathering``)
    grouped: tuple[dict[str, object], ...] = ()  # its entries, to compose it again
    not_before: datetime | None = None  # held until then, so that more can join it
    subject: str | None = None  # what its buttons act on: edited once that is decided
    edit: tuple[int, int] | None = None  # an edit of this Telegram (chat, message) instead


@dataclass(frozen=True, slots=True)
class WaitingMessage:
    """A message that asked someone to act and is still waiting (``Outbox.waiting``)."""

    id: int
    subject: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Placed:
    """A Telegram message holding buttons for a subject, as it was sent."""

    person_id: int
    chat_id: int
    message_id: int
    text: str


@dataclass(frozen=True, slots=True)
class Gathering:
    """A gathering notice not sent yet: what it holds so far."""

    id: int
    grouped: tuple[dict[str, object], ...]


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    id: int
    person_id: int
    chat_id: int | None
    text: str
    buttons: tuple[tuple[Button, ...], ...]
    attempts: int
    attachments: tuple[Attachment, ...] = ()
    parts_sent: int = 0  # attachments already accepted by the channel, then the text
    interrupted: bool = False  # a part was being sent when the bot stopped: it may have arrived
    whatsapp_id: str | None = None  # for the WhatsApp channel
    whatsapp_seen_at: datetime | None = None  # the person's last WhatsApp message
    created_at: datetime | None = None  # when it was queued
    subject: str | None = None  # what its buttons act on (``OutgoingMessage.subject``)
    edit: tuple[int, int] | None = None  # an edit of this Telegram (chat, message)


@dataclass(frozen=True, slots=True)
class LoadResult:
    added: int = 0
    updated: int = 0
    deactivated: int = 0


@dataclass(frozen=True, slots=True)
class PeriodInfo:
    period: Period
    opened_at: datetime
    closed_at: datetime | None

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class StoredItem:
    """An item's state as stored: ``id`` is None until the first write; ``rev`` guards updates."""

    id: int | None
    rev: int
    state: ItemState


@dataclass(frozen=True, slots=True)
class ItemRecord:
    state_id: int
    state: ItemState
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredCard:
    id: int | None
    rev: int
    state: CardState


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent before a notification's text: by the channel's file id, else from disk."""

    sha256: str
    file_name: str
    telegram_file_id: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    sha256: str
    file_name: str
    mime_type: str
    size: int
    telegram_file_id: str | None = None
    telegram_file_unique_id: str | None = None
    already_known: bool = False  # the same content was stored before

    @property
    def attachment(self) -> Attachment:
        return Attachment(self.sha256, self.file_name, self.telegram_file_id)


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    version: int
    kind: DeliveryKind
    note: str
    submitted_by: int
    submitted_at: datetime
    late: bool
    withdrawn_at: datetime | None
    files: tuple[EvidenceFile, ...]
    findings: tuple[Finding, ...] = ()


class UnitRepository(Protocol):
    def get(self, code: str) -> Unit | None: ...
    def by_code(self) -> dict[str, Unit]: ...
    def all(self) -> list[Unit]: ...
    def replace_all(self, units: Sequence[Unit]) -> LoadResult: ...


class CatalogueRepository(Protocol):
    def load(self, period: Period | None = None) -> Catalogue: ...
    def snapshot_into(self, period: Period) -> None: ...
    def everything(self) -> Catalogue: ...
    def loaded_from(self) -> str | None: ...
    def replace(
        self, catalogue: Catalogue, now: datetime, source: str | None = None
    ) -> LoadResult: ...


class PersonRepository(Protocol):
    def get(self, person_id: int) -> Person | None: ...
    def by_telegram(self, telegram_user_id: int) -> Person | None: ...
    def by_whatsapp(self, whatsapp_id: str) -> Person | None: ...
    def add(
        self,
        name: str,
        unit_code: str,
        roles: frozenset[Role],
        telegram_user_id: int | None,
        telegram_chat_id: int | None,
        now: datetime,
        whatsapp_id: str | None = None,
    ) -> Person: ...
    def set_notify_via(self, person_id: int, channel: str) -> None: ...
    def link_whatsapp(self, person_id: int, whatsapp_id: str) -> None:
        """WhatsApp becomes the person's channel for notifications too."""
        ...

    def whatsapp_seen(self, person_id: int, now: datetime, phone: str | None = None) -> None:
        """The person wrote on WhatsApp now: free-form messages may go for 24 hours. The
        phone number is kept when WhatsApp gives it (a person may hide it)."""
        ...

    def add_role(self, person_id: int, role: Role) -> None: ...
    def set_chat(self, person_id: int, chat_id: int) -> None: ...
    def with_role(self, role: Role) -> list[Person]:
        """Active people with the role whom some channel reaches."""
        ...

    def with_roles(self, roles: Collection[Role]) -> dict[Role, list[Person]]:
        """``with_role`` of each of ``roles``, read at once."""
        ...

    def mark_blocked(self, person_id: int, channel: Channel, now: datetime) -> bool:
        """The channel refused the person for good; True when it was not marked yet."""
        ...

    def unblock(self, person_id: int, channel: Channel) -> None: ...
    def all(self) -> list[Person]: ...
    def set_active(self, person_id: int, active: bool) -> None: ...
    def place(self, person_id: int, unit_code: str, roles: frozenset[Role]) -> None:
        """The person's unit and roles from now on (a transfer, or a role changed)."""
        ...

    def lock_all(self) -> None:
        """Changes of people one at a time, until the transaction ends."""
        ...

    def last_seen(self) -> dict[int, datetime]:
        """Each person's last recorded activity (the audit log, WhatsApp messages)."""
        ...


class InboundLog(Protocol):
    def first_time(self, channel: str, message_id: str, now: datetime) -> bool:
        """Record a delivered message id; False when it was recorded before (a replay)."""
        ...


class LinkCodeRepository(Protocol):
    def add(self, person_id: int, code_hash: str, now: datetime, expires_at: datetime) -> None: ...
    def find(self, code_hash: str) -> tuple[int, int, datetime, datetime | None] | None:
        """(id, person id, expires at, used at)."""
        ...

    def mark_used(self, link_id: int, now: datetime) -> bool: ...


class DraftRepository(Protocol):
    """Files received and not confirmed, per person, period and item ("" for files whose
    item is not chosen yet)."""

    def get(self, person_id: int, period: Period, item_code: str) -> list[EvidenceFile]: ...
    def put(
        self,
        person_id: int,
        period: Period,
        item_code: str,
        files: list[EvidenceFile],
        now: datetime,
    ) -> None:
        """Keep ``files`` as the draft; none deletes it."""
        ...

    def of_person(self, person_id: int, period: Period) -> dict[str, list[EvidenceFile]]: ...
    def drop_period(self, period: Period) -> int: ...
    def hand_over(self, from_id: int, to_id: int, now: datetime) -> list[tuple[Period, str]]:
        """One person's drafts become another's; the (period, item) of each."""
        ...


class InviteRepository(Protocol):
    def add(
        self,
        code_hash: str,
        unit_code: str,
        role: Role,
        name: str | None,
        created_by: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> Invite: ...
    def by_hash(self, code_hash: str) -> Invite | None: ...
    def created_by(self, invite_id: int) -> int | None: ...
    def mark_used(self, invite_id: int, person_id: int, now: datetime) -> bool:
        """Conditional: True only for the one caller that marks an unused invite."""
        ...


class AuditRepository(Protocol):
    def append(self, event: Event) -> None: ...
    def returned(self, first: Period, last: Period) -> set[tuple[str, str, str]]:
        """(period, unit, item) of every item returned at least once in those months."""
        ...

    def for_period(self, period: str, kinds: Collection[EventKind] = ()) -> list[Event]:
        """The period's events in order (only those of ``kinds`` when given)."""
        ...

    def about(self, subject: str) -> list[Event]:
        """Every event about ``subject`` (a person's "orang:<id>"), in order."""
        ...


class Outbox(Protocol):
    def put(self, message: OutgoingMessage, now: datetime) -> bool: ...
    def gathering(self, person_id: int, group: str, now: datetime) -> Gathering | None:
        """The person's notice of ``group`` still held back (not due at ``now``: no sender
        has read it), locked for the transaction; None when there is none."""
        ...

    def regather(self, message_id: int, message: OutgoingMessage, now: datetime) -> bool:
        """Replace a held notice's text, buttons and entries; False when it became due or a
        sender took it meanwhile (then the new entries are queued apart)."""
        ...

    def due(self, now: datetime, limit: int, channel: str = "telegram") -> list[QueuedMessage]:
        """Due messages of the people this channel reaches: WhatsApp takes those with a
        WhatsApp id and no Telegram chat or who linked WhatsApp, Telegram everyone else."""
        ...

    def mark_sending(
        self, message_id: int, now: datetime
    ) -> tuple[str, tuple[tuple[Button, ...], ...], str | None]:
        """Claimed for sending: its text, buttons and subject as they are now (a decision
        since the drain read it may have settled it: then it goes as the outcome)."""
        ...

    def mark_part_sent(self, message_id: int, parts_sent: int) -> None: ...
    def mark_sent(self, message_id: int, now: datetime) -> None: ...
    def waiting(self, person_id: int) -> list[WaitingMessage]:
        """What the person was asked to act on (buttons about a delivery, a card's step or a
        month) and is not settled yet."""
        ...

    def forward(self, message_id: int, to_id: int, heading: str, now: datetime) -> bool:
        """A copy to ``to_id`` headed ``heading``; False when they were asked the same."""
        ...

    def asked(self, person_id: int, subject: str) -> bool:
        """Whether the person was asked about ``subject`` themselves (not a gathered notice)."""
        ...

    def stop(self, person_id: int, now: datetime, only: Collection[int] | None = None) -> int:
        """Queued for the person and not sent: recorded as not sent (``only``: those)."""
        ...

    def mark_retry(self, message_id: int, error: str, retry_at: datetime) -> None: ...
    def mark_failed(self, message_id: int, error: str, now: datetime) -> None: ...
    def settle_queued(self, subject: str, outcome: str) -> int:
        """Notices about ``subject`` not sent yet: the outcome added, their buttons dropped."""
        ...


class PlacedRepository(Protocol):
    def place(
        self, person_id: int, subject: str, chat_id: int, message_id: int, text: str, now: datetime
    ) -> str | None:
        """Remember a message with buttons for ``subject``; when the subject was settled
        meanwhile, its outcome (the caller edits the message at once)."""
        ...

    def settle(self, subject: str, outcome: str, by: int, now: datetime) -> list[Placed]:
        """The messages still holding buttons for ``subject``, marked settled."""
        ...


class ReviewLog(Protocol):
    def opened(self, person_id: int, state_id: int, version: int, now: datetime) -> None: ...
    def opened_of(self, person_id: int, pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which of the (state id, version) pairs this person opened at the desk."""
        ...


class DayOffRepository(Protocol):
    def all(self) -> list[date]: ...
    def add(self, day: date, note: str) -> None: ...


@dataclass(frozen=True, slots=True)
class PendingAnnouncement:
    """A delivery the reviewers have not been told about yet (digest mode)."""

    submission_id: int
    state_id: int
    version: int
    unit_code: str
    item_code: str
    late: bool
    submitted_by: int = 0
    findings: int = 0  # how many findings the evidence checks recorded with it


class PeriodRepository(Protocol):
    def get(self, period: Period) -> PeriodInfo | None: ...
    def open(self, period: Period, now: datetime, by: int | None) -> bool:
        """True when the period was opened now, False when it was open already."""
        ...

    def open_periods(self) -> list[PeriodInfo]: ...
    def all(self) -> list[PeriodInfo]: ...
    def close(self, period: Period, now: datetime) -> None: ...


class ItemRepository(Protocol):
    def get(self, period: Period, unit_code: str, item_code: str) -> StoredItem: ...
    def by_id(self, state_id: int) -> StoredItem | None: ...
    def for_unit(self, period: Period, unit_code: str) -> dict[str, ItemState]: ...
    def stored_for_unit(self, period: Period, unit_code: str) -> dict[str, StoredItem]:
        """``for_unit`` as stored (each with its row and revision, to be written)."""
        ...

    def save(self, stored: StoredItem, new: ItemState, now: datetime) -> int:
        """Write ``new`` if nobody wrote since ``stored`` was read; raises ConcurrentChange."""
        ...

    def add_submission(
        self,
        state_id: int,
        version: int,
        kind: DeliveryKind,
        note: str,
        by: int,
        now: datetime,
        late: bool,
        files: Sequence[EvidenceFile],
        announced: bool,
        findings: Sequence[Finding] = (),
    ) -> int: ...
    def same_content(self, sha256s: Collection[str]) -> dict[str, list[EarlierContent]]: ...
    def score_rows(self, first: Period, last: Period) -> list[ScoreRow]: ...
    def last_accepted(
        self, first: Period, last: Period, codes: Collection[str]
    ) -> dict[tuple[str, str], datetime]: ...
    def withdraw(self, state_id: int, version: int, now: datetime) -> None: ...
    def submission(self, state_id: int, version: int) -> Submission | None: ...
    def unannounced(self, limit: int) -> list[PendingAnnouncement]: ...
    def pending_review(self, period: Period | None = None) -> list[tuple[int, ItemState, int]]:
        """Delivered items waiting for a decision, oldest delivery first: (state id, state,
        who delivered that version)."""
        ...

    def for_period(self, period: Period) -> list[ItemState]: ...
    def records(self, period: Period) -> list[ItemRecord]:
        """Every item row of the period (provincial card excluded), in one query."""
        ...

    def approved_files(self, period: Period) -> list[tuple[ItemState, EvidenceFile]]:
        """The files of each accepted item's latest version (the e-SPIP package)."""
        ...

    def get_card(self, period: Period, unit_code: str) -> StoredCard: ...
    def save_card(
        self, stored: StoredCard, new: CardState, unit_code: str, now: datetime
    ) -> int: ...
    def mark_announced(self, submission_ids: Sequence[int], now: datetime) -> None: ...


class DelegationRepository(Protocol):
    def add(
        self,
        role: Role,
        covered_id: int,
        delegate_id: int,
        start: date,
        end: date,
        by: int | None,
        now: datetime,
    ) -> None: ...
    def covering(self, delegate_id: int, day: date) -> dict[Role, int]:
        """Roles the person covers on ``day``: role -> the person covered."""
        ...

    def covers(self, role: Role, day: date) -> list[tuple[int, int]]:
        """(person covered, delegate) pairs of ``role`` on ``day``."""
        ...

    def covers_roles(self, roles: Collection[Role], day: date) -> dict[Role, list[tuple[int, int]]]:
        """``covers`` of each of ``roles``, read at once."""
        ...


class ReminderLog(Protocol):
    def logged(self, person_id: int, day: date) -> set[tuple[str, str]]:
        """(period, rule) pairs already told to the person on ``day``."""
        ...

    def record(self, period: str, rule: str, person_id: int, day: date, now: datetime) -> None: ...


# one item of one unit in one month, for the scorecard: period, unit, item, accepted, and
# whether its first delivery not withdrawn was recorded on time (plain tuples: a year of a
# national office is 190,000 of them)
ScoreRow = tuple[str, str, str, bool, bool]


@dataclass(frozen=True, slots=True)
class Template:
    sha256: str
    name: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class EarlierContent:
    """Where a file's content was delivered before (the first time)."""

    unit_code: str
    item_code: str
    period: Period
    version: int


class TemplateRepository(Protocol):
    def add(self, sha256: str, size: int, name: str, by: int | None, now: datetime) -> bool: ...
    def names(self, sha256s: Collection[str]) -> dict[str, str]: ...
    def all(self) -> list[Template]: ...


class UnitOfWork(Protocol):
    @property
    def units(self) -> UnitRepository: ...
    @property
    def catalogue(self) -> CatalogueRepository: ...
    @property
    def people(self) -> PersonRepository: ...
    @property
    def invites(self) -> InviteRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def outbox(self) -> Outbox: ...
    @property
    def days_off(self) -> DayOffRepository: ...
    @property
    def periods(self) -> PeriodRepository: ...
    @property
    def items(self) -> ItemRepository: ...
    @property
    def delegations(self) -> DelegationRepository: ...
    @property
    def reminders(self) -> ReminderLog: ...
    @property
    def inbound(self) -> InboundLog: ...
    @property
    def link_codes(self) -> LinkCodeRepository: ...
    @property
    def drafts(self) -> DraftRepository: ...
    @property
    def placed(self) -> PlacedRepository: ...
    @property
    def reviews(self) -> ReviewLog: ...
    @property
    def templates(self) -> TemplateRepository: ...

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    def commit(self) -> None: ...


class FileStore(Protocol):
    def put_bytes(self, data: bytes) -> StoredContent: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def path(self, sha256: str) -> Path: ...


class StoredContent(Protocol):
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def existed(self) -> bool: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
Clock = Callable[[], datetime]
