"""Decisions on WhatsApp: the notice's reply buttons approve at once, or return with a reason
typed as the next message and confirmed; items and the provincial card alike, through the
same review and card services as Telegram. WhatsApp cannot edit a sent message, so the outcome
comes as a new line."""

from __future__ import annotations

import logging

from pywa_async.client import WhatsApp
from pywa_async.types.callback import Section, SectionList, SectionRow

from chatbot import callbacks, decisions, screens, texts
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from whatsapp import render
from whatsapp.render import LIST_ROWS, ROW_DESCRIPTION, ROW_TITLE

log = logging.getLogger(__name__)


class Review:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.flow = decisions.Decisions(services)
        self.pending: dict[str, decisions.PendingReturn] = {}
        self.approving: dict[str, tuple[str, list[tuple[int, int]]]] = {}  # unit, items

    async def say(self, to: str, text: str, *pairs: tuple[str, str]) -> None:
        row = tuple(Action(label, data, label) for label, data in pairs)
        await render.show(self.wa, to, Screen(text, (row,) if row else ()))

    async def queue(self, to: str, person: Person) -> None:
        """What waits for this person: per unit the list of deliveries (a row each, at most
        10), and the provincial card with its two buttons."""
        svc = self.services
        shown = 0
        for unit, targets in svc.review.queue(person):
            shown_targets = targets[: LIST_ROWS - 1] if len(targets) > 1 else targets
            rows = [
                SectionRow(
                    title=f"{t.state.item_code} v{t.state.version}"[:ROW_TITLE],
                    callback_data=callbacks.queue_target(t.state_id, t.state.version),
                    description=t.item_name[:ROW_DESCRIPTION],
                )
                for t in shown_targets
            ]
            if len(targets) > 1:  # as on Telegram: every item of the unit, one confirmation
                rows.append(
                    SectionRow(
                        title=f"✅ Setujui semua ({len(targets)})"[:ROW_TITLE],
                        callback_data=callbacks.approve_all(unit.code),
                        description=unit.name[:ROW_DESCRIPTION],
                    )
                )
            await self.wa.send_message(
                to=to,
                text=texts.queue_unit(unit, targets, svc.timezone),
                buttons=SectionList(
                    button_title=texts.WA_PICK_DELIVERY,
                    sections=[Section(title=unit.code[:ROW_TITLE], rows=rows)],
                ),
            )
            shown += 1
        for state, stage in svc.card.waiting_for(person):
            await self.say(to, texts.queue_card(state, stage), *texts.card_buttons(state, stage))
            shown += 1
        if not shown:
            await self.say(to, texts.QUEUE_EMPTY)

    async def show_target(self, to: str, person: Person, state_id: int, version: int) -> None:
        try:
            target = self.services.review.target(person, state_id)
        except DomainError as exc:
            await self.say(to, texts.review_error(exc))
            return
        text = texts.queue_unit(target.unit, [target], self.services.timezone)
        await self.say(
            to,
            text,
            ("✅ Setujui", callbacks.review(True, state_id, version)),
            ("↩️ Kembalikan", callbacks.review(False, state_id, version)),
        )

    async def ask_approve_all(self, to: str, person: Person, unit_code: str) -> None:
        queue = {u.code: (u, t) for u, t in self.services.review.queue(person)}
        if unit_code not in queue:
            await self.say(to, texts.QUEUE_EMPTY)
            return
        unit, targets = queue[unit_code]
        self.approving[to] = (unit_code, [(t.state_id, t.state.version) for t in targets])
        await render.show(self.wa, to, screens.confirm_approve_all(unit, targets))

    async def approve_all(self, to: str, person: Person) -> None:
        pending = self.approving.pop(to, None)
        if pending is None:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        done, skipped = self.services.review.approve_all(person, pending[1])
        log.info(
            "person %s approved %s items of %s at once on WhatsApp",
            person.id,
            len(done),
            pending[0],
        )
        await self.say(to, texts.approved_all(len(done), skipped))

    async def cancel_approve_all(self, to: str) -> None:
        self.approving.pop(to, None)
        await self.say(to, texts.APPROVE_ALL_CANCELLED)

    def waiting_for_reason(self, to: str) -> bool:
        pending = self.pending.get(to)
        return pending is not None and not pending.reason

    async def pressed(self, to: str, person: Person, data: str) -> None:
        """✅ decides at once; ↩️ asks for the reason (if the button still applies)."""
        choice = callbacks.parse_review(data) or callbacks.parse_card(data)
        if choice is None:
            await self.say(to, texts.WA_BUTTON_INVALID)
        elif choice.approve:
            await self.say(to, self.flow.decide(person, data).text)
        else:
            question, pending = self.flow.ask_reason(person, data)
            if pending is not None:
                self.pending[to] = pending
            await render.show(self.wa, to, question)

    async def reason(self, to: str, person: Person, text: str) -> None:
        await render.show(self.wa, to, self.flow.reason(person, self.pending[to], text))

    async def confirm(self, to: str, person: Person) -> None:
        pending = self.pending.pop(to, None)
        if pending is None or not pending.reason:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        await self.say(to, self.flow.decide(person, pending.data, pending.reason).text)

    async def cancel(self, to: str) -> bool:
        if self.pending.pop(to, None) is None:
            return False
        await self.say(to, texts.RETURN_CANCELLED)
        return True
