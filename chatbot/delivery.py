"""The delivery flow (SOP steps 2, 3-6 and 7 as the submitters see them), decided once for
both channels: who may deliver, which period and item open, what the provincial card's
satgas may record, what a confirmation or a close says. Each step takes the person's draft
(kept where the channel keeps its conversations) and returns the screens to show.

A draft holds what a person is putting together. The files received and not yet confirmed
are kept in the database as the person's draft of the item (or, sent before any item was
chosen, apart, until the person says which item they are for), so a restart, a time-out or a
new /kirim never loses them; a confirmation turns them into a version, a discard drops them.
A file sent at any moment starts or continues a delivery (``take_file``)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from chatbot import callbacks, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.evidence import Finding
from chatbot.domain.files import (
    PDF,
    ContentMismatch,
    FileTooLarge,
    FileTypeNotAllowed,
    UnreadableFile,
)
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.text import reason_text
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, CardStep, ItemStep
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import DownloadFailed, IncomingFile, Receipt

log = logging.getLogger(__name__)
Steps = tuple[ItemStep | CardStep, ...]  # what an open item allows


LOOSE = ""  # the draft of files sent before any item was chosen


@dataclass
class Draft:
    period: Period
    person_id: int = 0
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
    def takes_files(self) -> bool:
        """The open item (or the provincial card) takes files now."""
        return bool(self.item_code) and any(
            step in self.steps
            for step in (ItemStep.FILES, CardStep.UPLOAD_DRAFT, CardStep.UPLOAD_SIGNED)
        )

    @property
    def confirmed(self) -> int:
        return len(self.delivered)

    @property
    def pending(self) -> bool:
        return bool(self.files or self.note)


def _send(draft: Draft) -> str:
    """The "Kirim" of the item open, at its version (``callbacks.kirim_confirm``)."""
    return callbacks.kirim_confirm(draft.period, draft.item_code, draft.version)


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
        self,
        person: Person,
        draft: Draft | None,
        period: Period | None = None,
        after: Receipt | None = None,
    ) -> tuple[Screen, Draft | None]:
        """The checklist of ``period`` (else the draft's, else the one the person works on), the
        person's new draft; no draft when they may not deliver or nothing is open. ``after``:
        the receipt of the delivery just confirmed in ``period``, which carries its checklist
        as that delivery's transaction left it (shown at once, not read again)."""
        if not self.may_deliver(person):
            return _text(texts.NOT_ALLOWED), None
        svc = self.services
        if (
            after is not None
            and after.checklist is not None
            and after.periods
            and after.checklist.period == period
        ):
            periods, sheet = after.periods, after.checklist
        else:
            # a period among the open ones, so nothing to refuse: none open, or its checklist
            periods, found = svc.submission.open_checklist(
                person, (period, draft.period if draft is not None else None)
            )
            if found is None:
                return _text(texts.NO_OPEN_PERIOD), None
            sheet = found
        period = sheet.period
        card = svc.card.view(period) if person.may(Permission.DRAFT_PROVINCIAL_CARD) else None
        new = Draft(
            period=period,
            person_id=person.id,
            delivered=list(draft.delivered) if draft is not None else [],
        )
        return screens.checklist(sheet, periods, card), new

    def session(self, person: Person, draft: Draft | None) -> tuple[Draft | None, Screen | None]:
        """The person's draft, begun on the period they work on when there is none (a file
        or an item's button from a notice, before /kirim); else why there can be none."""
        if not self.may_deliver(person):
            return None, _text(texts.NOT_ALLOWED)
        periods = self.services.submission.open_periods()
        if draft is not None and draft.period in periods:
            return draft, None
        if not periods:
            return None, _text(texts.NO_OPEN_PERIOD)
        delivered = list(draft.delivered) if draft is not None else []  # the month closed
        period = self.services.submission.working_period(person) or periods[0]
        return Draft(period=period, person_id=person.id, delivered=delivered), None

    def item(self, person: Person, draft: Draft, code: str, period: Period | None = None) -> Screen:
        """One item (or the provincial card, for its satgas) of ``period`` (the one its
        button was drawn for; else the draft's), opened in the draft."""
        if period is not None and period != draft.period:
            if period not in self.services.submission.open_periods():
                return _text(texts.SUBMISSION_ERRORS["period_closed"])
            draft.period = period
            draft.open_item("", "", 0)
        if code == PROVINCIAL_CARD_ITEM and person.may(Permission.DRAFT_PROVINCIAL_CARD):
            return self.card(person, draft)
        svc = self.services
        try:
            detail = svc.submission.item_detail(person, draft.period, code)
        except DomainError as exc:
            return _refused(exc)
        if not detail.card_not_ready:
            name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
            draft.open_item(code, name, detail.state.version, tuple(detail.steps))
            draft.files = list(detail.draft)  # received before and not sent: still here
        return screens.item(detail, svc.timezone, name_period=len(detail.periods) > 1)

    def card(self, person: Person, draft: Draft) -> Screen:
        svc = self.services
        view = svc.card.view(draft.period)
        steps = tuple(view.steps)
        draft.open_item(PROVINCIAL_CARD_ITEM, texts.PROVINCIAL_CARD_NAME, view.state.version, steps)
        if draft.takes_files:
            draft.files = svc.submission.draft(person, draft.period, PROVINCIAL_CARD_ITEM)
        return screens.provincial_card(view, svc.timezone, draft.files)

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
        except UnreadableFile as exc:
            return _text(texts.unreadable(incoming.file_name or "foto", exc.reason))

    def add_file(self, person: Person, draft: Draft, received: EvidenceFile) -> tuple[Screen, bool]:
        """(the answer, whether the file was new to the draft: the same content twice is
        kept once). The draft is kept in the database at once."""
        svc = self.services.submission
        earlier = svc.add_to_draft(draft.files, received)
        draft.note = ""  # files, not "tidak ada kegiatan"
        if earlier is None:
            svc.keep_draft(person, draft.period, draft.item_code, draft.files)
        shown = draft.files[-1] if earlier is None else received  # a photo: with its number
        found = self._findings(draft, [shown]) if earlier is None else ()
        screen = screens.file_received(
            shown,
            earlier,
            draft.files,
            draft.item_code,
            draft.item_name,
            draft.version,
            _send(draft),
            draft.period,
            found,
        )
        return self._short_warned(draft, screen), earlier is None

    def _confirmation(self, draft: Draft) -> Screen:
        """The files of the open item to confirm, with what the checks found in them."""
        screen = screens.confirm_files(
            draft.item_name,
            draft.item_code,
            draft.files,
            draft.version,
            _send(draft),
            draft.period,
            self._findings(draft, draft.files),
        )
        return self._short_warned(draft, screen)

    def _findings(self, draft: Draft, files: list[EvidenceFile]) -> tuple[Finding, ...]:
        """The evidence checks of files for an item (never the provincial card: the satgas'
        own document, checked by the officials who initial and sign it)."""
        if draft.on_card or not files:
            return ()
        return self.services.submission.findings(
            draft.person_id, draft.period, draft.item_code, files
        )

    def _short_warned(self, draft: Draft, screen: Screen) -> Screen:
        """A draft of the provincial card while units are below 100%: the answer that holds
        its "Kirim" names them (and the record will say it was drafted short)."""
        if draft.item_code != PROVINCIAL_CARD_ITEM or CardStep.UPLOAD_DRAFT not in draft.steps:
            return screen
        warning = texts.short_units_warning(
            self.services.card.view(draft.period), "draf tetap dikirim", "draf disusun"
        )
        return replace(screen, text=f"{screen.text}\n\n{warning}") if warning else screen

    def take_file(self, person: Person, draft: Draft, received: EvidenceFile) -> Screen:
        """A file sent at any moment: into the open item when it takes files; else kept
        apart (in the database too) and the person asked which item it is for."""
        if draft.takes_files:
            return self.add_file(person, draft, received)[0]
        svc = self.services.submission
        loose = svc.draft(person, draft.period, LOOSE)
        if svc.add_to_draft(loose, received) is None:
            svc.keep_draft(person, draft.period, LOOSE, loose)
        if draft.item_code:  # an item that takes no files was open: it is left
            draft.open_item("", "", 0)
        return self.which_item(person, draft, loose)

    def loose_received(self, person: Person, draft: Draft) -> Screen:
        """A further file before the person said which item the first ones are for (where
        the question cannot be brought up to date in place)."""
        loose = self.services.submission.draft(person, draft.period, LOOSE)
        if not loose:
            return _text(texts.NO_LOOSE_FILES)
        return _text(texts.loose_file_received(loose[-1], len(loose)))

    def which_item(
        self, person: Person, draft: Draft, loose: list[EvidenceFile] | None = None
    ) -> Screen:
        """The question for the files sent before an item was chosen: the open items that
        take files, the likely ones first (returned, then empty, then sent)."""
        svc = self.services.submission
        if loose is None:
            loose = svc.draft(person, draft.period, LOOSE)
        if not loose:
            return _text(texts.NO_LOOSE_FILES)
        try:
            sheet = svc.checklist(person, draft.period)
        except DomainError as exc:
            return _refused(exc)
        several = len(svc.open_periods()) > 1
        card = (
            self.services.card.view(draft.period)
            if person.may(Permission.DRAFT_PROVINCIAL_CARD)
            else None
        )
        return screens.which_item(sheet, loose, several, provincial=card)

    def assign(self, person: Person, draft: Draft, code: str, period: Period | None) -> Screen:
        """The item chosen for the files sent before: they join its draft, and the
        confirmation follows (one tap to send)."""
        svc = self.services.submission
        period = period or draft.period
        loose = svc.draft(person, period, LOOSE)
        if not loose:
            return _text(texts.NO_LOOSE_FILES)
        shown = self.item(person, draft, code, period)
        if not draft.takes_files:  # approved meanwhile, or not this person's item
            return shown if not draft.item_code else _text(texts.ITEM_TAKES_NO_FILES)
        for file in loose:
            svc.add_to_draft(draft.files, file)
        svc.keep_draft(person, period, draft.item_code, draft.files)
        svc.keep_draft(person, period, LOOSE, [])
        draft.note = ""
        return self._confirmation(draft)

    def discard(
        self, person: Person, draft: Draft, target: callbacks.KirimTarget | None = None
    ) -> list[Screen]:
        """Drop one draft: the button's (an item, or the files without one), else the open
        item's (or the files without one, when none is open)."""
        svc = self.services.submission
        code = target.code if target is not None else draft.item_code
        period = target.period if target is not None and target.period else draft.period
        files = svc.draft(person, period, code)
        svc.keep_draft(person, period, code, [])
        if (period, code) == (draft.period, draft.item_code):
            draft.files = []
        log.info("draft discarded: person %s, %s %r", person.id, period, code)
        said = _text(texts.draft_discarded(len(files)))
        if not code:
            return [said]
        return [said, self.item(person, draft, code, period)]

    @staticmethod
    def not_a_file(kind: str) -> Screen:
        """A sticker, voice note, location... where files are awaited: said for what it is."""
        return Screen(texts.not_a_file(kind))

    @staticmethod
    def confirm_by_button() -> Screen:
        return Screen(texts.CONFIRM_BY_BUTTON)

    @staticmethod
    def typed_instead_of_file(draft: Draft) -> Screen:
        """Text where files are awaited: once files came, "ya" means the button to send."""
        if draft.files:
            return Screen(texts.CONFIRM_BY_BUTTON)
        return screens.text_instead_of_file(_send(draft))

    def ask_files(self, draft: Draft) -> Screen | None:
        """The prompt of "Kirim berkas" (or of the card's upload); None when no item is open
        or the open one takes no files now. An item changed meanwhile is refused by the
        domain at the confirmation, with its reason."""
        if not draft.takes_files:  # none open, or it takes no files now (approved meanwhile)
            return None
        draft.note = ""  # files, not "tidak ada kegiatan": what is confirmed is what is shown
        return screens.ask_files(_send(draft))

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
        return screens.confirm_nihil(
            draft.item_name, draft.item_code, note, draft.version, _send(draft), draft.period
        )

    def files_done(self, draft: Draft) -> Screen | None:
        """The confirmation of the files received; None (with nothing shown) when none came."""
        if not draft.files:
            return None
        return self._confirmation(draft)

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
        return [_text(texts.CARD_STEP_DONE[new.status]), self.card(person, draft)], False

    # ------------------------------------------------------------------ confirm, close

    def confirm(
        self,
        person: Person,
        draft: Draft,
        list_button: bool = False,
        target: callbacks.KirimTarget | None = None,
    ) -> tuple[list[Screen], bool, Receipt | None]:
        """Deliver what the draft holds; (screens, whether it was recorded, the delivery's
        receipt: it carries the checklist as it is now, for ``checklist``). ``target`` is the
        button's item and version: an older message's "Kirim" sends its own item's draft (it
        is opened first) at the version it showed, or is refused; never another item's. A
        refusal leaves the item (its files stay a draft; it is opened again from the list)."""
        svc = self.services
        if target is not None and target.period is not None:
            if (target.period, target.code) != (draft.period, draft.item_code):
                shown = self.item(person, draft, target.code, target.period)
                if draft.item_code != target.code:  # not the person's, or the month closed
                    return [shown], False, None
            if target.version != draft.version:  # delivered since (by this button, or a colleague)
                code, version = draft.item_code, draft.version
                draft.open_item("", "", 0)
                if target.version < version:
                    return [_text(texts.already_sent(code, version))], False, None
                return [_text(texts.SUBMISSION_ERRORS["stale_version"])], False, None
        if not draft.item_code:  # an older message's bare "Kirim": nothing is open to send
            return [_text(texts.NO_ITEM_OPEN)], False, None
        if not draft.files and not draft.note:
            said = texts.NOTHING_TO_SEND if draft.steps else texts.ITEM_LOCKED  # approved
            return [_text(said)], False, None
        if draft.on_card and not draft.files:
            return [_text(texts.NO_FILES_YET)], False, None
        if draft.on_card:
            try:
                new = svc.card.upload(person, draft.period, draft.version, draft.files)
            except DomainError as exc:
                draft.open_item("", "", 0)
                return [_text(texts.card_error(exc))], False, None
            log.info("provincial card %s v%s uploaded by %s", draft.period, new.version, person.id)
            self._render_ahead(draft.files)
            svc.submission.keep_draft(person, draft.period, PROVINCIAL_CARD_ITEM, [])
            uploaded = _text(texts.card_uploaded(new, svc.card.chain))
            return [uploaded, self.card(person, draft)], True, None
        try:
            result = svc.submission.deliver(
                person, draft.period, draft.item_code, draft.version, draft.files, draft.note
            )
        except DomainError as exc:
            draft.open_item("", "", 0)  # the item changed meanwhile; its files stay a draft
            return [_refused(exc)], False, None
        log.info(
            "delivery: person %s, %s %s version %s",
            person.id,
            draft.period,
            draft.item_code,
            result.state.version,
        )
        self._render_ahead(draft.files)
        draft.delivered.append((draft.period.code, draft.item_code, result.state.version))
        draft.open_item("", "", 0)  # delivered: nothing is pending now
        return [screens.receipt(result, list_button)], True, result

    def _render_ahead(self, files: list[EvidenceFile]) -> None:
        """A delivery's PDFs: their first pages rendered now, in the background, for the
        reviewer's desk (or the paraf's and signature's confirmation) to show at once."""
        store = self.services.files
        self.services.previews.ahead(
            (f.sha256, store.path(f.sha256)) for f in files if f.mime_type == PDF
        )

    def kept(self, person_id: int) -> list[tuple[str, int]]:
        """The person's drafts, as (what they are for, how many files), for the sentences
        that say what is kept."""
        several = len(self.services.submission.open_periods()) > 1
        return [
            (texts.draft_target(code, period if several else None), len(files))
            for (period, code), files in self.services.submission.drafts(person_id).items()
        ]

    def closing(self, draft: Draft | None, timed_out: bool) -> str:
        """What closing the session kept and did not keep, said as it is: the deliveries
        confirmed, the drafts kept in the database, a note not confirmed. Nothing ("") for a
        person whose access ended meanwhile: their drafts went to their successor."""
        if draft is not None and draft.person_id and not self.active(draft.person_id):
            return ""
        if draft is None:
            return texts.session_closed(timed_out, confirmed=0, drafts=[], pending_note=False)
        return texts.session_closed(
            timed_out,
            confirmed=draft.confirmed,
            drafts=self.kept(draft.person_id) if draft.person_id else [],
            pending_note=bool(draft.note),
            item=f"{draft.item_code} {draft.item_name}".strip(),
        )

    def active(self, person_id: int) -> bool:
        try:
            return self.services.staffing.get(person_id).active
        except DomainError:
            return False

    def stale(self, person: Person | None) -> str:
        """A button of a session that ended (closed, timed out, the bot restarted)."""
        return texts.session_ended(self.kept(person.id) if person is not None else [])
