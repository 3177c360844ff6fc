"""Draining the outbox: each queued message is sent once, retried with back-off on failure.

The channel supplies ``send`` for one part of a message (an attached file, or the text with its
buttons, which comes last) and says how the attempt ended; this module decides what the outbox
records. Each part is marked as being sent before it goes and as sent once the channel accepted
it, so a retry goes on from the first part not yet accepted (files are not sent twice), and a
part that was on its way when the process died is known: it is sent again (it may then arrive
twice, since the Bot API has no idempotency key) and a warning names it for the admin.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from chatbot.domain.channels import Channel
from chatbot.services import notify
from chatbot.services.ports import (
    Attachment,
    Clock,
    Placed,
    QueuedMessage,
    UnitOfWork,
    UnitOfWorkFactory,
)

log = logging.getLogger(__name__)

WIB = ZoneInfo("Asia/Jakarta")
BASE_BACKOFF = timedelta(seconds=5)
# capped low: when the network comes back after an outage, every notice goes within minutes
MAX_BACKOFF = timedelta(minutes=5)
# passing faults are retried this long: past it a notice no longer matters (its period's
# hand-over is within 20 days of the kick-off); only permanent refusals end it earlier
RETRY_FOR = timedelta(days=7)
# notices to someone failing this long: the satgas and the admins are told, once a day
ALERT_AFTER = timedelta(hours=1)


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"  # a passing fault: flood control, network, time-out, 5xx
    FAILED = "failed"  # permanent: blocked, chat not found, bad request
    GONE = "gone"  # this part cannot be sent (its file is missing): skipped, said in the text


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    error: str = ""
    retry_after: float | None = None
    blocked: bool = False  # the person blocked the bot (or deleted the account)
    message_id: int | None = None  # the text's message on Telegram (to edit it later)


Sender = Callable[[QueuedMessage, Attachment | None], Awaitable[SendResult]]


def backoff(attempts: int) -> timedelta:
    delay: timedelta = BASE_BACKOFF * (2 ** max(attempts, 0))
    return min(delay, MAX_BACKOFF)


MAX_DRAIN_WAIT = 60.0


@dataclass
class DrainBackoff:
    """A drain loop's pace while the drain itself fails (the database unreachable, say):
    the wait doubles up to a minute, and the admin's log gets one line when it starts failing
    and one when it works again, not one per attempt."""

    interval: float
    wait: float = 0.0
    failing_since: float | None = None

    def next_wait(self) -> float:
        return max(self.interval, self.wait)

    def failed(self, exc: BaseException, outage: bool) -> None:
        self.wait = min(max(self.wait * 2, self.interval, 1.0), MAX_DRAIN_WAIT)
        if self.failing_since is not None:
            return
        self.failing_since = time.monotonic()
        if outage:
            log.warning("outbox: the database cannot be reached (%s); trying again", exc)
        else:
            log.error("outbox: the drain failed; trying again", exc_info=exc)

    def succeeded(self) -> None:
        if self.failing_since is not None:
            log.warning("outbox: working again after %.0f s", time.monotonic() - self.failing_since)
        self.wait, self.failing_since = 0.0, None


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _remember(uow: UnitOfWork, subject: str, placed: Placed, now: datetime) -> None:
    """A message with buttons for ``subject``: edited once the subject is decided; decided
    already (while the message was on its way), edited at once."""
    outcome = uow.placed.place(
        placed.person_id, subject, placed.chat_id, placed.message_id, placed.text, now
    )
    if outcome is not None:
        notify.edit_placed(uow, now, placed, outcome)


class OutboxService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        timezone: ZoneInfo = WIB,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.timezone = timezone

    def placed(
        self, person_id: int, subject: str, chat_id: int, message_id: int, text: str
    ) -> None:
        """A message with buttons for ``subject`` sent in a reply (the desk): edited once the
        subject is decided, like the notices; decided already, edited at once."""
        with self.uow_factory() as uow:
            _remember(uow, subject, Placed(person_id, chat_id, message_id, text), self.clock())
            uow.commit()

    def due(self, limit: int = 100, channel: str = "telegram") -> list[QueuedMessage]:
        with self.uow_factory() as uow:
            return uow.outbox.due(self.clock(), limit, channel)

    def record(self, message: QueuedMessage, result: SendResult, channel: str = "telegram") -> bool:
        """Record how the attempt ended; True when the notice was handed to the person's
        other channel (this one refused them for good)."""
        rerouted = False
        now = self.clock()
        age = now - (message.created_at or now)
        with self.uow_factory() as uow:
            if result.outcome is Outcome.SENT:
                uow.outbox.mark_sent(message.id, now)
                self._place(uow, message, result, now)
            elif result.outcome is Outcome.RETRY and age < RETRY_FOR:
                delay = (
                    timedelta(seconds=result.retry_after)
                    if result.retry_after is not None
                    else backoff(message.attempts)
                )
                uow.outbox.mark_retry(message.id, result.error, now + delay)
                if age >= ALERT_AFTER:
                    self._report_failing(uow, message, result.error, now)
            elif result.blocked:  # refused for good on this channel: perhaps not on the other
                newly = uow.people.mark_blocked(message.person_id, Channel(channel), now)
                person = uow.people.get(message.person_id)
                if person is not None and not person.blocked:
                    rerouted = True
                    uow.outbox.mark_retry(message.id, f"rerouted: {result.error}", now)
                    log.info(
                        "outbox message %s: %s refused person %s; it goes through their "
                        "other channel",
                        message.id,
                        channel,
                        message.person_id,
                    )
                else:
                    self._failed(uow, message, result.error, now)
                    if newly:  # no channel reaches them now: the satgas is told once
                        self._report_blocked(uow, message.person_id, now)
            else:
                if result.outcome is Outcome.RETRY:
                    result = SendResult(Outcome.FAILED, f"gave up after {age}: {result.error}")
                self._failed(uow, message, result.error, now)
            uow.commit()
        return rerouted

    @staticmethod
    def _place(uow: UnitOfWork, message: QueuedMessage, result: SendResult, now: datetime) -> None:
        """A notice with buttons for a subject, accepted by Telegram: remembered where it is."""
        if message.subject is None or message.chat_id is None or result.message_id is None:
            return
        placed = Placed(message.person_id, message.chat_id, result.message_id, message.text)
        _remember(uow, message.subject, placed, now)

    @staticmethod
    def _failed(uow: UnitOfWork, message: QueuedMessage, error: str, now: datetime) -> None:
        log.warning(
            "outbox message %s to person %s failed for good: %s",
            message.id,
            message.person_id,
            error,
        )
        uow.outbox.mark_failed(message.id, error, now)

    @staticmethod
    def _report_blocked(uow: UnitOfWork, person_id: int, now: datetime) -> None:
        """Tell the provincial satgas once that a person cannot be reached any more."""
        person = uow.people.get(person_id)
        if person is not None:
            notify.person_unreachable(uow, now, person)

    def _report_failing(
        self, uow: UnitOfWork, message: QueuedMessage, error: str, now: datetime
    ) -> None:
        """Tell the provincial satgas and the admins, once a day per person, that notices to
        someone have not gone out for a while (they are still being tried)."""
        person = uow.people.get(message.person_id)
        if person is None:
            return
        since = message.created_at or now
        notify.notices_failing(uow, now, person, since, error, self.timezone)
        log.warning(
            "notices to person %s failing since %s (%s); the satgas and admins are told",
            person.id,
            since.isoformat(timespec="minutes"),
            error,
        )

    def _mark_sending(self, message: QueuedMessage) -> QueuedMessage:
        """Claimed; as it stands now (settled since the drain read it: the outcome)."""
        with self.uow_factory() as uow:
            text, buttons, subject = uow.outbox.mark_sending(message.id, self.clock())
            uow.commit()
        if (text, buttons, subject) == (message.text, message.buttons, message.subject):
            return message
        return replace(message, text=text, buttons=buttons, subject=subject)

    def _mark_part_sent(self, message_id: int, parts_sent: int) -> None:
        with self.uow_factory() as uow:
            uow.outbox.mark_part_sent(message_id, parts_sent)
            uow.commit()

    async def _send(self, message: QueuedMessage, send: Sender) -> tuple[SendResult, QueuedMessage]:
        """The result, and the message as it was sent (settled meanwhile: its outcome)."""
        if message.chat_id is None and message.whatsapp_id is None:
            return SendResult(Outcome.FAILED, "no channel reaches the person"), message
        if message.interrupted:
            log.warning(
                "outbox message %s to person %s was being sent when the bot stopped; "
                "sending it again (that part may arrive twice)",
                message.id,
                message.person_id,
            )
        parts: list[Attachment | None] = [*message.attachments, None]
        missing: list[str] = []
        for index in range(message.parts_sent, len(parts)):
            part = parts[index]
            message = self._mark_sending(message)
            outgoing = message
            if part is None and missing:  # the text says which files could not come with it
                outgoing = replace(message, text=message.text + notify.files_missing(missing))
            try:
                result = await send(outgoing, part)
            except Exception as exc:  # a fault of the channel's own code: set this one aside
                log.exception("outbox message %s could not be sent", message.id)
                return SendResult(Outcome.FAILED, f"error: {exc!r}"[:500]), message
            if result.outcome is Outcome.GONE and part is not None:
                log.warning(
                    "outbox message %s: file %s (%s) cannot be sent: %s; the text says so",
                    message.id,
                    part.file_name,
                    part.sha256,
                    result.error,
                )
                missing.append(part.file_name)
            elif result.outcome is not Outcome.SENT:
                return result, message
            if index < len(parts) - 1:
                self._mark_part_sent(message.id, index + 1)
            else:
                return result, message
        return SendResult(Outcome.SENT), message

    async def drain(
        self,
        send: Sender,
        limit: int = 100,
        channel: str = "telegram",
        stopping: Callable[[], bool] = lambda: False,
    ) -> DrainReport:
        """Send what is due; ``stopping`` is asked before each message, so a shutdown waits
        for one send at most (the rest stays queued for the next start)."""
        sent = retried = failed = 0
        rerouted: set[int] = set()  # people this channel refused, whom another one reaches
        for message in self.due(limit, channel):
            if stopping():
                break
            if message.person_id in rerouted:  # the other channel's drain takes these
                continue
            result, message = await self._send(message, send)
            if self.record(message, result, channel):
                rerouted.add(message.person_id)
                retried += 1
                continue
            sent += result.outcome is Outcome.SENT
            retried += result.outcome is Outcome.RETRY
            failed += result.outcome is Outcome.FAILED
        return DrainReport(sent=sent, retried=retried, failed=failed)
