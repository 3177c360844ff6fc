"""The reviewer's desk on Telegram (``chatbot.desk``): /periksa, a notice's "Periksa", the
digest's and /antrian's. Each delivery comes as its pictures (one album: every PDF's first
page, the photos), the files that cannot be pictured, then the desk's message with its
buttons; a decision edits that message (the outcome, no buttons) and the next one follows.
The desk's message is remembered (``OutboxService.placed``), so a decision taken elsewhere
(another reviewer, an approve-all) edits it too."""

from __future__ import annotations

import logging
from contextlib import ExitStack

from telegram import InputMediaPhoto, Message, Update
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, decisions, desk, texts
from chatbot.domain.people import Person
from chatbot.screens import Screen
from chatbot.services import notify
from chatbot.services.ports import EvidenceFile
from handlers import outbox
from handlers.common import Context, current_person, exact, pressed_by, services
from handlers.render import edit, show

log = logging.getLogger(__name__)
ALBUM = 10  # pictures in one Telegram album


def _desk(update: Update, context: Context) -> desk.Desk:
    """The desk, with the chat action shown while a first page is rendered."""
    return desk.Desk(services(context), preparing=lambda: _preparing(update, context))


async def _preparing(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        try:
            await context.bot.send_chat_action(chat.id, ChatAction.UPLOAD_PHOTO)
        except TelegramError as exc:
            log.info("chat action refused: %s", exc)


async def _send_document(update: Update, context: Context, f: EvidenceFile) -> None:
    chat = update.effective_chat
    assert chat is not None
    sent = await outbox.send_file(context.bot, services(context).files, chat.id, f.attachment)
    if not sent:
        log.warning("evidence %s (%s) missing from the store", f.sha256, f.file_name)
        await context.bot.send_message(chat.id, texts.files_missing([f.file_name]).strip())


async def _send_pictures(
    update: Update, context: Context, pictures: tuple[desk.Picture, ...]
) -> None:
    chat = update.effective_chat
    assert chat is not None
    for start in range(0, len(pictures), ALBUM):
        chunk = pictures[start : start + ALBUM]
        with ExitStack() as files:
            opened = [files.enter_context(p.path.open("rb")) for p in chunk]
            if len(chunk) == 1:
                await context.bot.send_photo(chat.id, opened[0], caption=chunk[0].caption)
            else:
                media = [
                    InputMediaPhoto(f, caption=p.caption)
                    for f, p in zip(opened, chunk, strict=True)
                ]
                await context.bot.send_media_group(chat.id, media)


async def show_page(update: Update, context: Context, person: Person, page: desk.Page) -> None:
    """The pictures, the documents, then the desk's message (remembered for later edits)."""
    await _send_pictures(update, context, page.pictures)
    for f in page.documents:
        await _send_document(update, context, f)
    sent = await show(update, page.screen)
    target = page.target
    if sent is not None and target is not None:
        subject = notify.item_subject(target.state_id, target.state.version)
        services(context).outbox.placed(
            person.id, subject, sent.chat.id, sent.message_id, page.screen.text
        )


async def _settle_pressed(update: Update, line: str) -> None:
    """The desk message whose button was pressed: the outcome under it, its buttons gone."""
    query = update.callback_query
    message = query.message if query is not None else None
    if isinstance(message, Message) and message.text is not None:
        await edit(message, Screen(f"{message.text}\n\n{line}"))


async def periksa(update: Update, context: Context) -> None:
    """/periksa, the digest's and /antrian's "Periksa": the oldest waiting."""
    if update.callback_query:
        await update.callback_query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    await show_page(update, context, person, await _desk(update, context).open(person))


async def pressed(update: Update, context: Context) -> None:
    """A notice's "Periksa", "Lewati", "Berkas asli"."""
    pressed = await pressed_by(update, context, callbacks.parse_desk)
    if pressed is None:
        return
    data, person = pressed
    choice = callbacks.parse_desk(data)
    assert choice is not None
    kind, state_id = choice
    flow = _desk(update, context)
    if kind == callbacks.DESK_ORIGINALS:
        files, refused = flow.originals(person, state_id)
        if refused:
            await show(update, Screen(refused))
        for f in files:
            await _send_document(update, context, f)
        return
    if kind == callbacks.DESK_SKIP:
        await _settle_pressed(update, texts.DESK_SKIPPED)
        page = await flow.skip(person, state_id)
    else:
        page = await flow.open(person, state_id)
    await show_page(update, context, person, page)


async def decide(update: Update, context: Context) -> None:
    """ "Setujui" at the desk: decided, the message says so, the next one follows."""
    pressed = await pressed_by(update, context, callbacks.parse_review)
    if pressed is None:
        return
    data, person = pressed
    query = update.callback_query
    message = query.message if query is not None else None
    shown_on = (message.chat.id, message.message_id) if isinstance(message, Message) else None
    outcome, page = await _desk(update, context).decide(person, data, shown_on=shown_on)
    await _settle_pressed(update, outcome.refused or outcome.line)
    await show_page(update, context, person, page)


async def return_confirmed(
    update: Update,
    context: Context,
    person: Person,
    pending: decisions.PendingReturn,
    origin: tuple[int, int, str, object] | None,
) -> None:
    """A return confirmed at the desk: decided, the desk's message says so, then the next
    delivery."""
    shown_on = (origin[0], origin[1]) if origin is not None else None
    flow = _desk(update, context)
    outcome, page = await flow.decide(person, pending.data, pending.reason, shown_on)
    if origin is not None and not outcome.refused:
        chat_id, message_id, text, _ = origin
        try:
            await context.bot.edit_message_text(
                chat_id=chat_id, message_id=message_id, text=f"{text}\n\n{outcome.line}"
            )
        except BadRequest as exc:
            log.info("could not edit desk message %s: %s", message_id, exc.message)
    await show_page(update, context, person, page)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("periksa", periksa))
    application.add_handler(CallbackQueryHandler(periksa, pattern=exact(callbacks.DESK_START)))
    application.add_handler(CallbackQueryHandler(periksa, pattern=exact(callbacks.menu("periksa"))))
    application.add_handler(
        CallbackQueryHandler(
            pressed,
            pattern=rf"^({callbacks.DESK_OPEN}|{callbacks.DESK_SKIP}|{callbacks.DESK_ORIGINALS}):",
        )
    )
    application.add_handler(CallbackQueryHandler(decide, pattern=rf"^{callbacks.DESK}:ok:"))
