"""`kirim` on WhatsApp: the same screens and services as Telegram's /kirim (the checklist as a
paged list, the item and the provincial card with their steps, files fetched through the Graph
API into the same evidence store, "tidak ada kegiatan" with a typed note, withdrawal, another
open period, the confirmation). The draft of a delivery lives in memory per person, like
Telegram's conversations, and ends after the same idle time with the same sentence saying what
was kept; nothing reaches the database before the confirmation."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from pywa_async.client import WhatsApp
from pywa_async.types.message import Message

from chatbot import screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.files import FileTooLarge, FileTypeNotAllowed
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.text import reason_text
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, CardStep
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import DownloadFailed, IncomingFile
from whatsapp import render

log = logging.getLogger(__name__)


class Waiting(Enum):
    """What the next message of the person is taken as."""

    CHOICE = "choice"  # a button or a command
    FILES = "files"
    NOTE = "note"  # the "tidak ada kegiatan" note
    ESPIP = "espip"  # the provincial card's e-SPIP screenshot


@dataclass
class Draft:
    period: Period
    touched: datetime
    item_code: str = ""
    item_name: str = ""
    version: int = 0
    files: list[EvidenceFile] = field(default_factory=list)
    note: str = ""
    waiting: Waiting = Waiting.CHOICE
    confirmed: int = 0  # deliveries confirmed in this session: kept whatever happens next

    def open_item(self, code: str, name: str, version: int) -> None:
        self.item_code, self.item_name, self.version = code, name, version
        self.files, self.note, self.waiting = [], "", Waiting.CHOICE


class Kirim:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.drafts: dict[str, Draft] = {}

    def _now(self) -> datetime:
        return self.services.submission.clock()

    async def say(self, to: str, text: str) -> None:
        await render.show(self.wa, to, Screen(text))

    async def show(self, to: str, screen: Screen, page: int = 0) -> None:
        await render.show(self.wa, to, screen, page)

    def _draft(self, to: str, item: bool = False) -> Draft | None:
        """The person's draft, touched now; None when there is none (or, with ``item``, when
        no item is open in it)."""
        draft = self.drafts.get(to)
        if draft is None or (item and not draft.item_code):
            return None
        draft.touched = self._now()
        return draft

    def waiting(self, to: str) -> Waiting:
        draft = self.drafts.get(to)
        return draft.waiting if draft is not None else Waiting.CHOICE

    # ------------------------------------------------------------------ the checklist

    async def start(
        self, to: str, person: Person, page: int = 0, period: Period | None = None
    ) -> None:
        if not person.may(Permission.SUBMIT_EVIDENCE):
            await self.say(to, texts.NOT_ALLOWED)
            return
        svc = self.services.submission
        periods = svc.open_periods()
        if not periods:
            await self.say(to, texts.NO_OPEN_PERIOD)
            return
        draft = self.drafts.get(to)
        if period not in periods:
            period = draft.period if draft is not None and draft.period in periods else periods[-1]
        try:
            checklist = svc.checklist(person, period)
        except DomainError as exc:
            await self.say(to, texts.submission_error(exc))
            return
        confirmed = draft.confirmed if draft is not None else 0
        self.drafts[to] = Draft(period=period, touched=self._now(), confirmed=confirmed)
        card = (
            self.services.card.view(period)
            if person.may(Permission.DRAFT_PROVINCIAL_CARD)
            else None
        )
        await self.show(to, screens.checklist(checklist, periods, card), page)

    async def item(self, to: str, person: Person, code: str) -> None:
        draft = self._draft(to)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if code == PROVINCIAL_CARD_ITEM and person.may(Permission.DRAFT_PROVINCIAL_CARD):
            await self.show_card(to, draft)
            return
        try:
            detail = self.services.submission.item_detail(person, draft.period, code)
        except DomainError as exc:
            await self.say(to, texts.submission_error(exc))
            return
        if not detail.card_not_ready:
            name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
            draft.open_item(code, name, detail.state.version)
        await self.show(to, screens.item(detail, self.services.timezone))

    async def withdraw(self, to: str, person: Person, code: str, version: int) -> None:
        draft = self._draft(to)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        try:
            self.services.submission.withdraw(person, draft.period, code, version)
        except DomainError as exc:
            await self.say(to, texts.submission_error(exc))
            return
        log.info(
            "withdrawal over WhatsApp: person %s, %s %s v%s", person.id, draft.period, code, version
        )
        await self.say(to, texts.withdrawn(code, version))
        await self.item(to, person, code)

    # ------------------------------------------------------------------ the provincial card

    async def show_card(self, to: str, draft: Draft) -> None:
        view = self.services.card.view(draft.period)
        draft.open_item(PROVINCIAL_CARD_ITEM, texts.PROVINCIAL_CARD_NAME, view.state.version)
        await self.show(to, screens.provincial_card(view, self.services.timezone))

    async def ask_espip(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting = Waiting.ESPIP
        await self.show(to, screens.ask_espip())

    async def ask_handover(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        try:
            self.services.card.check_handover(draft.period)
        except DomainError as exc:
            await self.say(to, texts.card_error(exc))
            return
        await self.show(to, screens.confirm_handover())

    async def card_step(
        self, to: str, person: Person, step: CardStep, evidence: EvidenceFile | None = None
    ) -> None:
        draft = self._draft(to, item=True)
        if draft is None or draft.item_code != PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        card = self.services.card
        try:
            card.record(person, draft.period, step, evidence)
        except DomainError as exc:
            draft.waiting = Waiting.CHOICE
            await self.say(to, texts.card_error(exc))
            return
        log.info("provincial card %s: %s by person %s on WhatsApp", draft.period, step, person.id)
        if step is CardStep.HANDOVER:  # recorded: the period is closed
            self.drafts.pop(to, None)
            tz = self.services.timezone
            await self.say(to, texts.period_handed_over(draft.period, person, card.clock(), tz))
            return
        view = card.view(draft.period)
        await self.say(to, texts.CARD_STEP_DONE[view.state.status])
        await self.show_card(to, draft)

    # ------------------------------------------------------------------ files and notes

    async def ask_files(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting = Waiting.FILES
        await self.show(to, screens.ask_files())

    async def ask_note(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None or draft.item_code == PROVINCIAL_CARD_ITEM:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting = Waiting.NOTE
        await self.say(to, texts.ASK_NOTE)

    async def note(self, to: str, text: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        try:
            note = reason_text(text, note=True)
        except DomainError as exc:
            await self.say(to, texts.submission_error(exc))
            return
        draft.note, draft.files, draft.waiting = note, [], Waiting.CHOICE
        screen = screens.confirm_nihil(draft.item_name, draft.item_code, note, draft.version)
        await self.show(to, screen)

    async def receive(self, to: str, message: Message, person: Person) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        media = message.document or message.image
        if media is None:
            await self.show(to, screens.text_instead_of_file())
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
        if draft.waiting is Waiting.ESPIP:
            await self.card_step(to, person, CardStep.ESPIP, received)
            return
        earlier = svc.add_to_draft(draft.files, received)
        await self.show(to, screens.file_received(received, earlier, len(draft.files)))

    async def files_done(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if not draft.files:
            await self.say(to, texts.NO_FILES_YET)
            return
        draft.waiting = Waiting.CHOICE
        screen = screens.confirm_files(draft.item_name, draft.item_code, draft.files, draft.version)
        await self.show(to, screen)

    # ------------------------------------------------------------------ confirm, cancel, time-out

    async def confirm(self, to: str, person: Person) -> None:
        draft = self._draft(to, item=True)
        if draft is None or not (draft.files or draft.note):
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if draft.item_code == PROVINCIAL_CARD_ITEM:
            await self._confirm_card(to, person, draft)
            return
        try:
            result = self.services.submission.deliver(
                person, draft.period, draft.item_code, draft.version, draft.files, draft.note
            )
        except DomainError as exc:
            self.drafts.pop(to, None)
            await self.say(to, texts.submission_error(exc))
            return
        log.info(
            "delivery over WhatsApp: person %s, %s %s version %s",
            person.id,
            draft.period,
            draft.item_code,
            result.state.version,
        )
        draft.confirmed += 1
        draft.item_code, draft.files, draft.note = "", [], ""  # delivered: nothing pending
        await self.show(to, screens.receipt(result, list_button=True))

    async def _confirm_card(self, to: str, person: Person, draft: Draft) -> None:
        card = self.services.card
        try:
            new = card.upload(person, draft.period, draft.version, draft.files)
        except DomainError as exc:
            self.drafts.pop(to, None)
            await self.say(to, texts.card_error(exc))
            return
        log.info(
            "provincial card %s v%s uploaded on WhatsApp by %s",
            draft.period,
            new.version,
            person.id,
        )
        await self.say(to, texts.card_uploaded(new, card.chain))
        await self.show_card(to, draft)

    @staticmethod
    def _closing(draft: Draft, timed_out: bool) -> str:
        return texts.session_closed(
            timed_out,
            confirmed=draft.confirmed,
            pending_files=len(draft.files),
            pending_note=bool(draft.note),
            item=f"{draft.item_code} {draft.item_name}".strip(),
        )

    async def cancel(self, to: str) -> None:
        draft = self.drafts.pop(to, None)
        if draft is None:
            await self.say(to, texts.NOTHING_TO_CANCEL)
            return
        await self.say(to, self._closing(draft, timed_out=False))

    async def expire_idle(self) -> int:
        """End the drafts idle longer than the conversation time-out (as Telegram's do), each
        person told what was kept. Returns how many ended."""
        limit = self.services.conversation_timeout
        now = self._now()
        idle = [to for to, d in self.drafts.items() if now - d.touched >= limit]
        for to in idle:
            draft = self.drafts.pop(to)
            try:
                await self.say(to, self._closing(draft, timed_out=True))
            except Exception:  # the person is told at their next message instead
                log.warning("could not tell WhatsApp user %s that the session ended", to)
        return len(idle)
