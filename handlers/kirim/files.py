"""Files sent for an item or for the card: received, checked, counted once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update

from chatbot import callbacks, delivery, texts
from chatbot.screens import Screen
from chatbot.services.submission import IncomingFile
from handlers.common import Context, reply
from handlers.kirim.state import (
    CONFIRM,
    END,
    FILES,
    ITEM,
    PICK,
    _answer,
    _begin,
    _data,
    _draft,
    _flow,
    _prompt,
    _session,
    _show_all,
    _submitter,
    live,
    replace,
    show,
    stale,
)
from handlers.render import edit

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ files and notes


async def ask_files(update: Update, context: Context) -> int:
    return await _prompt(update, context, delivery.Delivery.ask_files, FILES)


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
    """A document or photo, at any moment: the e-SPIP screenshot when asked for; else into
    the open item, or kept apart with the question which item it is for. An album gets one
    answer, brought up to date as its files arrive."""
    message = update.effective_message
    person = await _submitter(update, context)
    if message is None or person is None:
        return END
    draft = await _session(update, context, person)
    if draft is None:
        return END
    incoming = _incoming(message)
    if incoming is None or incoming.telegram_file_id is None:
        return await wrong_kind(update, context)
    flow = _flow(context)
    received = await flow.receive(incoming, _fetcher(context, incoming.telegram_file_id))
    if isinstance(received, Screen):
        await show(update, context, received)
        return FILES if draft.takes_files else PICK
    if draft.espip and draft.on_card:
        shown, ended = flow.record_espip(person, draft, received)
        await _show_all(update, context, shown)
        return END if ended else ITEM
    asked = draft.question
    screen = flow.take_file(person, draft, received)
    album = message.media_group_id
    earlier = draft.albums.get(album) if album else None
    if earlier is not None and await edit(earlier, screen):  # an album: one answer, counting
        await live(context, earlier, screen)
        return FILES if draft.takes_files else PICK
    if not draft.takes_files and asked is not None and await edit(asked, screen):
        await live(context, asked, screen)
        # files sent one by one before the answer: the question is kept current where it
        # is, and each file gets one line
        await show(update, context, flow.loose_received(person, draft))
        return PICK
    sent = await show(update, context, screen)
    if album and sent is not None:
        draft.albums[album] = sent
    if not draft.takes_files:
        draft.question = sent
    return FILES if draft.takes_files else PICK


def _kind(message: Message | None) -> str:
    """What a message that is not a file holds, in Telegram's words (``sticker``...)."""
    if message is None:
        return ""
    for kind in texts.NOT_A_FILE:
        if getattr(message, kind, None):
            return kind
    return ""


async def wrong_kind(update: Update, context: Context) -> int:
    await show(update, context, delivery.Delivery.not_a_file(_kind(update.effective_message)))
    return FILES


async def text_instead_of_file(update: Update, context: Context) -> int:
    draft = _draft(context)
    if draft is None:
        return await stale(update, context)
    await show(update, context, delivery.Delivery.typed_instead_of_file(draft))
    return FILES


async def files_done(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None:
        return await stale(update, context)
    summary = _flow(context).files_done(draft)
    if summary is None:
        await reply(update, texts.NO_FILES_YET)
        return FILES
    await show(update, context, summary)
    return CONFIRM


async def which_item(update: Update, context: Context) -> int:
    """The question again for the files sent before an item was chosen (the checklist's row)."""
    if (begun := await _begin(update, context)) is None:
        return END
    person, draft = begun
    draft.question = await show(update, context, _flow(context).which_item(person, draft))
    return PICK


async def assign(update: Update, context: Context) -> int:
    """The item chosen for those files: they join its draft; the confirmation follows."""
    target = callbacks.parse_kirim_assign(_data(update))
    if (begun := await _begin(update, context)) is None or target is None:
        return END
    person, draft = begun
    await replace(update, context, _flow(context).assign(person, draft, target.code, target.period))
    return FILES if draft.takes_files else PICK


async def discard(update: Update, context: Context) -> int:
    if (begun := await _begin(update, context)) is None:
        return END
    person, draft = begun
    target = callbacks.parse_kirim_discard(_data(update))
    if target is not None and not target.code:
        draft.question = None  # the files it asked about are gone
    await _show_all(update, context, _flow(context).discard(person, draft, target))
    return ITEM if draft.item_code else PICK
