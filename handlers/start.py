"""/start (join with a code, or the menu), /bantuan, and the menu buttons."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from chatbot import callbacks, texts
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from handlers import admin, keyboards, periode
from handlers.common import Context, args_text, current_person, reply, services, under

log = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    code = args_text(context)
    if code:
        await _join(update, context, code)
        return
    await menu(update, context)


async def menu(update: Update, context: Context) -> None:
    """/menu, and /start without a code: the short menu; the chat's "/" menu kept right."""
    person = await current_person(update, context)
    if person is not None:
        await reply(update, texts.menu(person), keyboards.menu(person))
        await commands_for_chat(update, context, person)


SCOPES = "command_scopes"  # chat id -> the command names set for it by this process


async def commands_for_chat(update: Update, context: Context, person: Person) -> None:
    """The "/" menu of this person's chat: their own commands only (a regency satgas does
    not see /undang). Set when they join and when they open the menu, and again when their
    roles changed; once per chat and process otherwise."""
    chat = update.effective_chat
    if chat is None:
        return
    commands = texts.commands_for(person)
    names = tuple(c.name for c in commands)
    known = context.application.bot_data.setdefault(SCOPES, {})
    if known.get(chat.id) == names:
        return
    try:
        await context.bot.set_my_commands(
            [BotCommand(c.name, c.help[:256]) for c in commands],
            scope=BotCommandScopeChat(chat.id),
        )
    except TelegramError as exc:  # the menu stays as it was; the buttons still work
        log.warning("could not set the commands of chat %s: %s", chat.id, exc)
        return
    known[chat.id] = names


async def _join(update: Update, context: Context, code: str) -> None:
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    try:
        joined = services(context).registration.redeem(
            code, telegram_user_id=user.id, chat_id=chat.id, display_name=user.full_name
        )
    except DomainError as exc:
        text = texts.INVITE_ERRORS.get(exc.code)
        if text is None:
            raise
        log.info("invite refused for telegram user %s: %s", user.id, exc.code)
        await reply(update, text)
        return
    log.info("telegram user %s joined as person %s", user.id, joined.person.id)
    await reply(
        update,
        texts.joined(
            joined.person,
            joined.role,
            joined.new_person,
            period=joined.period,
            deadline=joined.deadline,
        ),
        keyboards.menu(joined.person),
    )
    await commands_for_chat(update, context, joined.person)


async def bantuan(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is not None:
        await reply(update, texts.help_text(person), keyboards.menu(person))


async def menu_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    person = await current_person(update, context)
    if person is None:
        return
    choice = query.data.removeprefix(callbacks.MENU + ":")
    if choice == "bantuan":
        await reply(update, texts.help_text(person), keyboards.menu(person))
    elif choice == "undang":
        await admin.show_unit_picker(update, context, person)
    elif choice == "periode":
        await periode.overview(update, context)
    elif choice == "wakil":
        await admin.wakil(update, context)
    elif choice == "notifikasi":
        await notifikasi(update, context)
    elif choice == "tautkan":
        await _link_code(update, context, person)
    else:
        await reply(update, texts.menu(person), keyboards.menu(person))


async def tautkan(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is not None:
        await _link_code(update, context, person)


async def notifikasi(update: Update, context: Context) -> None:
    person = await current_person(update, context)
    if person is not None:
        services(context).registration.notify_via(person, "telegram")
        await reply(update, texts.NOTIFY_HERE["telegram"])


async def _link_code(update: Update, context: Context, person: Person) -> None:
    svc = services(context)
    code, expires = svc.registration.create_link_code(person)
    log.info("link code issued to person %s", person.id)
    await reply(update, texts.link_code_issued(code, expires, svc.timezone))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("tautkan", tautkan))
    application.add_handler(CommandHandler("notifikasi", notifikasi))
    application.add_handler(CommandHandler("bantuan", bantuan))
    application.add_handler(CommandHandler("help", bantuan))  # what people type elsewhere
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CallbackQueryHandler(menu_button, pattern=under(callbacks.MENU)))
