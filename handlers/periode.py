"""/periode (admin): see the open periods, open one by hand. The scheduler opens on day 1."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, commands
from handlers.common import Context, args_text, current_person, services
from handlers.render import show

log = logging.getLogger(__name__)


async def overview(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.periods(services(context), person))


async def periode(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    code = args_text(context)
    svc = services(context)
    await show(
        update, commands.open_period(svc, person, code) if code else commands.periods(svc, person)
    )


async def open_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is not None:
        code = callbacks.parse_open_period(query.data) or ""
        await show(update, commands.open_period(services(context), person, code))


@dataclass
class ScheduleMemo:
    """The day whose warnings this process already sent, so that later ticks do not plan
    them again; the database is what makes them go once (a restart asks again)."""

    reminded_on: date | None = None


async def scheduled_steps(context: Context) -> None:
    """JobQueue, at start and then every few seconds: the day's steps by the services' clock.
    The period of the month opens at 07:55 WIB of day 1 (or the first working day after, or
    later during days 1-10 to catch up), then the day's warnings go out once, from 08:00."""
    memo = context.job.data if context.job is not None else None
    assert isinstance(memo, ScheduleMemo)
    svc = services(context)
    result = svc.submission.open_due_period()  # the service decides whether it is due
    if result is not None and result.opened:
        log.info("period %s opened by the scheduler, %s kick-offs", result.period, result.kickoffs)
    day = svc.reminders.due_now()
    if day is not None and memo.reminded_on != day:
        await send_reminders(context)
        memo.reminded_on = day


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


async def jadwal(update: Update, context: Context) -> None:
    if update.callback_query:
        await update.callback_query.answer()
    person = await current_person(update, context)
    if person is not None:
        await show(update, commands.month_plan(services(context), person))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("periode", periode))
    application.add_handler(CommandHandler("jadwal", jadwal))
    application.add_handler(CallbackQueryHandler(jadwal, pattern=r"^mn:jadwal$"))
    application.add_handler(CallbackQueryHandler(open_button, pattern=r"^pr:o:"))
