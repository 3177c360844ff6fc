"""No code where people read (issue 15, point 7): every text the bot can send, and what a
whole month really sent on Telegram (messages, button labels, file names, the workbook's
cells, the package's folders), is scanned for internal codes (``KARTU``, ``KARTU_PROV``,
``v2``, role and status codes), English, and photos named by their hash. The CLI's help is
scanned too."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from chatbot import cli, texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.handlers import test_chain
from tests.handlers.conftest import SATGAS, join
from tests.support.pdf import real_pdf
from tests.support.telegram import Call, TelegramHarness, User

FORBIDDEN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bKARTU(_PROV)?\b"), "a card's item code"),
    (re.compile(r"\bv\d+\b"), "a version written v2"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a code in snake_case (a role, a status, a key)"),
    (
        re.compile(
            r"\b(draft|item|items|pending|approved|returned|submitted|version|usage|options|"
            r"optional|arguments|positional|show this help|error|true|false|none)\b",
            re.IGNORECASE,
        ),
        "English",
    ),
    (re.compile(r"foto-[0-9a-f]{8,}"), "a photo named by its hash"),
]


PLACEHOLDER = re.compile(r"\{[a-z_]+\}")  # a format field, filled before anyone reads it


def offences(text: str) -> list[str]:
    text = PLACEHOLDER.sub("", text)
    return [f"{why}: {m.group(0)!r}" for pattern, why in FORBIDDEN for m in pattern.finditer(text)]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _strings(v)


# not read as prose: the typed forms of the admins' commands, which take a role's code as
# their word (/undang KODE_UNIT PERAN, /wakil NAMA PERAN NAMA); the buttons of both need none
NOT_READ = {"INVITE_USAGE", "UNIT_CARD_ITEM", "PROVINCIAL_CARD_ITEM"}  # and codes to compare
TYPED_FORMS = re.compile(r"(/undang|/wakil|undang|wakil) [^\n]*|peran: [a-z_, ]+$", re.MULTILINE)


def test_every_text_constant_is_free_of_codes() -> None:
    found = []
    for name, value in vars(texts).items():
        if name.startswith("_") or name in NOT_READ or callable(value) or isinstance(value, type):
            continue
        if type(value).__module__ not in ("builtins",):
            continue
        for text in _strings(value):
            found += [f"texts.{name}: {o}" for o in offences(text)]
    assert not found, "\n".join(found)


def _read(calls: list[Call]) -> Iterator[str]:
    """What the person reads in each call: the text or caption, the buttons, a file's name,
    and inside a workbook or a package every cell and every name."""
    for call in calls:
        yield call.text
        yield str(call.params.get("caption", ""))
        yield from (label for label, _ in call.buttons)
        for name, data in call.uploads.values():
            yield name
            if name.endswith(".xlsx"):
                book = load_workbook(io.BytesIO(data), read_only=True)
                yield from book.sheetnames
                for sheet in book.worksheets:
                    for row in sheet.iter_rows(values_only=True):
                        yield from (str(v) for v in row if isinstance(v, str))
            elif name.endswith(".zip"):
                with zipfile.ZipFile(io.BytesIO(data)) as archive:
                    yield from archive.namelist()


async def test_a_whole_month_says_no_code(
    small_bot: TelegramHarness, small_core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Call] = []
    take = small_bot.take

    def recording() -> list[Call]:
        calls = take()
        seen.extend(calls)
        return calls

    monkeypatch.setattr(small_bot, "take", recording)
    sent_by_people: set[str] = set()  # the names people gave their files are theirs
    send_document = small_bot.send_document

    async def sending(user: User, name: str, *args: object, **kwargs: object) -> list[Call]:
        sent_by_people.add(name)
        return await send_document(user, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(small_bot, "send_document", sending)
    await test_chain.test_the_whole_month(small_bot, small_core)
    admin = User(11, "Admin", "Provinsi")
    join(small_core, admin, "15", "admin")
    # November: a file sent straight, the question, and dropping it
    small_core.services.submission.open_period(Period(2026, 11))
    asked = await small_bot.send_document(SATGAS, "catatan.pdf", real_pdf(note="catatan"))
    assert any("Untuk butir mana berkas ini?" in c.text for c in asked)
    seen.extend(asked)
    seen.extend(await small_bot.press(SATGAS, "kr:z:2026-11:-"))
    for user, command in [
        (SATGAS, "/status 2026-10"),
        (SATGAS, "/rekap 2026-10"),
        (SATGAS, "/paket 2026-10"),
        (SATGAS, "/jadwal"),
        (SATGAS, "/antrian"),
        (SATGAS, "/bantuan"),
        (admin, "/undang"),
        (admin, "/periode"),
    ]:
        seen.extend(await small_bot.send(user, command))
    found = []
    for text in _read(seen):
        for name in sent_by_people:
            text = text.replace(name, "")
        text = TYPED_FORMS.sub("", text)
        found += [f"{o} in {text[:160]!r}" for o in offences(text)]
    assert not found, "\n".join(found)


def test_the_command_line_help_is_indonesian(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["invite", "--help"], ["period", "open", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(args)
        out = capsys.readouterr().out
        assert "penggunaan:" in out
        found = [o for o in offences(out) if "snake_case" not in o]  # --webhook-url, ...
        assert found == [], out
