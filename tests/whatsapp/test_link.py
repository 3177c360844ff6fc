"""A person who uses Telegram links WhatsApp with a code from the bot: one person, the same
roles and history, notifications through WhatsApp from then on."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import Session, select

from chatbot import texts
from chatbot.app import Core
from chatbot.services.ports import OutgoingMessage
from storage.models import PersonRow
from tests.support.fake_graph_api import FakeGraphApi, text_update, update_with
from tests.support.telegram import TelegramHarness, User
from tests.whatsapp.conftest import BUDI, post

KERINCI = User(41, "Budi", "Kerinci")
CODE = re.compile(r"Kode penautan WhatsApp Anda: ([A-Z0-9]{5}-[A-Z0-9]{5})")


async def test_linking_whatsapp_to_a_telegram_account(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    code = reg.create_invite("1501", "satgas_kabkota", "Budi Kerinci").code
    person = reg.redeem(code, KERINCI.id, KERINCI.id, "Budi").person
    async with TelegramHarness(core) as bot:
        [answer] = await bot.send(KERINCI, "/tautkan")
    match = CODE.search(answer.text)
    assert match is not None and "Kode hanya berlaku satu kali" in answer.text

    await post(webhook, text_update(BUDI, "Budi", match[1].lower()))
    assert graph.texts_to(BUDI) == [texts.whatsapp_linked(person)]
    linked = reg.whatsapp_person(BUDI)
    assert linked is not None and linked.id == person.id and linked.telegram_user_id == 41

    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(person.id, "Pemberitahuan"), core.clock())
        uow.commit()
    assert core.services.outbox.due(channel="telegram") == []
    [due] = core.services.outbox.due(channel="whatsapp")
    assert due.whatsapp_id == BUDI

    async with TelegramHarness(core) as bot:  # back to Telegram, and to WhatsApp again
        [help_text] = await bot.send(KERINCI, "/bantuan")
        assert "/notifikasi" in help_text.text
        [answer] = await bot.send(KERINCI, "/notifikasi")
    assert answer.text == texts.NOTIFY_HERE["telegram"]
    assert [m.chat_id for m in core.services.outbox.due(channel="telegram")] == [41]
    assert core.services.outbox.due(channel="whatsapp") == []
    assert await post(webhook, text_update(BUDI, "Budi", "notifikasi")) == 200
    assert graph.texts_to(BUDI)[-1] == texts.NOTIFY_HERE["whatsapp"]
    assert [m.whatsapp_id for m in core.services.outbox.due(channel="whatsapp")] == [BUDI]

    await post(webhook, text_update("6280000001", "Lain", match[1]))  # the code again
    assert graph.texts_to("6280000001") == [texts.INVITE_ERRORS["invite_used"]]
    other = reg.redeem(reg.create_invite("1502", "satgas_kabkota").code, 43, 43, "Mira").person
    second, _ = reg.create_link_code(other)
    await post(webhook, text_update(BUDI, "Budi", second))  # a number is one person's
    assert graph.texts_to(BUDI)[-1] == texts.WA_NOT_UNDERSTOOD
    assert reg.whatsapp_person(BUDI) == linked


async def test_keyed_by_the_business_scoped_id_with_the_number_when_given(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    code = reg.create_invite("1501", "satgas_kabkota", "Budi").code
    await post(
        webhook, update_with(BUDI, "Budi", {"type": "text", "text": {"body": code}}, "ID.7781")
    )
    with Session(core.engine) as session:
        [row] = [r for r in session.exec(select(PersonRow)) if r.whatsapp_id == "ID.7781"]
    assert row.whatsapp_phone == BUDI
    hidden = {"type": "text", "text": {"body": "bantuan"}}
    await post(webhook, update_with("", "Budi", hidden, "ID.7781"))  # the number hidden now
    assert "Bantuan layanan" in graph.texts_to("ID.7781")[-1]
    person = reg.whatsapp_person("ID.7781")
    assert person is not None and person.name == "Budi"
