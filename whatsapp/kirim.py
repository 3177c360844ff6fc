"""`kirim` on WhatsApp: the checklist as an interactive list (10 rows at most, paged), the item
with reply buttons (3 at most, titles of 20 characters at most), documents and images fetched
through the Graph API into the same evidence store, a confirmation, then the same delivery
service as Telegram's /kirim. The draft of a delivery lives in memory, like Telegram's
conversations: nothing reaches the database before the confirmation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pywa_async.client import WhatsApp
from pywa_async.types.callback import Button, Section, SectionList, SectionRow
from pywa_async.types.message import Message

from chatbot import callbacks, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.files import FileTooLarge, FileTypeNotAllowed
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, UNIT_CARD_ITEM, CardStatus
from chatbot.services.bundle import Services
from chatbot.services.card import STEPS
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import DownloadFailed, IncomingFile

log = logging.getLogger(__name__)
LIST_ROWS = 10  # WhatsApp: at most 10 rows in a list message
BUTTONS = 3  # at most 3 reply buttons
BUTTON_TITLE = 20  # characters
ROW_TITLE, ROW_DESCRIPTION = 24, 72


@dataclass
class Draft:
    period: Period
    item_code: str = ""
    item_name: str = ""
    version: int = 0
    files: list[EvidenceFile] = field(default_factory=list)
    waiting_for_files: bool = False
    waiting_for_espip: bool = False  # the provincial card's e-SPIP screenshot


def buttons(*pairs: tuple[str, str]) -> list[Button]:
    """Reply buttons, checked against WhatsApp's limits before anything is sent."""
    if len(pairs) > BUTTONS:
        raise ValueError(f"WhatsApp allows {BUTTONS} reply buttons, got {len(pairs)}")
    for title, _ in pairs:
        if len(title) > BUTTON_TITLE:
            raise ValueError(f"button title over {BUTTON_TITLE} characters: {title!r}")
    return [Button(title=title, callback_data=data) for title, data in pairs]


async def say(wa: WhatsApp, to: str, text: str, *pairs: tuple[str, str]) -> None:
    """A text, with reply buttons when given."""
    await wa.send_message(to=to, text=text, buttons=buttons(*pairs) if pairs else None)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Kirim:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.drafts: dict[str, Draft] = {}

    async def say(self, to: str, text: str, *pairs: tuple[str, str]) -> None:
        await say(self.wa, to, text, *pairs)

    # ------------------------------------------------------------------ the checklist

    async def start(self, to: str, person: Person, page: int = 0) -> None:
        if not person.may(Permission.SUBMIT_EVIDENCE):
            await self.say(to, texts.NOT_ALLOWED)
            return
        svc = self.services.submission
        periods = svc.open_periods()
        if not periods:
            await self.say(to, texts.NO_OPEN_PERIOD)
            return
        draft = self.drafts.get(to)
        period = draft.period if draft is not None and draft.period in periods else periods[-1]
        try:
            checklist = svc.checklist(person, period)
        except DomainError as exc:
            await self.say(to, texts.SUBMISSION_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        self.drafts[to] = Draft(period=period)
        rows = [
            SectionRow(
                title=_short(f"{texts.STATUS_ICON[r.state.status]} {r.item.code}", ROW_TITLE),
                callback_data=f"kr:i:{r.item.code}",
                description=_short(r.item.name, ROW_DESCRIPTION),
            )
            for r in checklist.rows
        ]
        if checklist.card is not None:
            label = f"{texts.STATUS_ICON[checklist.card.status]} {texts.UNIT_CARD_NAME}"
            rows.append(SectionRow(_short(label, ROW_TITLE), f"kr:i:{UNIT_CARD_ITEM}"))
        if person.may(Permission.DRAFT_PROVINCIAL_CARD):
            card = self.services.card.view(period).state.status
            label = f"🗂 {texts.PROVINCIAL_CARD_NAME}"
            rows.insert(
                0,
                SectionRow(
                    _short(label, ROW_TITLE),
                    f"kr:i:{PROVINCIAL_CARD_ITEM}",
                    _short(texts.CARD_STATUS_LABEL[card], ROW_DESCRIPTION),
                ),
            )
        per_page = LIST_ROWS - 1  # one row left for "next page"
        pages = (len(rows) + per_page - 1) // per_page
        page = min(page, max(pages - 1, 0))  # an old "next page" of a longer list
        shown = rows[page * per_page : (page + 1) * per_page]
        if len(rows) > (page + 1) * per_page:
            shown.append(SectionRow(texts.WA_NEXT_PAGE, callbacks.checklist_page(page + 1)))
        header = texts.checklist_header(
            checklist.unit, period, checklist.progress, checklist.deadline
        )
        await self.wa.send_message(
            to=to,
            text=header + (f"\n(halaman {page + 1} dari {pages})" if pages > 1 else ""),
            buttons=SectionList(
                button_title=texts.WA_PICK_ITEM,
                sections=[Section(title=_short(texts.bulan(period), ROW_TITLE), rows=shown)],
            ),
        )

    async def item(self, to: str, person: Person, code: str) -> None:
        draft = self.drafts.get(to)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if code == PROVINCIAL_CARD_ITEM and person.may(Permission.DRAFT_PROVINCIAL_CARD):
            await self.show_card(to, draft)
            return
        svc = self.services.submission
        try:
            detail = svc.item_detail(person, draft.period, code)
        except DomainError as exc:
            await self.say(to, texts.SUBMISSION_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
        if detail.item is None and not detail.progress.complete and not detail.state.version:
            await self.say(to, texts.card_not_ready(detail.progress.missing))
            return
        draft.item_code, draft.item_name, draft.version = code, name, detail.state.version
        draft.files, draft.waiting_for_files = [], False
        description = detail.item.description if detail.item else ""
        tz = self.services.timezone
        text = texts.item_detail(name, description, detail.state, detail.submission, tz)
        if detail.state.complete:
            await self.say(to, text + "\n\n" + texts.ITEM_LOCKED, ("Kembali ke daftar", "kr:b"))
            return
        await self.say(to, text, ("Kirim berkas", "kr:f"), ("Kembali ke daftar", "kr:b"))

    # ------------------------------------------------------------------ the provincial card

    async def show_card(self, to: str, draft: Draft) -> None:
        svc = self.services
        view = svc.card.view(draft.period)
        draft.item_code, draft.item_name = PROVINCIAL_CARD_ITEM, texts.PROVINCIAL_CARD_NAME
        draft.version, draft.files = view.state.version, []
        draft.waiting_for_files = draft.waiting_for_espip = False
        status = view.state.status
        actions: list[tuple[str, str]] = []
        if status in (CardStatus.KOSONG, CardStatus.DIKEMBALIKAN, CardStatus.PROSES):
            actions.append(("Unggah draft", "kr:f"))
        if status in (CardStatus.MENUNGGU_TTD, CardStatus.FINAL):
            actions.append(("Unggah kartu ttd", "kr:f"))
        if status is CardStatus.FINAL:
            actions.append(("Catat e-SPIP", "kr:e"))
        if status is CardStatus.ESPIP:
            actions.append(("Catat kirim data", "kr:k"))
        if status is CardStatus.DATA_DIKIRIM:
            actions.append(("Serahkan", "kr:h"))
        actions.append(("Kembali ke daftar", "kr:b"))
        await self.say(to, texts.card_detail(view, svc.timezone), *actions)

    async def ask_espip(self, to: str) -> None:
        draft = self.drafts.get(to)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting_for_espip = True
        await self.say(to, texts.ASK_ESPIP_EVIDENCE, ("Lewati", "kr:s"))

    def waiting_for_espip(self, to: str) -> bool:
        draft = self.drafts.get(to)
        return draft is not None and draft.waiting_for_espip

    async def ask_handover(self, to: str, person: Person) -> None:
        draft = self.drafts.get(to)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        blockers = self.services.card.handover_blockers(draft.period)
        if blockers:
            await self.say(to, texts.handover_blocked(blockers))
            return
        await self.say(to, texts.CONFIRM_HANDOVER, ("Ya, serahkan", "kr:hy"), ("Batal", "kr:x"))

    async def card_step(
        self, to: str, person: Person, step: str, evidence: EvidenceFile | None = None
    ) -> None:
        draft = self.drafts.get(to)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        card = self.services.card
        try:
            new = card.record(person, draft.period, STEPS[step], evidence)
        except DomainError as exc:
            if exc.code == "precondition_missing" and exc.detail == "unit_belum_lengkap":
                await self.say(to, texts.handover_blocked(card.handover_blockers(draft.period)))
                return
            await self.say(to, texts.CARD_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        log.info(
            "provincial card %s: %s by person %s on WhatsApp", draft.period, new.status, person.id
        )
        if new.status is CardStatus.DISERAHKAN:
            self.drafts.pop(to, None)
            tz = self.services.timezone
            await self.say(to, texts.period_handed_over(draft.period, person, card.clock(), tz))
            return
        await self.say(to, texts.CARD_STEP_DONE[new.status])
        await self.show_card(to, draft)

    # ------------------------------------------------------------------ files

    async def ask_files(self, to: str) -> None:
        draft = self.drafts.get(to)
        if draft is None or not draft.item_code:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting_for_files = True
        await self.say(to, texts.WA_ASK_FILES, ("Selesai", "kr:d"), ("Batal", "kr:x"))

    def waiting_for_files(self, to: str) -> bool:
        draft = self.drafts.get(to)
        return draft is not None and draft.waiting_for_files

    async def receive(self, to: str, message: Message, person: Person | None = None) -> None:
        draft = self.drafts[to]
        media = message.document or message.image
        if media is None:
            await self.say(to, texts.WA_FILE_EXPECTED, ("Selesai", "kr:d"), ("Batal", "kr:x"))
            return
        svc = self.services.submission
        url = await self.wa.get_media_url(media.id)  # its size is known before downloading
        name = getattr(media, "filename", None)
        incoming = IncomingFile(name, media.mime_type, url.file_size)

        async def fetch() -> bytes:
            return await self.wa.get_media_bytes(url.url)

        try:
            received = await svc.receive_file(incoming, fetch)
        except FileTooLarge:
            await self.say(to, texts.file_too_large(svc.policy.max_mb))
            return
        except FileTypeNotAllowed:
            await self.say(to, texts.file_type_refused(sorted(svc.policy.allowed_extensions)))
            return
        except DownloadFailed:
            await self.say(to, texts.download_failed(name or "foto"))
            return
        if draft.waiting_for_espip and person is not None:
            await self.card_step(to, person, "espip", received)
            return
        earlier = svc.add_to_draft(draft.files, received)
        text = (
            texts.file_received(received, len(draft.files))
            if earlier is None
            else texts.file_already_in_draft(received, earlier, len(draft.files))
        )
        await self.say(to, text, ("Selesai", "kr:d"), ("Batal", "kr:x"))

    async def files_done(self, to: str) -> None:
        draft = self.drafts.get(to)
        if draft is None or not draft.item_code:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if not draft.files:
            await self.say(to, texts.NO_FILES_YET)
            return
        draft.waiting_for_files = False
        summary = texts.confirm_files(draft.item_name, draft.item_code, draft.files, draft.version)
        await self.say(to, summary, ("Kirim", "kr:c"), ("Batal", "kr:x"))

    # ------------------------------------------------------------------ confirm, cancel

    async def confirm(self, to: str, person: Person) -> None:
        draft = self.drafts.pop(to, None)
        if draft is None or not draft.files:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if draft.item_code == PROVINCIAL_CARD_ITEM:
            await self._confirm_card(to, person, draft)
            return
        try:
            result = self.services.submission.deliver(
                person, draft.period, draft.item_code, draft.version, draft.files
            )
        except DomainError as exc:
            await self.say(to, texts.SUBMISSION_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        log.info(
            "delivery over WhatsApp: person %s, %s %s version %s",
            person.id,
            draft.period,
            draft.item_code,
            result.state.version,
        )
        receipt = texts.receipt(result.item_name, result.state, result.late, result.files)
        await self.say(to, receipt, ("Daftar butir", "kr:b"))

    async def _confirm_card(self, to: str, person: Person, draft: Draft) -> None:
        card = self.services.card
        try:
            new = card.upload(person, draft.period, draft.version, draft.files)
        except DomainError as exc:
            await self.say(to, texts.CARD_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        log.info(
            "provincial card %s v%s uploaded on WhatsApp by %s",
            draft.period,
            new.version,
            person.id,
        )
        self.drafts[to] = draft
        await self.say(to, texts.card_uploaded(new, card.chain))
        await self.show_card(to, draft)

    async def cancel(self, to: str) -> None:
        draft = self.drafts.pop(to, None)
        if draft is None:  # a confirmed delivery ends the draft: nothing is pending
            await self.say(to, texts.NOTHING_TO_CANCEL)
            return
        text = texts.session_closed(
            False,
            confirmed=0,
            pending_files=len(draft.files),
            pending_note=False,
            item=f"{draft.item_code} {draft.item_name}".strip(),
        )
        await self.say(to, text.replace("/kirim", "kirim"))
