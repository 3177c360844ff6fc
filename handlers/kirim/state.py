"""The delivery conversation's state, shared by its steps: the states of PTB's
ConversationHandler, the person's draft in the conversation, small helpers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    ConversationHandler,
)

from chatbot import callbacks, delivery, texts
from chatbot.domain.people import Person
from chatbot.screens import Screen
from chatbot.services import notify
from handlers import render
from handlers.common import Context, current_person, reply, services

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
    # the screen whose session buttons work, as it shows now (after an edit in place)
    live: list[tuple[Message, Screen]] = field(default_factory=list)

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
        earlier = _draft(context)
        if earlier is not None and earlier is not draft:  # the same session goes on
            draft.live = [*earlier.live, *draft.live]
        context.user_data[DRAFT] = draft


# ------------------------------------------------------------------ the session's buttons
# Only the session's newest screen keeps the buttons that need the session ("Kirim berkas",
# "Tutup", "Kirim" ...): an earlier one loses them when a newer one is shown, and the last one
# when the session ends. The buttons that work without a session (an item of the checklist,
# a withdrawal, "Daftar butir") stay.

SESSION_FREE = (f"{callbacks.KIRIM_ITEM}:", f"{callbacks.KIRIM_WITHDRAW}:")


def _needs_session(data: str) -> bool:
    return data.startswith(f"{callbacks.KIRIM}:") and not data.startswith(SESSION_FREE)


async def _strip(message: Message, screen: Screen) -> None:
    """The buttons of ``screen`` (what the message shows now, after any edit in place) less
    those that need the session."""
    rows = tuple(
        kept for row in screen.rows if (kept := tuple(a for a in row if not _needs_session(a.data)))
    )
    try:
        await message.edit_reply_markup(render.markup(Screen(screen.text, rows)))
    except TelegramError as exc:  # too old, deleted, or unchanged: nothing to take away
        log.info("could not take the session's buttons off %s: %s", message.message_id, exc)


async def live(context: Context, message: Message | None, screen: Screen) -> None:
    """``message`` shows ``screen``: with buttons of its period that outlive the session (an
    item, a withdrawal) it is remembered under the period, whose hand-over takes them; with
    session buttons it is now the live one."""
    draft = _draft(context)
    if message is None or draft is None:
        return
    if draft.person_id and any(a.data.startswith(SESSION_FREE) for a in screen.actions):
        subject = notify.period_subject(draft.period)
        chat_id = message.chat.id
        services(context).outbox.placed(
            draft.person_id, subject, chat_id, message.message_id, screen.text
        )
    if not any(_needs_session(a.data) for a in screen.actions):
        return
    for earlier, shown in draft.live:
        if earlier.message_id != message.message_id:
            await _strip(earlier, shown)
    draft.live = [(message, screen)]


async def end_session(context: Context) -> None:
    """The session ends: its last screen loses the buttons that needed it."""
    draft = _draft(context)
    if draft is not None:
        for message, shown in draft.live:
            await _strip(message, shown)
        draft.live = []


async def show(update: Update, context: Context, screen: Screen) -> Message | None:
    sent = await render.show(update, screen)
    await live(context, sent, screen)
    return sent


async def replace(update: Update, context: Context, screen: Screen) -> Message | None:
    sent = await render.replace(update, screen)
    await live(context, sent, screen)
    return sent


async def _session(update: Update, context: Context, person: Person) -> Draft | None:
    """The person's draft, begun now when there is none (a file or an item's button from a
    notice, before /kirim); None after saying why there can be none."""
    earlier = _draft(context)
    draft, refusal = _flow(context).session(person, earlier)
    if refusal is not None or draft is None:
        await render.show(update, refusal or Screen(texts.NO_OPEN_PERIOD))
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


async def _show_all(update: Update, context: Context, shown: Sequence[Screen]) -> None:
    for screen in shown:
        await show(update, context, screen)


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
    await show(update, context, prompt)
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
