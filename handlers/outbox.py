"""Sending queued notifications through Telegram; the outbox service records each outcome."""

from __future__ import annotations

import logging

import httpx
from telegram import Bot
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from chatbot.domain.text import pieces
from chatbot.services.outbox import DrainBackoff, Outcome, SendResult
from chatbot.services.ports import Attachment, FileStore, QueuedMessage
from handlers import keyboards
from handlers.common import Context, services

log = logging.getLogger(__name__)
MESSAGE_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4,096 characters


async def drain_and_reschedule(context: Context) -> None:
    """JobQueue callback: drain, then come back ``interval`` seconds after this drain ended
    (a long drain, thousands of reminders at 30 a second, never overlaps the next one); while
    the drain fails, later (``DrainBackoff``)."""
    assert context.job is not None and context.job_queue is not None
    pace = context.job.data
    assert isinstance(pace, DrainBackoff)
    try:
        await drain(context)
    except Exception as exc:
        pace.failed(exc, services(context).is_outage(exc))
    else:
        pace.succeeded()
    finally:
        context.job_queue.run_once(drain_and_reschedule, pace.next_wait(), data=pace, name="outbox")


async def send_file(bot: Bot, files: FileStore, chat_id: int, attachment: Attachment) -> bool:
    """An evidence file as a document: by Telegram's file id, else our own copy; False when
    it is not in the evidence store."""
    if attachment.telegram_file_id:
        try:
            await bot.send_document(chat_id, attachment.telegram_file_id)
            return True
        except BadRequest as exc:  # an unknown file id: upload our own copy instead
            log.info("file id refused (%s); uploading %s", exc.message, attachment.sha256)
    try:
        handle = files.open(attachment.sha256)
    except FileNotFoundError:
        return False
    with handle:
        await bot.send_document(chat_id, handle, filename=attachment.file_name)
    return True


async def drain(context: Context) -> None:
    """JobQueue callback: send what is due."""

    files = services(context).files

    async def send_attachment(chat_id: int, attachment: Attachment) -> SendResult | None:
        if await send_file(context.bot, files, chat_id, attachment):
            return None
        return SendResult(Outcome.GONE, "not in the evidence store")

    async def send_text(chat_id: int, message: QueuedMessage) -> int:
        """The text (in pieces when long, the buttons under the last); the last one's id."""
        parts = pieces(message.text, MESSAGE_LIMIT)
        sent_id = 0
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await context.bot.send_message(
                chat_id=chat_id,
                text=part,
                reply_markup=keyboards.markup(message.buttons) if last else None,
            )
            sent_id = sent.message_id
        return sent_id

    async def edit(message: QueuedMessage) -> None:
        """A message whose subject was decided: its new text, its buttons gone."""
        assert message.edit is not None
        chat_id, message_id = message.edit
        try:
            await context.bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=pieces(message.text, MESSAGE_LIMIT)[0],
                reply_markup=keyboards.markup(message.buttons),
            )
        except BadRequest as exc:  # edited already, deleted, or too old: nothing to change
            log.info("outbox edit %s of message %s: %s", message.id, message_id, exc.message)

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        assert message.chat_id is not None
        sent_id: int | None = None
        try:
            if message.edit is not None:
                await edit(message)
            elif part is not None:
                gone = await send_attachment(message.chat_id, part)
                if gone is not None:
                    return gone
            else:
                sent_id = await send_text(message.chat_id, message)
        except TimedOut as exc:
            if isinstance(exc.__cause__, httpx.ReadTimeout | httpx.WriteTimeout):
                # Telegram may have taken it and not answered in time: sent again it may arrive
                # twice, so the admin's log names it (the Bot API has no idempotency key)
                log.warning(
                    "outbox message %s to person %s: no answer in time, it may have arrived; "
                    "it is sent again and may arrive twice",
                    message.id,
                    message.person_id,
                )
                return SendResult(Outcome.RETRY, f"time-out, may have arrived: {exc.message}")
            return SendResult(Outcome.RETRY, f"time-out before sending: {exc.message}")
        except RetryAfter as exc:
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            return SendResult(Outcome.RETRY, "flood control", retry_after=seconds)
        except Forbidden as exc:  # blocked by the person, or the account was deleted
            return SendResult(Outcome.FAILED, f"forbidden: {exc.message}", blocked=True)
        except BadRequest as exc:
            return SendResult(Outcome.FAILED, f"bad request: {exc.message}")
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            return SendResult(Outcome.RETRY, f"network: {exc.message}")
        except TelegramError as exc:
            return SendResult(Outcome.RETRY, f"telegram: {exc.message}")
        return SendResult(Outcome.SENT, message_id=sent_id)

    application = context.application
    was_running = application.running  # a shutdown began since: stop before the next message

    report = await services(context).outbox.drain(
        send, stopping=lambda: was_running and not application.running
    )
    if report.sent or report.retried or report.failed:
        log.info(
            "outbox: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed
        )
