"""WhatsApp updates translated to the services, like ``handlers/`` does for Telegram: who is
writing, which command word, one service call, the reply in formal Indonesian from
``chatbot.texts``. A message id seen before (a replay) is dropped before anything else."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from pywa_async.client import WhatsApp
from pywa_async.handlers import CallbackButtonHandler, CallbackSelectionHandler, MessageHandler
from pywa_async.types.callback import (
    CallbackButton,
    CallbackSelection,
)
from pywa_async.types.message import Message

from chatbot import callbacks, texts
from chatbot.domain import invites
from chatbot.domain.errors import AccessEnded, DomainError, InviteInvalid
from chatbot.domain.people import Person
from chatbot.screens import Action, Screen
from chatbot.services import acting
from chatbot.services.bundle import Services
from whatsapp import render
from whatsapp.commands import Commands
from whatsapp.kirim import Kirim, Waiting
from whatsapp.review import Review

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Flows:
    """The channel's per-person flows, for the process to keep alive."""

    kirim: Kirim
    review: Review

    async def expire_forever(self, interval: float = 30) -> None:
        """End idle delivery drafts, as Telegram's conversations time out."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.kirim.expire_idle()
                self.review.expire_idle()
            except Exception:
                log.exception("ending idle WhatsApp drafts failed; trying again")


def register(wa: WhatsApp, services: Services, telegram_bot: str | None = None) -> Flows:
    kirim, review = Kirim(wa, services), Review(wa, services)
    words = Commands(wa, services, kirim, review, telegram_bot)

    async def on_message(client: WhatsApp, message: Message) -> None:
        with acting.one_reading():  # one step: who covers what and who reviews, read once
            await incoming(client, services, words, message)

    async def on_choice(
        client: WhatsApp, choice: CallbackButton[str] | CallbackSelection[str]
    ) -> None:
        with acting.one_reading():
            await chosen(services, words, choice)

    wa.add_handlers(
        MessageHandler(on_message),  # type: ignore[arg-type]
        CallbackButtonHandler(on_choice),  # type: ignore[arg-type]
        CallbackSelectionHandler(on_choice),  # type: ignore[arg-type]
    )
    return Flows(kirim, review)


def _person(
    services: Services, message_id: str, sender: str, phone: str | None
) -> tuple[bool, Person | None]:
    """(fresh, person): a replayed message id is not fresh; one transaction for both."""
    fresh, person = services.registration.whatsapp_arrival(CHANNEL, message_id, sender, phone)
    if not fresh:
        log.warning("WhatsApp message %s delivered again; ignored", message_id)
    return fresh, person


async def incoming(wa: WhatsApp, services: Services, words: Commands, message: Message) -> None:
    kirim, review = words.kirim, words.review
    sender = message.from_user.preferred_id  # the business-scoped id, else the number
    try:
        fresh, person = _person(services, message.id, sender, message.from_user.wa_id)
    except AccessEnded:
        log.info("refused a WhatsApp message from deactivated %s", sender)
        kirim.forget(sender)
        sent_file = bool(message.document or message.image)
        await words.say(sender, texts.ACCESS_ENDED_FILE if sent_file else texts.ACCESS_ENDED)
        return
    if not fresh:
        return
    text = (message.text or "").strip()
    if person is None:
        await _stranger(
            wa, services, sender, message.from_user.wa_id, message.from_user.name or "", text
        )
        return
    parts = text.split()
    word = parts[0].lower().lstrip("/") if parts else ""  # "/kirim" from a notice too
    # a command word alone (or with a period, "status 2026-10") is a command even while a
    # reason or a note is awaited, as Telegram's /commands are; the step waits meanwhile
    command = word in words.words and (
        len(parts) == 1 or (len(parts) == 2 and callbacks.PERIOD_CODE.fullmatch(parts[1]))
    )
    if word == "batal":
        if not await review.cancel(sender):
            await kirim.cancel(sender)
    elif review.waiting_for_reason(sender) and text and not command:
        answered = message.reply_to_message
        await review.reason(sender, person, text, answered.id if answered else "")
    elif (waiting := kirim.waiting(sender)) is Waiting.NOTE and text and not command:
        await kirim.note(sender, text)
    elif (
        message.document
        or message.image
        or (waiting in (Waiting.FILES, Waiting.ESPIP) and not text)
    ):  # a file at any moment starts or continues one
        await kirim.receive(sender, message, person)
    elif waiting is Waiting.CONFIRM and text and not command:
        await kirim.confirm_by_button(sender)
    elif waiting is Waiting.FILES and text and not command:
        await kirim.typed_instead_of_file(sender)
    elif word in words.words:
        await words.words[word](sender, person, parts[1:])
    else:
        await words.say(sender, texts.WA_NOT_UNDERSTOOD)


async def chosen(
    services: Services, words: Commands, choice: CallbackButton[str] | CallbackSelection[str]
) -> None:
    kirim, review = words.kirim, words.review
    sender = choice.from_user.preferred_id
    try:
        fresh, person = _person(services, choice.id, sender, choice.from_user.wa_id)
    except AccessEnded:
        log.info("refused a WhatsApp button from deactivated %s", sender)
        kirim.forget(sender)
        await words.say(sender, texts.ACCESS_ENDED)
        return
    if not fresh:
        return
    if person is None:
        await kirim.say(sender, texts.WA_NOT_REGISTERED)
        return
    data = str(choice.data)
    await review.drop_pending(sender, data)  # another button: a return waiting is dropped
    if (target := callbacks.parse_queue_target(data)) is not None:  # an older queue list
        await review.desk_open(sender, person, target[0])
    elif (at_desk := callbacks.parse_desk(data)) is not None:
        kind, state_id = at_desk
        if kind == callbacks.DESK_SKIP:
            await review.desk_skip(sender, person, state_id)
        elif kind == callbacks.DESK_ORIGINALS:
            await review.desk_originals(sender, person, state_id)
        else:
            await review.desk_open(sender, person, state_id)
    elif callbacks.parse_card_recap(data) is not None:
        await review.card_recap(sender, person, data)
    elif data == callbacks.CARD_KEEP:
        await review.say(sender, texts.CARD_STEP_KEPT)
    elif data.startswith(("rv:", "kc:", "rp:")):
        await review.pressed(sender, person, data)
    elif data == callbacks.RETURN_YES:
        await review.confirm(sender, person)
    elif data == callbacks.RETURN_NO:
        if not await review.cancel(sender):
            await kirim.say(sender, texts.NOTHING_TO_CANCEL)
    elif (queue_page := callbacks.parse_queue_page(data)) is not None:
        await review.queue(sender, person, queue_page)
    elif (unit_code := callbacks.parse_approve_all(data)) is not None:
        await review.ask_approve_all(sender, person, unit_code)
    elif data == callbacks.APPROVE_ALL_YES:
        await review.approve_all(sender, person)
    elif data == callbacks.APPROVE_ALL_NO:
        await review.cancel_approve_all(sender)
    elif data.startswith(callbacks.KIRIM + ":"):
        await _kirim_choice(kirim, sender, person, data)
    elif not await words.pressed(sender, person, data):
        log.warning("unknown WhatsApp choice %r from person %s", data, person.id)
        await kirim.say(sender, texts.WA_BUTTON_INVALID)


async def _kirim_choice(kirim: Kirim, sender: str, person: Person, data: str) -> None:
    """A button of the delivery flow (``chatbot.callbacks``' "kr" namespace)."""
    fixed = {
        callbacks.KIRIM_BACK: lambda: kirim.start(sender, person),
        callbacks.KIRIM_FILES: lambda: kirim.ask_files(sender),
        callbacks.KIRIM_NIHIL: lambda: kirim.ask_note(sender),
        callbacks.KIRIM_DONE: lambda: kirim.files_done(sender),
        callbacks.KIRIM_CONFIRM: lambda: kirim.confirm(sender, person, None),
        callbacks.KIRIM_ESPIP: lambda: kirim.ask_espip(sender),
        callbacks.KIRIM_SKIP: lambda: kirim.record_espip(sender, person),
        callbacks.KIRIM_DATA: lambda: kirim.record_kirim_data(sender, person),
        callbacks.KIRIM_HANDOVER: lambda: kirim.ask_handover(sender),
        callbacks.KIRIM_HANDOVER_YES: lambda: kirim.record_handover(sender, person),
        callbacks.KIRIM_CLOSE: lambda: kirim.cancel(sender),
        callbacks.KIRIM_WHICH: lambda: kirim.which_item(sender, person),
    }
    if data in fixed:
        await fixed[data]()
    elif (item := callbacks.parse_kirim_item(data)) is not None:
        await kirim.item(sender, person, item.code, item.period)
    elif (to_send := callbacks.parse_kirim_confirm(data)) is not None:
        await kirim.confirm(sender, person, to_send)
    elif (to_drop := callbacks.parse_kirim_discard(data)) is not None:
        await kirim.discard(sender, person, to_drop)
    elif (chosen_item := callbacks.parse_kirim_assign(data)) is not None:
        await kirim.assign(sender, person, chosen_item.code, chosen_item.period)
    elif (period := callbacks.parse_kirim_period(data)) is not None:
        await kirim.start(sender, person, period=period)
    elif (target := callbacks.parse_kirim_withdraw(data)) is not None:
        await kirim.withdraw(sender, person, target.code, target.version, target.period)
    elif (
        data.startswith(callbacks.CHECKLIST_PAGE + ":")
        and (page := callbacks.parse_page(data)) is not None
    ):
        await kirim.start(sender, person, page)
    elif (
        data.startswith(callbacks.KIRIM_WHICH_PAGE + ":")
        and (page := callbacks.parse_page(data)) is not None
    ):
        await kirim.which_item(sender, person, page)
    else:
        log.warning("unknown WhatsApp choice %r from person %s", data, person.id)
        await kirim.say(sender, texts.WA_SESSION_ENDED)


async def _stranger(
    wa: WhatsApp, services: Services, sender: str, phone: str | None, name: str, text: str
) -> None:
    """Someone unknown: an invite code makes them a person, anything else gets the way in."""
    if not invites.looks_like_code(text):
        log.info("WhatsApp message from unknown %s", sender)
        await wa.send_message(to=sender, text=texts.WA_NOT_REGISTERED)
        return
    try:
        joined = services.registration.redeem_whatsapp(text, sender, name, phone)
    except InviteInvalid as exc:
        if exc.code == "invite_invalid":  # not an invite: perhaps a link code
            await _link(wa, services, sender, phone, text)
            return
        await _refused(wa, sender, exc)
        return
    except DomainError as exc:
        refusal = texts.INVITE_ERRORS.get(exc.code)
        if refusal is None:
            raise
        log.info("invite refused for WhatsApp user %s: %s", sender, exc.code)
        await wa.send_message(to=sender, text=refusal)
        return
    log.info("WhatsApp user %s joined as person %s", sender, joined.person.id)
    reply = texts.joined(
        joined.person,
        joined.role,
        joined.new_person,
        help_command="bantuan",
        period=joined.period,
        deadline=joined.deadline,
    )
    start = ((Action(texts.BUTTON_KIRIM[0], texts.BUTTON_KIRIM[1], "Kirim data dukung"),),)
    await render.show(wa, sender, Screen(reply, start if joined.period else ()))


async def _link(
    wa: WhatsApp, services: Services, sender: str, phone: str | None, text: str
) -> None:
    try:
        person = services.registration.link_whatsapp(text, sender, phone)
    except DomainError as exc:
        await _refused(wa, sender, exc)
        return
    log.info("WhatsApp user %s linked to person %s", sender, person.id)
    await wa.send_message(to=sender, text=texts.whatsapp_linked(person))


async def _refused(wa: WhatsApp, sender: str, exc: DomainError) -> None:
    refusal = texts.INVITE_ERRORS.get(exc.code)
    if refusal is None:
        raise exc
    log.info("code refused for WhatsApp user %s: %s", sender, exc.code)
    await wa.send_message(to=sender, text=refusal)
