"""Inline keyboards. Callback data are short strings (``ns:verb:id:version``), never objects."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from chatbot import texts
from chatbot.domain.people import Person
from chatbot.domain.roles import UNIT_KIND_OF_ROLE, Role
from chatbot.domain.units import Unit
from chatbot.services.ports import Button


def markup(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def grid(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def menu(person: Person) -> InlineKeyboardMarkup | None:
    commands = [c for c in texts.commands_for(person) if c.name not in ("start", "batal")]
    buttons = [(c.button, f"mn:{c.name}") for c in commands]
    return markup(grid(buttons, 2))


def invite_units(units: Sequence[Unit]) -> InlineKeyboardMarkup | None:
    return markup(grid([(f"{u.code} {u.name}", f"ud:u:{u.code}") for u in units], 2))


def invite_roles(unit: Unit) -> InlineKeyboardMarkup | None:
    roles = [r for r in Role if UNIT_KIND_OF_ROLE[r] is unit.kind]
    return markup(grid([(texts.ROLE_LABEL[r], f"ud:r:{unit.code}:{r.value}") for r in roles], 1))
