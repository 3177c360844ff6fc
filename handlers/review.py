"""Review buttons on delivery notices: ✅ Setujui at once; ↩️ Kembalikan asks for the reason,
then confirms. After a decision the reviewer's message loses that item's buttons and shows who
decided and when; the submitter is told through the outbox."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import cast

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from chatbot import callbacks, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.domain.text import reason_text
from chatbot.services.bundle import Services
from chatbot.services.review import Decision
from handlers import keyboards
from handlers.common import Context, current_person, reply, services

log = logging.getLogger(__name__)

REASON, CONFIRM = range(2)
END = ConversationHandler.END
PENDING = "pengembalian"


@dataclass
class PendingReturn:
    state_id: int  # 0 for the provincial card
    version: int
    data: str  # the button pressed, to remove it from the notice afterwards
    chat_id: int
    message_id: int
    text: str
    markup: InlineKeyboardMarkup | None
    reason: str = ""
    period: str = ""  # set for the provincial card


async def _refuse(update: Update, exc: DomainError) -> None:
    text = texts.REVIEW_ERRORS.get(exc.code)
    if text is None:
        raise exc
    log.info("review refused: %s %s", exc.code, exc.detail)
    await reply(update, text)


def _without(markup: InlineKeyboardMarkup | None, data: str) -> InlineKeyboardMarkup | None:
    """The notice's keyboard less the row holding the pressed button."""
    if markup is None:
        return None
    rows = [row for row in markup.inline_keyboard if all(b.callback_data != data for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def _mark_decided(
    context: Context,
    origin: tuple[int, int, str, InlineKeyboardMarkup | None],
    data: str,
    decision: Decision,
) -> None:
    svc = services(context)
    state = decision.target.state
    line = texts.decision_line(decision.approve, decision.reviewer.name, decision.at, svc.timezone)
    markup = origin[3]
    if markup is not None and len(markup.inline_keyboard) > 1:  # a digest: name the item
        line = f"{decision.target.unit.code} {state.item_code} versi {state.version}: {line}"
    await _edit_notice(context, origin, data, line)


def _origin(message: Message | None) -> tuple[int, int, str, InlineKeyboardMarkup | None]:
    assert message is not None
    return message.chat.id, message.message_id, message.text or "", message.reply_markup


async def approve(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = callbacks.parse_review(query.data)
    if choice is None:
        await query.answer(texts.BUTTON_INVALID, show_alert=True)
        return
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    try:
        decision = services(context).review.decide_item(
            person, choice.state_id, choice.version, approve=True
        )
    except DomainError as exc:
        await _refuse(update, exc)
        return
    log.info("item state %s v%s approved by %s", choice.state_id, choice.version, person.id)
    await _mark_decided(context, _origin(cast(Message, query.message)), query.data, decision)


async def _edit_notice(
    context: Context,
    origin: tuple[int, int, str, InlineKeyboardMarkup | None],
    data: str,
    line: str,
) -> None:
    chat_id, message_id, text, markup = origin
    try:
        await context.bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=f"{text}\n\n{line}",
            reply_markup=_without(markup, data),
        )
    except BadRequest as exc:
        log.info("could not edit notice %s: %s", message_id, exc.message)


async def _card_decision(
    update: Update,
    context: Context,
    person: Person,
    choice: callbacks.CardChoice,
    reason: str,
    origin: tuple[int, int, str, InlineKeyboardMarkup | None],
    data: str,
) -> None:
    svc = services(context)
    try:
        period = Period.parse(choice.period)
        decided = svc.card.decide(person, period, choice.version, choice.approve, reason)
    except DomainError as exc:
        await reply(update, texts.card_error(exc))
        return
    line = texts.card_decided(
        choice.approve, decided.stage, person.name, svc.card.clock(), svc.timezone
    )
    log.info("provincial card %s v%s: %s by %s", period, choice.version, line, person.id)
    await _edit_notice(context, origin, data, line)
    if not choice.approve:
        await reply(update, line)


async def approve_card(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = callbacks.parse_card(query.data)
    if choice is None:
        await query.answer(texts.BUTTON_INVALID, show_alert=True)
        return
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    origin = _origin(cast(Message, query.message))
    await _card_decision(update, context, person, choice, "", origin, query.data)


async def start_card_return(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = callbacks.parse_card(query.data)
    if choice is None:
        await query.answer(texts.BUTTON_INVALID, show_alert=True)
        return END
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return END
    try:
        services(context).card.check_return(person, Period.parse(choice.period), choice.version)
    except DomainError as exc:
        await reply(update, texts.card_error(exc))
        return END
    chat_id, message_id, text, markup = _origin(cast(Message, query.message))
    assert context.user_data is not None
    context.user_data[PENDING] = PendingReturn(
        0, choice.version, query.data, chat_id, message_id, text, markup, period=choice.period
    )
    await reply(update, texts.ASK_CARD_RETURN_REASON.format(version=choice.version))
    return REASON


async def start_return(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = callbacks.parse_review(query.data)
    if choice is None:
        await query.answer(texts.BUTTON_INVALID, show_alert=True)
        return END
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return END
    try:
        target = services(context).review.check_return(person, choice.state_id, choice.version)
    except DomainError as exc:
        await _refuse(update, exc)
        return END
    state = target.state
    chat_id, message_id, text, markup = _origin(cast(Message, query.message))
    assert context.user_data is not None
    context.user_data[PENDING] = PendingReturn(
        choice.state_id, choice.version, query.data, chat_id, message_id, text, markup
    )
    await reply(
        update,
        texts.ASK_RETURN_REASON.format(
            code=state.item_code,
            name=target.item_name,
            unit=target.unit.name,
            version=state.version,
        ),
    )
    return REASON


def _pending(context: Context) -> PendingReturn | None:
    data = context.user_data
    return cast(PendingReturn | None, data.get(PENDING)) if data is not None else None


async def receive_reason(update: Update, context: Context) -> int:
    message, pending = update.effective_message, _pending(context)
    person = await current_person(update, context)
    if message is None or message.text is None or pending is None or person is None:
        return END
    try:
        reason = reason_text(message.text)
    except DomainError as exc:
        await reply(update, texts.REVIEW_ERRORS[exc.code])
        return REASON
    pending.reason = reason
    if pending.period:
        question = texts.confirm_card_return(pending.version, reason)
    else:
        target = services(context).review.target(person, pending.state_id)
        question = texts.confirm_return(target, reason)
    keyboard = [[("↩️ Ya, kembalikan", "rt:y"), ("✖️ Batal", "rt:n")]]
    await reply(update, question, keyboards.markup(keyboard))
    return CONFIRM


async def confirm_return(update: Update, context: Context) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    pending = _pending(context)
    person = await current_person(update, context)
    if pending is None or person is None:
        return END
    assert context.user_data is not None
    context.user_data.pop(PENDING, None)
    origin = (pending.chat_id, pending.message_id, pending.text, pending.markup)
    if pending.period:
        choice = callbacks.CardChoice(False, pending.period, pending.version)
        await _card_decision(update, context, person, choice, pending.reason, origin, pending.data)
        return END
    try:
        decision = services(context).review.decide_item(
            person, pending.state_id, pending.version, approve=False, reason=pending.reason
        )
    except DomainError as exc:
        await _refuse(update, exc)
        return END
    log.info("item state %s v%s returned by %s", pending.state_id, pending.version, person.id)
    await _mark_decided(context, origin, pending.data, decision)
    tz = services(context).timezone
    await reply(update, texts.decision_line(False, person.name, decision.at, tz))
    return END


async def cancel_return(update: Update, context: Context) -> int:
    if update.callback_query:
        await update.callback_query.answer()
    if context.user_data is not None:
        context.user_data.pop(PENDING, None)
    await reply(update, texts.RETURN_CANCELLED)
    return END


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(approve, pattern=r"^rv:ok:"))
    application.add_handler(CallbackQueryHandler(approve_card, pattern=r"^kc:ok:"))
    timeout = cast(Services, application.bot_data["services"]).conversation_timeout.total_seconds()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"If 'per_message=False'", PTBUserWarning)
        conversation = ConversationHandler(
            name="kembalikan",
            entry_points=[
                CallbackQueryHandler(start_return, pattern=r"^rv:no:"),
                CallbackQueryHandler(start_card_return, pattern=r"^kc:no:"),
            ],
            states={
                REASON: [MessageHandler(filters.TEXT & ~filters.COMMAND, receive_reason)],
                CONFIRM: [CallbackQueryHandler(confirm_return, pattern=r"^rt:y$")],
            },
            fallbacks=[
                CommandHandler("batal", cancel_return),
                CallbackQueryHandler(cancel_return, pattern=r"^rt:n$"),
            ],
            allow_reentry=True,
            conversation_timeout=timeout,
        )
    application.add_handler(conversation)
