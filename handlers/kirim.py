"""/kirim on Telegram: the delivery flow of ``chatbot.delivery`` (shared with WhatsApp) as a
PTB ``ConversationHandler``: this module keeps the draft in the conversation, parses buttons,
typed notes and files, and renders the screens the flow returns.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from chatbot import callbacks, delivery, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.domain.workflow import CardStep
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import IncomingFile
from handlers.common import Context, current_person, reply, services
from handlers.render import show

log = logging.getLogger(__name__)

PICK, ITEM, FILES, NOTE, CONFIRM, ESPIP, HANDOVER = range(7)
END = ConversationHandler.END
DRAFT = "kirim"


@dataclass
class Draft(delivery.Draft):
    albums: set[str] = field(default_factory=set)  # albums answered once

    def open_item(self, code: str, name: str, version: int) -> None:
        super().open_item(code, name, version)
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


# ------------------------------------------------------------------ the checklist


async def _show_checklist(
    update: Update, context: Context, person: Person, period: Period | None = None
) -> int:
    earlier = _draft(context)  # the deliveries confirmed so far in this session count on
    screen, new = _flow(context).checklist(person, earlier, period)
    await show(update, screen)
    if new is None:
        return END
    _set_draft(context, Draft(period=new.period, confirmed=new.confirmed))
    return PICK


async def start(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    if person is None:
        return END
    return await _show_checklist(update, context, person)


async def switch_period(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    period = callbacks.parse_kirim_period(_data(update))
    if person is None:
        return END
    if period is None:
        return PICK
    return await _show_checklist(update, context, person, period)


# ------------------------------------------------------------------ one item


async def choose_item(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    code = callbacks.parse_kirim_item(_data(update))
    draft = _draft(context)
    if person is None or code is None:
        return END
    if draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    await show(update, _flow(context).item(person, draft, code))
    return ITEM if draft.item_code else PICK


async def back(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None:
        return END
    return await _show_checklist(update, context, person, draft.period if draft else None)


async def withdraw(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    draft = _draft(context)
    target = callbacks.parse_kirim_withdraw(_data(update))
    if person is None or draft is None or target is None:
        return END
    await _show_all(update, _flow(context).withdraw(person, draft, *target))
    return ITEM


# ------------------------------------------------------------------ the provincial card


async def _card_step(
    update: Update, context: Context, step: CardStep, evidence: EvidenceFile | None
) -> int:
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None or not draft.on_card:
        await reply(update, texts.SESSION_ENDED)
        return END
    shown, ended = _flow(context).card_step(person, draft, step, evidence)
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
    return await _card_step(update, context, CardStep.ESPIP, None)


async def espip_evidence(update: Update, context: Context) -> int:
    message = update.effective_message
    incoming = _incoming(message) if message else None
    if incoming is None or incoming.telegram_file_id is None:
        return await ask_espip_evidence(update, context)
    received = await _flow(context).receive(incoming, _fetcher(context, incoming.telegram_file_id))
    if isinstance(received, Screen):
        await show(update, received)
        return ESPIP
    return await _card_step(update, context, CardStep.ESPIP, received)


async def kirim_data(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, CardStep.KIRIM_DATA, None)


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
    return await _card_step(update, context, CardStep.HANDOVER, None)


# ------------------------------------------------------------------ files and notes


async def ask_files(update: Update, context: Context) -> int:
    await _answer(update)
    await show(update, screens.ask_files())
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


async def wrong_kind(update: Update, context: Context) -> int:
    await show(update, _flow(context).wrong_kind())
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


async def ask_note(update: Update, context: Context) -> int:
    await _answer(update)
    await reply(update, texts.ASK_NOTE)
    return NOTE


async def receive_note(update: Update, context: Context) -> int:
    message, draft = update.effective_message, _draft(context)
    if message is None or message.text is None or draft is None:
        return END
    screen = _flow(context).note(draft, message.text)
    await show(update, screen)
    return CONFIRM if draft.note else NOTE


# ------------------------------------------------------------------ confirm, cancel, time-out


async def confirm(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    on_card = draft.on_card
    shown, recorded = _flow(context).confirm(person, draft)
    await _show_all(update, shown)
    if not recorded:
        _set_draft(context, None)
        return END
    if on_card:
        return ITEM
    return await _show_checklist(update, context, person, draft.period)


async def cancel(update: Update, context: Context) -> int:
    await _answer(update)
    text = delivery.Delivery.closing(_draft(context), timed_out=False)
    _set_draft(context, None)
    await reply(update, text)
    return END


async def timed_out(update: Update, context: Context) -> None:
    text = delivery.Delivery.closing(_draft(context), timed_out=True)
    _set_draft(context, None)
    chat = update.effective_chat
    if chat is not None:
        try:
            await chat.send_message(text)
        except TelegramError:
            log.warning("could not tell chat %s that its session timed out", chat.id)


async def stale_session_button(update: Update, context: Context) -> None:
    """A button of a conversation that no longer exists (ended, timed out, bot restarted)."""
    await _answer(update)
    await reply(update, texts.SESSION_ENDED)


async def nothing_to_cancel(update: Update, context: Context) -> None:
    await reply(update, texts.NOTHING_TO_CANCEL)


def _exact(data: str) -> str:
    return f"^{re.escape(data)}$"


def _under(namespace: str) -> str:
    return f"^{re.escape(namespace)}:"


def register(application: Application) -> None:  # type: ignore[type-arg]
    timeout = cast(Services, application.bot_data["services"]).conversation_timeout
    files = filters.Document.ALL | filters.PHOTO
    with warnings.catch_warnings():
        # The conversation mixes buttons with typed text and files, so it tracks per chat and
        # user, not per message; PTB warns about exactly this on purpose.
        warnings.filterwarnings("ignore", r"If 'per_message=False'", PTBUserWarning)
        conversation = _conversation(files, timeout.total_seconds())
    application.add_handler(conversation)
    application.add_handler(
        CallbackQueryHandler(stale_session_button, pattern=_under(callbacks.KIRIM))
    )
    application.add_handler(CommandHandler("batal", nothing_to_cancel))


def _conversation(files: filters.BaseFilter, timeout: float) -> ConversationHandler:  # type: ignore[type-arg]
    return ConversationHandler(
        name="kirim",
        entry_points=[
            CommandHandler("kirim", start),
            CallbackQueryHandler(start, pattern=r"^mn:kirim$"),
        ],
        states={
            PICK: [
                CallbackQueryHandler(choose_item, pattern=_under(callbacks.KIRIM_ITEM)),
                CallbackQueryHandler(switch_period, pattern=_under(callbacks.KIRIM_PERIOD)),
            ],
            ITEM: [
                CallbackQueryHandler(ask_files, pattern=_exact(callbacks.KIRIM_FILES)),
                CallbackQueryHandler(ask_espip_evidence, pattern=_exact(callbacks.KIRIM_ESPIP)),
                CallbackQueryHandler(kirim_data, pattern=_exact(callbacks.KIRIM_DATA)),
                CallbackQueryHandler(ask_handover, pattern=_exact(callbacks.KIRIM_HANDOVER)),
                CallbackQueryHandler(ask_note, pattern=_exact(callbacks.KIRIM_NIHIL)),
                CallbackQueryHandler(withdraw, pattern=_under(callbacks.KIRIM_WITHDRAW)),
                CallbackQueryHandler(back, pattern=_exact(callbacks.KIRIM_BACK)),
                CallbackQueryHandler(choose_item, pattern=_under(callbacks.KIRIM_ITEM)),
            ],
            FILES: [
                MessageHandler(files, receive_file),
                CallbackQueryHandler(files_done, pattern=_exact(callbacks.KIRIM_DONE)),
                MessageHandler(filters.TEXT & ~filters.COMMAND, text_instead_of_file),
                MessageHandler(~filters.COMMAND, wrong_kind),
            ],
            NOTE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, receive_note),
                MessageHandler(~filters.COMMAND, ask_note),
            ],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=_exact(callbacks.KIRIM_CONFIRM))],
            ESPIP: [
                MessageHandler(files, espip_evidence),
                CallbackQueryHandler(espip_without_evidence, pattern=_exact(callbacks.KIRIM_SKIP)),
            ],
            HANDOVER: [
                CallbackQueryHandler(handover, pattern=_exact(callbacks.KIRIM_HANDOVER_YES))
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("batal", cancel),
            CallbackQueryHandler(cancel, pattern=_exact(callbacks.KIRIM_CLOSE)),
            CallbackQueryHandler(back, pattern=_exact(callbacks.KIRIM_BACK)),
        ],
        allow_reentry=True,
        conversation_timeout=timeout,
    )
