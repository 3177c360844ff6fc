"""Button data shared by the channels: short strings with ids and the version they were drawn
for (Telegram allows 64 bytes). Built and parsed here only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.domain.calendar import Period
from chatbot.domain.errors import InvalidData
from chatbot.domain.text import small_int

PERIOD_CODE = re.compile(r"\d{4}-\d{2}")

REVIEW_APPROVE = "rv:ok"
REVIEW_RETURN = "rv:no"


DESK = "rp"  # the reviewer's desk: one delivery at a time, with its evidence
DESK_START = "rp:go"  # the oldest waiting
DESK_OPEN = "rp:op"  # this delivery (a notice's "Periksa")
DESK_SKIP = "rp:sk"  # the one after this
DESK_ORIGINALS = "rp:asli"  # this delivery's files as they were sent


@dataclass(frozen=True, slots=True)
class ReviewChoice:
    approve: bool
    state_id: int
    version: int
    desk: bool = False  # pressed at the desk: the next delivery follows


def review(approve: bool, state_id: int, version: int, desk: bool = False) -> str:
    data = f"{REVIEW_APPROVE if approve else REVIEW_RETURN}:{state_id}:{version}"
    return f"{DESK}{data[2:]}" if desk else data


def parse_review(data: str) -> ReviewChoice | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] not in ("rv", DESK) or parts[1] not in ("ok", "no"):
        return None
    state_id, version = small_int(parts[2]), small_int(parts[3])
    if state_id is None or version is None:
        return None
    return ReviewChoice(parts[1] == "ok", state_id, version, parts[0] == DESK)


def desk(kind: str, state_id: int) -> str:
    """``DESK_OPEN``, ``DESK_SKIP`` or ``DESK_ORIGINALS`` of one delivery."""
    return f"{kind}:{state_id}"


def parse_desk(data: str) -> tuple[str, int] | None:
    """(kind, state id) of a desk button; ``DESK_START`` is (``DESK_START``, 0)."""
    if data == DESK_START:
        return DESK_START, 0
    kind, _, rest = data.rpartition(":")
    state_id = small_int(rest)
    if kind not in (DESK_OPEN, DESK_SKIP, DESK_ORIGINALS) or state_id is None:
        return None
    return kind, state_id


CARD_APPROVE = "kc:ok"
CARD_RETURN = "kc:no"
CARD_CONFIRM = "kc:ya"  # the paraf or signature, confirmed (one tap never gives it)
CARD_KEEP = "kc:tidak"  # not now


@dataclass(frozen=True, slots=True)
class CardChoice:
    approve: bool
    period: str
    version: int
    confirmed: bool = False  # "kc:ya": the confirmation's button


def card(approve: bool, period: str, version: int) -> str:
    return f"{CARD_APPROVE if approve else CARD_RETURN}:{period}:{version}"


def _period_version(parts: list[str]) -> tuple[str, int] | None:
    """``kc:<what>:<period>:<version>``: the period's code and the version, when both read."""
    version = small_int(parts[3])
    if version is None or not PERIOD_CODE.fullmatch(parts[2]):
        return None
    try:
        Period.parse(parts[2])
    except InvalidData:
        return None
    return parts[2], version


def parse_card(data: str) -> CardChoice | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "kc" or parts[1] not in ("ok", "no", "ya"):
        return None
    read = _period_version(parts)
    if read is None:
        return None
    return CardChoice(parts[1] in ("ok", "ya"), read[0], read[1], parts[1] == "ya")


def card_confirm(period: str, version: int) -> str:
    return f"{CARD_CONFIRM}:{period}:{version}"


CARD_RECAP = "kc:rk"  # a request's "Rekap": the chain and every unit's standing


def card_recap(period: str, version: int) -> str:
    return f"{CARD_RECAP}:{period}:{version}"


def parse_card_recap(data: str) -> tuple[str, int] | None:
    parts = data.split(":")
    if len(parts) != 4 or f"{parts[0]}:{parts[1]}" != CARD_RECAP:
        return None
    return _period_version(parts)


QUEUE_TARGET = "aq:t"  # a delivery picked from an older queue list (WhatsApp): the desk


def parse_queue_target(data: str) -> tuple[int, int] | None:
    parts = data.split(":")
    if len(parts) != 4 or f"{parts[0]}:{parts[1]}" != QUEUE_TARGET:
        return None
    state_id, version = small_int(parts[2]), small_int(parts[3])
    return (state_id, version) if state_id is not None and version is not None else None


CHECKLIST_PAGE = "kr:pg"  # a page of the checklist list (WhatsApp)
MAX_PAGE = 100


def parse_page(data: str) -> int | None:
    """The page of a paged WhatsApp list (``<namespace>:<page>``; the renderer builds it
    from the screen's ``pages`` namespace)."""
    page = small_int(data.rsplit(":", 1)[-1])
    return page if page is not None and page <= MAX_PAGE else None


# ------------------------------------------------------------------ the delivery flow ("kr")

KIRIM = "kr"
KIRIM_FILES = "kr:f"  # send files for the item shown
KIRIM_NIHIL = "kr:n"  # declare "tidak ada kegiatan"
KIRIM_DONE = "kr:d"  # the files are all sent
KIRIM_CONFIRM = "kr:c"
KIRIM_CLOSE = "kr:x"  # close the session (also "Batal")
KIRIM_BACK = "kr:b"  # back to the checklist
KIRIM_ESPIP = "kr:e"  # the provincial card: record e-SPIP
KIRIM_SKIP = "kr:s"  # e-SPIP without a screenshot
KIRIM_DATA = "kr:k"  # the provincial card: record "kirim data"
KIRIM_HANDOVER = "kr:h"
KIRIM_HANDOVER_YES = "kr:hy"
KIRIM_ITEM = "kr:i"
KIRIM_PERIOD = "kr:p"
KIRIM_WITHDRAW = "kr:w"
KIRIM_ASSIGN = "kr:a"  # the item for the files sent before one was chosen
KIRIM_WHICH = "kr:q"  # ask again which item those files are for
KIRIM_WHICH_PAGE = "kr:qp"  # a page of that question's list (WhatsApp)
KIRIM_DISCARD = "kr:z"  # drop the draft of the item open (or the files without an item)
ITEM_CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True, slots=True)
class KirimTarget:
    code: str
    period: Period | None  # None: a button of before periods were named (the draft's period)
    version: int = 0


def kirim_item(code: str, period: Period | None = None) -> str:
    """An item of the checklist, of the period it was drawn for."""
    return f"{KIRIM_ITEM}:{period.code}:{code}" if period else f"{KIRIM_ITEM}:{code}"


LOOSE_CODE = "-"  # in a button: the files sent before an item was chosen


def kirim_confirm(period: Period, code: str, version: int) -> str:
    """ "Kirim" for what one item (or the provincial card) holds, at the version it was
    shown: an older message's button sends its own item or is refused, never another's."""
    return f"{KIRIM_CONFIRM}:{period.code}:{code}:{version}"


def parse_kirim_confirm(data: str) -> KirimTarget | None:
    """The item of a "Kirim"; None for the bare ``kr:c`` of before (the item open)."""
    target = parse_kirim_withdraw(data.replace(KIRIM_CONFIRM, KIRIM_WITHDRAW, 1))
    return target if data.startswith(f"{KIRIM_CONFIRM}:") and target and target.period else None


def kirim_discard(period: Period, code: str) -> str:
    """ "Buang" for one item's draft (``""``: the files without an item)."""
    return f"{KIRIM_DISCARD}:{period.code}:{code or LOOSE_CODE}"


def parse_kirim_discard(data: str) -> KirimTarget | None:
    parts = data.split(":")
    if data.startswith(f"{KIRIM_DISCARD}:") and len(parts) == 4 and (period := _period(parts[2])):
        if parts[3] == LOOSE_CODE:
            return KirimTarget("", period)
        if ITEM_CODE.fullmatch(parts[3]):
            return KirimTarget(parts[3], period)
    return None


def kirim_assign(code: str, period: Period | None = None) -> str:
    """The item chosen for files sent before an item was (its period named when several)."""
    return kirim_item(code, period).replace(KIRIM_ITEM, KIRIM_ASSIGN, 1)


def parse_kirim_assign(data: str) -> KirimTarget | None:
    if not data.startswith(f"{KIRIM_ASSIGN}:"):
        return None
    return parse_kirim_item(data.replace(KIRIM_ASSIGN, KIRIM_ITEM, 1))


def parse_kirim_item(data: str) -> KirimTarget | None:
    if not data.startswith(f"{KIRIM_ITEM}:"):
        return None
    parts = data.split(":")[2:]
    if len(parts) == 2 and (period := _period(parts[0])) and ITEM_CODE.fullmatch(parts[1]):
        return KirimTarget(parts[1], period)
    if len(parts) == 1 and ITEM_CODE.fullmatch(parts[0]):
        return KirimTarget(parts[0], None)
    return None


def kirim_period(period: Period) -> str:
    return f"{KIRIM_PERIOD}:{period.code}"


def parse_kirim_period(data: str) -> Period | None:
    code = data.removeprefix(f"{KIRIM_PERIOD}:")
    if not data.startswith(f"{KIRIM_PERIOD}:") or not PERIOD_CODE.fullmatch(code):
        return None
    try:
        return Period.parse(code)
    except InvalidData:
        return None


def kirim_withdraw(code: str, version: int, period: Period | None = None) -> str:
    if period is None:
        return f"{KIRIM_WITHDRAW}:{code}:{version}"
    return f"{KIRIM_WITHDRAW}:{period.code}:{code}:{version}"


def parse_kirim_withdraw(data: str) -> KirimTarget | None:
    if not data.startswith(f"{KIRIM_WITHDRAW}:"):
        return None
    parts = data.split(":")[2:]
    period = _period(parts[0]) if len(parts) == 3 else None
    if len(parts) == 3 and period is None:
        return None
    code, version_text = parts[-2:] if len(parts) in (2, 3) else ("", "")
    version = small_int(version_text)
    if version is None or not ITEM_CODE.fullmatch(code):
        return None
    return KirimTarget(code, period, version)


# ------------------------------------------------------------------ status, periods, invites, queue

STATUS = "st"
MENU = "mn"
UNIT_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")


@dataclass(frozen=True, slots=True)
class StatusChoice:
    what: str  # "p": the period's status; "u": one unit; "img": the picture; "pg": a list page
    period: Period
    unit: str = ""
    page: int = 0


def status_period(period: Period) -> str:
    return f"{STATUS}:p:{period.code}"


def status_unit(unit_code: str, period: Period) -> str:
    return f"{STATUS}:u:{unit_code}:{period.code}"


def status_picture(period: Period) -> str:
    return f"{STATUS}:img:{period.code}"


def status_pages(period: Period) -> str:
    """The namespace of the status list's pages (WhatsApp): ``st:pg:2026-10:<page>``."""
    return f"{STATUS}:pg:{period.code}"


def _period(code: str) -> Period | None:
    if not PERIOD_CODE.fullmatch(code):
        return None
    try:
        return Period.parse(code)
    except InvalidData:
        return None


def parse_status(data: str) -> StatusChoice | None:
    parts = data.split(":")
    if len(parts) < 3 or parts[0] != STATUS:
        return None
    if parts[1] in ("p", "img") and len(parts) == 3 and (period := _period(parts[2])):
        return StatusChoice(parts[1], period)
    if parts[1] == "u" and len(parts) == 4 and UNIT_CODE.fullmatch(parts[2]):
        period = _period(parts[3])
        return StatusChoice("u", period, parts[2]) if period else None
    if parts[1] == "pg" and len(parts) == 4 and (period := _period(parts[2])):
        page = small_int(parts[3])
        return StatusChoice("pg", period, page=page) if page is not None else None
    return None


OPEN_PERIOD = "pr"


@dataclass(frozen=True, slots=True)
class OpenChoice:
    code: str  # as typed: checked by the period's parser
    step: str  # "o": open (asks first when out of time), "y": confirmed, "n": not now


def open_period(period: Period, step: str = "o") -> str:
    return f"{OPEN_PERIOD}:{step}:{period.code}"


def parse_open_period(data: str) -> OpenChoice | None:
    """An "open" button: the period's code and the step."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != OPEN_PERIOD or parts[1] not in ("o", "y", "n"):
        return None
    return OpenChoice(parts[2][:16], parts[1])


INVITE_UNIT = "ud:u"
INVITE_ROLE = "ud:r"


def invite_unit(unit_code: str) -> str:
    return f"{INVITE_UNIT}:{unit_code}"


def invite_role(unit_code: str, role: str) -> str:
    return f"{INVITE_ROLE}:{unit_code}:{role}"


def parse_invite(data: str) -> tuple[str, str | None] | None:
    """(unit code, role or None) of an invite button."""
    parts = data.split(":")
    if len(parts) == 3 and f"{parts[0]}:{parts[1]}" == INVITE_UNIT:
        return (parts[2], None) if UNIT_CODE.fullmatch(parts[2]) else None
    if len(parts) == 4 and f"{parts[0]}:{parts[1]}" == INVITE_ROLE:
        return (parts[2], parts[3]) if UNIT_CODE.fullmatch(parts[2]) else None
    return None


APPROVE_ALL = "aq:all"
APPROVE_ALL_YES = "aq:yes"
APPROVE_ALL_NO = "aq:no"


def approve_all(unit_code: str) -> str:
    return f"{APPROVE_ALL}:{unit_code}"


def parse_approve_all(data: str) -> str | None:
    code = data.removeprefix(f"{APPROVE_ALL}:")
    return code if data.startswith(f"{APPROVE_ALL}:") and UNIT_CODE.fullmatch(code) else None


def menu(command: str) -> str:
    return f"{MENU}:{command}"


RETURN_YES = "rt:y"  # confirm a return with its reason
RETURN_NO = "rt:n"
MENU_PAGES = "mn:pg"  # the WhatsApp menu's pages
INVITE_PAGES = "ud:pg"  # the WhatsApp list of units to invite to
REVIEW = "rv"
CARD = "kc"
QUEUE_PAGES = "aq:pg"  # the list of what waits for review, paged (WhatsApp)


def parse_queue_page(data: str) -> int | None:
    return parse_page(data) if data.startswith(QUEUE_PAGES + ":") else None


DELEGATE = "wk"  # /wakil by buttons: each step's data carries the choices made so far
DELEGATE_CANCEL = "wk:n"


@dataclass(frozen=True, slots=True)
class DelegateStep:
    """How far a /wakil by buttons has come: ``step`` is "c" (whom to cover, picked), "r"
    (the role), "d" (the delegate), "t" (the dates, asked to confirm), "y" (confirmed), or
    "cp"/"dp" (a page of the list of people, on WhatsApp)."""

    step: str
    covered: int = 0
    role: str = ""
    delegate: int = 0
    start: str = ""  # yyyymmdd
    end: str = ""
    page: int = 0


_DELEGATE_FIELDS: dict[str, tuple[str, ...]] = {
    "c": ("covered",),
    "r": ("covered", "role"),
    "d": ("covered", "role", "delegate"),
    "t": ("covered", "role", "delegate", "start", "end"),
    "y": ("covered", "role", "delegate", "start", "end"),
    "cp": ("page",),
    "dp": ("covered", "role", "page"),
}
_DELEGATE_FORM = {"role": re.compile(r"[a-z_]{1,20}"), "start": re.compile(r"\d{8}")}


def delegate_step(step: DelegateStep) -> str:
    values = (str(getattr(step, name)) for name in _DELEGATE_FIELDS[step.step])
    return ":".join((DELEGATE, step.step, *values))


def parse_delegate_step(data: str) -> DelegateStep | None:
    parts = data.split(":")
    names = _DELEGATE_FIELDS.get(parts[1]) if len(parts) > 1 and parts[0] == DELEGATE else None
    if names is None or len(names) != len(parts) - 2:
        return None
    values: dict[str, int | str] = {}
    for name, raw in zip(names, parts[2:], strict=True):
        if name in ("covered", "delegate", "page"):
            number = small_int(raw)
            if number is None:
                return None
            values[name] = number
        elif _DELEGATE_FORM["role" if name == "role" else "start"].fullmatch(raw):
            values[name] = raw
        else:
            return None
    return DelegateStep(parts[1], **values)  # type: ignore[arg-type]


PEOPLE = "ps"  # /pengguna by buttons: each step's data carries the choices made so far
PEOPLE_CANCEL = "ps:n"


@dataclass(frozen=True, slots=True)
class PeopleStep:
    """How far a /pengguna by buttons has come: ``step`` is "l" (the list, a page), "p" (a
    person), "d"/"a" (deactivate / reactivate: asked), "m" (move: the units), "mp" (a page of
    them), "mu" (the unit chosen: its roles), "mr" (the role: asked), "r" (replace: who),
    "rs" (the successor: asked); a step ending in "y" is confirmed (``vacant``: the warning of
    a role left vacant was shown and accepted)."""

    step: str
    person: int = 0
    unit: str = ""
    role: str = ""
    other: int = 0
    page: int = 0
    vacant: int = 0
    seen: int = 0  # the person's changes when the confirmation was shown: an older one expires


_PEOPLE_FIELDS: dict[str, tuple[str, ...]] = {
    "l": ("page",),
    "p": ("person",),
    "d": ("person",),
    "dy": ("person", "vacant", "seen"),
    "a": ("person",),
    "ay": ("person", "seen"),
    "m": ("person",),
    "mp": ("person", "page"),
    "mu": ("person", "unit"),
    "mr": ("person", "unit", "role"),
    "my": ("person", "unit", "role", "vacant", "seen"),
    "r": ("person",),
    "rp": ("person", "page"),
    "rs": ("person", "other"),
    "ry": ("person", "other", "seen"),
}
_PEOPLE_FORM = {"unit": re.compile(r"[A-Z0-9]{1,16}"), "role": re.compile(r"[a-z_]{1,20}")}


def people_step(step: PeopleStep) -> str:
    values = (str(getattr(step, name)) for name in _PEOPLE_FIELDS[step.step])
    return ":".join((PEOPLE, step.step, *values))


def parse_people_step(data: str) -> PeopleStep | None:
    parts = data.split(":")
    names = _PEOPLE_FIELDS.get(parts[1]) if len(parts) > 1 and parts[0] == PEOPLE else None
    if names is None or len(names) != len(parts) - 2:
        return None
    values: dict[str, int | str] = {}
    for name, raw in zip(names, parts[2:], strict=True):
        if name in _PEOPLE_FORM:
            if not _PEOPLE_FORM[name].fullmatch(raw):
                return None
            values[name] = raw
        else:
            number = small_int(raw)
            if number is None or (name == "vacant" and number > 1):
                return None
            values[name] = number
    return PeopleStep(parts[1], **values)  # type: ignore[arg-type]
