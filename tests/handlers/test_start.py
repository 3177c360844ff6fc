"""/start with and without a code, /bantuan, and the guards, through the real Application."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import Session, select

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from handlers import outbox
from storage.models import OutboxRow, PersonRow
from tests.handlers.conftest import ADMIN, BUDI, OUTSIDER
from tests.support.telegram import Call, TelegramHarness, User, texts_to


async def test_invite_from_the_command_line_is_redeemed_once_through_start(
    bot: TelegramHarness, core: Core
) -> None:
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    calls = await bot.send(BUDI, f"/start {issued.code}")
    [greeting] = texts_to(calls, BUDI.id)
    assert greeting.startswith("Yth. Bapak/Ibu Budi Santoso,")
    assert "Satgas SPIP KPU Kabupaten/Kota pada KPU Kabupaten Kerinci" in greeting
    assert ("❓ Bantuan", "mn:bantuan") in calls[0].buttons
    person = core.services.registration.person(BUDI.id)
    assert person is not None and person.unit.code == "1501"

    calls = await bot.send(OUTSIDER, f"/start {issued.code}")
    assert texts_to(calls, OUTSIDER.id) == [texts.INVITE_ERRORS["invite_used"]]
    assert core.services.registration.person(OUTSIDER.id) is None


async def test_code_typed_with_spaces_and_lower_case_works(
    bot: TelegramHarness, core: Core
) -> None:
    issued = core.services.registration.create_invite("HSDM", "bagian", "Rina")
    typed = issued.display.lower().replace("-", " ")
    calls = await bot.send(BUDI, f"/start {typed}")
    assert "Bagian Hukum dan SDM" in texts_to(calls, BUDI.id)[0]


@pytest.mark.parametrize(
    "code, error",
    [("ABCDE-FGH23", "invite_invalid"), ("xyz", "invite_invalid")],
)
async def test_unknown_or_malformed_code_is_refused(
    bot: TelegramHarness, code: str, error: str
) -> None:
    calls = await bot.send(OUTSIDER, f"/start {code}")
    assert texts_to(calls, OUTSIDER.id) == [texts.INVITE_ERRORS[error]]


async def test_expired_code_is_refused(bot: TelegramHarness, core: Core, clock: object) -> None:
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    clock.advance(days=7, hours=1)  # type: ignore[attr-defined]  # 5 working days and an hour
    calls = await bot.send(BUDI, f"/start {issued.code}")
    assert texts_to(calls, BUDI.id) == [texts.INVITE_ERRORS["invite_expired"]]


async def test_unknown_person_gets_a_polite_refusal_with_how_to_join(
    bot: TelegramHarness,
) -> None:
    for text in ("/start", "/bantuan", "halo", "/undang"):
        calls = await bot.send(OUTSIDER, text)
        assert texts_to(calls, OUTSIDER.id) == [texts.NOT_REGISTERED], text
    calls = await bot.press(OUTSIDER, "mn:bantuan")
    assert [c.method for c in calls] == ["answerCallbackQuery", "sendMessage"]
    assert calls[1].text == texts.NOT_REGISTERED


async def test_menu_and_help_by_role(bot: TelegramHarness, admin: Person, core: Core) -> None:
    [menu] = await bot.send(ADMIN, "/start")
    assert "/undang" in menu.text and ("✉️ Undang pengguna", "mn:undang") in menu.buttons
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    await bot.send(BUDI, f"/start {issued.code}")
    [menu] = await bot.send(BUDI, "/start")
    assert "/undang" not in menu.text and "/bantuan" in menu.text
    [help_msg] = await bot.send(BUDI, "/bantuan")
    assert help_msg.text.startswith("Bantuan layanan Kartu Kendali SPIP")
    assert "paling lambat tanggal 10" in help_msg.text and "/undang" not in help_msg.text
    calls = await bot.press(BUDI, "mn:bantuan")
    assert calls[0].method == "answerCallbackQuery" and calls[1].text == help_msg.text


async def test_group_chat_is_refused_and_nothing_is_stored(
    bot: TelegramHarness, core: Core
) -> None:
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    calls = await bot.send(BUDI, f"/start {issued.code}", chat_type="group", chat_id=-100)
    assert [(c.method, c.text, c.chat_id) for c in calls] == [
        ("sendMessage", texts.PRIVATE_ONLY, -100)
    ]
    assert core.services.registration.person(BUDI.id) is None
    assert await bot.send(BUDI, "obrolan biasa", chat_type="supergroup", chat_id=-101) == []


async def test_message_from_a_bot_is_ignored(
    bot: TelegramHarness, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    robot = User(777, "Robot", is_bot=True)
    with caplog.at_level(logging.INFO):
        assert await bot.send(robot, f"/start {issued.code}") == []
    assert "ignored an update from bot 777" in caplog.text
    with Session(core.engine) as session:
        query = select(PersonRow).where(PersonRow.telegram_user_id == 777)
        assert session.exec(query).first() is None


async def test_unknown_text_from_a_member_gets_a_hint(bot: TelegramHarness, admin: Person) -> None:
    calls = await bot.send(ADMIN, "selamat pagi")
    assert texts_to(calls, ADMIN.id) == [texts.NOT_UNDERSTOOD]
    calls = await bot.press(ADMIN, "zz:unknown")
    assert calls[0].method == "answerCallbackQuery"
    assert calls[0].params.get("text") == texts.NOT_UNDERSTOOD
    # a command typed as on WhatsApp, without its slash: the command is named
    calls = await bot.send(ADMIN, "Kirim")
    assert texts_to(calls, ADMIN.id) == ["Perintah di Telegram diawali garis miring: ketik /kirim."]


async def test_inviter_is_told_through_the_outbox_once(
    bot: TelegramHarness, core: Core, admin: Person
) -> None:
    issued = core.services.registration.create_invite("1502", "satgas_kabkota", "Rina", by=admin)
    await bot.send(BUDI, f"/start {issued.code}")
    await outbox.drain(bot.context())
    sent = texts_to(bot.take(), ADMIN.id)
    assert sent == [
        "Pemberitahuan: Rina telah bergabung sebagai Satgas SPIP KPU Kabupaten/Kota pada "
        "KPU Kabupaten Merangin menggunakan kode undangan yang Anda buat."
    ]
    await outbox.drain(bot.context())
    assert bot.take() == []
    with Session(core.engine) as session:
        assert session.exec(select(OutboxRow)).one().sent_at is not None


async def test_blocked_inviter_is_marked_failed_not_retried(
    bot: TelegramHarness, core: Core, admin: Person
) -> None:
    issued = core.services.registration.create_invite("1502", "satgas_kabkota", by=admin)
    await bot.send(BUDI, f"/start {issued.code}")
    bot.request.fail_with["sendMessage"] = {
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    await outbox.drain(bot.context())
    await outbox.drain(bot.context())
    assert len([c for c in bot.take() if c.method == "sendMessage"]) == 1
    with Session(core.engine) as session:
        row = session.exec(select(OutboxRow)).one()
    assert row.failed_at is not None and "blocked" in (row.last_error or "")


async def test_an_unexpected_error_is_logged_and_the_user_gets_an_apology(
    bot: TelegramHarness,
    core: Core,
    admin: Person,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(core.services.registration, "person", broken)
    with caplog.at_level(logging.ERROR):
        calls = await bot.send(ADMIN, "/bantuan")
    assert texts_to(calls, ADMIN.id) == [texts.GENERIC_ERROR]
    assert "database went away" in caplog.text


def test_role_labels_cover_every_role() -> None:
    assert set(texts.ROLE_LABEL) == set(Role)


def _menu_of(call: Call) -> tuple[int | None, list[str]]:
    scope = call.params.get("scope")
    scope = json.loads(scope) if isinstance(scope, str) else scope
    commands = call.params["commands"]
    commands = json.loads(commands) if isinstance(commands, str) else commands
    return (scope or {}).get("chat_id"), [c["command"] for c in commands]


async def test_the_slash_menu_shows_each_person_their_own_commands(
    bot: TelegramHarness, admin: Person, core: Core
) -> None:
    """Telegram's "/" menu per chat: a regency satgas sees no admin command; it is set when
    they join, again when a new role is added, and not again for nothing."""
    issued = core.services.registration.create_invite("1501", "satgas_kabkota")
    await bot.send(BUDI, f"/start {issued.code}")
    [(chat, names)] = [_menu_of(c) for c in bot.commands_set]
    assert chat == BUDI.id and "kirim" in names and "status" in names
    assert not {"undang", "wakil", "periode", "paket", "antrian"} & set(names)
    await bot.send(BUDI, "/start")
    assert len(bot.commands_set) == 1  # the same menu: not set twice
    [menu] = await bot.send(BUDI, "/menu")
    assert menu.text.startswith("Yth. Bapak/Ibu") and "/kirim" in menu.text
    assert len(menu.text.splitlines()) <= 4  # short; /bantuan explains
    [help_msg] = await bot.send(BUDI, "/help")
    assert help_msg.text.startswith("Bantuan layanan Kartu Kendali SPIP")
    [menu] = await bot.send(ADMIN, "/start")
    chat, names = _menu_of(bot.commands_set[-1])
    assert chat == ADMIN.id and {"undang", "wakil", "periode"} <= set(names)
