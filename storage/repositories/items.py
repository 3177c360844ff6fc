"""Items and the provincial card: their states, submissions and files."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, case, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from chatbot.domain.calendar import Period
from chatbot.domain.errors import ConcurrentChange
from chatbot.domain.evidence import Finding
from chatbot.domain.roles import Role
from chatbot.domain.workflow import (
    COMPLETE_STATUSES,
    PROVINCIAL_CARD_ITEM,
    CardState,
    CardStatus,
    DeliveryKind,
    ItemState,
    ItemStatus,
)
from chatbot.services.ports import (
    EarlierContent,
    EvidenceFile,
    ItemRecord,
    PendingAnnouncement,
    ScoreRow,
    StoredCard,
    StoredItem,
    Submission,
)
from storage.models import (
    ItemStateRow,
    SubmissionFileRow,
    SubmissionRow,
)
from storage.repositories._sql import bound, insert, known_file, prebuilt_insert, unsynchronized

COMPLETE_VALUES = tuple(s.value for s in COMPLETE_STATUSES)


def _utc(value: datetime | str) -> datetime:
    """An aggregate's datetime (MIN over a UTC column): aware, whatever the driver hands."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _evidence(f: Any) -> EvidenceFile:
    """From a SubmissionFileRow or a row of its columns."""
    return EvidenceFile(
        sha256=f.sha256,
        file_name=f.file_name,
        mime_type=f.mime_type,
        size=f.size,
        telegram_file_id=f.telegram_file_id,
        telegram_file_unique_id=f.telegram_file_unique_id,
    )


_STATUSES = {s.value: s for s in ItemStatus}  # plain columns back to the domain's values
_KINDS = {k.value: k for k in DeliveryKind}


def _item_state(row: Any) -> ItemState:
    """From an ItemStateRow or a row of ``_STATE``'s columns."""
    return ItemState(
        period=Period.parse(row.period),
        unit_code=row.unit_code,
        item_code=row.item_code,
        status=ItemStatus(row.status),
        version=row.version,
        delivery=DeliveryKind(row.delivery) if row.delivery else None,
        reason=row.reason,
    )


class SqlItems:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, period: Period, unit_code: str, item_code: str) -> StoredItem:
        row = self.session.execute(
            _ONE, {"period": period.code, "unit": unit_code, "item": item_code}
        ).first()
        if row is None:
            return StoredItem(None, 0, ItemState(period, unit_code, item_code))
        return StoredItem(row.id, row.rev, _item_state(row))

    def by_id(self, state_id: int) -> StoredItem | None:
        row = self.session.execute(_BY_ID, {"id": state_id}).first()
        if row is None or row.item_code == PROVINCIAL_CARD_ITEM:  # cards have their own path
            return None
        return StoredItem(row.id, row.rev, _item_state(row))

    def for_unit(self, period: Period, unit_code: str) -> dict[str, ItemState]:
        return {code: s.state for code, s in self.stored_for_unit(period, unit_code).items()}

    def stored_for_unit(self, period: Period, unit_code: str) -> dict[str, StoredItem]:
        rows = self.session.execute(_OF_UNIT, {"period": period.code, "unit": unit_code})
        return {r.item_code: StoredItem(r.id, r.rev, _item_state(r)) for r in rows}

    def save(self, stored: StoredItem, new: ItemState, now: datetime) -> int:
        values: dict[str, object] = dict(
            status=new.status.value,
            version=new.version,
            delivery=new.delivery.value if new.delivery else None,
            reason=new.reason,
            updated_at=now,
        )
        return self._write(stored, new, values)

    def _write(self, stored: StoredItem, new: ItemState, values: dict[str, object]) -> int:
        if stored.id is None:
            created = self.session.execute(  # one statement; a concurrent first one wins
                insert(self.session, ItemStateRow)
                .values(
                    period=new.period.code,
                    unit_code=new.unit_code,
                    item_code=new.item_code,
                    rev=1,
                    **values,
                )
                .on_conflict_do_nothing(index_elements=["period", "unit_code", "item_code"])
                .returning(col(ItemStateRow.id))
            ).first()
            if created is None:
                raise ConcurrentChange(new.item_code)
            return int(created[0])
        if values.keys() == _SAVED.keys():  # an item's decision or delivery: built once
            bound: dict[str, object] = {"p_id": stored.id, "p_rev": stored.rev}
            bound["p_next"] = stored.rev + 1
            bound.update({f"p_{k}": v for k, v in values.items()})
            result = self.session.execute(_SAVE, bound)
        else:
            result = self.session.execute(
                update(ItemStateRow)
                .where(col(ItemStateRow.id) == stored.id, col(ItemStateRow.rev) == stored.rev)
                .values(rev=stored.rev + 1, **values)
            )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentChange(new.item_code)
        return stored.id

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
    ) -> int:
        self.session.flush()  # the item state it belongs to first
        submission_id = self.session.execute(
            _ADD_SUBMISSION,
            bound(
                findings=json.dumps([f.data() for f in findings]) if findings else "",
                item_state_id=state_id,
                version=version,
                kind=kind.value,
                note=note,
                submitted_by=by,
                submitted_at=now,
                late=late,
                announced_at=now if announced else None,
            ),
        ).scalar_one()
        for f in files:
            known_file(self.session, f.sha256, f.size, now)
        if files:
            self.session.execute(
                _ADD_FILE,
                [
                    bound(
                        submission_id=submission_id,
                        position=position,
                        sha256=f.sha256,
                        file_name=f.file_name,
                        mime_type=f.mime_type,
                        size=f.size,
                        telegram_file_id=f.telegram_file_id,
                        telegram_file_unique_id=f.telegram_file_unique_id,
                    )
                    for position, f in enumerate(files)
                ],
            )
        return int(submission_id)

    def pending_review(self, period: Period | None = None) -> list[tuple[int, ItemState, int]]:
        # Plain column tuples, not ORM objects: read on every step of the desk, for every
        # delivery waiting (hundreds around the 10th).
        rows = (
            self.session.execute(_PENDING)
            if period is None
            else self.session.execute(_PENDING_OF, {"period": period.code})
        )
        periods: dict[str, Period] = {}
        found: list[tuple[int, ItemState, int]] = []
        for state_id, code, unit, item, version, delivery, reason, by in rows:
            if code not in periods:
                periods[code] = Period.parse(code)
            state = ItemState(
                periods[code],
                unit,
                item,
                ItemStatus.DIKIRIM,
                version,
                _KINDS[delivery] if delivery else None,
                reason,
            )
            found.append((state_id, state, by))
        return found

    def for_period(self, period: Period) -> list[ItemState]:
        return [r.state for r in self.records(period)]

    def records(self, period: Period) -> list[ItemRecord]:
        # Plain column tuples, not ORM objects: a national period has ~16,000 rows.
        t = ItemStateRow
        rows = self.session.execute(
            sa_select(
                col(t.id),
                col(t.unit_code),
                col(t.item_code),
                col(t.status),
                col(t.version),
                col(t.delivery),
                col(t.reason),
                col(t.updated_at),
            ).where(col(t.period) == period.code, col(t.item_code) != PROVINCIAL_CARD_ITEM)
        )
        return [
            ItemRecord(
                state_id,
                ItemState(
                    period,
                    unit,
                    item,
                    _STATUSES[status],
                    version,
                    _KINDS[delivery] if delivery else None,
                    reason,
                ),
                updated_at,
            )
            for state_id, unit, item, status, version, delivery, reason, updated_at in rows
        ]

    def approved_files(self, period: Period) -> list[tuple[ItemState, EvidenceFile]]:
        rows = self.session.exec(
            select(ItemStateRow, SubmissionFileRow)
            .join(SubmissionRow, col(SubmissionRow.item_state_id) == col(ItemStateRow.id))
            .join(SubmissionFileRow, col(SubmissionFileRow.submission_id) == col(SubmissionRow.id))
            .where(
                ItemStateRow.period == period.code,
                col(SubmissionRow.version) == col(ItemStateRow.version),
                col(ItemStateRow.status).in_(
                    [
                        ItemStatus.DISETUJUI.value,
                        CardStatus.FINAL.value,
                        CardStatus.ESPIP.value,
                        CardStatus.DATA_DIKIRIM.value,
                        CardStatus.DISERAHKAN.value,
                    ]
                ),
            )
            .order_by(
                col(ItemStateRow.unit_code),
                col(ItemStateRow.item_code),
                col(SubmissionFileRow.position),
            )
        )
        result = []
        for state_row, f in rows:
            state = (
                ItemState(
                    Period.parse(state_row.period),
                    state_row.unit_code,
                    state_row.item_code,
                    ItemStatus.DISETUJUI,
                    state_row.version,
                )
                if state_row.item_code == PROVINCIAL_CARD_ITEM
                else _item_state(state_row)
            )
            result.append(
                (
                    state,
                    _evidence(f),
                )
            )
        return result

    def get_card(self, period: Period, unit_code: str) -> StoredCard:
        row = self.session.exec(
            select(ItemStateRow).where(
                ItemStateRow.period == period.code,
                ItemStateRow.unit_code == unit_code,
                ItemStateRow.item_code == PROVINCIAL_CARD_ITEM,
            )
        ).first()
        if row is None:
            return StoredCard(None, 0, CardState(period))
        state = CardState(
            period=period,
            status=CardStatus(row.status),
            version=row.version,
            stage=row.stage,
            approvals=frozenset(Role(r) for r in row.approvals.split(",") if r),
            reason=row.reason,
        )
        return StoredCard(row.id, row.rev, state)

    def save_card(self, stored: StoredCard, new: CardState, unit_code: str, now: datetime) -> int:
        as_item = StoredItem(
            stored.id, stored.rev, ItemState(new.period, unit_code, PROVINCIAL_CARD_ITEM)
        )
        return self._write(
            as_item,
            ItemState(new.period, unit_code, PROVINCIAL_CARD_ITEM),
            dict(
                status=new.status.value,
                version=new.version,
                delivery=None,
                reason=new.reason,
                stage=new.stage,
                approvals=",".join(sorted(r.value for r in new.approvals)),
                updated_at=now,
            ),
        )

    def unannounced(self, limit: int) -> list[PendingAnnouncement]:
        rows = self.session.exec(
            select(SubmissionRow, ItemStateRow)
            .join(ItemStateRow, col(ItemStateRow.id) == col(SubmissionRow.item_state_id))
            .where(
                col(SubmissionRow.announced_at).is_(None),
                col(SubmissionRow.withdrawn_at).is_(None),
                col(ItemStateRow.status) == ItemStatus.DIKIRIM.value,
                col(ItemStateRow.version) == col(SubmissionRow.version),
            )
            .order_by(col(SubmissionRow.id))
            .limit(limit)
        ).all()
        return [
            PendingAnnouncement(
                submission_id=sub.id or 0,
                state_id=state.id or 0,
                version=sub.version,
                unit_code=state.unit_code,
                item_code=state.item_code,
                late=sub.late,
                submitted_by=sub.submitted_by,
                findings=len(json.loads(sub.findings)) if sub.findings else 0,
            )
            for sub, state in rows
        ]

    def mark_announced(self, submission_ids: Sequence[int], now: datetime) -> None:
        if submission_ids:
            self.session.execute(
                update(SubmissionRow)
                .where(col(SubmissionRow.id).in_(list(submission_ids)))
                .values(announced_at=now)
            )

    def score_rows(self, first: Period, last: Period) -> list[ScoreRow]:
        """Every item of the months from ``first`` to ``last``: accepted, and whether its
        first delivery still standing (not withdrawn) was on time, as it was recorded when
        it came (``submission.late``: a standing delivery on time means the first was)."""
        s, sub = ItemStateRow, SubmissionRow
        on_time = func.max(case((col(sub.id).is_not(None) & ~col(sub.late), 1), else_=0))
        # Core, not the ORM's row loading: a national year is 190,000 rows
        rows = self.session.connection().execute(
            sa_select(
                col(s.period),
                col(s.unit_code),
                col(s.item_code),
                col(s.status).in_(COMPLETE_VALUES),
                on_time,
            )
            .outerjoin(sub, (col(sub.item_state_id) == col(s.id)) & col(sub.withdrawn_at).is_(None))
            .where(col(s.period) >= first.code, col(s.period) <= last.code)
            .group_by(col(s.id), col(s.period), col(s.unit_code), col(s.item_code), col(s.status))
        )
        return [(p, u, i, bool(done), bool(in_time)) for p, u, i, done, in_time in rows]

    def last_accepted(
        self, first: Period, last: Period, codes: Collection[str]
    ) -> dict[tuple[str, str], datetime]:
        """When each unit's last accepted item among ``codes`` (those it owes) was accepted."""
        rows = self.session.connection().execute(
            sa_select(
                col(ItemStateRow.period),
                col(ItemStateRow.unit_code),
                func.max(col(ItemStateRow.updated_at)),
            )
            .where(
                col(ItemStateRow.period) >= first.code,
                col(ItemStateRow.period) <= last.code,
                col(ItemStateRow.status).in_(COMPLETE_VALUES),
                col(ItemStateRow.item_code).in_(codes),
            )
            .group_by(col(ItemStateRow.period), col(ItemStateRow.unit_code))
        )
        return {(p, u): _utc(at) for p, u, at in rows if at is not None}

    def same_content(self, sha256s: Collection[str]) -> dict[str, list[EarlierContent]]:
        """For each content delivered before (not withdrawn), its deliveries, oldest first."""
        if not sha256s:
            return {}
        rows = self.session.execute(_SAME_CONTENT, {"sha256s": list(sha256s)})
        found: dict[str, list[EarlierContent]] = {}
        for sha, unit, item, period, version in rows:
            found.setdefault(sha, []).append(
                EarlierContent(unit, item, Period.parse(period), version)
            )
        return found

    def withdraw(self, state_id: int, version: int, now: datetime) -> None:
        self.session.execute(
            update(SubmissionRow)
            .where(
                col(SubmissionRow.item_state_id) == state_id,
                col(SubmissionRow.version) == version,
            )
            .values(withdrawn_at=now)
        )

    def submission(self, state_id: int, version: int) -> Submission | None:
        row = self.session.execute(_SUBMISSION, {"state_id": state_id, "version": version}).first()
        if row is None or row.id is None:
            return None
        files = self.session.execute(_FILES, {"submission_id": row.id})
        return Submission(
            id=row.id,
            version=row.version,
            kind=DeliveryKind(row.kind),
            note=row.note,
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            late=row.late,
            withdrawn_at=row.withdrawn_at,
            files=tuple(_evidence(f) for f in files),
            findings=tuple(Finding.of(d) for d in json.loads(row.findings or "[]")),
        )


# the statements of the steps people take most, built once (each call binds its values)
# an item's state as plain columns (no ORM objects): what ``StoredItem`` holds
_STATE = sa_select(
    *(
        col(getattr(ItemStateRow, c))
        for c in (
            "id",
            "rev",
            "period",
            "unit_code",
            "item_code",
            "status",
            "version",
            "delivery",
            "reason",
        )
    )
)
_ONE = _STATE.where(
    col(ItemStateRow.period) == bindparam("period"),
    col(ItemStateRow.unit_code) == bindparam("unit"),
    col(ItemStateRow.item_code) == bindparam("item"),
)
_BY_ID = _STATE.where(col(ItemStateRow.id) == bindparam("id"))
_OF_UNIT = _STATE.where(
    col(ItemStateRow.period) == bindparam("period"),
    col(ItemStateRow.unit_code) == bindparam("unit"),
    col(ItemStateRow.item_code) != PROVINCIAL_CARD_ITEM,
)
# what ``save`` writes: a state's decision or delivery, guarded by its revision
_SAVED = dict.fromkeys(("status", "version", "delivery", "reason", "updated_at"))
_SAVE = unsynchronized(
    update(ItemStateRow)
    .where(col(ItemStateRow.id) == bindparam("p_id"), col(ItemStateRow.rev) == bindparam("p_rev"))
    .values(
        rev=bindparam("p_next"),
        **{
            k: bindparam(f"p_{k}", type_=ItemStateRow.__table__.c[k].type)  # type: ignore[attr-defined]
            for k in _SAVED
        },
    )
)
# deliveries waiting for review: plain column tuples, not ORM objects (read on every step of
# the desk, for every delivery waiting: hundreds around the 10th)
_PENDING = (
    sa_select(
        col(ItemStateRow.id),
        col(ItemStateRow.period),
        col(ItemStateRow.unit_code),
        col(ItemStateRow.item_code),
        col(ItemStateRow.version),
        col(ItemStateRow.delivery),
        col(ItemStateRow.reason),
        col(SubmissionRow.submitted_by),
    )
    .join(
        SubmissionRow,
        (col(SubmissionRow.item_state_id) == col(ItemStateRow.id))
        & (col(SubmissionRow.version) == col(ItemStateRow.version)),
    )
    .where(
        col(ItemStateRow.status) == ItemStatus.DIKIRIM.value,
        col(ItemStateRow.item_code) != PROVINCIAL_CARD_ITEM,
    )
    .order_by(col(ItemStateRow.updated_at), col(ItemStateRow.id))
)
_PENDING_OF = _PENDING.where(col(ItemStateRow.period) == bindparam("period"))
_SUBMISSION = sa_select(*SubmissionRow.__table__.c).where(  # type: ignore[attr-defined]
    col(SubmissionRow.item_state_id) == bindparam("state_id"),
    col(SubmissionRow.version) == bindparam("version"),
)
_FILES = (
    sa_select(*SubmissionFileRow.__table__.c)  # type: ignore[attr-defined]
    .where(col(SubmissionFileRow.submission_id) == bindparam("submission_id"))
    .order_by(col(SubmissionFileRow.position))
)
_SAME_CONTENT = (
    sa_select(
        col(SubmissionFileRow.sha256),
        col(ItemStateRow.unit_code),
        col(ItemStateRow.item_code),
        col(ItemStateRow.period),
        col(SubmissionRow.version),
    )
    .join(SubmissionRow, col(SubmissionRow.id) == col(SubmissionFileRow.submission_id))
    .join(ItemStateRow, col(ItemStateRow.id) == col(SubmissionRow.item_state_id))
    .where(
        col(SubmissionFileRow.sha256).in_(bindparam("sha256s", expanding=True)),
        col(SubmissionRow.withdrawn_at).is_(None),
    )
    .order_by(col(SubmissionRow.submitted_at), col(SubmissionRow.id))
)
_ADD_SUBMISSION = prebuilt_insert(
    SubmissionRow,
    (
        "findings",
        "item_state_id",
        "version",
        "kind",
        "note",
        "submitted_by",
        "submitted_at",
        "late",
        "announced_at",
    ),
).returning(col(SubmissionRow.id))
_ADD_FILE = prebuilt_insert(
    SubmissionFileRow,
    (
        "submission_id",
        "position",
        "sha256",
        "file_name",
        "mime_type",
        "size",
        "telegram_file_id",
        "telegram_file_unique_id",
    ),
)
