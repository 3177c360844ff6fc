"""The delivery conversation's state, shared by its steps: the states of PTB's
ConversationHandler, the person's draft in the conversation, small helpers."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

from telegram import Update
from telegram.ext import (
    ConversationHandler,
)

from chatbot import delivery, texts
from chatbot.domain.people import Person
from chatbot.screens import Screen
from handlers.common import Context, current_person, reply, services
from handlers.render import show

log = logging.getLogger(__name__)

PICK, ITEM, FILES, NOTE, CONFIRM, ESPIP, HANDOVER = range(7)
END = ConversationHandler.END
DRAFT = "kirim"


@dataclass
class Draft(delivery.Draft):
    albums: set[str] = field(default_factory=set)  # albums answered once

    def open_item(self, code: str, name: str, version: int, steps: delivery.Steps = ()) -> None:
        super().open_item(code, name, version, steps)
        self.albums = set()


def _flow(context: Context) -> delivery.Delivery:
    return delivery.Delivery(services(context))


def _draft(context: Context) -> Draft | None:
    user_data = context.user_data
    return cast(Draft | None, user_data.get(DRAFT)) if user_data is not None else None


def _set_draft(context: Context, draft: Draft | None) -> None:
    assert context.user_data is not None
    if draft is None:
        context.user_data.pop(DRAFT, None)
    else:
        context.user_data[DRAFT] = draft


async def _answer(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer()


async def _show_all(update: Update, shown: Sequence[Screen]) -> None:
    for screen in shown:
        await show(update, screen)


async def _submitter(update: Update, context: Context) -> Person | None:
    person = await current_person(update, context)
    if person is not None and not delivery.Delivery.may_deliver(person):
        await reply(update, texts.NOT_ALLOWED)
        return None
    return person


def _data(update: Update) -> str:
    query = update.callback_query
    return query.data or "" if query is not None else ""
