"""Admin: /undang, making invite codes from the chat (by arguments or by buttons), /wakil,
leave cover, and /pengguna, people who come and go. What each does is decided in
``chatbot.commands``, ``chatbot.wakil`` and ``chatbot.pengguna``, shared with WhatsApp."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, commands, pengguna, texts
from chatbot import wakil as wakil_flow
from chatbot.domain.people import Person
from handlers.common import Context, current_person, pressed_by, reply, services
from handlers.render import replace, show


async def undang(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is None:
        return
    args = list(context.args or [])
    svc = services(context)
    if len(args) < 2:
        await show(update, commands.invite_units(svc, person))
        return
    name = " ".join(args[2:]) or None
    await show(update, commands.invite(svc, person, args[0], args[1], name, context.bot.username))


async def show_unit_picker(update: Update, context: Context, person: Person) -> None:
    await show(update, commands.invite_units(services(context), person))


async def invite_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    choice = callbacks.parse_invite(query.data)
    if choice is None:
        await reply(update, texts.BUTTON_INVALID)
        return
    svc = services(context)
    unit_code, role = choice
    if role is None:
        await show(update, commands.invite_roles(svc, person, unit_code))
    else:
        await show(
            update, commands.invite(svc, person, unit_code, role, None, context.bot.username)
        )


async def wakil(update: Update, context: Context) -> None:
    """/wakil alone (buttons), or /wakil NAMA_WAKIL PERAN NAMA_YANG_DIWAKILI MULAI SELESAI."""
    person = await current_person(update, context)
    if person is not None:
        args = list(context.args or [])
        await show(update, wakil_flow.typed(services(context), person, args))


async def wakil_button(update: Update, context: Context) -> None:
    """A step of /wakil by buttons: the same message shows the next one."""
    pressed = await pressed_by(update, context, lambda _: True)
    if pressed is not None:
        data, person = pressed
        screen, _ = wakil_flow.pressed(services(context), person, data)
        await replace(update, screen)


async def people(update: Update, context: Context) -> None:
    """/pengguna: the directory, then a person and what can be done to them, by buttons."""
    person = await current_person(update, context)
    if person is not None:
        await show(update, pengguna.typed(services(context), person, list(context.args or [])))


async def people_button(update: Update, context: Context) -> None:
    """A step of /pengguna: the same message shows the next one."""
    pressed = await pressed_by(update, context, lambda _: True)
    if pressed is not None:
        data, person = pressed
        screen, _ = pengguna.pressed(services(context), person, data)
        await replace(update, screen)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("wakil", wakil))
    application.add_handler(CallbackQueryHandler(wakil_button, pattern=rf"^{callbacks.DELEGATE}:"))
    application.add_handler(CommandHandler("undang", undang))
    application.add_handler(CommandHandler("pengguna", people))
    application.add_handler(CallbackQueryHandler(people_button, pattern=rf"^{callbacks.PEOPLE}:"))
    application.add_handler(
        CallbackQueryHandler(
            invite_button, pattern=rf"^(?:{callbacks.INVITE_UNIT}|{callbacks.INVITE_ROLE}):"
        )
    )
