"""The provincial card for its satgas: e-SPIP, "kirim data" and the hand-over (SOP steps 6
and 9)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Update

from chatbot import delivery, screens
from chatbot.domain.people import Person
from chatbot.screens import Screen
from handlers.common import Context
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
    end_session,
    show,
    stale,
)

log = logging.getLogger(__name__)


# ------------------------------------------------------------------ the provincial card


Record = Callable[[delivery.Delivery, Person, delivery.Draft], tuple[list[Screen], bool]]


async def _card_step(update: Update, context: Context, record: Record) -> int:
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None or not draft.on_card:
        return await stale(update, context)
    shown, ended = record(_flow(context), person, draft)
    await _show_all(update, context, shown)
    if ended:
        await end_session(context)
        _set_draft(context, None)
        return END
    return ITEM


async def ask_espip_evidence(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None or not draft.on_card:
        return await stale(update, context)
    draft.espip = True  # the next file is the screenshot (``files.receive_file``)
    await show(update, context, screens.ask_espip())
    return ESPIP


async def espip_without_evidence(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_espip)


async def kirim_data(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_kirim_data)


async def ask_handover(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None or not draft.on_card:
        return await stale(update, context)
    screen = _flow(context).handover_question(draft)
    await show(update, context, screen)
    return HANDOVER if screen.actions else ITEM


async def handover(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, delivery.Delivery.record_handover)
