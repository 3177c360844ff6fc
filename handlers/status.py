"""/status (with a picture), /rekap (the Excel workbook) and /paket (the e-SPIP zip)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Chat, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, commands, texts
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from handlers.common import Context, args_text, current_person, exact, reply, services, under
from handlers.render import show

log = logging.getLogger(__name__)
BOT_UPLOAD_LIMIT = 50 * 1024 * 1024  # what the cloud Bot API accepts from a bot


async def _answer(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


async def _show(update: Update, context: Context, period_text: str | None) -> None:
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.status(services(context), person, period_text or ""))


async def status(update: Update, context: Context) -> None:
    await _answer(update)
    await _show(update, context, args_text(context) or None)


async def status_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await _answer(update)
    choice = callbacks.parse_status(query.data)
    if choice is None:
        await _show(update, context, None)
    elif choice.what == "u":
        await _unit(update, context, choice.unit, choice.period.code)
    elif choice.what == "img":
        await _picture(update, context, choice.period.code)
    else:
        await _show(update, context, choice.period.code)


async def _unit(update: Update, context: Context, unit_code: str, period_text: str) -> None:
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.status(services(context), person, period_text, unit_code))


async def _picture(update: Update, context: Context, period_text: str) -> None:
    person = await current_person(update, context)
    chat = update.effective_chat
    if person is None or chat is None:
        return
    svc = services(context)
    status = commands.status_for_picture(svc, person, Period.parse(period_text))
    if isinstance(status, str):
        await reply(update, status)
        return
    await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
    png = await svc.workers.run(svc.recap.picture, status)
    await chat.send_photo(png, caption=texts.picture_caption(status.period))


async def rapor(update: Update, context: Context) -> None:
    """/rapor [TTTT]: the scorecard's text, then its picture (drawn in a worker)."""
    await _answer(update)
    person = await current_person(update, context)
    chat = update.effective_chat
    if person is None or chat is None:
        return
    svc = services(context)
    # a national year is over a second of queries: off the event loop
    screen, card = await svc.workers.run(commands.rapor, svc, person, args_text(context))
    await show(update, screen)
    if card is not None:
        await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
        png = await svc.workers.run(svc.recap.scorecard_picture, card)
        await chat.send_photo(png, caption=texts.rapor_caption(card))


async def _recap_period(update: Update, context: Context) -> tuple[Person, Period] | None:
    person = await current_person(update, context)
    if person is None:
        return None
    period = commands.export_period(services(context), person, args_text(context))
    if isinstance(period, str):
        await reply(update, period)
        return None
    return person, period


async def _prepare(
    update: Update, context: Context, preparing: str
) -> tuple[Person, Period, Chat] | None:
    """Who asks for which period; says that the file is being made, shows "sending a file"."""
    await _answer(update)
    chosen = await _recap_period(update, context)
    chat = update.effective_chat
    if chosen is None or chat is None:
        return None
    person, period = chosen
    await reply(update, preparing.format(period=texts.bulan(period)))
    await chat.send_chat_action(ChatAction.UPLOAD_DOCUMENT)
    return person, period, chat


async def rekap(update: Update, context: Context) -> None:
    prepared = await _prepare(update, context, texts.PREPARING_RECAP)
    if prepared is None:
        return
    person, period, chat = prepared
    svc = services(context)
    made = await svc.workers.run(commands.recap, svc, person, period)
    if isinstance(made, str):
        await reply(update, made)
        return
    await chat.send_document(made.data, filename=made.name, caption=made.caption)


async def paket(update: Update, context: Context) -> None:
    prepared = await _prepare(update, context, texts.PREPARING_PACKAGE)
    if prepared is None:
        return
    person, period, chat = prepared
    with tempfile.TemporaryDirectory() as folder:
        svc = services(context)
        made = await svc.workers.run(
            commands.package, svc, person, period, Path(folder), BOT_UPLOAD_LIMIT
        )
        if isinstance(made, str):
            await reply(update, made)
            return
        assert made.path is not None
        with made.path.open("rb") as handle:
            await chat.send_document(handle, filename=made.name, caption=made.caption)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("status", status))
    application.add_handler(CommandHandler("rapor", rapor))
    application.add_handler(CallbackQueryHandler(rapor, pattern=exact(callbacks.menu("rapor"))))
    application.add_handler(CallbackQueryHandler(status, pattern=exact(callbacks.menu("status"))))
    application.add_handler(CallbackQueryHandler(status_button, pattern=under(callbacks.STATUS)))
    application.add_handler(CommandHandler("rekap", rekap))
    application.add_handler(CallbackQueryHandler(rekap, pattern=exact(callbacks.menu("rekap"))))
    application.add_handler(CommandHandler("paket", paket))
    application.add_handler(CallbackQueryHandler(paket, pattern=exact(callbacks.menu("paket"))))
