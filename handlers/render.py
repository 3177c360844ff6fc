"""A shared screen (``chatbot.screens``) on Telegram: its text, its actions as an inline
keyboard, one button per action, rows as the screen has them."""

from __future__ import annotations

import logging

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from chatbot.screens import Screen
from handlers.common import reply


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(a.label, callback_data=a.data) for a in row] for row in screen.rows]
    )


log = logging.getLogger(__name__)


async def show(update: Update, screen: Screen) -> Message | None:
    if screen.reply_hint and not screen.rows:  # the phone opens a reply to this message
        hint = screen.reply_hint[:64]
        return await reply(update, screen.text, ForceReply(input_field_placeholder=hint))
    return await reply(update, screen.text, markup(screen))


async def edit(message: Message, screen: Screen) -> bool:
    """Show ``screen`` in place of a message sent before (a checklist brought up to date, an
    album's answer counting on); False when Telegram refuses (too old, deleted)."""
    try:
        await message.edit_text(screen.text, reply_markup=markup(screen))
    except BadRequest as exc:
        if "not modified" in str(exc).lower():  # the same screen: nothing to change
            return True
        log.info("could not update message %s in place: %s", message.message_id, exc)
        return False
    except TelegramError as exc:
        log.info("could not update message %s in place: %s", message.message_id, exc)
        return False
    return True


async def replace(update: Update, screen: Screen) -> Message | None:
    """Show ``screen`` in place of the message whose button was pressed, else as a new one."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.text is not None and await edit(message, screen):
        return message
    return await show(update, screen)
