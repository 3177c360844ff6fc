"""Every screen a person reaches on WhatsApp stays within the Cloud API's limits (the real
Graph API refuses the message otherwise, and the person sees nothing): bodies with buttons
of 1,024 characters at most, reply buttons 3 with titles of 20, lists of 10 rows with titles
of 24 and descriptions of 72; a long list is paged and every row can be reached."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.services.ports import EvidenceFile
from tests.support.fake_graph_api import FakeGraphApi, choice_update, text_update
from tests.whatsapp.conftest import BUDI, post
from tests.whatsapp.test_kirim import check_limits

SARI = "6281100000031"


def body(payload: dict[str, Any]) -> str:
    return str(payload.get("interactive", {}).get("body", {}).get("text", ""))


async def test_a_long_queue_is_paged_within_the_limits(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg, svc = core.services.registration, core.services
    await post(webhook, text_update(SARI, "Sari", reg.create_invite("15", "satgas_prov").code))
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    period = Period(2026, 10)
    svc.submission.open_period(period)
    budi = reg.whatsapp_person(BUDI)
    assert budi is not None
    items = [r.item.code for r in svc.submission.checklist(budi, period).rows][:12]
    for code in items:
        stored = core.evidence.put_bytes(f"%PDF-1.4 {code}".encode())
        evidence = EvidenceFile(stored.sha256, f"{code}.pdf", "application/pdf", stored.size)
        svc.submission.deliver(budi, period, code, 0, [evidence])

    graph.sent.clear()
    await post(webhook, text_update(SARI, "Sari", "antrian"))
    queue = [p for p in graph.sent if p.get("interactive")][-1]
    ids = [b["reply"]["id"] for b in queue["interactive"]["action"]["buttons"]]
    assert ids == ["rp:go", "aq:all:1501"]  # one message, however long the queue
    seen: list[str] = []
    pressed = "rp:go"
    for _ in items:  # the desk, "Lewati" each time: every delivery comes once
        graph.sent.clear()
        await post(webhook, choice_update(SARI, "Sari", pressed))
        desk = [p for p in graph.sent if p.get("interactive")][-1]
        text = desk["interactive"]["body"]["text"]
        seen.append(next(line for line in text.splitlines() if ", versi " in line))
        pressed = next(
            b["reply"]["id"]
            for b in desk["interactive"]["action"]["buttons"]
            if b["reply"]["id"].startswith("rp:sk:")
        )
    assert sorted(t.split()[0] for t in seen) == sorted(items)  # every delivery reachable
    check_limits(graph)
    assert all(len(body(p)) <= 1024 for p in graph.sent)


async def test_status_of_a_unit_with_three_open_months(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    """Three months open: the other months' buttons ("Periode September 2026" is 22
    characters) must not make the status unsendable."""
    reg, svc = core.services.registration, core.services
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    for month in (9, 10, 11):
        svc.submission.open_period(Period(2026, month))
    for word in ("status", "kirim"):
        graph.sent.clear()
        await post(webhook, text_update(BUDI, "Budi", word))
        assert graph.sent, f"{word}: nothing was sent"
        check_limits(graph)
        assert all(len(body(p)) <= 1024 for p in graph.sent)
