"""A shared screen (``chatbot.screens``) on Telegram: its text, its actions as an inline
keyboard, one button per action, rows as the screen has them."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from chatbot.screens import Screen
from handlers.common import reply


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(a.label, callback_data=a.data) for a in row] for row in screen.rows]
    )


async def show(update: Update, screen: Screen) -> None:
    await reply(update, screen.text, markup(screen))
