"""A fuzz of Telegram updates (hypothesis): random texts, commands with odd arguments, button
data of every namespace with hostile tails, documents with odd names, types and sizes, photos,
stickers, from registered people of every role and from strangers. After each update: no
ERROR was logged, every button press was answered exactly once, and the person who wrote got
an answer in their chat (a message, an edit or the answer to their button)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.app import Core
from chatbot.domain.people import Person
from handlers import outbox
from tests.handlers.conftest import ADMIN, KERINCI, KETUA, KUL, SATGAS
from tests.support.pdf import real_pdf
from tests.support.telegram import TelegramHarness, User

STRANGER = User(99, "Orang", "Asing")
PEOPLE = [ADMIN, SATGAS, SATGAS, KERINCI, KERINCI, KUL, KETUA, STRANGER]
EXAMPLES = 12  # × 100 updates: 1,200 a run
COMMANDS = [
    "/start",
    "/start ABCDE-FGH23",
    "/kirim",
    "/batal",
    "/status",
    "/status 2026-13",
    "/status 9999-99",
    "/rekap",
    "/rekap 2026-10",
    "/paket 1999-01",
    "/antrian",
    "/bantuan",
    "/periode",
    "/periode 2026-13",
    "/periode abc",
    "/undang",
    "/undang 1501 satgas_kabkota",
    "/undang 9999 ketua Nama",
    "/wakil",
    "/wakil 1 sekretaris 2 2026-11-12 2026-11-14",
    "/jadwal",
    "/tautkan",
    "/notifikasi",
    "/help",
    "/menu",
    "/tidakada",
]
PREFIXES = [
    "rv:ok:",
    "rv:no:",
    "kc:ok:",
    "kc:no:",
    "kc:ok:2026-10:",
    "kr:i:",
    "kr:i:KEU-01",
    "kr:i:KARTU",
    "kr:i:KARTU_PROV",
    "kr:f",
    "kr:d",
    "kr:c",
    "kr:x",
    "kr:n",
    "kr:w",
    "kr:b",
    "kr:p:",
    "mn:kirim",
    "mn:status",
    "mn:",
    "pr:o:",
    "pr:o:2026-10",
    "rt:y",
    "rt:n",
    "aq:t:",
    "aq:all:",
    "un:",
    "wk:",
    "st:",
]
# the edges of the databases' integers (PostgreSQL's INTEGER, SQLite's and BIGINT's 64 bits)
EDGES = st.sampled_from([-1, 0, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30])
ID_PAIRS = st.tuples(st.one_of(st.integers(0, 50), EDGES), st.one_of(st.integers(0, 5), EDGES)).map(
    lambda ids: f"{ids[0]}:{ids[1]}"
)
TAILS = st.one_of(
    ID_PAIRS,
    ID_PAIRS,
    st.just(""),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.from_regex(r"\A[0-9]{1,4}:[0-9]{1,3}\Z"),
    st.tuples(st.integers(-(2**70), 2**70), st.integers(-(2**70), 2**70)).map(
        lambda ids: f"{ids[0]}:{ids[1]}"
    ),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}:[0-9]{1,2}\Z"),
    st.text(max_size=20),
)
NAMES = st.one_of(
    st.sampled_from(["lra.pdf", "foto.jpg", "laporan.PDF", "a.exe", "tanpa-ekstensi", ""]),
    st.text(max_size=300),
)
MIMES = st.sampled_from(
    ["application/pdf", "image/jpeg", "application/x-msdownload", "", "a/" + "b" * 200]
)


@st.composite
def updates(draw: st.DrawFn) -> tuple[str, User, Any]:
    who = draw(st.sampled_from(PEOPLE))
    kind = draw(
        st.sampled_from(["text", "command", "button", "button", "document", "photo", "sticker"])
    )
    if kind == "text":
        return kind, who, draw(st.text(max_size=300))
    if kind == "command":
        return kind, who, draw(st.sampled_from(COMMANDS)) + draw(st.sampled_from(["", " x"]))
    if kind == "button":
        decisions = st.sampled_from(["rv:ok:", "rv:no:", "kc:ok:", "kc:no:"])
        data = draw(st.one_of(decisions, st.sampled_from(PREFIXES))) + draw(TAILS)
        return kind, who, data.encode()[:64].decode(errors="ignore") or "x"
    if kind == "document":
        size = draw(st.sampled_from([None, 0, 25 * 1024 * 1024, 2**40]))
        return kind, who, (draw(NAMES), draw(MIMES), size)
    return kind, who, None


def answered(calls: list[Any], who: User, kind: str) -> bool:
    if kind == "button":
        return sum(c.method == "answerCallbackQuery" for c in calls) == 1
    return any(
        c.chat_id == who.id and c.method in ("sendMessage", "sendDocument", "sendPhoto")
        for c in calls
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(updates(), min_size=100, max_size=100))
async def test_a_thousand_random_updates(
    batch: list[tuple[str, User, Any]],
    bot: TelegramHarness,
    core: Core,
    people: dict[str, Person],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for kind, who, payload in batch:
        caplog.clear()
        if kind in ("text", "command"):
            calls = await bot.send(who, payload)
        elif kind == "button":
            calls = await bot.press(who, payload)
        elif kind == "document":
            name, mime, size = payload
            calls = await bot.send_document(who, name, real_pdf(note="fuzz"), mime, size)
        elif kind == "photo":
            calls = await bot.send_photo(who, b"\xff\xd8\xff foto")
        else:
            calls = await bot.send_sticker(who)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], (kind, who.first_name, payload, errors[0].getMessage())
        assert answered(calls, who, kind), (kind, who.first_name, payload, calls)
    await outbox.drain(bot.context())
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
