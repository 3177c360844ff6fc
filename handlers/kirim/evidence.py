"""A unit's evidence (SOP steps 2 and 7): the checklist, an item, withdrawal, the note, the
confirmation, closing and the time-out."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from chatbot import callbacks, delivery, texts
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.services.submission import Receipt
from handlers.common import Context, reply
from handlers.kirim.state import (
    CONFIRM,
    END,
    ITEM,
    NOTE,
    PICK,
    Draft,
    _answer,
    _begin,
    _data,
    _draft,
    _flow,
    _prompt,
    _session,
    _set_draft,
    _show_all,
    _submitter,
    end_session,
    live,
    replace,
    show,
    stale,
)
from handlers.render import edit

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the checklist


async def _show_checklist(
    update: Update,
    context: Context,
    person: Person,
    period: Period | None = None,
    in_place: bool = False,
    after: Receipt | None = None,
) -> int:
    """The checklist, sent (or, ``in_place``, brought up to date where it was shown last);
    ``after``: the receipt of the delivery just confirmed, which carries it."""
    earlier = _draft(context)  # the deliveries confirmed so far in this session count on
    screen, new = _flow(context).checklist(person, earlier, period, after)
    shown = earlier.checklist if earlier is not None and in_place else None
    if shown is None or not await edit(shown, screen):
        shown = await show(update, context, screen) if not in_place else None
    if new is None:
        return END
    _set_draft(
        context,
        Draft(period=new.period, person_id=new.person_id, delivered=new.delivered, checklist=shown),
    )
    await live(context, shown, screen)
    return PICK


async def start(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    if person is None:
        return END
    return await _show_checklist(update, context, person)


async def switch_period(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    period = callbacks.parse_kirim_period(_data(update))
    if person is None:
        return END
    if period is None:
        return PICK
    return await _show_checklist(update, context, person, period)


# ------------------------------------------------------------------ one item


async def choose_item(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    target = callbacks.parse_kirim_item(_data(update))
    if person is None or target is None:
        return END
    draft = await _session(update, context, person)  # a notice's button begins one
    if draft is None:
        return END
    await show(update, context, _flow(context).item(person, draft, target.code, target.period))
    return ITEM if draft.item_code else PICK


async def back(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None:
        return END
    return await _show_checklist(update, context, person, draft.period if draft else None)


async def withdraw(update: Update, context: Context) -> int:
    target = callbacks.parse_kirim_withdraw(_data(update))
    if (begun := await _begin(update, context)) is None or target is None:
        return END
    person, draft = begun
    shown = _flow(context).withdraw(person, draft, target.code, target.version, target.period)
    await _show_all(update, context, shown)
    return ITEM


async def confirm_by_button(update: Update, context: Context) -> int:
    """Typed text ("ya", "kirim") at the confirmation: the buttons decide."""
    await show(update, context, delivery.Delivery.confirm_by_button())
    return CONFIRM


async def ask_note(update: Update, context: Context) -> int:
    return await _prompt(update, context, delivery.Delivery.ask_note, NOTE)


async def receive_note(update: Update, context: Context) -> int:
    message, draft = update.effective_message, _draft(context)
    if message is None or message.text is None or draft is None:
        return END
    screen = _flow(context).note(draft, message.text)
    await show(update, context, screen)
    return CONFIRM if draft.note else NOTE


# ------------------------------------------------------------------ confirm, cancel, time-out


async def confirm(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    target = callbacks.parse_kirim_confirm(_data(update))  # None: the bare "kr:c" of before
    if person is None:
        return END
    if target is not None:  # its own item, whatever is open (even after a restart)
        draft = await _session(update, context, person)
        if draft is None:
            return END
    elif (draft := _draft(context)) is None:
        return await stale(update, context)
    # the receipt takes the place of the message whose "Kirim" was pressed, with the button
    # to the list; the checklist shown earlier is brought up to date where it is
    shown, recorded, receipt = _flow(context).confirm(
        person, draft, list_button=True, target=target
    )
    if not recorded:  # refused: said; the files stay a draft, the session goes on
        await _show_all(update, context, shown)
        return ITEM if draft.item_code else PICK
    if draft.on_card:  # the card's screen follows its receipt
        await _show_all(update, context, shown)
        return ITEM
    await replace(update, context, shown[0])
    await _show_all(update, context, shown[1:])
    return await _show_checklist(
        update, context, person, draft.period, in_place=True, after=receipt
    )


async def cancel(update: Update, context: Context) -> int:
    await _answer(update)
    text = _flow(context).closing(_draft(context), timed_out=False)
    await end_session(context)
    _set_draft(context, None)
    await reply(update, text)
    return END


async def timed_out(update: Update, context: Context) -> None:
    text = _flow(context).closing(_draft(context), timed_out=True)
    await end_session(context)
    _set_draft(context, None)
    chat = update.effective_chat
    if chat is not None and text:  # nothing to one whose access ended
        try:
            await chat.send_message(text)
        except TelegramError:
            log.warning("could not tell chat %s that its session timed out", chat.id)


async def stale_session_button(update: Update, context: Context) -> None:
    """A button of a conversation that no longer exists (ended, timed out, bot restarted)."""
    await stale(update, context)


async def nothing_to_cancel(update: Update, context: Context) -> None:
    await reply(update, texts.NOTHING_TO_CANCEL)
