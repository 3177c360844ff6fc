"""Checking on WhatsApp: a delivery by a regency on WhatsApp reaches a satgas on WhatsApp with
its file and reply buttons; returned with a reason typed as the next message, delivered again,
approved; each outcome told to the regency through the outbox."""

from __future__ import annotations

import io
from typing import Any

import httpx
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from pywa_async.client import WhatsApp

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.support.fake_graph_api import (
    APP_SECRET,
    PHONE_ID,
    FakeGraphApi,
    choice_update,
    document_update,
    text_update,
)
from tests.support.pdf import real_pdf
from tests.whatsapp.conftest import BUDI, post
from whatsapp.app import whatsapp_sender

SARI = "6281100000031"


async def deliver(webhook: TestClient[Any, Any], graph: FakeGraphApi, name: str) -> None:
    graph.media[name] = (real_pdf(note=name), "application/pdf")
    for update in (
        text_update(BUDI, "Budi", "/kirim"),
        choice_update(BUDI, "Budi", "kr:i:KEU-01", "list_reply"),
        choice_update(BUDI, "Budi", "kr:f"),
        document_update(BUDI, "Budi", name, name),
        choice_update(BUDI, "Budi", "kr:d"),
        choice_update(BUDI, "Budi", "kr:c"),
    ):
        assert await post(webhook, update) == 200
    assert graph.texts_to(BUDI)[-1].startswith("Terima kasih. Kiriman untuk butir KEU-01")


def buttons_to(graph: FakeGraphApi, wa_id: str) -> list[str]:
    last = [p for p in graph.sent if str(p["to"]) == wa_id][-1]
    return [b["reply"]["id"] for b in last["interactive"]["action"]["buttons"]]


async def test_return_with_a_reason_then_approve(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    await post(webhook, text_update(SARI, "Sari", reg.create_invite("15", "satgas_prov").code))
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    core.services.submission.open_period(Period(2026, 10))
    wa = WhatsApp(
        phone_id=PHONE_ID,
        token="token-graph",
        app_secret=APP_SECRET,
        session=httpx.AsyncClient(transport=graph.transport()),
    )
    sender = whatsapp_sender(core, wa)

    async def drain() -> None:
        await core.services.outbox.drain(sender, channel="whatsapp")

    await drain()  # the kick-offs
    await deliver(webhook, graph, "LRA.pdf")
    await drain()
    notice = graph.texts_to(SARI)[-1]
    assert "Kiriman baru untuk diperiksa" in notice and "KEU-01" in notice
    assert not any(p["type"] == "document" and str(p["to"]) == SARI for p in graph.sent)
    [periksa] = buttons_to(graph, SARI)  # one message, into the desk
    await post(webhook, choice_update(SARI, "Sari", periksa))
    assert any(p["type"] == "document" and str(p["to"]) == SARI for p in graph.sent)
    assert "🔎 Pemeriksaan 1 dari 1" in graph.texts_to(SARI)[-1]
    approve, give_back, skip = buttons_to(graph, SARI)
    assert approve.startswith("rp:ok:") and give_back.startswith("rp:no:")
    assert skip.startswith("rp:sk:")

    await post(webhook, choice_update(SARI, "Sari", give_back))
    assert "Silakan tuliskan alasan" in graph.texts_to(SARI)[-1]
    assert "Ketik batal" in graph.texts_to(SARI)[-1]
    await post(webhook, text_update(SARI, "Sari", "Tanda tangan bendahara belum ada"))
    assert "dengan alasan:" in graph.texts_to(SARI)[-1]
    assert buttons_to(graph, SARI) == ["rt:y", "rt:n"]
    await post(webhook, choice_update(SARI, "Sari", "rt:y"))
    assert "↩️ Dikembalikan oleh" in graph.texts_to(SARI)[-1]
    assert texts.DESK_EMPTY in graph.texts_to(SARI)[-1]  # and nothing else waits
    await drain()
    assert "Alasan: Tanda tangan bendahara belum ada" in graph.texts_to(BUDI)[-1]

    await post(webhook, choice_update(SARI, "Sari", approve))  # the old version's button
    assert graph.texts_to(SARI)[-1].startswith(texts.REVIEW_ERRORS["already_decided"])

    await deliver(webhook, graph, "LRA perbaikan.pdf")
    await drain()
    assert "Versi: 2" in graph.texts_to(SARI)[-1]
    [periksa] = buttons_to(graph, SARI)
    await post(webhook, choice_update(SARI, "Sari", periksa))
    approve, _, _ = buttons_to(graph, SARI)
    await post(webhook, choice_update(SARI, "Sari", approve))
    assert "✅ Disetujui oleh" in graph.texts_to(SARI)[-1]
    await drain()
    assert "versi 2 telah disetujui" in graph.texts_to(BUDI)[-1]
    history = core.services.history.lines(Period(2026, 10))
    assert any("item_dikembalikan" in line and "KEU-01 | v1" in line for line in history)
    assert any("item_disetujui" in line and "KEU-01 | v2" in line for line in history)


async def test_antrian_and_rekap_on_whatsapp(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    await post(webhook, text_update(SARI, "Sari", reg.create_invite("15", "satgas_prov").code))
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    core.services.submission.open_period(Period(2026, 10))
    await post(webhook, text_update(SARI, "Sari", "antrian"))
    assert graph.texts_to(SARI)[-1] == texts.QUEUE_EMPTY
    await deliver(webhook, graph, "LRA.pdf")

    await post(webhook, text_update(SARI, "Sari", "antrian"))
    queue = [p for p in graph.sent if str(p["to"]) == SARI][-1]
    body = queue["interactive"]["body"]["text"]
    assert "Menunggu pemeriksaan: 1 kiriman dari 1 unit" in body
    assert "  • KPU Kabupaten Kerinci: 1 kiriman" in body
    [periksa] = buttons_to(graph, SARI)
    await post(webhook, choice_update(SARI, "Sari", periksa))
    approve, _, _ = buttons_to(graph, SARI)
    await post(webhook, choice_update(SARI, "Sari", approve))
    assert "✅ Disetujui oleh" in graph.texts_to(SARI)[-1]

    await post(webhook, text_update(SARI, "Sari", "rekap"))
    document = [p for p in graph.sent if str(p["to"]) == SARI][-1]
    assert document["type"] == "document" and document["document"]["filename"].endswith(".xlsx")
    data, _ = graph.media[document["document"]["id"]]
    workbook = load_workbook(io.BytesIO(data))
    rows = list(workbook["Ringkasan"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "1501" for r in rows)
