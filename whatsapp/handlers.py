"""WhatsApp updates translated to the services, like ``handlers/`` does for Telegram: who is
writing, which command word, one service call, the reply in formal Indonesian from
``chatbot.texts``. A message id seen before (a replay) is dropped before anything else."""

from __future__ import annotations

import logging

from pywa_async.client import WhatsApp
from pywa_async.handlers import MessageHandler
from pywa_async.types.message import Message

from chatbot import texts
from chatbot.domain import invites
from chatbot.domain.errors import DomainError
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission
from chatbot.services.bundle import Services

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"


def register(wa: WhatsApp, services: Services) -> None:
    async def on_message(client: WhatsApp, message: Message) -> None:
        await incoming(client, services, message)

    wa.add_handlers(MessageHandler(on_message))  # type: ignore[arg-type]


async def incoming(wa: WhatsApp, services: Services, message: Message) -> None:
    if not services.registration.first_time(CHANNEL, message.id):
        log.warning("WhatsApp message %s delivered again; ignored", message.id)
        return
    sender = message.from_user.preferred_id  # the business-scoped id, else the number
    text = (message.text or "").strip()
    person = services.registration.whatsapp_person(sender)
    if person is None:
        await _stranger(wa, services, sender, message.from_user.name or "", text)
        return
    word = text.split()[0].lower() if text else ""
    if word in ("bantuan", "menu", "halo"):
        await wa.send_message(to=sender, text=texts.whatsapp_help(person))
    elif word == "status":
        await wa.send_message(to=sender, text=_status(services, person))
    else:
        await wa.send_message(to=sender, text=texts.WA_NOT_UNDERSTOOD)


async def _stranger(wa: WhatsApp, services: Services, sender: str, name: str, text: str) -> None:
    """Someone unknown: an invite code makes them a person, anything else gets the way in."""
    if not invites.looks_like_code(text):
        log.info("WhatsApp message from unknown %s", sender)
        await wa.send_message(to=sender, text=texts.WA_NOT_REGISTERED)
        return
    try:
        joined = services.registration.redeem_whatsapp(text, sender, name)
    except DomainError as exc:
        refusal = texts.INVITE_ERRORS.get(exc.code)
        if refusal is None:
            raise
        log.info("invite refused for WhatsApp user %s: %s", sender, exc.code)
        await wa.send_message(to=sender, text=refusal)
        return
    log.info("WhatsApp user %s joined as person %s", sender, joined.person.id)
    reply = texts.joined(joined.person, joined.role, joined.new_person, help_command="bantuan")
    await wa.send_message(to=sender, text=reply)


def _status(services: Services, person: Person) -> str:
    if not (person.may(Permission.VIEW_ALL_STATUS) or person.may(Permission.VIEW_OWN_STATUS)):
        return texts.WA_NOT_UNDERSTOOD
    period = services.status.default_period()
    if period is None:
        return texts.NO_PERIOD_YET
    try:
        status = services.status.for_person(person, period)
    except DomainError as exc:
        return texts.STATUS_ERRORS.get(exc.code, texts.GENERIC_ERROR)
    if person.may(Permission.VIEW_ALL_STATUS):
        return texts.status_overview(status)
    return texts.unit_status_detail(status, person.unit.code)
