"""The delivery flow (SOP steps 2, 3-6 and 7 as the submitters see them), decided once for
both channels: who may deliver, which period and item open, what the provincial card's
satgas may record, what a confirmation or a close says. Each step takes the person's draft
(kept where the channel keeps its conversations) and returns the screens to show.

A draft holds what a person is putting together; nothing reaches the database before the
confirmation (the files received are already in the content-addressed store)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from chatbot import screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.files import ContentMismatch, FileTooLarge, FileTypeNotAllowed
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.text import reason_text
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, CardStep, ItemStep
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import DownloadFailed, IncomingFile

log = logging.getLogger(__name__)
Steps = tuple[ItemStep | CardStep, ...]  # what an open item allows


@dataclass
class Draft:
    period: Period
    item_code: str = ""  # the item open, "" on the checklist
    item_name: str = ""
    version: int = 0  # the item's version when it was opened: a delivery makes the next
    files: list[EvidenceFile] = field(default_factory=list)
    note: str = ""  # "tidak ada kegiatan"
    # the deliveries confirmed in this session (period, item, version): kept whatever happens
    # next, unless withdrawn in it
    delivered: list[tuple[str, str, int]] = field(default_factory=list)

    steps: Steps = ()

    def open_item(self, code: str, name: str, version: int, steps: Steps = ()) -> None:
        self.item_code, self.item_name, self.version = code, name, version
        self.files, self.note, self.steps = [], "", steps

    @property
    def on_card(self) -> bool:
        """The provincial card is open (its satgas' steps, not an item's)."""
        return self.item_code == PROVINCIAL_CARD_ITEM

    @property
    def confirmed(self) -> int:
        return len(self.delivered)

    @property
    def pending(self) -> bool:
        return bool(self.files or self.note)


def _text(text: str) -> Screen:
    return Screen(text)


def _refused(exc: DomainError) -> Screen:
    if exc.code not in texts.SUBMISSION_ERRORS:
        log.warning("delivery refused with an unexpected code: %s %s", exc.code, exc.detail)
    else:
        log.info("delivery refused: %s %s", exc.code, exc.detail)
    return _text(texts.submission_error(exc))


class Delivery:
    def __init__(self, services: Services) -> None:
        self.services = services

    @staticmethod
    def may_deliver(person: Person) -> bool:
        return person.may(Permission.SUBMIT_EVIDENCE)

    def checklist(
        self, person: Person, draft: Draft | None, period: Period | None = None
    ) -> tuple[Screen, Draft | None]:
        """The checklist of ``period`` (else the draft's, else the latest open one), and the
        person's new draft; no draft when they may not deliver or nothing is open."""
        if not self.may_deliver(person):
            return _text(texts.NOT_ALLOWED), None
        svc = self.services
        periods = svc.submission.open_periods()
        if not periods:
            return _text(texts.NO_OPEN_PERIOD), None
        if period not in periods:
            period = draft.period if draft is not None and draft.period in periods else periods[-1]
        try:
            sheet = svc.submission.checklist(person, period)
        except DomainError as exc:
            return _refused(exc), None
        card = svc.card.view(period) if person.may(Permission.DRAFT_PROVINCIAL_CARD) else None
        new = Draft(period=period, delivered=list(draft.delivered) if draft is not None else [])
        return screens.checklist(sheet, periods, card), new

    def item(self, person: Person, draft: Draft, code: str, period: Period | None = None) -> Screen:
        """One item (or the provincial card, for its satgas) of ``period`` (the one its
        button was drawn for; else the draft's), opened in the draft."""
        if period is not None and period != draft.period:
            if period not in self.services.submission.open_periods():
                return _text(texts.SUBMISSION_ERRORS["period_closed"])
            draft.period = period
            draft.open_item("", "", 0)
        if code == PROVINCIAL_CARD_ITEM and person.may(Permission.DRAFT_PROVINCIAL_CARD):
            return self.card(draft)
        svc = self.services
        try:
            detail = svc.submission.item_detail(person, draft.period, code)
        except DomainError as exc:
            return _refused(exc)
        if not detail.card_not_ready:
            name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
            draft.open_item(code, name, detail.state.version, tuple(detail.steps))
        several = len(svc.submission.open_periods()) > 1
        return screens.item(detail, svc.timezone, name_period=several)

    def card(self, draft: Draft) -> Screen:
        view = self.services.card.view(draft.period)
        steps = tuple(view.steps)
        draft.open_item(PROVINCIAL_CARD_ITEM, texts.PROVINCIAL_CARD_NAME, view.state.version, steps)
        return screens.provincial_card(view, self.services.timezone)

    def withdraw(
        self, person: Person, draft: Draft, code: str, version: int, period: Period | None = None
    ) -> list[Screen]:
        """Take back a delivery waiting for review, of the period its button names."""
        period = period or draft.period
        try:
            self.services.submission.withdraw(person, period, code, version)
        except DomainError as exc:
            return [_refused(exc)]
        log.info("withdrawal: person %s, %s %s v%s", person.id, period, code, version)
        if (period.code, code, version) in draft.delivered:  # no longer kept at the close
            draft.delivered.remove((period.code, code, version))
        several = len(self.services.submission.open_periods()) > 1  # then the month is named
        withdrawn = _text(texts.withdrawn(code, version, period if several else None))
        return [withdrawn, self.item(person, draft, code, period)]

    async def receive(
        self, incoming: IncomingFile, fetch: Callable[[], Awaitable[bytes]]
    ) -> EvidenceFile | Screen:
        """A file sent by the person: stored (checked, downloaded), or the refusal to show."""
        svc = self.services.submission
        try:
            return await svc.receive_file(incoming, fetch)
        except FileTooLarge:
            return _text(texts.file_too_large(svc.policy.max_mb))
        except FileTypeNotAllowed:
            extension = svc.policy.extension(incoming.file_name, incoming.mime_type) or ""
            allowed = sorted(svc.policy.allowed_extensions)
            return _text(texts.file_type_refused(allowed, extension))
        except DownloadFailed:
            return _text(texts.download_failed(incoming.file_name or "foto"))
        except ContentMismatch:
            log.warning("file %r refused: its content is not its type", incoming.file_name)
            return _text(texts.content_mismatch(incoming.file_name or "foto"))

    def add_file(self, draft: Draft, received: EvidenceFile) -> tuple[Screen, bool]:
        """(the answer, whether the file was new to the draft: the same content twice is
        kept once)."""
        earlier = self.services.submission.add_to_draft(draft.files, received)
        return screens.file_received(received, earlier, len(draft.files)), earlier is None

    @staticmethod
    def not_a_file(kind: str) -> Screen:
        """A sticker, voice note, location... where files are awaited: said for what it is."""
        return Screen(texts.not_a_file(kind), screens.text_instead_of_file().rows)

    @staticmethod
    def confirm_by_button() -> Screen:
        return Screen(texts.CONFIRM_BY_BUTTON)

    def ask_files(self, draft: Draft) -> Screen | None:
        """The prompt of "Kirim berkas" (or of the card's upload); None when no item is open.
        An item that no longer takes files is refused by the domain at the confirmation,
        with its reason (approved, changed meanwhile)."""
        if not draft.item_code:
            return None
        draft.note = ""  # files, not "tidak ada kegiatan": what is confirmed is what is shown
        return screens.ask_files()

    def ask_note(self, draft: Draft) -> Screen | None:
        """The prompt of "Tidak ada kegiatan", if the open item allows it now (never the
        provincial card or the signed card); None for a stale button."""
        if not draft.item_code or ItemStep.NIHIL not in draft.steps:
            return None
        draft.files = []
        return Screen(texts.ASK_NOTE)

    def note(self, draft: Draft, typed: str) -> Screen:
        """The "tidak ada kegiatan" note: checked, then the confirmation."""
        try:
            note = reason_text(typed, note=True)
        except DomainError as exc:
            return _text(texts.submission_error(exc))
        draft.note, draft.files = note, []
        return screens.confirm_nihil(draft.item_name, draft.item_code, note, draft.version)

    def files_done(self, draft: Draft) -> Screen | None:
        """The confirmation of the files received; None (with nothing shown) when none came."""
        if not draft.files:
            return None
        return screens.confirm_files(draft.item_name, draft.item_code, draft.files, draft.version)

    # ------------------------------------------------------------------ the provincial card

    def handover_question(self, draft: Draft) -> Screen:
        try:
            self.services.card.check_handover(draft.period)
        except DomainError as exc:
            return _text(texts.card_error(exc))
        return screens.confirm_handover()

    def record_espip(
        self, person: Person, draft: Draft, screenshot: EvidenceFile | None = None
    ) -> tuple[list[Screen], bool]:
        """ "Sudah diunggah ke e-SPIP", with its screenshot when one was sent."""
        return self.card_step(person, draft, CardStep.ESPIP, screenshot)

    def record_kirim_data(self, person: Person, draft: Draft) -> tuple[list[Screen], bool]:
        return self.card_step(person, draft, CardStep.KIRIM_DATA, None)

    def record_handover(self, person: Person, draft: Draft) -> tuple[list[Screen], bool]:
        return self.card_step(person, draft, CardStep.HANDOVER, None)

    def card_step(
        self, person: Person, draft: Draft, step: CardStep, evidence: EvidenceFile | None
    ) -> tuple[list[Screen], bool]:
        """e-SPIP, "kirim data" or the hand-over; (screens, whether the session ends)."""
        card = self.services.card
        try:
            new = card.record(person, draft.period, step, evidence)
        except DomainError as exc:
            return [_text(texts.card_error(exc))], False
        log.info("provincial card %s: %s by person %s", draft.period, new.status, person.id)
        if step is CardStep.HANDOVER:  # recorded: the period is closed
            tz = self.services.timezone
            return [_text(texts.period_handed_over(draft.period, person, card.clock(), tz))], True
        return [_text(texts.CARD_STEP_DONE[new.status]), self.card(draft)], False

    # ------------------------------------------------------------------ confirm, close

    def confirm(
        self, person: Person, draft: Draft, list_button: bool = False
    ) -> tuple[list[Screen], bool]:
        """Deliver what the draft holds; (screens, whether it was recorded). A refusal ends the
        draft (its item changed meanwhile: it is opened again from the list)."""
        svc = self.services
        if draft.on_card and not draft.files:
            return [_text(texts.NO_FILES_YET)], False
        if draft.on_card:
            try:
                new = svc.card.upload(person, draft.period, draft.version, draft.files)
            except DomainError as exc:
                return [_text(texts.card_error(exc))], False
            log.info("provincial card %s v%s uploaded by %s", draft.period, new.version, person.id)
            return [_text(texts.card_uploaded(new, svc.card.chain)), self.card(draft)], True
        try:
            result = svc.submission.deliver(
                person, draft.period, draft.item_code, draft.version, draft.files, draft.note
            )
        except DomainError as exc:
            return [_refused(exc)], False
        log.info(
            "delivery: person %s, %s %s version %s",
            person.id,
            draft.period,
            draft.item_code,
            result.state.version,
        )
        draft.delivered.append((draft.period.code, draft.item_code, result.state.version))
        draft.open_item("", "", 0)  # delivered: nothing is pending now
        return [screens.receipt(result, list_button)], True

    @staticmethod
    def closing(draft: Draft | None, timed_out: bool) -> str:
        """What closing the session kept and did not keep, said as it is."""
        if draft is None:
            return texts.session_closed(timed_out, confirmed=0, pending_files=0, pending_note=False)
        return texts.session_closed(
            timed_out,
            confirmed=draft.confirmed,
            pending_files=len(draft.files),
            pending_note=bool(draft.note),
            item=f"{draft.item_code} {draft.item_name}".strip(),
        )
