"""The provincial card for its satgas: e-SPIP, "kirim data" and the hand-over (SOP steps 6
and 9)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update

from chatbot import delivery, screens, texts
from chatbot.domain.people import Person
from chatbot.screens import Screen
from handlers.common import Context, reply
from handlers.kirim.files import (
    _fetcher,
    _incoming,
)
from handlers.kirim.state import (
    END,
    ESPIP,
    HANDOVER,
    ITEM,
    _answer,
    _draft,
    _flow,
    _set_draft,
    _show_all,
    _submitter,
)
from handlers.render import show

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the provincial card


Record = Callable[[delivery.Delivery, Person, delivery.Draft], tuple[list[Screen], bool]]


async def _card_step(update: Update, context: Context, record: Record) -> int:
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None or not draft.on_card:
        await reply(update, texts.SESSION_ENDED)
        return END
    shown, ended = record(_flow(context), person, draft)
    await _show_all(update, shown)
    if ended:
        _set_draft(context, None)
        return END
    return ITEM


async def ask_espip_evidence(update: Update, context: Context) -> int:
    await _answer(update)
    await show(update, screens.ask_espip())
    return ESPIP


async def espip_without_evidence(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_espip)


async def espip_evidence(update: Update, context: Context) -> int:
    message = update.effective_message
    incoming = _incoming(message) if message else None
    if incoming is None or incoming.telegram_file_id is None:
        return await ask_espip_evidence(update, context)
    received = await _flow(context).receive(incoming, _fetcher(context, incoming.telegram_file_id))
    if isinstance(received, Screen):
        await show(update, received)
        return ESPIP
    return await _card_step(
        update, context, lambda flow, person, draft: flow.record_espip(person, draft, received)
    )


async def kirim_data(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_kirim_data)


async def ask_handover(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None or not draft.on_card:
        await reply(update, texts.SESSION_ENDED)
        return END
    screen = _flow(context).handover_question(draft)
    await show(update, screen)
    return HANDOVER if screen.actions else ITEM


async def handover(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_handover)
