"""The Telegram process's scheduled work (PTB's JobQueue): the day's steps of the SOP by the
services' clock, and the digest of deliveries. The outbox's drain is in ``handlers/outbox.py``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from handlers.common import Context, services

log = logging.getLogger(__name__)


@dataclass
class ScheduleMemo:
    """The day whose warnings this process already sent, so that later ticks do not plan
    them again; the database is what makes them go once (a restart asks again)."""

    reminded_on: date | None = None
    recorded_on: date | None = None  # the day the health check was last told the steps ran


async def scheduled_steps(context: Context) -> None:
    """JobQueue, at start and then every few seconds: the day's steps by the services' clock.
    The period of the month opens at 07:55 WIB of day 1 (or the first working day after, or
    later during days 1-10 to catch up), then the day's warnings go out once, from 08:00.
    Each tick also has the health service watch the outbox and the disk (the admins told once
    per incident, ``HealthService.alert``)."""
    memo = context.job.data if context.job is not None else None
    assert isinstance(memo, ScheduleMemo)
    svc = services(context)
    result = svc.submission.open_due_period()  # the service decides whether it is due
    if result is not None and result.opened:
        log.info("period %s opened by the scheduler, %s kick-offs", result.period, result.kickoffs)
    day = svc.reminders.due_now()
    reminded = day is not None and memo.reminded_on != day
    if reminded:
        await send_reminders(context)
        memo.reminded_on = day
    # recorded at the first tick of each day and after the day's warnings: `spip-bot doctor`
    # tells when they stopped; then the outbox and the disk, of which the admins are told
    today = svc.reminders.today()
    if reminded or memo.recorded_on != today:
        svc.health.steps_ran()
        memo.recorded_on = today
    svc.health.alert()


async def announce_digest(context: Context) -> None:
    """JobQueue (digest mode): tell the reviewers about the deliveries gathered meanwhile."""
    count = services(context).submission.announce_digest()
    if count:
        log.info("announced %s deliveries in a digest", count)


async def send_reminders(context: Context) -> None:
    """The day's warnings, when it is time (from 08:00 WIB within office hours); what was
    already sent that day is recorded, so neither a restart nor a second instance repeats it."""
    svc = services(context).reminders
    day = svc.due_now()
    if day is None:
        return
    report = svc.send(day)
    if report.queued:
        log.info(
            "reminders for %s: %s queued, %s already sent", day, report.queued, report.already_sent
        )
