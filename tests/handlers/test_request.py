"""The Bot API client (``handlers.request``) as Telegram sees it: keyboards made once go out in
Telegram's JSON, a sent message's keyboard is not read back, a received one is."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message

from handlers import render
from handlers.request import RetryingRequest
from tests.support.fake_bot_api import FakeBotApi

ROWS = [[("Setujui", "rv:ok:1:1"), ("Kembalikan", "rv:no:1:1")], [("Tutup", "kr:x")]]
USER = {"id": 42, "is_bot": False, "first_name": "Rina"}


def test_the_same_rows_are_one_keyboard_whose_wire_form_is_ptbs() -> None:
    made = render.keyboard(ROWS)
    assert made is render.keyboard([list(row) for row in ROWS])  # made once
    plain = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in ROWS]
    )
    assert made is not None and made.to_dict() == plain.to_dict()
    assert made == plain  # the same keyboard to PTB (a pressed button's row is found in it)
    assert render.keyboard([]) is None


async def test_a_keyboard_sent_goes_as_json_and_a_pressed_one_comes_back(
    bot_api: FakeBotApi,
) -> None:
    bot = Bot(
        bot_api.token,
        base_url=bot_api.base_url,
        request=RetryingRequest(),
        get_updates_request=RetryingRequest(),
    )
    async with bot:
        sent = await bot.send_message(42, "Pilih butir", reply_markup=render.keyboard(ROWS))
        assert sent.text == "Pilih butir" and sent.message_id > 0
        assert sent.reply_markup is None  # ours: not read back from the answer
        assert bot_api.sent[-1].buttons == [b for row in ROWS for b in row]

        await bot_api.press(USER, bot_api.sent[-1], "rv:ok:1:1")
        (update,) = await bot.get_updates(timeout=1)
        query = update.callback_query
        assert query is not None and query.data == "rv:ok:1:1"
        pressed = query.message
        assert isinstance(pressed, Message) and pressed.reply_markup is not None  # theirs: read
        assert pressed.reply_markup.inline_keyboard[1][0].callback_data == "kr:x"
