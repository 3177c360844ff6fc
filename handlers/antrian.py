"""/antrian: what waits for me: the deliveries (per unit how many, "Periksa" into the desk,
"Setujui semua" per unit with one confirmation) and the provincial card."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, decisions, screens, texts
from chatbot.services import notify
from handlers import keyboards
from handlers.common import Context, current_person, exact, reply, services, under
from handlers.render import show

log = logging.getLogger(__name__)
APPROVE_ALL = "setujui_semua"


async def antrian(update: Update, context: Context) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    svc = services(context)
    shown = 0
    groups = svc.review.queue(person)
    if groups:  # one message: how many per unit, "Periksa", each unit's "Setujui semua"
        await show(update, screens.queue(groups))
        shown += 1
    for state, stage, role in svc.card.waiting_for(person):
        text = texts.queue_card(state, stage)
        sent = await reply(update, text, keyboards.markup(texts.card_keyboard(state, stage)))
        if sent is not None:  # decided elsewhere later: this one says so too
            subject = notify.card_subject(state.period, state.version, role)
            svc.outbox.placed(person.id, subject, sent.chat.id, sent.message_id, text)
        shown += 1
    if not shown:
        await reply(update, texts.QUEUE_EMPTY)


async def approve_all(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    unit_code = callbacks.parse_approve_all(query.data) or ""
    question, pairs = decisions.Decisions(services(context)).approve_all_question(person, unit_code)
    if pairs is not None:
        assert context.user_data is not None
        context.user_data[APPROVE_ALL] = pairs
    await show(update, question)


async def approve_all_confirmed(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    person = await current_person(update, context)
    if person is None or context.user_data is None:
        return
    pairs = cast(list[tuple[int, int]] | None, context.user_data.pop(APPROVE_ALL, None))
    if pairs is None:
        await reply(update, texts.CHOICE_EXPIRED)
        return
    await show(update, decisions.Decisions(services(context)).approve_all(person, pairs))


async def approve_all_cancelled(update: Update, context: Context) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    if context.user_data is not None:
        context.user_data.pop(APPROVE_ALL, None)
    await reply(update, texts.APPROVE_ALL_CANCELLED)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("antrian", antrian))
    application.add_handler(CallbackQueryHandler(antrian, pattern=exact(callbacks.menu("antrian"))))
    application.add_handler(CallbackQueryHandler(approve_all, pattern=under(callbacks.APPROVE_ALL)))
    application.add_handler(
        CallbackQueryHandler(approve_all_confirmed, pattern=exact(callbacks.APPROVE_ALL_YES))
    )
    application.add_handler(
        CallbackQueryHandler(approve_all_cancelled, pattern=exact(callbacks.APPROVE_ALL_NO))
    )
