"""/undang: admins make invite codes from the chat, by arguments or by buttons."""

from __future__ import annotations

import re

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.people import Person
from tests.handlers.conftest import ADMIN, BUDI, OUTSIDER
from tests.support.telegram import TelegramHarness

LINK = re.compile(r"https://t\.me/spip_jambi_bot\?start=([A-Z0-9]{10})")


async def test_admin_invites_with_arguments_and_the_link_works(
    bot: TelegramHarness, core: Core, admin: Person
) -> None:
    [reply] = await bot.send(ADMIN, "/undang 1501 satgas_kabkota Budi Santoso")
    assert "Unit: 1501 KPU Kabupaten Kerinci" in reply.text and "Nama: Budi Santoso" in reply.text
    assert "WIB" in reply.text
    match = LINK.search(reply.text)
    assert match is not None
    [greeting] = await bot.send(BUDI, f"/start {match[1]}")  # what the deep link sends
    assert "Budi Santoso" in greeting.text and "KPU Kabupaten Kerinci" in greeting.text


async def test_admin_invites_with_buttons(bot: TelegramHarness, admin: Person) -> None:
    [picker] = await bot.send(ADMIN, "/undang")
    assert picker.text == texts.INVITE_USAGE
    assert ("HSDM Bagian Hukum dan SDM", "ud:u:HSDM") in picker.buttons
    assert len(picker.buttons) == 15
    answer, roles = await bot.press(ADMIN, "ud:u:15")
    assert answer.method == "answerCallbackQuery"
    assert ("Ketua", "ud:r:15:ketua") in roles.buttons
    assert not any(data.endswith("satgas_kabkota") for _, data in roles.buttons)
    _, created = await bot.press(ADMIN, "ud:r:15:ketua")
    assert "Peran: Ketua" in created.text and LINK.search(created.text)


async def test_bad_arguments_are_explained(bot: TelegramHarness, admin: Person) -> None:
    [unknown_unit] = await bot.send(ADMIN, "/undang 9999 satgas_kabkota")
    assert unknown_unit.text == "Mohon maaf, kode unit 9999 tidak dikenal."
    [unknown_role] = await bot.send(ADMIN, "/undang 1501 raja")
    assert unknown_role.text.startswith("Mohon maaf, peran raja tidak dikenal.")
    assert "satgas_kabkota" in unknown_role.text
    [mismatch] = await bot.send(ADMIN, "/undang 1501 ketua")
    assert "tidak sesuai dengan jenis unitnya" in mismatch.text


async def test_only_admins_may_invite(bot: TelegramHarness, core: Core) -> None:
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    await bot.send(BUDI, f"/start {issued.code}")
    assert [c.text for c in await bot.send(BUDI, "/undang 1501 satgas_kabkota")] == [
        texts.NOT_ALLOWED
    ]
    calls = await bot.press(BUDI, "ud:r:1501:satgas_kabkota")  # a forged button
    assert [c.text for c in calls if c.method == "sendMessage"] == [texts.NOT_ALLOWED]
    calls = await bot.press(OUTSIDER, "ud:r:1501:satgas_kabkota")
    assert [c.text for c in calls if c.method == "sendMessage"] == [texts.NOT_REGISTERED]
