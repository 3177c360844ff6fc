"""Decisions on WhatsApp: the notice's reply buttons approve at once, or return with a reason
typed as the next message and confirmed; items and the provincial card alike, through the
same review and card services as Telegram. WhatsApp cannot edit a sent message, so the outcome
comes as a new line."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pywa_async.client import WhatsApp
from pywa_async.types.callback import Section, SectionList, SectionRow

from chatbot import callbacks, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.domain.text import reason_text
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from whatsapp import render
from whatsapp.render import LIST_ROWS, ROW_DESCRIPTION, ROW_TITLE

log = logging.getLogger(__name__)


@dataclass
class PendingReturn:
    data: str  # the button pressed: rv:no:<state>:<version> or kc:no:<period>:<version>
    reason: str = ""


class Review:
    def __init__(self, wa: WhatsApp, services: Services) -> None:
        self.wa = wa
        self.services = services
        self.pending: dict[str, PendingReturn] = {}
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
        item, card = callbacks.parse_review(data), callbacks.parse_card(data)
        if item is not None and item.approve:
            await self._decide_item(to, person, data, "")
        elif card is not None and card.approve:
            await self._decide_card(to, person, data, "")
        elif item is not None:
            await self._ask_item_reason(to, person, data, item.state_id, item.version)
        elif card is None:
            await self.say(to, texts.WA_BUTTON_INVALID)
        else:
            try:
                self.services.card.check_return(person, Period.parse(card.period), card.version)
            except DomainError as exc:
                await self.say(to, texts.card_error(exc))
                return
            self.pending[to] = PendingReturn(data)
            await self.say(to, texts.ASK_CARD_RETURN_REASON.format(version=card.version))

    async def _ask_item_reason(
        self, to: str, person: Person, data: str, state_id: int, version: int
    ) -> None:
        try:
            target = self.services.review.check_return(person, state_id, version)
        except DomainError as exc:
            await self.say(to, texts.review_error(exc))
            return
        state = target.state
        self.pending[to] = PendingReturn(data)
        question = texts.ASK_RETURN_REASON.format(
            code=state.item_code, name=target.item_name, unit=target.unit.name, version=version
        )
        await self.say(to, question)

    async def reason(self, to: str, person: Person, text: str) -> None:
        pending = self.pending[to]
        try:
            pending.reason = reason_text(text)
        except DomainError as exc:
            await self.say(to, texts.review_error(exc))
            return
        item = callbacks.parse_review(pending.data)
        if item is not None:
            target = self.services.review.target(person, item.state_id)
            question = texts.confirm_return(target, pending.reason)
        else:
            card = callbacks.parse_card(pending.data)
            assert card is not None
            question = texts.confirm_card_return(card.version, pending.reason)
        await self.say(to, question, ("Ya, kembalikan", "rt:y"), ("Batal", "rt:n"))

    async def confirm(self, to: str, person: Person) -> None:
        pending = self.pending.pop(to, None)
        if pending is None or not pending.reason:
            await self.say(to, texts.WA_SESSION_ENDED)
            return
        if pending.data.startswith("rv:"):
            await self._decide_item(to, person, pending.data, pending.reason)
        else:
            await self._decide_card(to, person, pending.data, pending.reason)

    async def cancel(self, to: str) -> bool:
        if self.pending.pop(to, None) is None:
            return False
        await self.say(to, texts.RETURN_CANCELLED)
        return True

    async def _decide_item(self, to: str, person: Person, data: str, reason: str) -> None:
        choice = callbacks.parse_review(data)
        assert choice is not None
        try:
            decision = self.services.review.decide_item(
                person, choice.state_id, choice.version, approve=not reason, reason=reason
            )
        except DomainError as exc:
            await self.say(to, texts.review_error(exc))
            return
        log.info(
            "item state %s v%s decided on WhatsApp by %s",
            choice.state_id,
            choice.version,
            person.id,
        )
        state = decision.target.state
        line = texts.decision_line(
            decision.approve, person.name, decision.at, self.services.timezone
        )
        await self.say(
            to, f"{decision.target.unit.code} {state.item_code} versi {state.version}: {line}"
        )

    async def _decide_card(self, to: str, person: Person, data: str, reason: str) -> None:
        choice = callbacks.parse_card(data)
        assert choice is not None
        svc = self.services
        try:
            decided = svc.card.decide(
                person, Period.parse(choice.period), choice.version, not reason, reason
            )
        except DomainError as exc:
            await self.say(to, texts.card_error(exc))
            return
        line = texts.card_decided(
            not reason, decided.stage, person.name, svc.card.clock(), svc.timezone
        )
        log.info("provincial card %s v%s: %s by %s", choice.period, choice.version, line, person.id)
        await self.say(to, line)
