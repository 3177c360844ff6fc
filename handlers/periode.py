"""/periode and /jadwal (admin): the open periods, opening one by hand, the month's plan.
The scheduler's own steps are in ``handlers/jobs.py``."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, commands
from handlers.common import Context, args_text, current_person, exact, services, under
from handlers.render import replace, show

log = logging.getLogger(__name__)


async def overview(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.periods(services(context), person))


async def periode(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    code = args_text(context)
    svc = services(context)
    await show(
        update, commands.open_period(svc, person, code) if code else commands.periods(svc, person)
    )


async def open_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is not None:
        await replace(update, commands.open_pressed(services(context), person, query.data))


async def jadwal(update: Update, context: Context) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.month_plan(services(context), person))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("periode", periode))
    application.add_handler(CommandHandler("jadwal", jadwal))
    application.add_handler(CallbackQueryHandler(jadwal, pattern=exact(callbacks.menu("jadwal"))))
    application.add_handler(CallbackQueryHandler(open_button, pattern=under(callbacks.OPEN_PERIOD)))
