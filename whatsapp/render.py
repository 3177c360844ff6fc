"""A shared screen (``chatbot.screens``) on WhatsApp, within the Cloud API's limits: up to
3 actions as reply buttons (titles of 20 characters at most); more, or a choice among many, as
a list of 10 rows at most (titles 24, descriptions 72), paged with a "next page" row. A body
with buttons holds 1,024 characters: a longer text goes first as plain messages. Commands are
named as typed on WhatsApp (``kirim``, not ``/kirim``)."""

from __future__ import annotations

from pywa_async.client import WhatsApp
from pywa_async.types.callback import Button, Section, SectionList, SectionRow

from chatbot import texts
from chatbot.domain.text import pieces
from chatbot.screens import Action, Screen

LIST_ROWS = 10  # rows in a list message
BUTTONS = 3  # reply buttons in a message
BUTTON_TITLE = 20  # characters of a reply button's title
LIST_BUTTON = 20  # characters of the button opening a list
ROW_TITLE, ROW_DESCRIPTION, SECTION_TITLE = 24, 72, 24
BODY_WITH_ACTIONS = 1024  # the body of an interactive message
TEXT_LIMIT = 4096


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _title(action: Action) -> str:
    return action.short or action.label


def fits_buttons(actions: list[Action]) -> bool:
    """Whether the actions can go as reply buttons: at most 3, titles of at most 20."""
    return len(actions) <= BUTTONS and all(len(_title(a)) <= BUTTON_TITLE for a in actions)


def reply_buttons(actions: list[Action]) -> list[Button]:
    if not fits_buttons(actions):
        raise ValueError(f"not within WhatsApp's reply buttons: {[_title(a) for a in actions]}")
    return [Button(title=_title(a), callback_data=a.data) for a in actions]


def _rows(screen: Screen, page: int) -> tuple[list[SectionRow], int, int]:
    rows = [
        SectionRow(
            title=_short(_title(a), ROW_TITLE),
            callback_data=a.data,
            description=_short(a.detail, ROW_DESCRIPTION) if a.detail else None,
        )
        for a in screen.actions
    ]
    if len(rows) <= LIST_ROWS:
        return rows, 0, 1
    per_page = LIST_ROWS - 1  # one row left for "next page"
    pages = (len(rows) + per_page - 1) // per_page
    page = min(max(page, 0), pages - 1)  # an old "next page" of a longer list
    shown = rows[page * per_page : (page + 1) * per_page]
    if page + 1 < pages and screen.pages:
        shown.append(SectionRow(texts.WA_NEXT_PAGE, f"{screen.pages}:{page + 1}"))
    return shown, page, pages


async def show(wa: WhatsApp, to: str, screen: Screen, page: int = 0) -> str:
    """Send ``screen``; the id of the last message sent (a question's, for its replies)."""
    text = texts.for_whatsapp(screen.text)
    actions = screen.actions
    if not actions:
        sent = ""
        for part in pieces(text, TEXT_LIMIT):
            sent = (await wa.send_message(to=to, text=part)).id
        return sent
    buttons: list[Button] | SectionList
    if not screen.pick and fits_buttons(actions):
        buttons = reply_buttons(actions)  # else a list: its rows hold 24 characters
    else:
        rows, page, pages = _rows(screen, page)
        if pages > 1:
            text += f"\n(halaman {page + 1} dari {pages})"
        title = screen.pick or texts.PICK_ACTION
        buttons = SectionList(
            button_title=_short(title, LIST_BUTTON),
            sections=[Section(title=_short(screen.section or title, SECTION_TITLE), rows=rows)],
        )
    if len(text) > BODY_WITH_ACTIONS:
        for part in pieces(text, TEXT_LIMIT):
            await wa.send_message(to=to, text=part)
        text = texts.WA_CHOOSE_ACTION
    return (await wa.send_message(to=to, text=text, buttons=buttons)).id
