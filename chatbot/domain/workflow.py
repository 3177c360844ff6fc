"""The item and control-card state machines: pure transitions with typed errors.

A transition is ``(state, action, context) -> Transition(new state, events)`` or a
``DomainError``. Every button carries the ``version`` it was drawn for (the delivery or draft
revision); a decision on another version is stale, and a decision already taken at this version
is refused, so a double tap or an old message never applies anything twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
from typing import Generic, TypeVar

from chatbot.domain.calendar import Period
from chatbot.domain.errors import (
    AlreadyDecided,
    DomainError,
    DutyTaken,
    InvalidData,
    InvalidTransition,
    ItemLocked,
    NotYourRole,
    NotYourUnit,
    OwnDelivery,
    PeriodClosed,
    PreconditionMissing,
    StaleVersion,
    UnitsIncomplete,
)
from chatbot.domain.events import Event, EventKind
from chatbot.domain.roles import PERMISSIONS, Permission, Role
from chatbot.domain.text import MAX_REASON_LENGTH, cleaned, reason_text

UNIT_CARD_ITEM = "KARTU"  # the regency's signed control card, delivered like an item (step 7)
PROVINCIAL_CARD_ITEM = "KARTU_PROV"  # the provincial card's record (steps 3-6 and 9)
UNIT_CARD_NAME = "Kartu kendali bertanda tangan"  # the names people read for the two
PROVINCIAL_CARD_NAME = "Kartu kendali provinsi"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a person with their own roles and any roles they cover for someone else."""

    person_id: int
    unit_code: str
    roles: frozenset[Role]
    covering: Mapping[Role, int] = field(default_factory=dict)  # role -> person covered

    def has_role(self, role: Role) -> bool:
        return role in self.roles or role in self.covering

    def may(self, permission: Permission) -> bool:
        return any(permission in PERMISSIONS[r] for r in (*self.roles, *self.covering))

    def on_behalf_of(self, role: Role) -> int | None:
        """The person covered when acting in ``role`` (None when the role is one's own)."""
        return None if role in self.roles else self.covering.get(role)

    def role_for(self, permission: Permission) -> Role | None:
        own = [r for r in self.roles if permission in PERMISSIONS[r]]
        if own:
            return own[0]
        return next((r for r in self.covering if permission in PERMISSIONS[r]), None)


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    now: datetime
    period_closed: bool = False
    late: bool = False
    unit_complete: bool = False  # every required item of the unit accepted
    all_units_complete: bool = False  # every unit at 100% and every regency card accepted
    # separation of duties (``chatbot.domain.duties``)
    separate_duties: bool = True
    delivered_by: int | None = None  # who delivered the version decided on
    second_reviewer: bool = False  # the actor decides it as its second reviewer
    given_by: frozenset[int] = frozenset()  # who gave a paraf or signature on this version


S = TypeVar("S")
A = TypeVar("A")
_ANY_TIME = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    state: S
    events: tuple[Event, ...]


def _accepts(
    apply: Callable[[S, A, Context], Transition[S]], state: S, action: A, ctx: Context
) -> bool:
    try:
        apply(state, action, ctx)
    except DomainError:
        return False
    return True


def _require(ctx: Context, permission: Permission) -> None:
    if not ctx.actor.may(permission):
        raise NotYourRole(permission.value)


def _require_open(ctx: Context) -> None:
    if ctx.period_closed:
        raise PeriodClosed()


def _reason(text: str | None) -> str:
    return reason_text(text)


# ---------------------------------------------------------------- items (and regency cards)


class ItemStatus(StrEnum):
    KOSONG = "kosong"
    DIKIRIM = "dikirim"
    DIKEMBALIKAN = "dikembalikan"
    DISETUJUI = "disetujui"
    TIDAK_ADA_KEGIATAN = "tidak_ada_kegiatan"  # a declared "no activity", accepted


COMPLETE_STATUSES = frozenset({ItemStatus.DISETUJUI, ItemStatus.TIDAK_ADA_KEGIATAN})


class DeliveryKind(StrEnum):
    BERKAS = "berkas"
    NIHIL = "nihil"  # "tidak ada kegiatan", with a note


@dataclass(frozen=True, slots=True)
class ItemState:
    period: Period
    unit_code: str
    item_code: str
    status: ItemStatus = ItemStatus.KOSONG
    version: int = 0
    delivery: DeliveryKind | None = None
    reason: str | None = None

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE_STATUSES

    @property
    def is_unit_card(self) -> bool:
        return self.item_code == UNIT_CARD_ITEM


@dataclass(frozen=True, slots=True)
class Deliver:
    kind: DeliveryKind = DeliveryKind.BERKAS
    note: str = ""


@dataclass(frozen=True, slots=True)
class Withdraw:
    version: int


@dataclass(frozen=True, slots=True)
class Approve:
    version: int


@dataclass(frozen=True, slots=True)
class Return:
    version: int
    reason: str


ItemAction = Deliver | Withdraw | Approve | Return


def _item_event(state: ItemState, kind: EventKind, ctx: Context, **detail: str) -> Event:
    return Event(
        kind=kind,
        at=ctx.now,
        actor_id=ctx.actor.person_id,
        period=state.period.code,
        unit_code=state.unit_code,
        subject=state.item_code,
        version=state.version,
        detail=detail,
    )


def _check_submitter(state: ItemState, ctx: Context) -> None:
    permission = Permission.SUBMIT_UNIT_CARD if state.is_unit_card else Permission.SUBMIT_EVIDENCE
    _require(ctx, permission)
    if ctx.actor.unit_code != state.unit_code:
        raise NotYourUnit(state.unit_code)
    _require_open(ctx)


def _check_decision(state: ItemState, version: int, ctx: Context) -> None:
    if not ctx.second_reviewer:
        _require(ctx, Permission.REVIEW_ITEMS)
    _require_open(ctx)
    if version != state.version:
        raise StaleVersion(f"versi {version}, sekarang {state.version}")
    if state.status is not ItemStatus.DIKIRIM:
        if state.status is ItemStatus.KOSONG:
            raise InvalidTransition("ditarik")
        raise AlreadyDecided(state.status.value)
    if ctx.separate_duties and ctx.delivered_by == ctx.actor.person_id:
        raise OwnDelivery("kiriman sendiri")


def apply_item(state: ItemState, action: ItemAction, ctx: Context) -> Transition[ItemState]:
    if isinstance(action, Deliver):
        _check_submitter(state, ctx)
        if state.complete:
            raise ItemLocked(state.status.value)
        if state.is_unit_card and not ctx.unit_complete:
            raise PreconditionMissing("bukti dukung unit belum 100%")
        if state.is_unit_card and action.kind is DeliveryKind.NIHIL:
            raise InvalidTransition("kartu kendali tidak dapat dinyatakan tidak ada kegiatan")
        note = action.note.strip()
        if action.kind is DeliveryKind.NIHIL:
            note = reason_text(note, note=True)
        elif note:
            note = cleaned(note, MAX_REASON_LENGTH)
        new = replace(
            state,
            status=ItemStatus.DIKIRIM,
            version=state.version + 1,
            delivery=action.kind,
            reason=None,
        )
        detail = {"jenis": action.kind.value}
        if note:
            detail["catatan"] = note
        if ctx.late:
            detail["terlambat"] = "ya"
        return Transition(new, (_item_event(new, EventKind.ITEM_DIKIRIM, ctx, **detail),))
    if isinstance(action, Withdraw):
        _check_submitter(state, ctx)
        if state.complete:
            raise ItemLocked(state.status.value)
        if action.version != state.version:
            raise StaleVersion(f"versi {action.version}, sekarang {state.version}")
        if state.status is not ItemStatus.DIKIRIM:
            raise InvalidTransition(state.status.value)
        new = replace(state, status=ItemStatus.KOSONG, delivery=None)
        return Transition(new, (_item_event(new, EventKind.ITEM_DITARIK, ctx),))
    behalf = _behalf(ctx, Permission.REVIEW_ITEMS)
    if ctx.second_reviewer:  # the audit says why someone outside the reviewers decided it
        behalf["pemeriksa"] = "pemeriksa kedua (pengirim adalah satu-satunya pemeriksa)"
    if isinstance(action, Approve):
        _check_decision(state, action.version, ctx)
        final = (
            ItemStatus.TIDAK_ADA_KEGIATAN
            if state.delivery is DeliveryKind.NIHIL
            else ItemStatus.DISETUJUI
        )
        new = replace(state, status=final)
        return Transition(new, (_item_event(new, EventKind.ITEM_DISETUJUI, ctx, **behalf),))
    reason = _reason(action.reason)
    _check_decision(state, action.version, ctx)
    new = replace(state, status=ItemStatus.DIKEMBALIKAN, reason=reason)
    return Transition(
        new, (_item_event(new, EventKind.ITEM_DIKEMBALIKAN, ctx, alasan=reason, **behalf),)
    )


class ItemStep(StrEnum):
    """What a submitter can do next with an item: offered as a button when it applies."""

    FILES = "berkas"  # deliver files
    NIHIL = "nihil"  # declare "tidak ada kegiatan" with a note
    WITHDRAW = "tarik"  # take back the delivery waiting for review


def item_steps(state: ItemState, unit_complete: bool = True) -> tuple[ItemStep, ...]:
    """The steps ``apply_item`` accepts now from a submitter of the item's unit: the one
    rule behind the item's buttons on every channel."""
    submitter = Context(
        actor=Actor(0, state.unit_code, frozenset(Role)),
        now=_ANY_TIME,
        unit_complete=unit_complete,
    )
    offered: dict[ItemStep, ItemAction] = {
        ItemStep.FILES: Deliver(DeliveryKind.BERKAS),
        ItemStep.NIHIL: Deliver(DeliveryKind.NIHIL, "Tidak ada kegiatan pada bulan ini"),
        ItemStep.WITHDRAW: Withdraw(state.version),
    }
    return tuple(
        step for step, action in offered.items() if _accepts(apply_item, state, action, submitter)
    )


def _behalf(ctx: Context, permission: Permission) -> dict[str, str]:
    """``atas_nama`` for the audit log when the actor uses a role they cover for someone."""
    role = ctx.actor.role_for(permission)
    covered = ctx.actor.on_behalf_of(role) if role is not None else None
    return {"atas_nama": str(covered)} if covered is not None else {}


# ---------------------------------------------------------------- the provincial card chain


class StageKind(StrEnum):
    PARAF = "paraf"
    TANDA_TANGAN = "tanda_tangan"


@dataclass(frozen=True, slots=True)
class Stage:
    """One step of the chain: every role listed must approve, any of them may return."""

    kind: StageKind
    roles: tuple[Role, ...]

    @property
    def permission(self) -> Permission:
        return Permission.PARAF if self.kind is StageKind.PARAF else Permission.SIGN


DEFAULT_CHAIN: tuple[Stage, ...] = (
    Stage(StageKind.PARAF, (Role.SUBBAG_HUKUM, Role.KABAG_HSDM)),
    Stage(StageKind.TANDA_TANGAN, (Role.SEKRETARIS, Role.DIVISI_HUKUM, Role.KETUA)),
)


def parse_chain(spec: Sequence[Mapping[str, object]]) -> tuple[Stage, ...]:
    """The chain from settings data: ``[{"kind": "paraf", "roles": ["subbag_hukum", ...]}]``."""
    stages: list[Stage] = []
    for index, row in enumerate(spec, start=1):
        try:
            kind = StageKind(str(row["kind"]))
            raw_roles = row["roles"]
            if not isinstance(raw_roles, list | tuple) or not raw_roles:
                raise ValueError("roles kosong")
            roles = tuple(Role(str(r)) for r in raw_roles)
        except (KeyError, ValueError) as exc:
            raise InvalidData(f"tahap ke-{index}: {exc!s}") from None
        if len(set(roles)) != len(roles):
            raise InvalidData(f"tahap ke-{index}: peran ganda")
        stages.append(Stage(kind, roles))
    if not stages:
        raise InvalidData("rantai kartu kendali tidak boleh kosong")
    return tuple(stages)


class CardStatus(StrEnum):
    KOSONG = "kosong"
    PROSES = "proses"  # in the chain: see stage and approvals
    DIKEMBALIKAN = "dikembalikan"
    MENUNGGU_TTD = "menunggu_unggah_ttd"  # chain done: the signed file is awaited
    FINAL = "final"  # signed card uploaded
    ESPIP = "diunggah_espip"
    DATA_DIKIRIM = "data_dikirim"
    DISERAHKAN = "diserahkan"


@dataclass(frozen=True, slots=True)
class CardState:
    period: Period
    status: CardStatus = CardStatus.KOSONG
    version: int = 0
    stage: int = 0
    approvals: frozenset[Role] = frozenset()
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class UploadDraft:
    pass


@dataclass(frozen=True, slots=True)
class Decide:
    version: int
    role: Role
    approve: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class UploadSigned:
    pass


@dataclass(frozen=True, slots=True)
class RecordEspip:
    pass


@dataclass(frozen=True, slots=True)
class RecordKirimData:
    pass


@dataclass(frozen=True, slots=True)
class Handover:
    pass


CardAction = UploadDraft | Decide | UploadSigned | RecordEspip | RecordKirimData | Handover

# e-SPIP steps (step 6): each needs the one before it.
_STEP_AFTER: dict[type[object], tuple[CardStatus, CardStatus, EventKind]] = {
    RecordEspip: (CardStatus.FINAL, CardStatus.ESPIP, EventKind.KARTU_ESPIP_DIUNGGAH),
    RecordKirimData: (CardStatus.ESPIP, CardStatus.DATA_DIKIRIM, EventKind.KARTU_DATA_DIKIRIM),
}


_CARD_PERMISSION: dict[type[object], Permission] = {
    UploadDraft: Permission.DRAFT_PROVINCIAL_CARD,
    UploadSigned: Permission.DRAFT_PROVINCIAL_CARD,
    RecordEspip: Permission.RECORD_ESPIP,
    RecordKirimData: Permission.RECORD_ESPIP,
    Handover: Permission.HANDOVER,
}


def _card_event(state: CardState, kind: EventKind, ctx: Context, **detail: str) -> Event:
    return Event(
        kind=kind,
        at=ctx.now,
        actor_id=ctx.actor.person_id,
        period=state.period.code,
        subject="kartu_provinsi",
        version=state.version,
        detail=detail,
    )


def _decide(
    state: CardState, action: Decide, ctx: Context, chain: Sequence[Stage]
) -> Transition[CardState]:
    reason = "" if action.approve else _reason(action.reason)
    if not ctx.actor.has_role(action.role):
        raise NotYourRole(action.role.value)
    _require_open(ctx)
    if action.version != state.version:
        raise StaleVersion(f"versi {action.version}, sekarang {state.version}")
    if state.status is not CardStatus.PROSES:
        raise AlreadyDecided(state.status.value)
    stage = chain[state.stage]
    if action.role not in stage.roles:
        later = any(action.role in s.roles for s in chain[state.stage + 1 :])
        if later:
            raise PreconditionMissing(f"tahap {stage.kind.value} belum selesai")
        raise AlreadyDecided(action.role.value)
    if action.role in state.approvals:
        raise AlreadyDecided(action.role.value)
    if action.approve and ctx.separate_duties and ctx.actor.person_id in ctx.given_by:
        raise DutyTaken(action.role.value)
    detail = {"peran": action.role.value, "tahap": stage.kind.value}
    behalf = ctx.actor.on_behalf_of(action.role)
    if behalf is not None:
        detail["atas_nama"] = str(behalf)
    if not action.approve:
        new = replace(
            state, status=CardStatus.DIKEMBALIKAN, stage=0, approvals=frozenset(), reason=reason
        )
        event = _card_event(new, EventKind.KARTU_DIKEMBALIKAN, ctx, alasan=reason, **detail)
        return Transition(new, (event,))
    approvals = state.approvals | {action.role}
    events = [_card_event(state, EventKind.KARTU_DISETUJUI_PEJABAT, ctx, **detail)]
    if approvals >= set(stage.roles):
        next_stage = state.stage + 1
        done = next_stage == len(chain)
        new = replace(
            state,
            stage=next_stage,
            approvals=frozenset(),
            status=CardStatus.MENUNGGU_TTD if done else CardStatus.PROSES,
        )
        events.append(_card_event(new, EventKind.KARTU_TAHAP_SELESAI, ctx, tahap=stage.kind.value))
    else:
        new = replace(state, approvals=approvals)
    return Transition(new, tuple(events))


class CardStep(StrEnum):
    """What the provincial satgas can do next with the provincial card."""

    UPLOAD_DRAFT = "draft"
    UPLOAD_SIGNED = "ttd"
    ESPIP = "espip"
    KIRIM_DATA = "kirim"
    HANDOVER = "serah"


CARD_STEP_ACTION: Mapping[CardStep, CardAction] = {
    CardStep.UPLOAD_DRAFT: UploadDraft(),
    CardStep.UPLOAD_SIGNED: UploadSigned(),
    CardStep.ESPIP: RecordEspip(),
    CardStep.KIRIM_DATA: RecordKirimData(),
    CardStep.HANDOVER: Handover(),
}


def card_steps(state: CardState, chain: Sequence[Stage] = DEFAULT_CHAIN) -> tuple[CardStep, ...]:
    """The steps ``apply_card`` accepts now from the satgas (the hand-over whatever the
    units' standing: its refusal names the units still short)."""
    satgas = Context(actor=Actor(0, "", frozenset(Role)), now=_ANY_TIME, all_units_complete=True)
    return tuple(
        step
        for step, action in CARD_STEP_ACTION.items()
        if _accepts(partial(apply_card, chain=chain), state, action, satgas)
    )


def apply_card(
    state: CardState, action: CardAction, ctx: Context, chain: Sequence[Stage] = DEFAULT_CHAIN
) -> Transition[CardState]:
    if isinstance(action, Decide):
        return _decide(state, action, ctx, chain)
    _require(ctx, _CARD_PERMISSION[type(action)])
    _require_open(ctx)
    if isinstance(action, UploadDraft):
        if state.status not in (CardStatus.KOSONG, CardStatus.DIKEMBALIKAN, CardStatus.PROSES):
            raise InvalidTransition(state.status.value)
        new = replace(
            state,
            status=CardStatus.PROSES,
            version=state.version + 1,
            stage=0,
            approvals=frozenset(),
            reason=None,
        )
        return Transition(new, (_card_event(new, EventKind.KARTU_DRAFT_DIUNGGAH, ctx),))
    if isinstance(action, UploadSigned):
        if state.status not in (CardStatus.MENUNGGU_TTD, CardStatus.FINAL):
            raise PreconditionMissing(state.status.value)
        new = replace(state, status=CardStatus.FINAL, version=state.version + 1)
        return Transition(new, (_card_event(new, EventKind.KARTU_TTD_DIUNGGAH, ctx),))
    if isinstance(action, Handover):
        if state.status is not CardStatus.DATA_DIKIRIM:
            raise PreconditionMissing(state.status.value)
        if not ctx.all_units_complete:
            raise UnitsIncomplete("unit_belum_lengkap")
        new = replace(state, status=CardStatus.DISERAHKAN)
        return Transition(new, (_card_event(new, EventKind.PERIODE_DISERAHKAN, ctx),))
    before, after, kind = _STEP_AFTER[type(action)]
    if state.status is not before:
        raise PreconditionMissing(state.status.value)
    new = replace(state, status=after)
    return Transition(new, (_card_event(new, kind, ctx),))
