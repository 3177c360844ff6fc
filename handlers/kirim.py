"""/kirim: a unit delivers evidence item by item (SOP steps 2 and 7).

Choose an item from the checklist, send files (or declare "tidak ada kegiatan" with a note),
confirm. Nothing is written to the database before the confirmation; the files received are
already in the content-addressed store, where an unconfirmed file harms nothing.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Awaitable, Callable
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

from chatbot import callbacks, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.files import FileTooLarge, FileTypeNotAllowed
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.domain.text import reason_text
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, CardStep
from chatbot.services.bundle import Services
from chatbot.services.ports import EvidenceFile
from chatbot.services.submission import DownloadFailed, IncomingFile
from handlers.common import Context, current_person, reply, services
from handlers.render import show

log = logging.getLogger(__name__)

PICK, ITEM, FILES, NOTE, CONFIRM, ESPIP, HANDOVER = range(7)
END = ConversationHandler.END
DRAFT = "kirim"


@dataclass
class Draft:
    period: Period
    item_code: str = ""
    item_name: str = ""
    version: int = 0
    files: list[EvidenceFile] = field(default_factory=list)
    note: str = ""
    albums: set[str] = field(default_factory=set)
    confirmed: int = 0  # deliveries confirmed in this session: kept whatever happens next


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


async def _submitter(update: Update, context: Context) -> Person | None:
    person = await current_person(update, context)
    if person is not None and not person.may(Permission.SUBMIT_EVIDENCE):
        await reply(update, texts.NOT_ALLOWED)
        return None
    return person


async def _refuse(update: Update, exc: DomainError) -> None:
    text = texts.SUBMISSION_ERRORS.get(exc.code)
    if text is None:
        raise exc
    log.info("submission refused: %s %s", exc.code, exc.detail)
    await reply(update, text)


# ------------------------------------------------------------------ the checklist


async def _show_checklist(
    update: Update, context: Context, person: Person, period: Period | None = None
) -> int:
    svc = services(context).submission
    periods = svc.open_periods()
    if not periods:
        await reply(update, texts.NO_OPEN_PERIOD)
        return END
    period = period if period in periods else periods[-1]
    try:
        checklist = svc.checklist(person, period)
    except DomainError as exc:
        await _refuse(update, exc)
        return END
    earlier = _draft(context)  # the deliveries confirmed so far in this session count on
    _set_draft(context, Draft(period=period, confirmed=earlier.confirmed if earlier else 0))
    card = (
        services(context).card.view(period)
        if person.may(Permission.DRAFT_PROVINCIAL_CARD)
        else None
    )
    await show(update, screens.checklist(checklist, periods, card))
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
    data = update.callback_query.data if update.callback_query else None
    if person is None or data is None:
        return END
    period = callbacks.parse_kirim_period(data)
    if period is None:
        return PICK
    return await _show_checklist(update, context, person, period)


# ------------------------------------------------------------------ one item


async def _show_item(update: Update, context: Context, person: Person, code: str) -> int:
    draft = _draft(context)
    if draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    svc = services(context)
    if code == PROVINCIAL_CARD_ITEM and person.may(Permission.DRAFT_PROVINCIAL_CARD):
        return await _show_card(update, context, draft)
    try:
        detail = svc.submission.item_detail(person, draft.period, code)
    except DomainError as exc:
        await _refuse(update, exc)
        return PICK
    if not detail.card_not_ready:
        name = detail.item.name if detail.item else texts.UNIT_CARD_NAME
        draft.item_code, draft.item_name, draft.version = code, name, detail.state.version
        draft.files, draft.note, draft.albums = [], "", set()
    await show(update, screens.item(detail, svc.timezone))
    return ITEM


async def _show_card(update: Update, context: Context, draft: Draft) -> int:
    svc = services(context)
    view = svc.card.view(draft.period)
    draft.item_code, draft.item_name = PROVINCIAL_CARD_ITEM, texts.PROVINCIAL_CARD_NAME
    draft.version, draft.files, draft.note, draft.albums = view.state.version, [], "", set()
    await show(update, screens.provincial_card(view, svc.timezone))
    return ITEM


async def _card_step(
    update: Update, context: Context, step: CardStep, evidence: EvidenceFile | None
) -> int:
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    card = services(context).card
    try:
        new = card.record(person, draft.period, step, evidence)
    except DomainError as exc:
        await reply(update, texts.card_error(exc))
        return ITEM
    log.info("provincial card %s: %s by person %s", draft.period, new.status, person.id)
    if step is CardStep.HANDOVER:  # recorded: the period is closed
        _set_draft(context, None)
        svc = services(context)
        text = texts.period_handed_over(draft.period, person, svc.card.clock(), svc.timezone)
        await reply(update, text)
        return END
    await reply(update, texts.CARD_STEP_DONE[new.status])
    return await _show_card(update, context, draft)


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
    svc = services(context).submission
    file_id = incoming.telegram_file_id

    try:
        evidence = await svc.receive_file(incoming, _fetcher(context, file_id))
    except (FileTooLarge, FileTypeNotAllowed, DownloadFailed):
        await reply(update, texts.file_type_refused(sorted(svc.policy.allowed_extensions)))
        return ESPIP
    return await _card_step(update, context, CardStep.ESPIP, evidence)


async def kirim_data(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, CardStep.KIRIM_DATA, None)


async def ask_handover(update: Update, context: Context) -> int:
    await _answer(update)
    draft = _draft(context)
    if draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    try:
        services(context).card.check_handover(draft.period)
    except DomainError as exc:
        await reply(update, texts.card_error(exc))
        return ITEM
    await show(update, screens.confirm_handover())
    return HANDOVER


async def handover(update: Update, context: Context) -> int:
    await _answer(update)
    return await _card_step(update, context, CardStep.HANDOVER, None)


async def choose_item(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    data = update.callback_query.data if update.callback_query else None
    code = callbacks.parse_kirim_item(data) if data is not None else None
    if person is None or code is None:
        return END
    return await _show_item(update, context, person, code)


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
    data = update.callback_query.data if update.callback_query else None
    target = callbacks.parse_kirim_withdraw(data) if data is not None else None
    if person is None or draft is None or target is None:
        return END
    code, version = target
    try:
        services(context).submission.withdraw(person, draft.period, code, version)
    except DomainError as exc:
        await _refuse(update, exc)
        return ITEM
    await reply(update, texts.withdrawn(code, version))
    return await _show_item(update, context, person, code)


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
    if incoming is None:
        return await wrong_kind(update, context)
    svc = services(context).submission
    file_id = incoming.telegram_file_id
    assert file_id is not None

    try:
        received = await svc.receive_file(incoming, _fetcher(context, file_id))
    except FileTooLarge:
        await reply(update, texts.file_too_large(svc.policy.max_mb))
        return FILES
    except FileTypeNotAllowed:
        await reply(update, texts.file_type_refused(sorted(svc.policy.allowed_extensions)))
        return FILES
    except DownloadFailed:
        await reply(update, texts.download_failed(incoming.file_name or "foto"))
        return FILES
    earlier = svc.add_to_draft(draft.files, received)
    album = message.media_group_id
    if earlier is not None or album is None or album not in draft.albums:  # one per album
        if album is not None:
            draft.albums.add(album)
        await show(update, screens.file_received(received, earlier, len(draft.files)))
    return FILES


async def wrong_kind(update: Update, context: Context) -> int:
    svc = services(context).submission
    await reply(update, texts.file_type_refused(sorted(svc.policy.allowed_extensions)))
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
    if not draft.files:
        await reply(update, texts.NO_FILES_YET)
        return FILES
    await show(
        update, screens.confirm_files(draft.item_name, draft.item_code, draft.files, draft.version)
    )
    return CONFIRM


async def ask_note(update: Update, context: Context) -> int:
    await _answer(update)
    await reply(update, texts.ASK_NOTE)
    return NOTE


async def receive_note(update: Update, context: Context) -> int:
    message, draft = update.effective_message, _draft(context)
    if message is None or message.text is None or draft is None:
        return END
    try:
        note = reason_text(message.text, note=True)
    except DomainError as exc:
        await reply(update, texts.SUBMISSION_ERRORS[exc.code])
        return NOTE
    draft.note, draft.files = note, []
    await show(update, screens.confirm_nihil(draft.item_name, draft.item_code, note, draft.version))
    return CONFIRM


# ------------------------------------------------------------------ confirm, cancel, time-out


async def confirm(update: Update, context: Context) -> int:
    await _answer(update)
    person = await _submitter(update, context)
    draft = _draft(context)
    if person is None or draft is None:
        await reply(update, texts.SESSION_ENDED)
        return END
    if draft.item_code == PROVINCIAL_CARD_ITEM:
        return await _confirm_card(update, context, person, draft)
    try:
        result = services(context).submission.deliver(
            person, draft.period, draft.item_code, draft.version, draft.files, draft.note
        )
    except DomainError as exc:
        await _refuse(update, exc)
        _set_draft(context, None)
        return END
    log.info(
        "delivery: person %s, %s %s version %s",
        person.id,
        draft.period,
        draft.item_code,
        result.state.version,
    )
    await show(update, screens.receipt(result))
    draft.confirmed += 1
    draft.files, draft.note, draft.albums = [], "", set()  # delivered: nothing is pending now
    return await _show_checklist(update, context, person, draft.period)


async def _confirm_card(update: Update, context: Context, person: Person, draft: Draft) -> int:
    svc = services(context)
    try:
        new = svc.card.upload(person, draft.period, draft.version, draft.files)
    except DomainError as exc:
        await reply(update, texts.card_error(exc))
        _set_draft(context, None)
        return END
    log.info("provincial card %s version %s uploaded by %s", draft.period, new.version, person.id)
    await reply(update, texts.card_uploaded(new, svc.card.chain))
    return await _show_card(update, context, draft)


def _closing(draft: Draft | None, timed_out: bool) -> str:
    """What closing the session kept and did not keep, said as it is."""
    if draft is None:
        return texts.session_closed(timed_out, confirmed=0, pending_files=0, pending_note=False)
    return texts.session_closed(
        timed_out,
        confirmed=draft.confirmed,
        pending_files=len(draft.files),
        pending_note=bool(draft.note),
        item=f"{draft.item_code} {draft.item_name}".strip(),
    )


async def cancel(update: Update, context: Context) -> int:
    await _answer(update)
    text = _closing(_draft(context), timed_out=False)
    _set_draft(context, None)
    await reply(update, text)
    return END


async def timed_out(update: Update, context: Context) -> None:
    text = _closing(_draft(context), timed_out=True)
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
