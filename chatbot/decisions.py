"""A reviewer's decision, decided once for both channels: approve at once, or return with a
reason (asked only after checking the button still applies, then confirmed), for an item and
for the provincial card alike. Each step takes the button's data (``chatbot.callbacks``) and
returns what to show; where the reviewer's pending return is kept is the channel's."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chatbot import callbacks, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.domain.text import reason_text
from chatbot.domain.workflow import CardState
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile

log = logging.getLogger(__name__)
LABEL_RETURN_YES = ("↩️ Ya, kembalikan", "Ya, kembalikan")


@dataclass
class PendingReturn:
    data: str  # the button pressed: rv:no:<state>:<version> or kc:no:<period>:<version>
    reason: str = ""
    what: str = ""  # what is being returned, as people read it
    prompt: str = ""  # the channel's id of the message asking for the reason


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision did: the line that says it (and, for an item, which one), or the
    sentence that refused it (nothing was decided)."""

    line: str = ""
    subject: str = ""  # "KEU-01 (KPU Kabupaten Kerinci, versi 2)" for an item; "" for the card
    refused: str = ""
    ask: Screen | None = None  # nothing decided yet: this confirmation first
    card: CardState | None = None  # the card asked about, its files shown with the question
    card_files: tuple[EvidenceFile, ...] = ()

    @property
    def text(self) -> str:
        if self.refused:
            return self.refused
        return f"{self.subject}: {self.line}" if self.subject else self.line


class Decisions:
    def __init__(self, services: Services) -> None:
        self.services = services

    def approve_all_question(
        self, person: Person, unit_code: str
    ) -> tuple[Screen, list[tuple[int, int]] | None]:
        """ "Setujui semua" of a unit: the question, and the (item, version) pairs it covers
        (exactly those shown: anything delivered meanwhile is not approved unseen)."""
        queue = {u.code: (u, t) for u, t in self.services.review.queue(person)}
        if unit_code not in queue:
            return Screen(texts.QUEUE_EMPTY), None
        unit, targets = queue[unit_code]
        pairs = [(t.state_id, t.state.version) for t in targets]
        unopened = self.services.review.not_opened(person, pairs)
        return screens.confirm_approve_all(unit, targets, unopened), pairs

    def approve_all(self, person: Person, pairs: list[tuple[int, int]]) -> Screen:
        done, skipped = self.services.review.approve_all(person, pairs)
        log.info("person %s approved %s items at once", person.id, len(done))
        return Screen(texts.approved_all(len(done), skipped))

    def ask_reason(self, person: Person, data: str) -> tuple[Screen, PendingReturn | None]:
        """A ↩️ button: may this person return this version now? Then the question."""
        item, card = callbacks.parse_review(data), callbacks.parse_card(data)
        if item is not None and not item.approve:
            try:
                target = self.services.review.check_return(person, item.state_id, item.version)
            except DomainError as exc:
                return Screen(texts.review_error(exc)), None
            title = texts.item_title(target.state.item_code, target.item_name)
            question = texts.ASK_RETURN_REASON.format(
                item=title, unit=target.unit.name, version=target.state.version
            )
            what = f"{title} dari {target.unit.name} (versi {target.state.version})"
            hint = texts.reason_hint(texts.item_short(target.state.item_code))
            return Screen(question, reply_hint=hint), PendingReturn(data, what=what)
        if card is not None and not card.approve:
            try:
                self.services.card.check_return(person, Period.parse(card.period), card.version)
            except DomainError as exc:
                return Screen(texts.card_error(exc)), None
            question = texts.ASK_CARD_RETURN_REASON.format(version=card.version)
            what = f"{texts.PROVINCIAL_CARD_NAME.lower()} versi {card.version}"
            hint = texts.reason_hint(f"kartu versi {card.version}")
            return Screen(question, reply_hint=hint), PendingReturn(data, what=what)
        return Screen(texts.BUTTON_INVALID), None

    def card_recap(self, person: Person, data: str, chain: bool = True) -> Screen:
        """A request's "Rekap": the chain and every unit's standing, with the request's own
        buttons while the person's paraf or signature is still due."""
        asked = callbacks.parse_card_recap(data)
        if asked is None:
            return Screen(texts.BUTTON_INVALID)
        period, version = Period.parse(asked[0]), asked[1]
        svc = self.services
        try:
            view = svc.card.view(period)
        except DomainError as exc:
            return Screen(texts.card_error(exc))
        text = texts.card_recap(view, svc.timezone, chain)
        try:
            svc.card.check_decide(person, period, version)
        except DomainError:
            return Screen(text)  # decided, returned or replaced: the recap alone
        stage = view.chain[view.state.stage]
        row = tuple(Action(label, d) for label, d in texts.card_buttons(view.state, stage))
        return Screen(text, (row,))

    @staticmethod
    def interrupted(pending: PendingReturn, data: str) -> Screen | None:
        """Another button pressed while a return waits for its reason or its confirmation:
        the return is dropped, said so, so that no later message becomes its reason. None
        for the return's own buttons."""
        if data == pending.data or data in (callbacks.RETURN_YES, callbacks.RETURN_NO):
            return None
        if callbacks.parse_card_recap(data) is not None:  # looking at the figures meanwhile
            return None
        return Screen(texts.return_interrupted(pending.what))

    def reason(
        self, person: Person, pending: PendingReturn, typed: str, replying_to: str = ""
    ) -> Screen:
        """The reason typed: checked, then the confirmation with its two buttons. A message
        answering another message (``replying_to``, not the question) is not taken for it."""
        if replying_to and pending.prompt and replying_to != pending.prompt:
            return Screen(texts.reason_elsewhere(pending.what))
        try:
            pending.reason = reason_text(typed)
        except DomainError as exc:
            return Screen(texts.review_error(exc))
        item = callbacks.parse_review(pending.data)
        if item is not None:
            target = self.services.review.target(person, item.state_id)
            question = texts.confirm_return(target, pending.reason)
        else:
            card = callbacks.parse_card(pending.data)
            assert card is not None
            question = texts.confirm_card_return(card.version, pending.reason)
        return Screen(
            question,
            (
                (
                    Action.of(LABEL_RETURN_YES, callbacks.RETURN_YES),
                    Action.of(texts.LABEL_CANCEL, callbacks.RETURN_NO),
                ),
            ),
        )

    def decide(
        self,
        person: Person,
        data: str,
        reason: str = "",
        shown_on: tuple[int, int] | None = None,
    ) -> Outcome:
        """Apply a ✅ button (``reason`` empty) or a confirmed return; ``shown_on``: the
        message (chat, id) it was taken on, which the channel edits itself."""
        svc = self.services
        item, card = callbacks.parse_review(data), callbacks.parse_card(data)
        approve = not reason
        if item is not None:
            try:
                decision = svc.review.decide_item(
                    person,
                    item.state_id,
                    item.version,
                    approve=approve,
                    reason=reason,
                    shown_on=shown_on,
                )
            except DomainError as exc:
                log.info("review refused: %s %s", exc.code, exc.detail)
                return Outcome(refused=texts.review_error(exc))
            log.info("item state %s v%s decided by %s", item.state_id, item.version, person.id)
            line = texts.decision_line(approve, person.name, decision.at, svc.timezone)
            subject = texts.decision_subject(decision.target)
            return Outcome(line, subject)
        if card is not None and approve and not card.confirmed:  # never by one tap
            period = Period.parse(card.period)
            try:
                view = svc.card.check_decide(person, period, card.version)
            except DomainError as exc:
                return Outcome(refused=texts.card_error(exc))
            kind = svc.card.chain[view.state.stage].kind
            files = view.submission.files if view.submission is not None else ()
            return Outcome(
                ask=screens.confirm_card_step(kind, view, card.period),
                card=view.state,
                card_files=files,
            )
        if card is not None:
            try:
                decided = svc.card.decide(
                    person, Period.parse(card.period), card.version, approve, reason, shown_on
                )
            except DomainError as exc:
                return Outcome(refused=texts.card_error(exc))
            line = texts.card_decided(approve, decided.stage, person.name, decided.at, svc.timezone)
            log.info("provincial card %s v%s: %s by %s", card.period, card.version, line, person.id)
            return Outcome(line)
        return Outcome(refused=texts.BUTTON_INVALID)
