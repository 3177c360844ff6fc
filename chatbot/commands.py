"""The commands both channels offer, decided once: each takes the person and what they typed
(or the button's data, parsed) and returns the screen to show. The channels only find the
person, parse their update and render the screen (``handlers/``, ``whatsapp/``).

Files (the recap workbook, the e-SPIP package, the status picture) are made by the services;
sending them is the channel's, since each channel sends files its own way."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from chatbot import callbacks, screens, texts
from chatbot.domain.calendar import Period
from chatbot.domain.errors import DomainError, InvalidData, NotYourRole
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission, Role
from chatbot.screens import Screen
from chatbot.services.bundle import Services
from chatbot.services.scorecard import Scorecard
from chatbot.services.status import PeriodStatus

log = logging.getLogger(__name__)


def _say(text: str) -> Screen:
    return Screen(text)


# ------------------------------------------------------------------ status


def status(svc: Services, person: Person, period_text: str = "", unit_code: str = "") -> Screen:
    """``status [TTTT-BB]``: the overview or the unit's own detail; a unit's detail by button."""
    if not (person.may(Permission.VIEW_ALL_STATUS) or person.may(Permission.VIEW_OWN_STATUS)):
        return _say(texts.NOT_ALLOWED)
    try:
        period = (
            Period.parse(period_text)
            if period_text
            else svc.submission.working_period(person) or svc.status.default_period()
        )
        if period is None:
            return _say(texts.NO_PERIOD_YET)
        view = svc.status.for_person(person, period, unit_code=unit_code or None)
    except DomainError as exc:
        return _say(texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR))
    if unit_code:
        return _say(texts.unit_status_detail(view, unit_code))
    return screens.status(view, person, view.periods)


def rapor(svc: Services, person: Person, year_text: str = "") -> tuple[Screen, Scorecard | None]:
    """``rapor [TTTT]``: the scorecard's text, and the scorecard to draw when it has months."""
    if not (person.may(Permission.VIEW_ALL_STATUS) or person.may(Permission.VIEW_OWN_STATUS)):
        return _say(texts.RAPOR_NOT_ALLOWED), None
    text = year_text.strip()
    if text and not (text.isdigit() and len(text) == 4):
        return _say(texts.RAPOR_YEAR_HINT), None
    year = int(text) if text else svc.scorecard.default_year()
    card = svc.scorecard.for_person(person, year)
    own = not person.may(Permission.VIEW_ALL_STATUS)
    drawn = card if card.months and card.units else None
    return _say(texts.rapor(card, svc.timezone, own)), drawn


def status_for_picture(svc: Services, person: Person, period: Period) -> PeriodStatus | str:
    """The status to draw, or the sentence that refuses it."""
    try:
        return svc.status.for_person(person, period)
    except DomainError as exc:
        return texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR)


def export_period(svc: Services, person: Person, period_text: str = "") -> Period | str:
    """The period of a recap or a package (``rekap [TTTT-BB]``), or the refusal."""
    if not person.may(Permission.EXPORT_RECAP):
        return texts.NOT_ALLOWED
    try:
        period = Period.parse(period_text) if period_text else svc.status.default_period()
    except DomainError as exc:
        return texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR)
    return period if period is not None else texts.NO_PERIOD_YET


@dataclass(frozen=True, slots=True)
class Export:
    """A file to send: its bytes on disk or in memory, its name and caption."""

    name: str
    caption: str
    data: bytes = b""
    path: Path | None = None  # a package, written to a temporary folder


def recap(svc: Services, person: Person, period: Period) -> Export | str:
    """The recap workbook of ``period``, or the sentence that refuses it."""
    try:
        data = svc.recap.workbook(period, person)
    except DomainError as exc:
        return texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR)
    log.info("recap %s made for person %s (%s bytes)", period, person.id, len(data))
    return Export(svc.recap.workbook_name(period), texts.recap_caption(period), data)


def package(
    svc: Services, person: Person, period: Period, folder: Path, limit: int
) -> Export | str:
    """The e-SPIP package of ``period`` written into ``folder`` (the channel's own upload
    ``limit`` in bytes), or the sentence that refuses it."""
    out = folder / f"Paket-eSPIP-{period.code}.zip"
    try:
        made = svc.recap.package(period, out, person)
    except DomainError as exc:
        return texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR)
    size = out.stat().st_size
    if size > limit:
        return texts.PACKAGE_TOO_LARGE.format(period=period.code, size=texts.ukuran(size))
    log.info("package %s made for person %s (%s bytes)", period, person.id, size)
    return Export(out.name, texts.package_caption(period, len(made.entries)), path=out)


# ------------------------------------------------------------------ periods and the plan


def periods(svc: Services, person: Person) -> Screen:
    """``periode``: the open periods, where each stands, and what opens next (a button when
    it is due now: a month out of its time is opened by typing it, and confirmed)."""
    if not person.may(Permission.OPEN_PERIOD):
        return _say(texts.NOT_ALLOWED)
    sub = svc.submission
    cal, today = sub.calendar(), sub.today()
    rows = [(p, cal.window_on(p, today), cal.schedule(p)) for p in sub.open_periods()]
    suggested = sub.suggested_to_open()
    known = set(svc.status.periods())
    offer = None
    if suggested not in known and cal.out_of_time(suggested, today) is None:
        offer = suggested
    upcoming = suggested
    while upcoming in known:  # the first month not opened yet
        upcoming = upcoming.shifted(1)
    text = texts.periods_overview(
        rows, offer, upcoming, sub.opens_automatically(upcoming), svc.timezone
    )
    return screens.periods(text, offer)


def open_question(svc: Services, period: Period) -> str | None:
    """The confirmation asked before opening ``period`` (None: it opens at once): a month
    before its report month, or past its hand-over date, not opened before."""
    sub = svc.submission
    cal = sub.calendar()
    window = cal.out_of_time(period, sub.today())
    if window is None or period in svc.status.periods():
        return None
    opens = sub.opens_automatically(period)
    return texts.confirm_open_period(
        period, cal.schedule(period), window, sub.working_period(), opens, svc.timezone
    )


def open_pressed(svc: Services, person: Person, data: str) -> Screen:
    """An "open period" button: the overview's, or the confirmation's yes or no."""
    choice = callbacks.parse_open_period(data)
    if choice is None:
        return _say(texts.PERIOD_FORMAT)
    return open_period(svc, person, choice.code, choice.step)


def open_period(svc: Services, person: Person, code: str, step: str = "o") -> Screen:
    """``periode TTTT-BB`` or its button: open the period, the kick-offs queued; a month
    before its report month, or past its hand-over date, is confirmed first."""
    if not person.may(Permission.OPEN_PERIOD):
        return _say(texts.NOT_ALLOWED)
    try:
        period = Period.parse(code)
    except InvalidData:
        return _say(texts.PERIOD_FORMAT)
    if step == "n":
        return _say(texts.period_not_opened(period))
    question = open_question(svc, period) if step != "y" else None
    if question is not None:
        return screens.confirm_open_period(question, period)
    try:
        opened, said = opening(svc, period, person)
    except DomainError as exc:
        return _say(texts.SUBMISSION_ERRORS.get(exc.code, texts.NOT_ALLOWED))
    if opened:
        log.info("period %s opened by person %s", period, person.id)
    return _say(said)


def opening(svc: Services, period: Period, by: Person | None) -> tuple[bool, str]:
    """Open ``period`` (the chat's or the CLI's, once confirmed): whether it opened now, and
    the sentence that says so (or that it was open, or closed, already)."""
    sub = svc.submission
    result = sub.open_period(period, by=by)
    if not result.opened:
        return False, texts.period_already_open(period, closed=period not in sub.open_periods())
    deadline = sub.calendar().schedule(period).submission_deadline
    return True, texts.period_opened(period, deadline, result.kickoffs, sub.working_period())


def month_plan(svc: Services, person: Person) -> Screen:
    """``jadwal``: the reminders of the period being worked on, day by day, today marked."""
    if not person.may(Permission.OPEN_PERIOD):
        return _say(texts.NOT_ALLOWED)
    sub = svc.submission
    period = sub.working_period() or sub.suggested_to_open()
    return _say(texts.month_plan(period, svc.reminders.month_plan(period), sub.today()))


# ------------------------------------------------------------------ invites and leave cover


def invite_units(svc: Services, person: Person) -> Screen:
    if not person.may(Permission.INVITE):
        return _say(texts.NOT_ALLOWED)
    return screens.invite_units(svc.registration.units())


def invite_roles(svc: Services, person: Person, unit_code: str) -> Screen:
    if not person.may(Permission.INVITE):
        return _say(texts.NOT_ALLOWED)
    unit = next((u for u in svc.registration.units() if u.code == unit_code), None)
    if unit is None:
        return _say(texts.INVITE_FORM_ERRORS["unknown_unit"].format(value=unit_code))
    return screens.invite_roles(unit)


def invite(
    svc: Services,
    person: Person,
    unit_code: str,
    role_text: str,
    name: str | None,
    telegram_bot: str | None,
) -> Screen:
    """``undang UNIT PERAN [Nama]`` or the role's button: a one-time code, with the Telegram
    link when the bot's username is known."""
    try:
        issued = svc.registration.create_invite(unit_code, role_text, name, by=person)
    except NotYourRole:
        return _say(texts.NOT_ALLOWED)
    except DomainError as exc:
        template = texts.INVITE_FORM_ERRORS.get(exc.code)
        if template is None:
            raise
        roles = ", ".join(r.value for r in Role)
        return _say(template.format(value=exc.detail, roles=roles))
    link = f"https://t.me/{telegram_bot}?start={issued.code}" if telegram_bot else None
    expires = texts.waktu(issued.expires_at, svc.timezone)
    return _say(
        texts.invite_created(
            issued.unit, issued.role, issued.display, link, expires, issued.name, svc.whatsapp
        )
    )
