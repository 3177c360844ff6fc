"""Admin: /undang, making invite codes from the chat (by arguments or by buttons)."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import texts
from chatbot.domain.errors import DomainError, NotYourRole
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission, Role
from handlers import keyboards
from handlers.common import Context, current_person, reply, services


async def undang(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    if not person.may(Permission.INVITE):
        await reply(update, texts.NOT_ALLOWED)
        return
    args = list(context.args or [])
    if len(args) < 2:
        await show_unit_picker(update, context, person)
        return
    await _create(update, context, person, args[0], args[1], " ".join(args[2:]) or None)


async def show_unit_picker(update: Update, context: Context, person: Person) -> None:
    if not person.may(Permission.INVITE):
        await reply(update, texts.NOT_ALLOWED)
        return
    units = services(context).registration.units()
    await reply(update, texts.INVITE_USAGE, keyboards.invite_units(units))


async def invite_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    if not person.may(Permission.INVITE):
        await reply(update, texts.NOT_ALLOWED)
        return
    parts = query.data.split(":")
    if parts[1] == "u" and len(parts) == 3:
        unit = next((u for u in services(context).registration.units() if u.code == parts[2]), None)
        if unit is None:
            await reply(update, texts.INVITE_FORM_ERRORS["unknown_unit"].format(value=parts[2]))
            return
        await reply(
            update, texts.INVITE_PICK_ROLE.format(unit=unit.name), keyboards.invite_roles(unit)
        )
    elif parts[1] == "r" and len(parts) == 4:
        await _create(update, context, person, parts[2], parts[3], None)


async def _create(
    update: Update,
    context: Context,
    person: Person,
    unit_code: str,
    role_text: str,
    name: str | None,
) -> None:
    svc = services(context)
    try:
        issued = svc.registration.create_invite(unit_code, role_text, name, by=person)
    except NotYourRole:
        await reply(update, texts.NOT_ALLOWED)
        return
    except DomainError as exc:
        template = texts.INVITE_FORM_ERRORS.get(exc.code)
        if template is None:
            raise
        roles = ", ".join(r.value for r in Role)
        await reply(update, template.format(value=exc.detail, roles=roles))
        return
    link = f"https://t.me/{context.bot.username}?start={issued.code}"
    await reply(
        update,
        texts.invite_created(
            issued.unit,
            issued.role,
            issued.display,
            link,
            texts.waktu(issued.expires_at, svc.timezone),
            issued.name,
        ),
    )


async def wakil(update: Update, context: Context) -> None:
    """/wakil ID_WAKIL PERAN ID_YANG_DIWAKILI TGL_MULAI TGL_SELESAI"""
    person = await current_person(update, context)
    if person is None:
        return
    if not person.may(Permission.DELEGATE):
        await reply(update, texts.NOT_ALLOWED)
        return
    svc = services(context)
    args = list(context.args or [])
    if len(args) != 5:
        await reply(update, texts.delegation_usage(svc.registration.people()))
        return
    try:
        delegate_id, covered_id = int(args[0]), int(args[2])
        start, end = date.fromisoformat(args[3]), date.fromisoformat(args[4])
    except ValueError:
        await reply(update, texts.delegation_usage(svc.registration.people()))
        return
    try:
        done = svc.delegation.delegate(args[1], covered_id, delegate_id, start, end, by=person)
    except DomainError as exc:
        detail = exc.detail if exc.code == "invalid_delegation" else exc.code
        await reply(update, texts.DELEGATION_ERROR.format(detail=detail))
        return
    await reply(update, texts.delegation_done(done))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("wakil", wakil))
    application.add_handler(CommandHandler("undang", undang))
    application.add_handler(CallbackQueryHandler(invite_button, pattern=r"^ud:"))
