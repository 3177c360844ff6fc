"""Decisions on WhatsApp: the notice's reply buttons approve at once, or return with a reason
typed as the next message and confirmed; items and the provincial card alike, through the
same review and card services as Telegram. WhatsApp cannot edit a sent message, so the outcome
comes as a new line."""

from __future__ import annotations

import logging
from datetime import datetime

from pywa_async.client import WhatsApp

from chatbot import callbacks, decisions, desk, screens, texts
from chatbot.domain.people import Person
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from whatsapp import outbox, render

log = logging.getLogger(__name__)


class Review:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.flow = decisions.Decisions(services)
        self.desk = desk.Desk(services, originals_with_pictures=True)
        self.pending: dict[str, decisions.PendingReturn] = {}
        self.touched: dict[str, datetime] = {}  # when each pending return was last used
        self.approving: dict[str, list[tuple[int, int]]] = {}  # the items shown

    async def say(self, to: str, text: str, *pairs: tuple[str, str]) -> None:
        row = tuple(Action(label, data, label) for label, data in pairs)
        await render.show(self.wa, to, Screen(text, (row,) if row else ()))

    async def queue(self, to: str, person: Person, page: int = 0) -> None:
        """What waits for this person: the deliveries (how many per unit, "Periksa", each
        unit's "Setujui semua"), and the provincial card with its two buttons."""
        svc = self.services
        shown = 0
        groups = svc.review.queue(person)
        if groups:
            await render.show(self.wa, to, screens.queue(groups), page)
            shown += 1
        for state, stage, _ in svc.card.waiting_for(person):
            buttons = [b for row in texts.card_keyboard(state, stage) for b in row]
            await self.say(to, texts.queue_card(state, stage), *buttons)
            shown += 1
        if not shown:
            await self.say(to, texts.QUEUE_EMPTY)

    # ------------------------------------------------------------------ the desk

    async def show_page(self, to: str, page: desk.Page) -> None:
        """The pictures (each with its caption), the files as they are, then the desk."""
        for picture in page.pictures:
            await self.wa.send_image(
                to=to,
                image=picture.path.read_bytes(),
                caption=picture.caption,
                mime_type="image/jpeg" if picture.path.suffix == ".jpg" else None,
            )
        for f in page.documents:
            await self._document(to, f)
        await render.show(self.wa, to, page.screen)

    async def _document(self, to: str, f: EvidenceFile) -> None:
        path = self.services.files.path(f.sha256)
        if not path.is_file():
            log.warning("evidence %s (%s) missing from the store", f.sha256, f.file_name)
            await self.say(to, texts.files_missing([f.file_name]).strip())
            return
        await outbox.send_document(self.wa, to, path, f.file_name)

    async def desk_open(self, to: str, person: Person, state_id: int = 0) -> None:
        await self.show_page(to, await self.desk.open(person, state_id))

    async def desk_skip(self, to: str, person: Person, state_id: int) -> None:
        await self.show_page(to, await self.desk.skip(person, state_id))

    async def desk_originals(self, to: str, person: Person, state_id: int) -> None:
        files, refused = self.desk.originals(person, state_id)
        if refused:
            await self.say(to, refused)
        for f in files:
            await self._document(to, f)

    async def desk_decide(self, to: str, person: Person, data: str, reason: str = "") -> None:
        _, page = await self.desk.decide(person, data, reason)
        await self.show_page(to, page)

    async def ask_approve_all(self, to: str, person: Person, unit_code: str) -> None:
        question, pairs = self.flow.approve_all_question(person, unit_code)
        if pairs is not None:
            self.approving[to] = pairs
        await render.show(self.wa, to, question)

    async def approve_all(self, to: str, person: Person) -> None:
        pairs = self.approving.pop(to, None)
        if pairs is None:
            await self.say(to, texts.CHOICE_EXPIRED)
            return
        await render.show(self.wa, to, self.flow.approve_all(person, pairs))

    async def cancel_approve_all(self, to: str) -> None:
        self.approving.pop(to, None)
        await self.say(to, texts.APPROVE_ALL_CANCELLED)

    async def drop_pending(self, to: str, data: str) -> None:
        """Another button pressed while a return waits: dropped, and said so."""
        pending = self.pending.get(to)
        said = self.flow.interrupted(pending, data) if pending is not None else None
        if said is not None:
            self.pending.pop(to, None)
            log.info("pending return %s of %s dropped by another button", data, to)
            await render.show(self.wa, to, said)

    def waiting_for_reason(self, to: str) -> bool:
        pending = self.pending.get(to)
        return pending is not None and not pending.reason

    async def pressed(self, to: str, person: Person, data: str) -> None:
        """✅ decides at once; ↩️ asks for the reason (if the button still applies)."""
        choice = callbacks.parse_review(data) or callbacks.parse_card(data)
        if choice is None:
            await self.say(to, texts.WA_BUTTON_INVALID)
        elif choice.approve and isinstance(choice, callbacks.ReviewChoice) and choice.desk:
            await self.desk_decide(to, person, data)
        elif choice.approve:
            outcome = self.flow.decide(person, data)
            if outcome.ask is not None:  # a paraf or signature: confirmed, the card in view
                await self.show_page(to, await desk.card_confirmation(self.services, outcome))
            else:
                await self.say(to, outcome.text)
        else:
            question, pending = self.flow.ask_reason(person, data)
            asked = await render.show(self.wa, to, question)
            if pending is not None:
                pending.prompt = asked
                self.pending[to] = pending
                self.touched[to] = self.services.review.clock()

    async def card_recap(self, to: str, person: Person, data: str) -> None:
        """A request's "Rekap": WhatsApp cannot edit the request, so the recap comes as a
        message of its own, with the request's buttons while they apply."""
        await render.show(self.wa, to, self.flow.card_recap(person, data))

    async def reason(self, to: str, person: Person, text: str, replying_to: str = "") -> None:
        """The next text while a reason is awaited (``replying_to``: the message it answers,
        when it is a reply)."""
        self.touched[to] = self.services.review.clock()
        screen = self.flow.reason(person, self.pending[to], text, replying_to)
        await render.show(self.wa, to, screen)

    def expire_idle(self) -> int:
        """Returns left half-way end after the conversation time-out, as on Telegram (where
        the return conversation ends silently too): nothing was decided."""
        limit = self.services.conversation_timeout
        now = self.services.review.clock()
        idle = [to for to, at in self.touched.items() if now - at >= limit]
        for to in idle:
            self.pending.pop(to, None)
            self.touched.pop(to, None)
        return len(idle)

    async def confirm(self, to: str, person: Person) -> None:
        pending = self.pending.pop(to, None)
        if pending is None or not pending.reason:
            await self.say(to, texts.CHOICE_EXPIRED)
            return
        choice = callbacks.parse_review(pending.data)
        if choice is not None and choice.desk:  # at the desk: the next delivery follows
            await self.desk_decide(to, person, pending.data, pending.reason)
            return
        await self.say(to, self.flow.decide(person, pending.data, pending.reason).text)

    async def cancel(self, to: str) -> bool:
        if self.pending.pop(to, None) is None:
            return False
        await self.say(to, texts.RETURN_CANCELLED)
        return True
