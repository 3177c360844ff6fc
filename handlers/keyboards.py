"""Inline keyboards. Callback data are short strings (``ns:verb:id:version``), never objects."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardMarkup

from chatbot import screens, texts
from chatbot.domain.people import Person
from chatbot.services.ports import Button
from handlers import render


def markup(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    return render.keyboard(rows)


def grid(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def menu(person: Person) -> InlineKeyboardMarkup | None:
    return render.markup(screens.menu(person, "", texts.menu_commands(person)))
