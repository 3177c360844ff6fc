"""What a person sees next, built once for both channels: a text and the actions under it.

A screen is data, made from the services' results; each channel has a small renderer
(``handlers/render.py``: an inline keyboard; ``whatsapp/render.py``: reply buttons, at most 3,
or a paged list). Which actions a screen offers follows the domain's rules (``item_steps``,
``card_steps``); no adapter decides it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chatbot import callbacks, texts
from chatbot.domain.calendar import Period
from chatbot.domain.evidence import Finding
from chatbot.domain.people import Person
from chatbot.domain.roles import UNIT_KIND_OF_ROLE, Permission, Role
from chatbot.domain.units import Unit
from chatbot.domain.workflow import (
    PROVINCIAL_CARD_ITEM,
    UNIT_CARD_ITEM,
    CardStep,
    ItemStatus,
    ItemStep,
    StageKind,
    item_steps,
)
from chatbot.services.card import CardView
from chatbot.services.ports import EvidenceFile
from chatbot.services.review import ReviewTarget
from chatbot.services.status import PeriodStatus
from chatbot.services.submission import ItemDetail, Receipt, UnitChecklist

TITLE = 24  # a WhatsApp list row's title
DETAIL = 72  # a WhatsApp list row's description


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Action:
    label: str  # a Telegram button's label
    data: str  # the callback data (``chatbot.callbacks``)
    short: str = ""  # WhatsApp: the reply button's title (20) or the list row's title (24)
    detail: str = ""  # WhatsApp: a list row's description (72)

    @classmethod
    def of(cls, label: tuple[str, str], data: str, detail: str = "") -> Action:
        return cls(label[0], data, label[1], detail)


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    rows: tuple[tuple[Action, ...], ...] = ()
    pick: str = ""  # a choice among many: on WhatsApp a list opened by this button
    section: str = ""  # the list's section title
    pages: str = ""  # the callback namespace of the list's pages (``kr:pg``)
    reply_hint: str = ""  # the answer is a reply to this message: the input field's hint

    @property
    def actions(self) -> list[Action]:
        return [a for row in self.rows for a in row]


def _one_per_row(*actions: Action) -> tuple[tuple[Action, ...], ...]:
    return tuple((a,) for a in actions)


# ------------------------------------------------------------------ the delivery flow


def checklist(sheet: UnitChecklist, periods: Sequence[Period], card: CardView | None) -> Screen:
    """The unit's checklist: the other open periods, the provincial card (for its satgas),
    the items, the regency's signed card, close. While more than one period is open, every
    item's button names its period, so an older message's button acts on its own month."""
    named = sheet.period if len(periods) > 1 else None
    drafted = {code for code, files in sheet.drafts.items() if files}
    actions: list[Action] = []
    loose = sheet.drafts.get("", ())
    if loose:  # files sent before an item was chosen: first, they wait for an answer
        actions.append(Action.of(texts.label_loose(len(loose)), callbacks.KIRIM_WHICH))
    if card is not None:
        status = texts.CARD_STATUS_LABEL[card.state.status]
        actions.append(
            Action(
                _short(f"🗂 {texts.PROVINCIAL_CARD_NAME}: {status}", 60),
                callbacks.kirim_item(PROVINCIAL_CARD_ITEM, named),
                _short(f"🗂 {texts.PROVINCIAL_CARD_NAME}", TITLE),
                _short(status, DETAIL),
            )
        )
    for row in sheet.rows:
        icon = texts.STATUS_ICON[row.state.status]
        actions.append(
            Action(
                texts.item_label(
                    row.item.code, row.item.name, row.state.status, drafted=row.item.code in drafted
                ),
                callbacks.kirim_item(row.item.code, named),
                _short(f"{icon}{'📝' if row.item.code in drafted else ''} {row.item.code}", TITLE),
                _short(row.item.name, DETAIL),
            )
        )
    if sheet.card is not None:
        icon = texts.STATUS_ICON[sheet.card.status]
        actions.append(
            Action(
                texts.item_label("", texts.UNIT_CARD_NAME, sheet.card.status),
                callbacks.kirim_item(UNIT_CARD_ITEM, named),
                _short(f"{icon} Kartu bertanda tangan", TITLE),
                _short(f"{texts.UNIT_CARD_NAME}: {texts.STATUS_LABEL[sheet.card.status]}", DETAIL),
            )
        )
    rows: list[tuple[Action, ...]] = []
    others = [p for p in periods if p != sheet.period]
    if others:  # first: a person meaning another month sees it before any item
        rows.append(
            tuple(Action.of(texts.period_button(p), callbacks.kirim_period(p)) for p in others)
        )
    rows += [(a,) for a in actions]
    rows.append((Action.of(texts.LABEL_CLOSE, callbacks.KIRIM_CLOSE),))
    waiting = sum(r.state.status is ItemStatus.DIKIRIM for r in sheet.rows)
    if sheet.card is not None and sheet.card.status is ItemStatus.DIKIRIM:
        waiting += 1
    kept = [(texts.draft_target(c), len(files)) for c, files in sheet.drafts.items() if files and c]
    header = texts.checklist_header(
        sheet.unit, sheet.period, sheet.progress, sheet.deadline, waiting, kept, len(loose)
    )
    return Screen(
        header,
        tuple(rows),
        pick=texts.PICK_ITEM,
        section=_short(texts.bulan(sheet.period), TITLE),
        pages=callbacks.CHECKLIST_PAGE,
    )


def item(detail: ItemDetail, tz: ZoneInfo, name_period: bool = False) -> Screen:
    """One item: what was delivered last, and what can be done now (the withdrawal's button
    naming its period while more than one is open)."""
    if detail.card_not_ready:
        return Screen(
            texts.card_not_ready(detail.progress.missing),
            ((Action.of(texts.LABEL_BACK, callbacks.KIRIM_BACK),),),
        )
    name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
    description = detail.item.description if detail.item else ""
    text = texts.item_detail(name, description, detail.state, detail.submission, tz)
    if detail.state.complete:
        text += "\n\n" + texts.ITEM_LOCKED
    steps = detail.steps
    actions = []
    state = detail.state
    discard = callbacks.kirim_discard(state.period, state.item_code)
    if detail.draft and ItemStep.FILES in steps:
        text += "\n\n" + texts.draft_lines(detail.draft)
        send = callbacks.kirim_confirm(state.period, state.item_code, state.version)
        actions.append(Action.of(texts.LABEL_SEND_DRAFT, send))
        actions.append(Action.of(texts.LABEL_DISCARD, discard))
    elif detail.draft:  # approved meanwhile: what was received can only be dropped
        text += "\n\n" + texts.draft_lines(detail.draft, sendable=False)
        actions.append(Action.of(texts.LABEL_DISCARD, discard))
    if ItemStep.FILES in steps and not detail.draft:
        actions.append(Action.of(texts.LABEL_FILES, callbacks.KIRIM_FILES))
    if ItemStep.NIHIL in steps and not detail.draft:  # a draft: send it or drop it first
        actions.append(Action.of(texts.LABEL_NIHIL, callbacks.KIRIM_NIHIL))
    if ItemStep.WITHDRAW in steps and not detail.draft:
        named = state.period if name_period else None
        data = callbacks.kirim_withdraw(state.item_code, state.version, named)
        actions.append(Action.of(texts.LABEL_WITHDRAW, data))
    actions.append(Action.of(texts.LABEL_BACK, callbacks.KIRIM_BACK))
    return Screen(text, _one_per_row(*actions))


def provincial_card(view: CardView, tz: ZoneInfo, draft: Sequence[EvidenceFile] = ()) -> Screen:
    """The provincial card for its satgas: its state, its files received and not sent, and
    the steps that apply now."""
    data = {
        CardStep.UPLOAD_DRAFT: callbacks.KIRIM_FILES,
        CardStep.UPLOAD_SIGNED: callbacks.KIRIM_FILES,
        CardStep.ESPIP: callbacks.KIRIM_ESPIP,
        CardStep.KIRIM_DATA: callbacks.KIRIM_DATA,
        CardStep.HANDOVER: callbacks.KIRIM_HANDOVER,
    }
    text = texts.card_detail(view, tz)
    actions = []
    uploads = (CardStep.UPLOAD_DRAFT, CardStep.UPLOAD_SIGNED)
    if draft and any(s in view.steps for s in uploads):
        text += "\n\n" + texts.draft_lines(draft)
        period, version = view.state.period, view.state.version
        send = callbacks.kirim_confirm(period, PROVINCIAL_CARD_ITEM, version)
        actions.append(Action.of(texts.LABEL_SEND_DRAFT, send))
        discard = callbacks.kirim_discard(period, PROVINCIAL_CARD_ITEM)
        actions.append(Action.of(texts.LABEL_DISCARD, discard))
    actions += [
        Action.of(texts.CARD_STEP_LABEL[s], data[s])
        for s in view.steps
        if not (draft and s in uploads)
    ]
    actions.append(Action.of(texts.LABEL_BACK, callbacks.KIRIM_BACK))
    return Screen(text, _one_per_row(*actions))


def _files_actions(send: str) -> tuple[tuple[Action, ...], ...]:
    """Under the prompt for files and each file's answer: send what came (``send``: the
    item's "Kirim", ``callbacks.kirim_confirm``), or close (what was received stays a draft)."""
    return (
        (
            Action.of(texts.LABEL_SEND, send),
            Action.of(texts.LABEL_CLOSE, callbacks.KIRIM_CLOSE),
        ),
    )


def ask_files(send: str) -> Screen:
    return Screen(texts.ASK_FILES, _files_actions(send))


def file_received(
    file: EvidenceFile,
    earlier: EvidenceFile | None,
    files: Sequence[EvidenceFile],
    code: str,
    name: str,
    version: int,
    send: str,
    period: Period,
    findings: Sequence[Finding] = (),
) -> Screen:
    """A file's answer: it is kept, how many the delivery holds, what the evidence checks
    found in it, and the button to send."""
    text = (
        texts.file_received(file, len(files), code, name, version, period)
        if earlier is None
        else texts.file_already_in_draft(file, earlier, len(files), code, name, version, period)
    )
    found = texts.findings_for_submitter(findings, period)
    return Screen(f"{text}\n\n{found}" if found else text, _files_actions(send))


def which_item(
    sheet: UnitChecklist,
    files: Sequence[EvidenceFile],
    several: bool,
    provincial: CardView | None = None,
) -> Screen:
    """Which item files sent before any was chosen are for: the items taking files now, those
    the files' names point at first, then the returned ones, the empty ones, and the ones
    sent (a new version)."""
    named = sheet.period if several else None
    order = {ItemStatus.DIKEMBALIKAN: 0, ItemStatus.KOSONG: 1, ItemStatus.DIKIRIM: 2}
    rows = [
        r
        for r in sheet.rows
        if r.state.status in order
        and ItemStep.FILES in item_steps(r.state, sheet.progress.complete)
    ]
    pointed = {r.item.code for r in rows if any(r.item.named_in(f.file_name) for f in files)}
    rows.sort(key=lambda r: (r.item.code not in pointed, order[r.state.status]))
    actions = [
        Action(
            texts.item_label(r.item.code, r.item.name, r.state.status),
            callbacks.kirim_assign(r.item.code, named),
            _short(f"{texts.STATUS_ICON[r.state.status]} {r.item.code}", TITLE),
            _short(r.item.name, DETAIL),
        )
        for r in rows
    ]
    card = sheet.card
    if card is not None and ItemStep.FILES in item_steps(card, sheet.progress.complete):
        signed = Action(
            texts.item_label("", texts.UNIT_CARD_NAME, card.status),
            callbacks.kirim_assign(UNIT_CARD_ITEM, named),
            _short("Kartu bertanda tangan", TITLE),
            _short(texts.UNIT_CARD_NAME, DETAIL),
        )
        actions.insert(0, signed)  # all approved: the signed card is what is due
    uploads = (CardStep.UPLOAD_DRAFT, CardStep.UPLOAD_SIGNED)
    if provincial is not None and any(s in provincial.steps for s in uploads):  # its satgas
        label = f"🗂 {texts.PROVINCIAL_CARD_NAME}"
        data = callbacks.kirim_assign(PROVINCIAL_CARD_ITEM, named)
        actions.insert(0, Action(label, data, _short(label, TITLE)))
    rows_out = [(a,) for a in actions]
    discard = callbacks.kirim_discard(sheet.period, "")
    rows_out.append((Action.of(texts.LABEL_DISCARD_LOOSE, discard),))
    return Screen(
        texts.which_item(files, named),
        tuple(rows_out),
        pick=texts.PICK_ITEM_FOR_FILES,
        section=_short(texts.bulan(sheet.period), TITLE),
        pages=callbacks.KIRIM_WHICH_PAGE,
    )


def text_instead_of_file(send: str) -> Screen:
    return Screen(texts.TEXT_INSTEAD_OF_FILE, _files_actions(send))


def _confirm_actions(send: str) -> tuple[tuple[Action, ...], ...]:
    """Send, or close: what was received stays a draft (so "Tutup", not "Batal")."""
    return (
        (
            Action.of(texts.LABEL_SEND, send),
            Action.of(texts.LABEL_CLOSE, callbacks.KIRIM_CLOSE),
        ),
    )


def confirm_files(
    name: str,
    code: str,
    files: Sequence[EvidenceFile],
    version: int,
    send: str,
    period: Period,
    findings: Sequence[Finding] = (),
) -> Screen:
    text = texts.confirm_files(name, code, files, version, period)
    found = texts.findings_for_submitter(findings, period)
    return Screen(f"{text}\n\n{found}" if found else text, _confirm_actions(send))


def confirm_nihil(
    name: str, code: str, note: str, version: int, send: str, period: Period
) -> Screen:
    return Screen(texts.confirm_nihil(name, code, note, version, period), _confirm_actions(send))


def receipt(result: Receipt, list_button: bool = False) -> Screen:
    """The delivery's receipt; with a button back to the checklist where the checklist does
    not follow it (WhatsApp, which cannot update a sent list)."""
    text = texts.receipt(result.item_name, result.state, result.late, result.files, result.due)
    if not list_button:
        return Screen(text)
    # "/kirim" again: it works after the session too (the receipt outlives it)
    return Screen(text, ((Action.of(texts.LABEL_LIST, callbacks.menu("kirim")),),))


def ask_espip() -> Screen:
    return Screen(texts.ASK_ESPIP_EVIDENCE, ((Action.of(texts.LABEL_SKIP, callbacks.KIRIM_SKIP),),))


def confirm_handover() -> Screen:
    return Screen(
        texts.CONFIRM_HANDOVER,
        (
            (
                Action.of(texts.LABEL_HANDOVER_YES, callbacks.KIRIM_HANDOVER_YES),
                Action.of(texts.LABEL_CANCEL, callbacks.KIRIM_CLOSE),
            ),
        ),
    )


def _grid(actions: Sequence[Action], per_row: int) -> list[tuple[Action, ...]]:
    return [tuple(actions[i : i + per_row]) for i in range(0, len(actions), per_row)]


# ------------------------------------------------------------------ status

MAX_UNIT_BUTTONS = 30
STATUS_PERIODS = 6


def status(view: PeriodStatus, person: Person, periods: Sequence[Period]) -> Screen:
    """The period's status: the overview for the satgas, the unit's own detail for a unit;
    the picture, a button per unit (for the satgas), the other periods."""
    code = view.period
    everyone = person.may(Permission.VIEW_ALL_STATUS)
    if everyone:
        text = texts.status_overview(view)
    else:
        text = texts.unit_status_detail(view, person.unit.code)
    rows: list[tuple[Action, ...]] = [
        (Action.of(texts.LABEL_PICTURE, callbacks.status_picture(code)),)
    ]
    if everyone:
        units = [
            Action(
                u.unit.code,
                callbacks.status_unit(u.unit.code, code),
                u.unit.code,
                _short(f"{u.unit.name} ({u.progress.percent}%)", DETAIL),
            )
            for u in view.units[:MAX_UNIT_BUTTONS]
        ]
        rows += _grid(units, 4)
    others = [
        Action(f"🗓 {texts.bulan_singkat(p)}", callbacks.status_period(p), texts.bulan(p), "Status")
        for p in periods
        if p != view.period
    ]
    rows += _grid(others[-STATUS_PERIODS:], 3)
    return Screen(
        text,
        tuple(rows),
        pick=texts.PICK_ACTION if everyone else "",
        section=_short(texts.bulan(view.period), TITLE),
        pages=callbacks.status_pages(view.period),
    )


# ------------------------------------------------------------------ periods, invites, menu


def periods(text: str, offer: Period | None) -> Screen:
    """/periode: the overview, with the button to open the month due now (if any)."""
    if offer is None:
        return Screen(text)
    return Screen(
        text, ((Action.of(texts.label_open_period(offer), callbacks.open_period(offer)),),)
    )


def confirm_open_period(text: str, period: Period) -> Screen:
    return Screen(
        text,
        (
            (
                Action.of(
                    texts.label_open_period(period, True), callbacks.open_period(period, "y")
                ),
                Action.of(texts.LABEL_CANCEL, callbacks.open_period(period, "n")),
            ),
        ),
    )


def invite_units(units: Sequence[Unit]) -> Screen:
    actions = [
        Action(f"{u.code} {u.name}", callbacks.invite_unit(u.code), u.code, u.name) for u in units
    ]
    return Screen(
        texts.INVITE_USAGE,
        tuple(_grid(actions, 2)),
        pick=texts.PICK_UNIT,
        pages=callbacks.INVITE_PAGES,
    )


def invite_roles(unit: Unit) -> Screen:
    roles = [r for r in Role if UNIT_KIND_OF_ROLE[r] is unit.kind]
    actions = [
        Action(texts.ROLE_LABEL[r], callbacks.invite_role(unit.code, r.value), texts.ROLE_SHORT[r])
        for r in roles
    ]
    return Screen(
        texts.INVITE_PICK_ROLE.format(unit=unit.name), _one_per_row(*actions), pick=texts.PICK_ROLE
    )


def confirm_approve_all(unit: Unit, targets: Sequence[ReviewTarget], unopened: int) -> Screen:
    return Screen(
        texts.confirm_approve_all(unit, targets, unopened),
        (
            (
                Action.of(texts.LABEL_APPROVE_ALL_YES, callbacks.APPROVE_ALL_YES),
                Action.of(texts.LABEL_CANCEL, callbacks.APPROVE_ALL_NO),
            ),
        ),
    )


def confirm_card_step(kind: StageKind, view: CardView, period: str) -> Screen:
    """The paraf or the signature asked once more: a mis-tap is final otherwise; the units
    still short are named."""
    yes = texts.LABEL_PARAF_YES if kind is StageKind.PARAF else texts.LABEL_SIGN_YES
    return Screen(
        texts.confirm_card_step(kind, view),
        (
            (
                Action.of(yes, callbacks.card_confirm(period, view.state.version)),
                Action.of(texts.LABEL_CANCEL, callbacks.CARD_KEEP),
            ),
        ),
    )


def menu(person: Person, text: str, commands: Sequence[texts.Command]) -> Screen:
    """The person's commands as buttons, under ``text`` (the menu, the help, a welcome)."""
    actions = [Action(c.button, callbacks.menu(c.name), c.button[:24]) for c in commands]
    return Screen(text, tuple(_grid(actions, 2)), pick=texts.WA_MENU)


def queue(groups: Sequence[tuple[Unit, Sequence[ReviewTarget]]]) -> Screen:
    """What waits for review: per unit how many, "Periksa" into the desk (oldest first), and
    each unit's "Setujui semua" (its confirmation says how many were not opened)."""
    total = sum(len(t) for _, t in groups)
    actions = [Action.of(texts.desk_label(total), callbacks.DESK_START)]
    for unit, targets in groups:
        if len(targets) > 1:
            label = f"✅ Setujui semua {unit.name} ({len(targets)})"
            short = f"Setujui semua ({len(targets)})"
            actions.append(Action(label, callbacks.approve_all(unit.code), short, unit.name))
    return Screen(
        texts.queue_summary(groups),
        _one_per_row(*actions),
        pick=texts.WA_PICK_ACTION_QUEUE if len(actions) > 3 else "",
        section=texts.QUEUE_SECTION,
        pages=callbacks.QUEUE_PAGES,
    )
