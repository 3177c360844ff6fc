"""/kirim on Telegram: the delivery flow of ``chatbot.delivery`` (shared with WhatsApp) as a
PTB ``ConversationHandler``. The package keeps the draft in the conversation (``state``),
parses buttons, typed notes and files, and renders the screens the flow returns; its steps
are split by use case: ``evidence`` (checklist, item, note, confirmation), ``files`` and
``card`` (the provincial card's steps)."""

from __future__ import annotations

import logging
import warnings
from typing import cast

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
    espip_evidence,
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
    files_done,
    receive_file,
    text_instead_of_file,
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
    return ConversationHandler(
        name="kirim",
        entry_points=[
            CommandHandler("kirim", start),
            CallbackQueryHandler(start, pattern=exact(callbacks.menu("kirim"))),
        ],
        states={
            PICK: [
                CallbackQueryHandler(choose_item, pattern=under(callbacks.KIRIM_ITEM)),
                CallbackQueryHandler(switch_period, pattern=under(callbacks.KIRIM_PERIOD)),
                # an item's button of a moment ago (it names its period and version)
                CallbackQueryHandler(withdraw, pattern=under(callbacks.KIRIM_WITHDRAW)),
            ],
            ITEM: [
                CallbackQueryHandler(ask_files, pattern=exact(callbacks.KIRIM_FILES)),
                CallbackQueryHandler(ask_espip_evidence, pattern=exact(callbacks.KIRIM_ESPIP)),
                CallbackQueryHandler(kirim_data, pattern=exact(callbacks.KIRIM_DATA)),
                CallbackQueryHandler(ask_handover, pattern=exact(callbacks.KIRIM_HANDOVER)),
                CallbackQueryHandler(ask_note, pattern=exact(callbacks.KIRIM_NIHIL)),
                CallbackQueryHandler(withdraw, pattern=under(callbacks.KIRIM_WITHDRAW)),
                CallbackQueryHandler(back, pattern=exact(callbacks.KIRIM_BACK)),
                CallbackQueryHandler(choose_item, pattern=under(callbacks.KIRIM_ITEM)),
                CallbackQueryHandler(switch_period, pattern=under(callbacks.KIRIM_PERIOD)),
            ],
            FILES: [
                MessageHandler(files, receive_file),
                CallbackQueryHandler(files_done, pattern=exact(callbacks.KIRIM_DONE)),
                MessageHandler(filters.TEXT & ~filters.COMMAND, text_instead_of_file),
                MessageHandler(~filters.COMMAND, wrong_kind),
            ],
            NOTE: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, receive_note),
                MessageHandler(~filters.COMMAND, ask_note),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirm, pattern=exact(callbacks.KIRIM_CONFIRM)),
                MessageHandler(filters.TEXT & ~filters.COMMAND, confirm_by_button),
            ],
            ESPIP: [
                MessageHandler(files, espip_evidence),
                CallbackQueryHandler(espip_without_evidence, pattern=exact(callbacks.KIRIM_SKIP)),
            ],
            HANDOVER: [CallbackQueryHandler(handover, pattern=exact(callbacks.KIRIM_HANDOVER_YES))],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, timed_out)],
        },
        fallbacks=[
            CommandHandler("batal", cancel),
            CallbackQueryHandler(cancel, pattern=exact(callbacks.KIRIM_CLOSE)),
            CallbackQueryHandler(back, pattern=exact(callbacks.KIRIM_BACK)),
        ],
        allow_reentry=True,
        conversation_timeout=timeout,
    )
