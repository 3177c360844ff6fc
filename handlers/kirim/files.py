"""Files sent for an item or for the card: received, checked, counted once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from chatbot import delivery, screens, texts
from chatbot.screens import Screen
from chatbot.services.submission import IncomingFile
from handlers.common import Context, reply
from handlers.kirim.state import (
    CONFIRM,
    END,
    FILES,
    ITEM,
    _answer,
    _draft,
    _flow,
)
from handlers.render import show

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ files and notes


async def ask_files(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    prompt = _flow(context).ask_files(draft) if draft is not None else None
    if prompt is None:  # a button of an item that no longer takes files
        await reply(update, texts.STEP_NOT_AVAILABLE)
        return ITEM
    await show(update, prompt)
    return FILES


def _fetcher(context: Context, file_id: str) -> Callable[[], Awaitable[bytes]]:
    """Downloads one file from Telegram when called (the service retries it)."""

    async def fetch() -> bytes:
        telegram_file = await context.bot.get_file(file_id)
        return bytes(await telegram_file.download_as_bytearray())

    return fetch


def _incoming(message: Message) -> IncomingFile | None:
    if message.document is not None:
        doc = message.document
        return IncomingFile(
            doc.file_name, doc.mime_type, doc.file_size, doc.file_id, doc.file_unique_id
        )
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return IncomingFile(
            None, "image/jpeg", photo.file_size, photo.file_id, photo.file_unique_id
        )
    return None


async def receive_file(update: Update, context: Context) -> int:
    message, draft = update.effective_message, _draft(context)
    if message is None or draft is None:
        return END
    incoming = _incoming(message)
    if incoming is None or incoming.telegram_file_id is None:
        return await wrong_kind(update, context)
    flow = _flow(context)
    received = await flow.receive(incoming, _fetcher(context, incoming.telegram_file_id))
    if isinstance(received, Screen):
        await show(update, received)
        return FILES
    answer, new = flow.add_file(draft, received)
    album = message.media_group_id
    if not new or album is None or album not in draft.albums:  # one answer per album
        if album is not None:
            draft.albums.add(album)
        await show(update, answer)
    return FILES


def _kind(message: Message | None) -> str:
    """What a message that is not a file holds, in Telegram's words (``sticker``...)."""
    if message is None:
        return ""
    for kind in texts.NOT_A_FILE:
        if getattr(message, kind, None):
            return kind
    return ""


async def wrong_kind(update: Update, context: Context) -> int:
    await show(update, delivery.Delivery.not_a_file(_kind(update.effective_message)))
    return FILES


async def text_instead_of_file(update: Update, context: Context) -> int:
    await show(update, screens.text_instead_of_file())
    return FILES


async def files_done(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    summary = _flow(context).files_done(draft)
    if summary is None:
        await reply(update, texts.NO_FILES_YET)
        return FILES
    await show(update, summary)
    return CONFIRM
