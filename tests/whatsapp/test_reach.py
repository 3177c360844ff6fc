"""Blocked per channel: a person who blocked the Telegram bot but works on WhatsApp keeps
receiving notices there (the kick-off included); WhatsApp refusing a person marks only
WhatsApp, and writing on it again clears the mark."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import Session

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.services.outbox import Outcome, SendResult
from chatbot.services.ports import Attachment, OutgoingMessage, QueuedMessage
from storage.models import PersonRow
from tests.support.fake_graph_api import FakeGraphApi, text_update
from tests.whatsapp.conftest import BUDI, post
from tests.whatsapp.test_notifications import client
from whatsapp.app import whatsapp_sender

TELEGRAM_ID = 41


async def telegram_refuses(message: QueuedMessage, part: Attachment | None) -> SendResult:
    return SendResult(Outcome.FAILED, "forbidden: bot was blocked by the user", blocked=True)


async def on_both(webhook: TestClient[Any, Any], core: Core) -> int:
    reg = core.services.registration
    person = reg.redeem(
        reg.create_invite("1501", "satgas_kabkota", "Budi").code, TELEGRAM_ID, TELEGRAM_ID, "Budi"
    ).person
    code, _ = reg.create_link_code(person)
    await post(webhook, text_update(BUDI, "Budi", code))
    reg.notify_via(person, "telegram")  # notices on Telegram, by choice
    return person.id


def queue(core: Core, person_id: int, text: str) -> None:
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(person_id, text), core.clock())
        uow.commit()


async def test_blocked_on_telegram_reached_on_whatsapp(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    person_id = await on_both(webhook, core)
    outbox = core.services.outbox
    wa = whatsapp_sender(core, client(core, graph))
    queue(core, person_id, "Pemberitahuan pertama.")
    queue(core, person_id, "Pemberitahuan berikutnya.")
    assert (await outbox.drain(wa, channel="whatsapp")).sent == 0  # Telegram's, by choice
    report = await outbox.drain(telegram_refuses, channel="telegram")
    assert (report.sent, report.failed) == (0, 0)  # refused once; the other is left for WhatsApp
    with Session(core.engine) as session:
        row = session.get(PersonRow, person_id)
        assert row is not None and row.blocked_at is not None and row.whatsapp_blocked_at is None
    graph.sent.clear()
    assert (await outbox.drain(wa, channel="whatsapp")).sent == 2  # the notice that found out
    assert graph.texts_to(BUDI) == ["Pemberitahuan pertama.", "Pemberitahuan berikutnya."]

    graph.sent.clear()
    core.services.submission.open_period(Period(2026, 10))  # the kick-off still reaches them
    queue(core, person_id, "Pemberitahuan kedua.")
    assert (await outbox.drain(telegram_refuses, channel="telegram")).sent == 0
    assert (await outbox.drain(wa, channel="whatsapp")).sent == 2
    *parts, second = graph.texts_to(BUDI)  # a long kick-off with its button comes in parts
    kickoff = "\n".join(parts)
    assert "Oktober 2026" in kickoff and second == "Pemberitahuan kedua."
    assert "ketik kirim" in kickoff and "/kirim" not in kickoff  # commands as typed here


async def test_refused_on_whatsapp_marks_whatsapp_only(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    person = reg.whatsapp_person(BUDI)
    assert person is not None
    graph.undeliverable.add(BUDI)
    queue(core, person.id, "Pemberitahuan.")
    wa = whatsapp_sender(core, client(core, graph))
    assert (await core.services.outbox.drain(wa, channel="whatsapp")).failed == 1
    assert [p.id for p in reg.people() if p.blocked] == [person.id]
    graph.undeliverable.clear()
    await post(webhook, text_update(BUDI, "Budi", "status"))  # writes again
    assert [p.id for p in reg.people() if p.blocked] == []
