"""The reviewer's desk, decided once for both channels: one delivery at a time, oldest first,
with its evidence in the same place as the decision (every PDF's first page as a picture and
its page count, photos as they are, other files as documents), "3 dari 27", and then
Setujui / Kembalikan / Lewati; after a decision the next one follows. Showing a delivery here
is what the record calls "berkas dibuka"; an approve-all says how many were not."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from chatbot import callbacks, decisions, texts
from chatbot.domain.errors import DomainError
from chatbot.domain.files import PDF
from chatbot.domain.people import Person
from chatbot.domain.workflow import CardState
from chatbot.screens import Action, Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.review import ReviewTarget

log = logging.getLogger(__name__)

PICTURES = ("image/jpeg", "image/png")


@dataclass(frozen=True, slots=True)
class Picture:
    path: Path
    caption: str


@dataclass(frozen=True, slots=True)
class Page:
    """What the desk shows now: the pictures and documents first, then the screen."""

    screen: Screen
    target: ReviewTarget | None = None
    pictures: tuple[Picture, ...] = ()
    documents: tuple[EvidenceFile, ...] = ()


Preparing = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


class Desk:
    def __init__(
        self,
        services: Services,
        originals_with_pictures: bool = False,
        preparing: Preparing = _nothing,
    ) -> None:
        """``originals_with_pictures``: the channel sends each PDF itself beside its picture
        (WhatsApp, whose three reply buttons leave no room for "Berkas asli"). ``preparing``:
        what the channel shows while a first page is rendered (Telegram's chat action), once
        per page and only when one is not rendered yet (they are, mostly, since a delivery's
        are rendered when it is confirmed)."""
        self.services = services
        self.originals_with_pictures = originals_with_pictures
        self.preparing = preparing
        self.flow = decisions.Decisions(services)

    def _waiting(self, person: Person) -> list[ReviewTarget]:
        return self.services.review.waiting(person, refuse=True)

    async def open(self, person: Person, state_id: int = 0, said: str = "") -> Page:
        """The delivery asked for (a notice's "Periksa") while it waits, else the oldest."""
        try:
            waiting = self._waiting(person)
        except DomainError as exc:
            return Page(Screen(texts.review_error(exc)))
        ids = [t.state_id for t in waiting]
        if state_id and state_id not in ids:
            said = "\n".join(part for part in (said, texts.DESK_GONE) if part)
        index = ids.index(state_id) if state_id in ids else 0
        return await self._page(person, waiting, index, said)

    async def skip(self, person: Person, state_id: int) -> Page:
        try:
            waiting = self._waiting(person)
        except DomainError as exc:
            return Page(Screen(texts.review_error(exc)))
        ids = [t.state_id for t in waiting]
        if state_id in ids and len(ids) == 1:
            return await self._page(person, waiting, 0, texts.DESK_ONLY_ONE)
        index = (ids.index(state_id) + 1) % len(ids) if state_id in ids else 0
        return await self._page(person, waiting, index)

    async def decide(
        self,
        person: Person,
        data: str,
        reason: str = "",
        shown_on: tuple[int, int] | None = None,
    ) -> tuple[decisions.Outcome, Page]:
        """A decision at the desk (a ✅, or a return confirmed), then the delivery that came
        after it in the queue; ``shown_on``: the desk's message it was taken on."""
        choice = callbacks.parse_review(data)
        queue = self.services.review.waiting(person)
        before = [t.state_id for t in queue]
        outcome = self.flow.decide(person, data, reason, shown_on)
        if choice and not outcome.refused and outcome.ask is None:
            # decided: the queue read just before, without it (not read again)
            waiting = [t for t in queue if t.state_id != choice.state_id]
        else:  # nothing decided: the queue as it is now
            waiting = self.services.review.waiting(person)
        if outcome.refused and not waiting:  # not a reviewer, or nothing left to show
            return outcome, Page(Screen(outcome.refused))
        # the one that came after it: now at its place
        index = before.index(choice.state_id) if choice and choice.state_id in before else 0
        return outcome, await self._page(person, waiting, index, outcome.refused or outcome.text)

    def originals(self, person: Person, state_id: int) -> tuple[list[EvidenceFile], str]:
        """The delivery's files as sent ("Berkas asli"), or the sentence refusing them."""
        try:
            target = self.services.review.target(person, state_id)
        except DomainError as exc:
            return [], texts.review_error(exc)
        files = list(target.submission.files) if target.submission else []
        return files, "" if files else texts.DESK_NO_FILES

    async def _page(
        self, person: Person, waiting: list[ReviewTarget], index: int, said: str = ""
    ) -> Page:
        if not waiting:
            return Page(Screen("\n\n".join(p for p in (said, texts.DESK_EMPTY) if p)))
        index = index % len(waiting)
        try:
            target, sender = self.services.review.at_desk(person, waiting[index].state_id)
        except DomainError as exc:
            return Page(Screen(texts.review_error(exc)))
        facts, pictures, documents = await self._evidence(target)
        text = texts.desk_page(
            target, index + 1, len(waiting), facts, sender, self.services.timezone, said
        )
        state = target.state
        rows: list[tuple[Action, ...]] = [
            (
                Action.of(
                    texts.LABEL_DESK_APPROVE,
                    callbacks.review(True, target.state_id, state.version, desk=True),
                ),
                Action.of(
                    texts.LABEL_DESK_RETURN,
                    callbacks.review(False, target.state_id, state.version, desk=True),
                ),
                Action.of(
                    texts.LABEL_DESK_SKIP, callbacks.desk(callbacks.DESK_SKIP, target.state_id)
                ),
            )
        ]
        if any(f.pages or f.unreadable for f in facts) and not self.originals_with_pictures:
            rows.append(
                (
                    Action.of(
                        texts.LABEL_DESK_ORIGINALS,
                        callbacks.desk(callbacks.DESK_ORIGINALS, target.state_id),
                    ),
                )
            )
        return Page(Screen(text, tuple(rows)), target, tuple(pictures), tuple(documents))

    async def _evidence(
        self, target: ReviewTarget
    ) -> tuple[list[texts.FileFact], list[Picture], list[EvidenceFile]]:
        facts: list[texts.FileFact] = []
        pictures: list[Picture] = []
        documents: list[EvidenceFile] = []
        files = target.submission.files if target.submission else ()
        told = False
        for f in files:
            path = self.services.files.path(f.sha256)
            if f.mime_type == PDF:
                preview = self.services.previews.cached(f.sha256)
                if preview is None:
                    if not told:
                        await self.preparing()
                        told = True
                    preview = await self.services.previews.get(f.sha256, path)
                fact = texts.FileFact(
                    f, preview.pages, preview.picture is not None, preview.pages == 0
                )
                if preview.picture is not None:
                    pictures.append(Picture(preview.picture, texts.evidence_caption(target, fact)))
                if preview.picture is None or self.originals_with_pictures:
                    documents.append(f)
            elif f.mime_type in PICTURES and path.is_file():
                fact = texts.FileFact(f, pictured=True)
                pictures.append(Picture(path, texts.evidence_caption(target, fact)))
            else:
                fact = texts.FileFact(f)
                documents.append(f)
            facts.append(fact)
        return facts, pictures, documents


async def card_pictures(
    services: Services, state: CardState, files: Sequence[EvidenceFile]
) -> tuple[Picture, ...]:
    """The card's first page (each PDF's, or the photo itself), shown with the paraf's or
    signature's confirmation: what is initialled or signed is in view."""
    pictures = []
    for f in files:
        path = services.files.path(f.sha256)
        if f.mime_type == PDF:
            preview = await services.previews.get(f.sha256, path)
            if preview.picture is not None:
                caption = texts.card_caption(state, f.file_name, preview.pages)
                pictures.append(Picture(preview.picture, caption))
        elif f.mime_type in PICTURES and path.is_file():
            pictures.append(Picture(path, texts.card_caption(state, f.file_name, 0)))
    return tuple(pictures)


async def card_confirmation(services: Services, outcome: decisions.Outcome) -> Page:
    """A paraf's or signature's question (``Outcome.ask``) with the card's first page."""
    assert outcome.ask is not None
    pictures: tuple[Picture, ...] = ()
    if outcome.card is not None:
        pictures = await card_pictures(services, outcome.card, outcome.card_files)
    return Page(outcome.ask, pictures=pictures)
