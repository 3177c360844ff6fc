"""The delivery conversation's state, shared by its steps: the states of PTB's
ConversationHandler, the person's draft in the conversation, small helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from telegram import Message, Update
from telegram.ext import (
    ConversationHandler,
)

from chatbot import delivery, texts
from chatbot.domain.people import Person
from chatbot.screens import Screen
from handlers.common import Context, current_person, reply, services
from handlers.render import show

log = logging.getLogger(__name__)

# what typed text is taken as (buttons and files mean the same in every state)
PICK, ITEM, FILES, NOTE, CONFIRM, ESPIP, HANDOVER = range(7)
END = ConversationHandler.END
DRAFT = "kirim"


@dataclass
class Draft(delivery.Draft):
    albums: dict[str, Message] = field(default_factory=dict)  # an album's answer, kept current
    checklist: Message | None = None  # the checklist shown last, brought up to date in place
    espip: bool = False  # the next file is the e-SPIP screenshot
    question: Message | None = None  # which item the files sent before one was are for

    def open_item(self, code: str, name: str, version: int, steps: delivery.Steps = ()) -> None:
        super().open_item(code, name, version, steps)
        self.albums, self.espip, self.question = {}, False, None


def _flow(context: Context) -> delivery.Delivery:
    return delivery.Delivery(services(context))


def _draft(context: Context) -> Draft | None:
    user_data = context.user_data
    return cast(Draft | None, user_data.get(DRAFT)) if user_data is not None else None


def _set_draft(context: Context, draft: Draft | None) -> None:
    assert context.user_data is not None
    if draft is None:
        context.user_data.pop(DRAFT, None)
    else:
        context.user_data[DRAFT] = draft


async def _session(update: Update, context: Context, person: Person) -> Draft | None:
    """The person's draft, begun now when there is none (a file or an item's button from a
    notice, before /kirim); None after saying why there can be none."""
    earlier = _draft(context)
    draft, refusal = _flow(context).session(person, earlier)
    if refusal is not None or draft is None:
        await show(update, refusal or Screen(texts.NO_OPEN_PERIOD))
        return None
    if not isinstance(draft, Draft):
        draft = Draft(period=draft.period, person_id=draft.person_id, delivered=draft.delivered)
    _set_draft(context, draft)
    return draft


async def _begin(update: Update, context: Context) -> tuple[Person, Draft] | None:
    """A button's press: answered, the person who may deliver, and their session (begun
    now when there is none); None after saying why not."""
    await _answer(update)
    person = await _submitter(update, context)
    draft = await _session(update, context, person) if person is not None else None
    return (person, draft) if person is not None and draft is not None else None


async def _answer(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


async def _show_all(update: Update, shown: Sequence[Screen]) -> None:
    for screen in shown:
        await show(update, screen)


async def _submitter(update: Update, context: Context) -> Person | None:
    person = await current_person(update, context)
    if person is not None and not delivery.Delivery.may_deliver(person):
        await reply(update, texts.NOT_ALLOWED)
        return None
    return person


async def _prompt(
    update: Update,
    context: Context,
    ask: Callable[[delivery.Delivery, Draft], Screen | None],
    state: int,
) -> int:
    """A step of the open item ("Kirim berkas", "Tidak ada kegiatan"): its prompt, then
    ``state``; an older message's button when the item allows it no longer."""
    await _answer(update)
    draft = _draft(context)
    if draft is None:
        return await stale(update, context)
    prompt = ask(_flow(context), draft)
    if prompt is None:
        await reply(update, texts.STEP_NOT_AVAILABLE)
        return ITEM
    await show(update, prompt)
    return state


async def stale(update: Update, context: Context) -> int:
    """A button of a session that ended (closed, timed out, the bot restarted): what is kept."""
    await _answer(update)
    person = await current_person(update, context)
    if person is not None:
        await reply(update, _flow(context).stale(person))
    return END


def _data(update: Update) -> str:
    query = update.callback_query
    return query.data or "" if query is not None else ""
