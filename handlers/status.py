"""/status (with a picture), /rekap (the Excel workbook) and /paket (the e-SPIP zip)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from telegram import Chat, Update
from telegram.constants import ChatAction
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.services.ports import Button
from chatbot.services.status import PeriodStatus
from handlers import keyboards
from handlers.common import Context, args_text, current_person, reply, services

log = logging.getLogger(__name__)
BOT_UPLOAD_LIMIT = 50 * 1024 * 1024  # what the cloud Bot API accepts from a bot
MAX_UNIT_BUTTONS = 30


async def _answer(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


def _period(context: Context, text: str | None) -> Period | None:
    if text:
        return Period.parse(text)
    return services(context).status.default_period()


def _keyboard(status: PeriodStatus, person: Person, periods: list[Period]) -> list[list[Button]]:
    code = status.period.code
    rows: list[list[Button]] = []
    if person.may(Permission.VIEW_ALL_STATUS):
        units = [(u.unit.code, f"st:u:{u.unit.code}:{code}") for u in status.units]
        rows += keyboards.grid(units[:MAX_UNIT_BUTTONS], 4)
    rows.append([("🖼 Gambar", f"st:img:{code}")])
    others = [(f"🗓 {p.code}", f"st:p:{p.code}") for p in periods if p != status.period]
    rows += keyboards.grid(others[-6:], 3)
    return rows


async def _show(update: Update, context: Context, period_text: str | None) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    svc = services(context)
    try:
        period = _period(context, period_text)
        if period is None:
            await reply(update, texts.NO_PERIOD_YET)
            return
        status = svc.status.for_person(person, period)
    except DomainError as exc:
        await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
        return
    if person.may(Permission.VIEW_ALL_STATUS):
        text = texts.status_overview(status)
    else:
        text = texts.unit_status_detail(status, person.unit.code)
    keyboard = _keyboard(status, person, svc.status.periods())
    await reply(update, text, keyboards.markup(keyboard))


async def status(update: Update, context: Context) -> None:
    await _answer(update)
    await _show(update, context, args_text(context) or None)


async def status_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await _answer(update)
    parts = query.data.split(":")
    if parts[1] == "p" and len(parts) == 3:
        await _show(update, context, parts[2])
    elif parts[1] == "u" and len(parts) == 4:
        await _unit(update, context, parts[2], parts[3])
    elif parts[1] == "img" and len(parts) == 3:
        await _picture(update, context, parts[2])
    else:
        await _show(update, context, None)


async def _unit(update: Update, context: Context, unit_code: str, period_text: str) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    try:
        status = services(context).status.for_person(
            person, Period.parse(period_text), unit_code=unit_code
        )
    except DomainError as exc:
        await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
        return
    await reply(update, texts.unit_status_detail(status, unit_code))


async def _picture(update: Update, context: Context, period_text: str) -> None:
    person = await current_person(update, context)
    chat = update.effective_chat
    if person is None or chat is None:
        return
    svc = services(context)
    try:
        status = svc.status.for_person(person, Period.parse(period_text))
    except DomainError as exc:
        await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
        return
    await chat.send_chat_action(ChatAction.UPLOAD_PHOTO)
    png = svc.recap.picture(status)
    await chat.send_photo(png, caption=f"Status {texts.bulan(status.period)}")


async def _recap_period(update: Update, context: Context) -> tuple[Person, Period] | None:
    person = await current_person(update, context)
    if person is None:
        return None
    if not person.may(Permission.EXPORT_RECAP):
        await reply(update, texts.NOT_ALLOWED)
        return None
    try:
        period = _period(context, args_text(context) or None)
    except DomainError as exc:
        await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
        return None
    if period is None:
        await reply(update, texts.NO_PERIOD_YET)
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
    try:
        data = svc.recap.workbook(period, person)
    except DomainError as exc:
        await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
        return
    await chat.send_document(
        data, filename=svc.recap.workbook_name(period), caption=texts.recap_caption(period)
    )
    log.info("recap %s sent to person %s (%s bytes)", period, person.id, len(data))


async def paket(update: Update, context: Context) -> None:
    prepared = await _prepare(update, context, texts.PREPARING_PACKAGE)
    if prepared is None:
        return
    person, period, chat = prepared
    svc = services(context)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"Paket-eSPIP-{period.code}.zip"
        try:
            package = svc.recap.package(period, out, person)
        except DomainError as exc:
            await reply(update, texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
            return
        size = out.stat().st_size
        if size > BOT_UPLOAD_LIMIT:
            await reply(
                update,
                texts.PACKAGE_TOO_LARGE.format(period=period.code, size=texts.ukuran(size)),
            )
            return
        with out.open("rb") as handle:
            await chat.send_document(
                handle,
                filename=out.name,
                caption=texts.package_caption(period, len(package.entries)),
            )
    log.info("package %s sent to person %s (%s bytes)", period, person.id, size)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("status", status))
    application.add_handler(CallbackQueryHandler(status, pattern=r"^mn:status$"))
    application.add_handler(CallbackQueryHandler(status_button, pattern=r"^st:"))
    application.add_handler(CommandHandler("rekap", rekap))
    application.add_handler(CallbackQueryHandler(rekap, pattern=r"^mn:rekap$"))
    application.add_handler(CommandHandler("paket", paket))
    application.add_handler(CallbackQueryHandler(paket, pattern=r"^mn:paket$"))
