"""Notifications to a person on WhatsApp: through the outbox like Telegram's, free-form within
24 hours of the person's last message (files as documents), as the utility template outside
it, and the template at once when Meta says the window has closed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import httpx
from aiohttp.test_utils import TestClient
from pywa_async.client import WhatsApp

from chatbot.app import Core
from chatbot.services.ports import Attachment, OutgoingMessage
from tests.conftest import Clock
from tests.support.fake_graph_api import APP_SECRET, PHONE_ID, FakeGraphApi, text_update
from tests.whatsapp.conftest import BUDI, post
from whatsapp.app import whatsapp_sender


async def joined(webhook: TestClient[Any, Any], core: Core) -> int:
    code = core.services.registration.create_invite("1501", "satgas_kabkota", "Budi").code
    await post(webhook, text_update(BUDI, "Budi", code))
    person = core.services.registration.whatsapp_person(BUDI)
    assert person is not None
    return person.id


def queue(core: Core, person_id: int, text: str, files: tuple[Attachment, ...] = ()) -> None:
    buttons = (
        (("✅ Setujui", "rv:ok:1:1"), ("🖼 Gambar", "st:img:2026-10")),
        (("📋 Daftar butir", "kr:b"),),
    )
    with core.uow() as uow:
        uow.outbox.put(OutgoingMessage(person_id, text, buttons, attachments=files), core.clock())
        uow.commit()


def client(core: Core, graph: FakeGraphApi) -> WhatsApp:
    return WhatsApp(
        phone_id=PHONE_ID,
        token="token-graph",
        app_secret=APP_SECRET,
        session=httpx.AsyncClient(transport=graph.transport()),
    )


async def test_inside_and_outside_the_24_hour_window(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core, clock: Clock
) -> None:
    person_id = await joined(webhook, core)
    sender = whatsapp_sender(core, client(core, graph))
    stored = core.evidence.put_bytes(b"%PDF-1.4 kartu")
    graph.sent.clear()
    queue(
        core,
        person_id,
        "Kiriman KEU-01\nversi 2 telah disetujui.",
        (Attachment(stored.sha256, "kartu.pdf"),),
    )
    assert (await core.services.outbox.drain(sender, channel="telegram")).sent == 0
    assert (await core.services.outbox.drain(sender, channel="whatsapp")).sent == 1
    document, text = graph.sent
    assert document["type"] == "document" and document["document"]["filename"] == "kartu.pdf"
    assert graph.media[graph.uploads[0][0]][0] == b"%PDF-1.4 kartu"
    assert text["interactive"]["body"]["text"] == "Kiriman KEU-01\nversi 2 telah disetujui."
    buttons = text["interactive"]["action"]["buttons"]  # the picture button is Telegram's
    assert [b["reply"]["id"] for b in buttons] == ["rv:ok:1:1", "kr:b"]

    clock.advance(hours=25)  # the person has not written since
    graph.sent.clear()
    queue(
        core,
        person_id,
        "Pengingat:\n  KEU-02 belum dikirim.",
        (Attachment(stored.sha256, "x.pdf"),),
    )
    await core.services.outbox.drain(sender, channel="whatsapp")
    [template] = graph.sent
    assert template["type"] == "template"
    assert template["template"]["name"] == "spip_pemberitahuan"
    assert template["template"]["language"]["code"] == "id"
    parameter = template["template"]["components"][0]["parameters"][0]["text"]
    assert parameter == "Pengingat: KEU-02 belum dikirim."

    graph.sent.clear()
    await post(webhook, text_update(BUDI, "Budi", "halo"))  # writes again: the window opens
    graph.window_closed.add(BUDI)  # but Meta counts otherwise
    graph.sent.clear()
    queue(core, person_id, "Kiriman KEU-03 dikembalikan.")
    assert (await core.services.outbox.drain(sender, channel="whatsapp")).sent == 1
    [template] = graph.sent
    assert template["type"] == "template"
    assert core.services.outbox.due(channel="whatsapp") == []


async def test_pair_rate_limit_and_media_over_the_limit(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core, clock: Clock
) -> None:
    person_id = await joined(webhook, core)
    settings = core.settings.model_copy(update={"whatsapp_max_media_mb": 1})
    sender = whatsapp_sender(replace(core, settings=settings), client(core, graph))
    big = core.evidence.put_bytes(b"%PDF-1.4 " + b"x" * (2 * 1024 * 1024))
    graph.sent.clear()
    graph.throttle = 1
    queue(core, person_id, "Kartu besar", (Attachment(big.sha256, "besar.pdf"),))
    report = await core.services.outbox.drain(sender, channel="whatsapp")
    assert (report.sent, report.retried) == (0, 1)  # the file skipped, the text refused
    clock.advance(seconds=5)
    assert core.services.outbox.due(channel="whatsapp") == []
    clock.advance(seconds=1)
    assert (await core.services.outbox.drain(sender, channel="whatsapp")).sent == 1
    assert [p["type"] for p in graph.sent] == ["interactive"] and graph.uploads == []
