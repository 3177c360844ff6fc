"""`kirim` on WhatsApp: the delivery flow of ``chatbot.delivery`` (shared with Telegram). This
module keeps each person's draft in memory (like Telegram's conversations), knows what their
next message is taken as (a choice, files, the "tidak ada kegiatan" note, the e-SPIP
screenshot), fetches files through the Graph API, and renders the screens the flow returns.
An idle draft ends after the same time-out as on Telegram, with the same sentence saying what
was kept."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from pywa.errors import WhatsAppError
from pywa_async.client import WhatsApp
from pywa_async.types.message import Message

from chatbot import delivery, screens, texts
from chatbot.callbacks import KirimTarget
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import IncomingFile
from whatsapp import render

log = logging.getLogger(__name__)


class Waiting(Enum):
    """What the next message of the person is taken as."""

    CHOICE = "choice"  # a button or a command
    FILES = "files"
    NOTE = "note"  # the "tidak ada kegiatan" note
    CONFIRM = "confirm"  # the summary is shown: its buttons decide
    ESPIP = "espip"  # the provincial card's e-SPIP screenshot


@dataclass
class Draft(delivery.Draft):
    touched: datetime | None = None
    waiting: Waiting = Waiting.CHOICE
    asked: bool = False  # which item the files sent before one was chosen are for

    def open_item(self, code: str, name: str, version: int, steps: delivery.Steps = ()) -> None:
        super().open_item(code, name, version, steps)
        self.waiting, self.asked = Waiting.CHOICE, False


class Kirim:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.flow = delivery.Delivery(services)
        self.drafts: dict[str, Draft] = {}

    def _now(self) -> datetime:
        return self.services.submission.clock()

    async def say(self, to: str, text: str) -> None:
        await render.show(self.wa, to, Screen(text))

    async def show(self, to: str, *shown: Screen, page: int = 0) -> None:
        for screen in shown:
            await render.show(self.wa, to, screen, page)

    def _draft(self, to: str, item: bool = False, card: bool = False) -> Draft | None:
        """The person's draft, touched now; None when there is none (or, with ``item``, no
        item is open in it; with ``card``, the provincial card is not)."""
        draft = self.drafts.get(to)
        if draft is None or (item and not draft.item_code) or (card and not draft.on_card):
            return None
        draft.touched = self._now()
        return draft

    def _session(self, to: str, person: Person) -> Draft | Screen:
        """The person's draft, begun now when there is none (a file, or an item's button
        from a notice, before ``kirim``); else why there can be none."""
        draft, refusal = self.flow.session(person, self.drafts.get(to))
        if draft is None:
            return refusal or Screen(texts.NO_OPEN_PERIOD)
        if not isinstance(draft, Draft):
            draft = Draft(period=draft.period, person_id=draft.person_id, delivered=draft.delivered)
            self.drafts[to] = draft
        draft.touched = self._now()
        return draft

    async def stale(self, to: str, person: Person) -> None:
        """A button of a session that ended: what is kept, and how to go on."""
        await self.say(to, self.flow.stale(person))

    def waiting(self, to: str) -> Waiting:
        draft = self.drafts.get(to)
        return draft.waiting if draft is not None else Waiting.CHOICE

    # ------------------------------------------------------------------ the checklist

    async def start(
        self, to: str, person: Person, page: int = 0, period: Period | None = None
    ) -> None:
        screen, new = self.flow.checklist(person, self.drafts.get(to), period)
        if new is not None:
            self.drafts[to] = Draft(
                period=new.period,
                person_id=new.person_id,
                delivered=new.delivered,
                touched=self._now(),
            )
        await self.show(to, screen, page=page)

    async def item(self, to: str, person: Person, code: str, period: Period | None = None) -> None:
        draft = self._session(to, person)  # a notice's button begins one
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        draft.waiting = Waiting.CHOICE
        await self.show(to, self.flow.item(person, draft, code, period))
        if draft.takes_files:  # a file sent now is for this item
            draft.waiting = Waiting.FILES

    async def assign(
        self, to: str, person: Person, code: str, period: Period | None = None
    ) -> None:
        """The item chosen for the files sent before one was; the confirmation follows."""
        draft = self._session(to, person)
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        screen = self.flow.assign(person, draft, code, period)
        draft.waiting = Waiting.FILES if draft.takes_files else Waiting.CHOICE
        await self.show(to, screen)

    async def which_item(self, to: str, person: Person, page: int = 0) -> None:
        draft = self._session(to, person)
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        draft.asked = True
        await self.show(to, self.flow.which_item(person, draft), page=page)

    async def discard(self, to: str, person: Person, target: KirimTarget | None) -> None:
        draft = self._session(to, person)
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        await self.show(to, *self.flow.discard(person, draft, target))

    async def withdraw(
        self, to: str, person: Person, code: str, version: int, period: Period | None = None
    ) -> None:
        draft = self._session(to, person)
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        await self.show(to, *self.flow.withdraw(person, draft, code, version, period))

    # ------------------------------------------------------------------ the provincial card

    async def ask_espip(self, to: str) -> None:
        draft = self._draft(to, card=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting = Waiting.ESPIP
        await self.show(to, screens.ask_espip())

    async def ask_handover(self, to: str) -> None:
        draft = self._draft(to, card=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        await self.show(to, self.flow.handover_question(draft))

    async def record_espip(
        self, to: str, person: Person, screenshot: EvidenceFile | None = None
    ) -> None:
        await self._record(to, lambda draft: self.flow.record_espip(person, draft, screenshot))

    async def record_kirim_data(self, to: str, person: Person) -> None:
        await self._record(to, lambda draft: self.flow.record_kirim_data(person, draft))

    async def record_handover(self, to: str, person: Person) -> None:
        await self._record(to, lambda draft: self.flow.record_handover(person, draft))

    async def _record(self, to: str, record: Callable[[Draft], tuple[list[Screen], bool]]) -> None:
        draft = self._draft(to, card=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        draft.waiting = Waiting.CHOICE
        shown, ended = record(draft)
        if ended:
            self.drafts.pop(to, None)
        await self.show(to, *shown)

    # ------------------------------------------------------------------ files and notes

    async def _no_item(self, to: str) -> None:
        """A step of an item pressed when none is open: an older message's button."""
        await self.say(
            to, texts.STEP_NOT_AVAILABLE if to in self.drafts else texts.WA_SESSION_ENDED
        )

    async def _prompt(
        self, to: str, ask: Callable[[delivery.Delivery, Draft], Screen | None], waiting: Waiting
    ) -> None:
        """A step of the open item: its prompt, then what the next message is taken as."""
        draft = self._draft(to, item=True)
        if draft is None:
            await self._no_item(to)
            return
        prompt = ask(self.flow, draft)
        if prompt is None:  # a button of an item that no longer allows it
            await self.say(to, texts.STEP_NOT_AVAILABLE)
            return
        draft.waiting = waiting
        await self.show(to, prompt)

    async def ask_files(self, to: str) -> None:
        await self._prompt(to, delivery.Delivery.ask_files, Waiting.FILES)

    async def ask_note(self, to: str) -> None:
        await self._prompt(to, delivery.Delivery.ask_note, Waiting.NOTE)

    async def note(self, to: str, text: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        screen = self.flow.note(draft, text)
        if draft.note:
            draft.waiting = Waiting.CONFIRM
        await self.show(to, screen)

    async def confirm_by_button(self, to: str) -> None:
        await self.show(to, self.flow.confirm_by_button())

    async def typed_instead_of_file(self, to: str) -> None:
        draft = self._draft(to)
        if draft is not None:
            await self.show(to, self.flow.typed_instead_of_file(draft))

    async def receive(self, to: str, message: Message, person: Person) -> None:
        """A document or image at any moment: the e-SPIP screenshot when asked for; else into
        the open item, or kept apart with the question which item it is for (asked once;
        the next files before the answer are acknowledged briefly)."""
        media = message.document or message.image
        if media is None:  # a sticker, a voice note, a location... where files are awaited
            kind = str(getattr(message.type, "value", message.type) or "")
            await self.show(to, self.flow.not_a_file(kind))
            return
        draft = self._session(to, person)
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        name = getattr(media, "filename", None)
        try:
            url = await self.wa.get_media_url(media.id)  # its size is known before downloading
        except WhatsAppError as exc:  # gone, or Meta failing: said, logged, nothing kept
            log.warning(
                "media %s of WhatsApp user %s could not be looked up: %s", media.id, to, exc
            )
            await self.say(to, texts.download_failed(name or "foto"))
            return
        incoming = IncomingFile(name, media.mime_type, url.file_size)

        async def fetch() -> bytes:
            return await self.wa.get_media_bytes(url.url)

        received = await self.flow.receive(incoming, fetch)
        if isinstance(received, Screen):
            await self.show(to, received)
        elif draft.waiting is Waiting.ESPIP and draft.on_card:
            await self.record_espip(to, person, received)
        else:
            asked = draft.asked
            screen = self.flow.take_file(person, draft, received)
            if draft.takes_files:
                draft.waiting = Waiting.FILES
                await self.show(to, screen)
            elif asked:  # the list was sent a moment ago: not again for every image
                await self.show(to, self.flow.loose_received(person, draft))
            else:
                draft.asked = True
                await self.show(to, screen)

    async def files_done(self, to: str) -> None:
        draft = self._draft(to, item=True)
        if draft is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        summary = self.flow.files_done(draft)
        if summary is None:
            await self.say(to, texts.NO_FILES_YET)
            return
        draft.waiting = Waiting.CONFIRM
        await self.show(to, summary)

    # ------------------------------------------------------------------ confirm, cancel, time-out

    async def confirm(self, to: str, person: Person, target: KirimTarget | None) -> None:
        draft = self._session(to, person) if target is not None else self._draft(to, item=True)
        if draft is None:  # the bare "Kirim" of before, with no session
            await self.stale(to, person)
            return
        if isinstance(draft, Screen):
            await self.show(to, draft)
            return
        # WhatsApp cannot update the list sent earlier: the receipt carries a button to it
        shown, _, _ = self.flow.confirm(person, draft, list_button=True, target=target)
        draft.waiting = Waiting.CHOICE
        await self.show(to, *shown)

    async def cancel(self, to: str) -> None:
        draft = self.drafts.pop(to, None)
        if draft is None:
            await self.say(to, texts.NOTHING_TO_CANCEL)
            return
        await self.say(to, self.flow.closing(draft, timed_out=False))

    def forget(self, to: str) -> None:
        """Their session ends unsaid (their access ended: their drafts are in the database,
        handed over)."""
        self.drafts.pop(to, None)

    async def expire_idle(self) -> int:
        """End the drafts idle longer than the conversation time-out (as Telegram's do), each
        person told what was kept. Returns how many ended."""
        limit = self.services.conversation_timeout
        now = self._now()
        idle = [to for to, d in self.drafts.items() if d.touched and now - d.touched >= limit]
        for to in idle:
            draft = self.drafts.pop(to)
            text = self.flow.closing(draft, timed_out=True)
            if not text:  # nothing to one whose access ended
                continue
            try:
                await self.say(to, text)
            except Exception:  # the person is told at their next message instead
                log.warning("could not tell WhatsApp user %s that the session ended", to)
        return len(idle)
