"""SQLModel tables. Each change of schema comes with an Alembic migration in migrations/."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _utc(nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(timezone=True), nullable=nullable, index=index)


class UnitRow(SQLModel, table=True):
    __tablename__ = "unit"
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    position: int = 0
    active: bool = True


class CardTypeRow(SQLModel, table=True):
    __tablename__ = "card_type"
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=200)
    position: int = 0
    active: bool = True


class ChecklistItemRow(SQLModel, table=True):
    __tablename__ = "checklist_item"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=300)
    card_type: str = Field(foreign_key="card_type.code", max_length=16)
    owed_by: str = Field(max_length=500)  # comma-separated selectors
    required: bool = True
    description: str = Field(default="", sa_type=Text)
    position: int = 0
    active: bool = True
    form: bool = False  # the filled card form itself, first item of its card


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    unit_code: str = Field(foreign_key="unit.code", max_length=16, index=True)
    telegram_user_id: int | None = Field(
        default=None, sa_type=BigInteger, unique=True, nullable=True
    )
    telegram_chat_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    whatsapp_id: str | None = Field(default=None, max_length=64, unique=True, nullable=True)
    whatsapp_seen_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    whatsapp_phone: str | None = Field(default=None, max_length=32)  # when WhatsApp gives it
    notify_via: str | None = Field(default=None, max_length=16)  # set when a channel is linked
    active: bool = True
    blocked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))  # Telegram
    whatsapp_blocked_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    created_at: datetime = Field(sa_column=_utc())


class InboundMessageRow(SQLModel, table=True):
    """Ids of the messages a channel delivered, so a replayed one is refused (WhatsApp may
    deliver a webhook again, and a captured one could be posted again)."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("channel", "message_id", name="uq_inbound_message"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    message_id: str = Field(max_length=160)
    received_at: datetime = Field(sa_column=_utc())


class PersonRoleRow(SQLModel, table=True):
    __tablename__ = "person_role"
    person_id: int = Field(foreign_key="person.id", primary_key=True)
    role: str = Field(primary_key=True, max_length=32)


class InviteRow(SQLModel, table=True):
    __tablename__ = "invite"
    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    unit_code: str = Field(foreign_key="unit.code", max_length=16)
    role: str = Field(max_length=32)
    name: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    used_by: int | None = Field(default=None, foreign_key="person.id")


class LinkCodeRow(SQLModel, table=True):
    """A one-time code that links another channel (WhatsApp) to a person who already joined."""

    __tablename__ = "link_code"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(sa_column=_utc())
    expires_at: datetime = Field(sa_column=_utc())
    used_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class PeriodRow(SQLModel, table=True):
    __tablename__ = "period"
    code: str = Field(primary_key=True, max_length=7)  # YYYY-MM, the month reported on
    opened_at: datetime = Field(sa_column=_utc())
    opened_by: int | None = Field(default=None, foreign_key="person.id")
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    # the catalogue the period was reported on, JSON, written when it closes: a reload of
    # the checklist later never changes what a closed month owed
    catalogue: str | None = Field(default=None, sa_type=Text)


class DayOffRow(SQLModel, table=True):
    """Extra days off set by the admin, beyond national holidays and cuti bersama."""

    __tablename__ = "day_off"
    day: date = Field(primary_key=True)
    note: str = Field(default="", max_length=200)


class AuditRow(SQLModel, table=True):
    """Append-only: rows are inserted, never updated or deleted."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_period_at", "period", "at"),
        Index("ix_audit_subject", "subject"),  # a person's changes ("orang:<id>")
        Index("ix_audit_actor_at", "actor_id", "at"),  # each person's last activity
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc())
    kind: str = Field(max_length=40)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    period: str | None = Field(default=None, max_length=7)
    unit_code: str | None = Field(default=None, max_length=16)
    subject: str | None = Field(default=None, max_length=40)
    version: int | None = None
    detail: str = Field(default="{}", sa_type=Text)  # JSON object


class OutboxRow(SQLModel, table=True):
    """Messages to send, written in the same transaction as the change that causes them."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
        Index("ix_outbox_pending", "sent_at", "next_attempt_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_type=Text)
    buttons: str = Field(default="[]", sa_type=Text)  # JSON: rows of [label, callback data]
    attachments: str = Field(default="[]", sa_type=Text)  # JSON: files sent before the text
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_utc())
    next_attempt_at: datetime = Field(sa_column=_utc())
    attempts: int = 0
    parts_sent: int = 0  # attachments accepted by Telegram so far (the text is the last part)
    sending_since: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    failed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    last_error: str | None = Field(default=None, sa_type=Text)
    # a notice that gathers what happens within a few minutes (decisions to one submitter):
    # while unsent, the next one of the same group joins it instead of being queued apart
    group_key: str | None = Field(default=None, max_length=120, index=True)
    grouped: str = Field(default="[]", sa_type=Text)  # JSON: the gathered entries
    # what the notice's buttons act on ("item:<state id>:<version>"): once it is decided, the
    # message sent is edited (its buttons removed, the outcome shown) through ``placed``
    subject: str | None = Field(default=None, max_length=80, index=True)
    # an edit, not a message: the Telegram message to rewrite with this text and buttons
    edit_chat_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    edit_message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)


class ItemStateRow(SQLModel, table=True):
    """The current state of one checklist item of one unit in one period."""

    __tablename__ = "item_state"
    __table_args__ = (
        UniqueConstraint("period", "unit_code", "item_code", name="uq_item_state"),
        Index("ix_item_state_period_status", "period", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(foreign_key="period.code", max_length=7)
    unit_code: str = Field(foreign_key="unit.code", max_length=16)
    item_code: str = Field(max_length=32)  # a checklist item, or KARTU for the signed card
    status: str = Field(max_length=24)
    version: int = 0
    delivery: str | None = Field(default=None, max_length=8)
    reason: str | None = Field(default=None, sa_type=Text)
    rev: int = 0  # bumped on every write: the conditional update that stops lost updates
    updated_at: datetime = Field(sa_column=_utc())
    # the provincial card's chain (item KARTU_PROV of the province): stage and who approved it
    stage: int = 0
    approvals: str = Field(default="", max_length=200)


class SubmissionRow(SQLModel, table=True):
    """One confirmed delivery: a new version of an item. Never updated but for withdrawal."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("item_state_id", "version", name="uq_submission_version"),)
    id: int | None = Field(default=None, primary_key=True)
    item_state_id: int = Field(foreign_key="item_state.id", index=True)
    version: int
    kind: str = Field(max_length=8)  # berkas | nihil
    note: str = Field(default="", sa_type=Text)
    submitted_by: int = Field(foreign_key="person.id")
    submitted_at: datetime = Field(sa_column=_utc())
    late: bool = False
    withdrawn_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    announced_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    findings: str = Field(default="", sa_type=Text)  # JSON list of the evidence checks' findings


class EvidenceFileRow(SQLModel, table=True):
    """A stored file's content, by sha256 (the file itself is on disk, see storage.files)."""

    __tablename__ = "evidence_file"
    sha256: str = Field(primary_key=True, max_length=64)
    size: int = Field(sa_type=BigInteger)
    first_seen_at: datetime = Field(sa_column=_utc())


class EvidenceTemplateRow(SQLModel, table=True):
    """A blank form the admin registered: evidence identical to it is an unfilled form."""

    __tablename__ = "evidence_template"
    sha256: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=255)
    registered_by: int | None = Field(default=None, foreign_key="person.id")
    registered_at: datetime = Field(sa_column=_utc())


class SubmissionFileRow(SQLModel, table=True):
    __tablename__ = "submission_file"
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    position: int = 0
    sha256: str = Field(foreign_key="evidence_file.sha256", max_length=64)
    file_name: str = Field(max_length=255)
    mime_type: str = Field(default="", max_length=120)
    size: int = Field(sa_type=BigInteger)
    telegram_file_id: str | None = Field(default=None, max_length=255)
    telegram_file_unique_id: str | None = Field(default=None, max_length=64)


class DelegationRow(SQLModel, table=True):
    """Leave cover: ``delegate_id`` may act in ``role`` for ``covered_id`` between two dates."""

    __tablename__ = "delegation"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=32)
    covered_id: int = Field(foreign_key="person.id")
    delegate_id: int = Field(foreign_key="person.id", index=True)
    start: date
    end: date
    created_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(sa_column=_utc())


class ReminderLogRow(SQLModel, table=True):
    """Each reminder rule told to a person on a day: a restart or a second instance sends
    nothing twice."""

    __tablename__ = "reminder_log"
    __table_args__ = (
        UniqueConstraint("period", "rule", "person_id", "day", name="uq_reminder_log"),
    )
    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    rule: str = Field(max_length=32)
    person_id: int = Field(foreign_key="person.id")
    day: date
    sent_at: datetime = Field(sa_column=_utc())


class MetaRow(SQLModel, table=True):
    """Facts about the database itself, e.g. that it is a training database
    (``jam_latihan``: the training clock's start and anchor, JSON)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(sa_column=_utc())


class DraftRow(SQLModel, table=True):
    """Files a person received for an item (or not yet for any: ``item_code`` "") and has not
    confirmed: kept across a restart, a time-out or a new /kirim until sent or discarded."""

    __tablename__ = "draft"
    __table_args__ = (
        UniqueConstraint("person_id", "period", "item_code", name="uq_draft_person_item"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    period: str = Field(max_length=7)
    item_code: str = Field(default="", max_length=32)
    files: str = Field(default="[]", sa_type=Text)  # JSON: the EvidenceFile fields
    updated_at: datetime = Field(sa_column=_utc())


class PlacedRow(SQLModel, table=True):
    """Where the bot put buttons for a subject (a delivery's version): the Telegram message,
    so that once the subject is decided the message is edited. A row without a message marks
    the subject as settled (a notice sent after it is edited at once)."""

    __tablename__ = "placed"
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    subject: str = Field(max_length=80, index=True)
    chat_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    message_id: int | None = Field(default=None, sa_type=BigInteger, nullable=True)
    text: str = Field(default="", sa_type=Text)  # the message's text as sent
    placed_at: datetime = Field(sa_column=_utc())
    settled_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    outcome: str = Field(default="", sa_type=Text)  # the line added when settled


class ReviewOpenedRow(SQLModel, table=True):
    """A reviewer saw a delivery's evidence at the desk (its pictures and files shown)."""

    __tablename__ = "review_opened"
    __table_args__ = (
        UniqueConstraint("person_id", "item_state_id", "version", name="uq_review_opened"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    item_state_id: int = Field(foreign_key="item_state.id", index=True)
    version: int
    opened_at: datetime = Field(sa_column=_utc())
