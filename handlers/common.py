"""What every handler shares: the gate, the services, replies, fallbacks, the error handler."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from typing import Any, cast

from telegram import ForceReply, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from chatbot import texts
from chatbot.domain.errors import AccessEnded
from chatbot.domain.people import Person
from chatbot.services.bundle import Services

log = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
GATE_GROUP = -2  # first: private chats with people only
BEFORE_GROUP = -1  # then what every button does first (a return waiting is dropped)


def services(context: Context) -> Services:
    return cast(Services, context.application.bot_data["services"])


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | ForceReply | None = None
) -> Message | None:
    """Answer in the chat the update came from (a message or a button's message)."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


SEEN = "_orang"  # user_data: (update id, the person the gate found for it)


def _looked_up(update: Update, context: Context) -> Person | None:
    """The person behind the update: found once per update (the gate, then every handler
    that asks); raises ``AccessEnded`` for a person deactivated."""
    user = update.effective_user
    assert user is not None  # the gate lets no update without a user through
    data = context.user_data
    seen = data.get(SEEN) if data is not None else None
    if seen is not None and seen[0] == update.update_id:
        return cast(Person, seen[1])
    person = services(context).registration.person(user.id)
    if data is not None and person is not None:
        data[SEEN] = (update.update_id, person)
    return person


async def current_person(update: Update, context: Context) -> Person | None:
    """The registered person behind the update, or None after telling them how to join
    (or that their access ended)."""
    try:
        person = _looked_up(update, context)
    except AccessEnded:
        await reply(update, texts.ACCESS_ENDED)
        return None
    if person is None:
        await reply(update, texts.NOT_REGISTERED)
    return person


async def pressed_by(
    update: Update, context: Context, valid: Callable[[str], object]
) -> tuple[str, Person] | None:
    """A button: its data when ``valid`` reads it (else an alert), answered, and who pressed
    it (None after telling a stranger how to join)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    if not valid(query.data):
        await query.answer(texts.BUTTON_INVALID, show_alert=True)
        return None
    await query.answer()
    person = await current_person(update, context)
    return (query.data, person) if person is not None else None


async def _gate(update: Update, context: Context) -> None:
    """Private chats with people only: bots are ignored, groups get one polite line."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        raise ApplicationHandlerStop
    if user.is_bot:
        log.info("ignored an update from bot %s", user.id)
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        if update.callback_query:
            await update.callback_query.answer(texts.PRIVATE_ONLY, show_alert=True)
        elif update.message and update.message.text and update.message.text.startswith("/"):
            await update.message.reply_text(texts.PRIVATE_ONLY)
        raise ApplicationHandlerStop
    if update.message is not None or update.callback_query is not None:
        try:  # a person whose access ended: nothing they send or press is done
            _looked_up(update, context)
        except AccessEnded:
            log.info("refused an update from deactivated telegram user %s", user.id)
            if update.callback_query is not None:
                await update.callback_query.answer()
            message = update.message
            sent_file = message is not None and bool(
                message.document or message.photo or message.video or message.audio
            )
            await reply(update, texts.ACCESS_ENDED_FILE if sent_file else texts.ACCESS_ENDED)
            if context.user_data is not None:  # what their session held is theirs no more
                context.user_data.clear()
            raise ApplicationHandlerStop from None
        except Exception:  # the database failing: the handler that needs the person meets
            pass  # the same fault and says it once, with its sentence


def register_gate(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, _gate), group=GATE_GROUP)


async def _fallback_message(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    message = update.effective_message
    word = (message.text or "").strip().lower() if message is not None else ""
    if word in texts.COMMAND_WORDS:  # "kirim" typed as on WhatsApp
        await reply(update, texts.use_slash(word))
        return
    await reply(update, texts.NOT_UNDERSTOOD)


async def _fallback_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(texts.NOT_UNDERSTOOD, show_alert=True)


def register_fallbacks(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(MessageHandler(filters.ALL, _fallback_message))
    application.add_handler(CallbackQueryHandler(_fallback_button))


async def on_error(update: object, context: Context) -> None:
    """Log for the admin, a clear apology for the user, once. A button's query was usually
    answered already (handlers answer first), so a second answer is refused by Telegram: that
    refusal must not keep the apology from being sent."""
    log.error("error while handling an update: %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    try:
        outage = services(context).is_outage(context.error)
        await update.effective_chat.send_message(
            texts.SERVICE_UNAVAILABLE if outage else texts.GENERIC_ERROR
        )
    except Exception:  # the chat may be unreachable; the log line above is what counts
        log.exception("could not tell the user about the error")


def exact(data: str) -> str:
    """A CallbackQueryHandler pattern for one button's data (``chatbot.callbacks``)."""
    return f"^{re.escape(data)}$"


def under(namespace: str) -> str:
    """A CallbackQueryHandler pattern for a namespace's buttons (``chatbot.callbacks``)."""
    return f"^{re.escape(namespace)}:"


def args_text(context: Context) -> str:
    return " ".join(cast(list[Any], context.args or []))
