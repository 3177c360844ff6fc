"""Sending under faults: flood control, server errors, time-outs, a blocked person. Nothing
is lost and nothing is sent twice."""

from __future__ import annotations

from sqlmodel import Session, select
from telegram.error import TimedOut

from chatbot.app import Core
from chatbot.domain.people import Person
from chatbot.services.ports import OutgoingMessage
from handlers import outbox
from storage.models import OutboxRow, PersonRow
from tests.conftest import Clock
from tests.handlers.conftest import KERINCI, SATGAS
from tests.support.telegram import TelegramHarness


def queue(core: Core, person: Person, text: str) -> None:
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(person.id, text, dedupe_key=text), core.clock())
        uow.commit()


def delivered(bot: TelegramHarness, chat_id: int) -> list[str]:
    """Texts the fake accepted (a failed call is recorded without a result)."""
    return [
        c.text
        for c in bot.take()
        if c.method == "sendMessage" and c.chat_id == chat_id and c.result is not None
    ]


def rows(core: Core) -> dict[str, OutboxRow]:
    with Session(core.engine) as session:
        return {r.text: r for r in session.exec(select(OutboxRow))}


async def test_flood_control_is_waited_out_and_sent_once(
    bot: TelegramHarness, core: Core, people: dict[str, Person]
) -> None:
    queue(core, people["kerinci"], "pesan satu")
    bot.request.faults["sendMessage"] = [
        {
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    ]
    await outbox.drain(bot.context())  # the rate limiter waits 1 s and tries again
    assert delivered(bot, KERINCI.id) == ["pesan satu"]
    assert rows(core)["pesan satu"].sent_at is not None
    await outbox.drain(bot.context())
    assert delivered(bot, KERINCI.id) == []


async def test_server_error_and_time_out_are_retried_later_once(
    bot: TelegramHarness, core: Core, people: dict[str, Person], clock: Clock
) -> None:
    queue(core, people["kerinci"], "pesan 5xx")
    queue(core, people["kerinci"], "pesan timeout")
    bot.request.faults["sendMessage"] = [
        {"error_code": 502, "description": "Bad Gateway"},
        TimedOut("connect timed out"),
    ]
    await outbox.drain(bot.context())
    assert delivered(bot, KERINCI.id) == []
    state = rows(core)
    assert state["pesan 5xx"].attempts == 1 and state["pesan 5xx"].sent_at is None
    assert "Bad Gateway" in (state["pesan 5xx"].last_error or "")
    await outbox.drain(bot.context())  # not yet: the back-off holds
    assert delivered(bot, KERINCI.id) == []
    clock.advance(seconds=6)
    await outbox.drain(bot.context())
    assert sorted(delivered(bot, KERINCI.id)) == ["pesan 5xx", "pesan timeout"]
    clock.advance(hours=1)
    await outbox.drain(bot.context())
    assert delivered(bot, KERINCI.id) == []
    assert all(r.sent_at is not None for r in rows(core).values())


async def test_a_person_who_blocked_the_bot_is_marked_and_reported_once(
    bot: TelegramHarness, core: Core, people: dict[str, Person], clock: Clock
) -> None:
    queue(core, people["kerinci"], "pesan pertama")
    queue(core, people["kerinci"], "pesan kedua")
    forbidden = {"error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    bot.request.faults["sendMessage"] = [dict(forbidden), dict(forbidden)]
    await outbox.drain(bot.context())
    await outbox.drain(bot.context())  # the report to the satgas goes out
    sent = bot.take()
    reports = [c.text for c in sent if c.chat_id == SATGAS.id and c.result is not None]
    assert len(reports) == 1 and "Budi Kerinci (KPU Kabupaten Kerinci)" in reports[0]
    assert "memblokir bot" in reports[0]
    with Session(core.engine) as session:
        person = session.get(PersonRow, people["kerinci"].id)
        assert person is not None and person.blocked_at is not None
    assert all(r.failed_at is not None for t, r in rows(core).items() if t.startswith("pesan"))
    clock.advance(hours=2)
    await outbox.drain(bot.context())
    assert [c for c in bot.take() if c.chat_id == KERINCI.id] == []  # not retried
    assert people["kerinci"].id not in [
        p.id for p in core.services.registration.people() if not p.blocked
    ]
    await bot.send(KERINCI, "/start")  # writing again makes the person reachable again
    assert core.services.registration.person(KERINCI.id).blocked is False  # type: ignore[union-attr]
