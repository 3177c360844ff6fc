"""A shared screen (``chatbot.screens``) on Telegram: its text, its actions as an inline
keyboard, one button per action, rows as the screen has them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import lru_cache

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram._utils.types import JSONDict
from telegram.error import BadRequest, TelegramError

from chatbot.screens import Screen
from handlers.common import reply

Rows = tuple[tuple[tuple[str, str], ...], ...]  # (label, callback data), row by row


class Keyboard(InlineKeyboardMarkup):
    """An inline keyboard of callback buttons whose wire form is made once: PTB's generic
    ``to_dict`` walks every button's attributes on each send, which for a checklist of thirty
    items was a tenth of the update's CPU. The same as ``InlineKeyboardMarkup`` otherwise."""

    __slots__ = ("_wire",)

    def __init__(self, rows: Rows) -> None:
        super().__init__([[InlineKeyboardButton(t, callback_data=d) for t, d in r] for r in rows])
        self._wire: JSONDict = {
            "inline_keyboard": [[{"text": t, "callback_data": d} for t, d in r] for r in rows]
        }

    def to_dict(self, recursive: bool = True) -> JSONDict:
        return dict(self._wire)  # JSON-encoded as it is, never changed: its rows are shared


@lru_cache(maxsize=512)
def _keyboard(rows: Rows) -> Keyboard:
    return Keyboard(rows)


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """The keyboard of ``rows``; the same rows, the same (immutable) keyboard, made once: the
    checklist, the menu and the desk's buttons are shown again and again."""
    if not rows:
        return None
    return _keyboard(tuple(tuple((label, data) for label, data in row) for row in rows))


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    return keyboard([[(a.label, a.data) for a in row] for row in screen.rows])


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
