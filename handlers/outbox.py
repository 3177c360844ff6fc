"""Sending queued notifications through Telegram; the outbox service records each outcome."""

from __future__ import annotations

import logging

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from chatbot.services.outbox import Outcome, SendResult
from chatbot.services.ports import Attachment, QueuedMessage
from handlers import keyboards
from handlers.common import Context, services

log = logging.getLogger(__name__)


async def drain_and_reschedule(context: Context) -> None:
    """JobQueue callback: drain, then come back ``job.data`` seconds after this drain ended
    (a long drain, thousands of reminders at 30 a second, never overlaps the next one)."""
    assert context.job is not None and context.job_queue is not None
    interval = float(context.job.data)  # type: ignore[arg-type]
    try:
        await drain(context)
    finally:
        context.job_queue.run_once(drain_and_reschedule, interval, data=interval, name="outbox")


async def drain(context: Context) -> None:
    """JobQueue callback: send what is due."""

    files = services(context).files

    async def send_attachment(chat_id: int, attachment: Attachment) -> None:
        if attachment.telegram_file_id:
            try:
                await context.bot.send_document(chat_id, attachment.telegram_file_id)
                return
            except BadRequest as exc:  # an unknown file id: upload our own copy instead
                log.info("file id refused (%s); uploading %s", exc.message, attachment.sha256)
        with files.open(attachment.sha256) as handle:
            await context.bot.send_document(chat_id, handle, filename=attachment.file_name)

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        assert message.chat_id is not None
        try:
            if part is not None:
                await send_attachment(message.chat_id, part)
            else:
                await context.bot.send_message(
                    chat_id=message.chat_id,
                    text=message.text,
                    reply_markup=keyboards.markup(message.buttons),
                )
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
        return SendResult(Outcome.SENT)

    application = context.application
    was_running = application.running  # a shutdown began since: stop before the next message

    report = await services(context).outbox.drain(
        send, stopping=lambda: was_running and not application.running
    )
    if report.sent or report.retried or report.failed:
        log.info(
            "outbox: %s sent, %s to retry, %s failed", report.sent, report.retried, report.failed
        )
