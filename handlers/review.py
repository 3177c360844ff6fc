"""Review buttons on delivery notices and card requests, on Telegram: ✅ at once; ↩️ asks for
the reason, then confirms (``chatbot.decisions``, shared with WhatsApp). After a decision the
notice loses that button's row and shows who decided and when; the submitter is told through
the outbox."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import cast

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from chatbot import callbacks, decisions, desk, texts
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from handlers import desk as desk_handlers
from handlers.common import (
    BEFORE_GROUP,
    Context,
    current_person,
    exact,
    pressed_by,
    reply,
    services,
)
from handlers.render import replace, show

log = logging.getLogger(__name__)

REASON, CONFIRM = range(2)
END = ConversationHandler.END
PENDING = "pengembalian"
CARD_ASKED = "kartu_ditanya"  # the request whose paraf or signature awaits its confirmation
Origin = tuple[int, int, str, InlineKeyboardMarkup | None]  # the notice: chat, id, text, keys


@dataclass
class PendingReturn(decisions.PendingReturn):
    origin: Origin | None = None


def _flow(context: Context) -> decisions.Decisions:
    return decisions.Decisions(services(context))


def _review_or_card(data: str) -> bool:
    return callbacks.parse_review(data) is not None or callbacks.parse_card(data) is not None


def _without(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """The notice's keyboard less the row holding the pressed button."""
    if markup is None:
        return None
    rows = [row for row in markup.inline_keyboard if all(b.callback_data != data for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


def _origin(message: Message | None) -> Origin:
    assert message is not None
    return message.chat.id, message.message_id, message.text or "", message.reply_markup


async def _edit_notice(
    context: Context, origin: Origin, data: str, outcome: decisions.Outcome
) -> None:
    chat_id, message_id, text, markup = origin
    if callbacks.parse_card(data) is not None:
        markup = None  # a card's request: decided, nothing left to press (its recap neither)
    line = outcome.line
    if outcome.subject and markup is not None and len(markup.inline_keyboard) > 1:
        line = outcome.text  # a digest or a queue: name the item
    try:
        await context.bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=f"{text}\n\n{line}",
            reply_markup=_without(markup, data),
        )
    except BadRequest as exc:
        log.info("could not edit notice %s: %s", message_id, exc.message)


async def approve(update: Update, context: Context) -> None:
    """✅ on an item's notice or a card's request."""
    query = update.callback_query
    assert query is not None
    pressed = await pressed_by(update, context, _review_or_card)
    if pressed is None:
        return
    data, person = pressed
    asked = context.user_data.get(CARD_ASKED) if context.user_data is not None else None
    shown_on = None  # the message this handler edits itself: the notice, or the request asked from
    if callbacks.parse_review(data) is not None and isinstance(query.message, Message):
        shown_on = (query.message.chat.id, query.message.message_id)
    elif (
        asked is not None
        and (card := callbacks.parse_card(data)) is not None
        and asked[0] == callbacks.card(True, card.period, card.version)  # its own request
    ):
        shown_on = (asked[1][0], asked[1][1])
    outcome = _flow(context).decide(person, data, shown_on=shown_on)
    if outcome.refused:
        await reply(update, outcome.refused)
        return
    assert context.user_data is not None
    if outcome.ask is not None:  # a paraf or signature: confirmed first, the card in view
        context.user_data[CARD_ASKED] = (data, _origin(cast(Message, query.message)))
        page = await desk.card_confirmation(services(context), outcome)
        await desk_handlers.show_page(update, context, person, page)
        return
    asked = context.user_data.pop(CARD_ASKED, None)
    choice = callbacks.parse_card(data)
    if choice is not None and choice.confirmed:
        request = callbacks.card(True, choice.period, choice.version)
        if asked is not None and asked[0] == request:  # the request it was asked from
            await _edit_notice(context, asked[1], request, outcome)
        await replace(update, Screen(outcome.line))
        return
    await _edit_notice(context, _origin(cast(Message, query.message)), data, outcome)


async def card_recap(update: Update, context: Context) -> None:
    """A request's "Rekap": the request itself shows the chain and every unit's standing
    (its "Rekap" button gone, its decision buttons kept while they apply)."""
    query = update.callback_query
    assert query is not None
    pressed = await pressed_by(update, context, callbacks.parse_card_recap)
    if pressed is None:
        return
    data, person = pressed
    screen = _flow(context).card_recap(person, data, chain=False)  # under the request
    message = query.message
    if not isinstance(message, Message) or message.text is None:
        await show(update, screen)
        return
    markup = _without(message.reply_markup, data) if screen.rows else None
    try:
        await message.edit_text(f"{message.text}\n\n{screen.text}", reply_markup=markup)
    except BadRequest as exc:  # pressed twice: the recap is there already
        log.info("could not show the recap on %s: %s", message.message_id, exc.message)


async def keep_card_step(update: Update, context: Context) -> None:
    """ "Batal" at a paraf's or signature's confirmation: nothing given."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    if context.user_data is not None:
        context.user_data.pop(CARD_ASKED, None)
    await replace(update, Screen(texts.CARD_STEP_KEPT))


async def start_return(update: Update, context: Context) -> int:
    """↩️ on an item's notice or a card's request: the reason is asked, if it still applies."""
    query = update.callback_query
    assert query is not None
    pressed = await pressed_by(update, context, _review_or_card)
    if pressed is None:
        return END
    data, person = pressed
    question, pending = _flow(context).ask_reason(person, data)
    asked = await show(update, question)
    if pending is None:
        return END
    assert context.user_data is not None
    origin = _origin(cast(Message, query.message))
    prompt = str(asked.message_id) if asked is not None else ""
    context.user_data[PENDING] = PendingReturn(
        pending.data, what=pending.what, prompt=prompt, origin=origin
    )
    return REASON


def _pending(context: Context) -> PendingReturn | None:
    data = context.user_data
    return cast(PendingReturn | None, data.get(PENDING)) if data is not None else None


async def receive_reason(update: Update, context: Context) -> int:
    message, pending = update.effective_message, _pending(context)
    person = await current_person(update, context)
    if message is None or message.text is None or person is None:
        return END
    if pending is None:  # dropped when another button was pressed: not a reason now
        await reply(update, texts.RETURN_NOT_PENDING)
        return END
    answered = message.reply_to_message
    replying_to = str(answered.message_id) if answered is not None else ""
    await show(update, _flow(context).reason(person, pending, message.text, replying_to))
    return CONFIRM if pending.reason else REASON


async def confirm_return(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    pending = _pending(context)
    person = await current_person(update, context)
    if person is None:
        return END
    if pending is None:
        await reply(update, texts.RETURN_NOT_PENDING)
        return END
    assert context.user_data is not None
    context.user_data.pop(PENDING, None)
    choice = callbacks.parse_review(pending.data)
    if choice is not None and choice.desk:  # at the desk: the next delivery follows
        await desk_handlers.return_confirmed(update, context, person, pending, pending.origin)
        return END
    origin = pending.origin
    shown_on = (origin[0], origin[1]) if origin is not None else None
    outcome = _flow(context).decide(person, pending.data, pending.reason, shown_on)
    if outcome.refused:
        await reply(update, outcome.refused)
        return END
    if pending.origin is not None:
        await _edit_notice(context, pending.origin, pending.data, outcome)
    await reply(update, outcome.line)
    return END


async def cancel_return(update: Update, context: Context) -> int:
    if update.callback_query:
        await update.callback_query.answer()
    if context.user_data is not None:
        context.user_data.pop(PENDING, None)
    await reply(update, texts.RETURN_CANCELLED)
    return END


async def drop_pending_return(update: Update, context: Context) -> None:
    """Any other button pressed while a return waits: the return is dropped and said so
    (``Decisions.interrupted``); the button then does what it does (group 0)."""
    pending, query = _pending(context), update.callback_query
    if pending is None or query is None or context.user_data is None:
        return
    said = decisions.Decisions.interrupted(pending, query.data or "")
    if said is not None:
        context.user_data.pop(PENDING, None)
        log.info("pending return %s dropped by another button", pending.data)
        await show(update, said)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(drop_pending_return), group=BEFORE_GROUP)
    application.add_handler(
        CallbackQueryHandler(
            approve, pattern=rf"^({callbacks.REVIEW}:ok|{callbacks.CARD}:ok|{callbacks.CARD}:ya):"
        )
    )
    application.add_handler(
        CallbackQueryHandler(keep_card_step, pattern=exact(callbacks.CARD_KEEP))
    )
    application.add_handler(CallbackQueryHandler(card_recap, pattern=rf"^{callbacks.CARD_RECAP}:"))
    timeout = cast(Services, application.bot_data["services"]).conversation_timeout.total_seconds()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"If 'per_message=False'", PTBUserWarning)
        conversation = ConversationHandler(
            name="kembalikan",
            entry_points=[
                CallbackQueryHandler(
                    start_return,
                    pattern=rf"^({callbacks.REVIEW}|{callbacks.CARD}|{callbacks.DESK}):no:",
                ),
            ],
            states={
                REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, receive_reason)],
                CONFIRM: [
                    CallbackQueryHandler(confirm_return, pattern=exact(callbacks.RETURN_YES))
                ],
            },
            fallbacks=[
                CommandHandler("batal", cancel_return),
                CallbackQueryHandler(cancel_return, pattern=exact(callbacks.RETURN_NO)),
            ],
            allow_reentry=True,
            conversation_timeout=timeout,
        )
    application.add_handler(conversation)
