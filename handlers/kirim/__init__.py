"""/kirim on Telegram: the delivery flow of ``chatbot.delivery`` (shared with WhatsApp) as a
PTB ``ConversationHandler``. The package keeps the draft in the conversation (``state``),
parses buttons, typed notes and files, and renders the screens the flow returns; its steps
are split by use case: ``evidence`` (checklist, item, note, confirmation), ``files`` and
``card`` (the provincial card's steps)."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Coroutine
from typing import Any, cast

from telegram import Update
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

from chatbot import callbacks
from chatbot.services.bundle import Services
from handlers.common import exact, under
from handlers.kirim.card import (
    ask_espip_evidence,
    ask_handover,
    espip_without_evidence,
    handover,
    kirim_data,
)
from handlers.kirim.evidence import (
    ask_note,
    back,
    cancel,
    choose_item,
    confirm,
    confirm_by_button,
    nothing_to_cancel,
    receive_note,
    stale_session_button,
    start,
    switch_period,
    timed_out,
    withdraw,
)
from handlers.kirim.files import (
    ask_files,
    assign,
    discard,
    files_done,
    receive_file,
    text_instead_of_file,
    which_item,
    wrong_kind,
)
from handlers.kirim.state import (
    CONFIRM,
    ESPIP,
    FILES,
    HANDOVER,
    ITEM,
    NOTE,
    PICK,
)

log = logging.getLogger(__name__)
Callback = Callable[[Update, Any], Coroutine[Any, Any, Any]]


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
        CallbackQueryHandler(stale_session_button, pattern=under(callbacks.KIRIM))
    )
    application.add_handler(CommandHandler("batal", nothing_to_cancel))


def _conversation(files: filters.BaseFilter, timeout: float) -> ConversationHandler:  # type: ignore[type-arg]
    """Buttons and files mean the same in every state (an older message's button still acts,
    a file sent at any moment starts or continues a delivery); the states say only what typed
    text is taken as."""

    def button(callback: Callback, data: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=exact(data))

    def buttons(callback: Callback, namespace: str) -> CallbackQueryHandler:  # type: ignore[type-arg]
        return CallbackQueryHandler(callback, pattern=under(namespace))

    return ConversationHandler(
        name="kirim",
        entry_points=[
            CommandHandler("kirim", start),
            button(start, callbacks.menu("kirim")),
            MessageHandler(files, receive_file),
            # a notice's or an older list's buttons begin a session of their own
            buttons(choose_item, callbacks.KIRIM_ITEM),
            buttons(assign, callbacks.KIRIM_ASSIGN),
            buttons(withdraw, callbacks.KIRIM_WITHDRAW),
            button(which_item, callbacks.KIRIM_WHICH),
            buttons(confirm, callbacks.KIRIM_CONFIRM),  # kr:c:<period>:<item>:<version>
            buttons(discard, callbacks.KIRIM_DISCARD),
        ],
        states={
            PICK: [],
            ITEM: [],
            FILES: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, text_instead_of_file),
                MessageHandler(~filters.COMMAND, wrong_kind),
            ],
            NOTE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, receive_note),
                MessageHandler(~filters.COMMAND, ask_note),
            ],
            CONFIRM: [MessageHandler(filters.TEXT & ~filters.COMMAND, confirm_by_button)],
            ESPIP: [MessageHandler(~filters.COMMAND, ask_espip_evidence)],
            HANDOVER: [],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("batal", cancel),
            button(cancel, callbacks.KIRIM_CLOSE),
            button(back, callbacks.KIRIM_BACK),
            buttons(switch_period, callbacks.KIRIM_PERIOD),
            button(ask_files, callbacks.KIRIM_FILES),
            button(ask_note, callbacks.KIRIM_NIHIL),
            button(files_done, callbacks.KIRIM_DONE),
            button(confirm, callbacks.KIRIM_CONFIRM),
            button(discard, callbacks.KIRIM_DISCARD),
            button(ask_espip_evidence, callbacks.KIRIM_ESPIP),
            button(espip_without_evidence, callbacks.KIRIM_SKIP),
            button(kirim_data, callbacks.KIRIM_DATA),
            button(ask_handover, callbacks.KIRIM_HANDOVER),
            button(handover, callbacks.KIRIM_HANDOVER_YES),
        ],
        allow_reentry=True,
        conversation_timeout=timeout,
    )
