"""`kirim` over WhatsApp, played with signed Cloud API updates: the checklist as a paged list,
an item, a document fetched through the (fake) Graph API, the confirmation; the satgas, who
uses Telegram, is told through the outbox with the file attached."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlmodel import Session, select

from chatbot.app import Core
from chatbot.domain.calendar import Period
from storage.models import OutboxRow, SubmissionFileRow
from tests.support.fake_graph_api import (
    FakeGraphApi,
    choice_update,
    document_update,
    text_update,
)
from tests.support.pdf import real_pdf
from tests.whatsapp.conftest import BUDI, post

SATGAS_TELEGRAM = 31


def list_rows(payload: dict[str, Any]) -> list[dict[str, Any]]:
    action = payload["interactive"]["action"]
    return [row for section in action["sections"] for row in section["rows"]]


def check_limits(graph: FakeGraphApi) -> None:
    for payload in graph.sent:
        interactive = payload.get("interactive")
        if interactive is None:
            continue
        if interactive["type"] == "list":
            assert len(list_rows(payload)) <= 10
            assert len(interactive["action"]["button"]) <= 20
        if interactive["type"] == "button":
            titles = [b["reply"]["title"] for b in interactive["action"]["buttons"]]
            assert len(titles) <= 3 and all(len(t) <= 20 for t in titles)


async def test_a_delivery_over_whatsapp(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    reg = core.services.registration
    satgas = reg.create_invite("15", "satgas_prov", "Sari Satgas").code
    reg.redeem(satgas, SATGAS_TELEGRAM, SATGAS_TELEGRAM, "Sari")
    await post(webhook, text_update(BUDI, "Budi", reg.create_invite("1501", "satgas_kabkota").code))
    core.services.submission.open_period(Period(2026, 10))

    await post(webhook, text_update(BUDI, "Budi", "kirim"))
    first_page = graph.sent[-1]
    rows = list_rows(first_page)
    assert "Kelengkapan: 0%" in first_page["interactive"]["body"]["text"]
    assert rows[-1]["id"] == "kr:pg:1" and len(rows) == 10
    await post(webhook, choice_update(BUDI, "Budi", "kr:pg:1", "list_reply"))
    assert list_rows(graph.sent[-1])[0]["id"] != rows[0]["id"]

    await post(webhook, choice_update(BUDI, "Budi", "kr:i:KEU-01", "list_reply"))
    assert graph.texts_to(BUDI)[-1].startswith("KEU-01 ")
    await post(webhook, choice_update(BUDI, "Budi", "kr:f"))
    graph.media["MEDIA-1"] = (real_pdf(note="laporan realisasi anggaran"), "application/pdf")
    await post(webhook, document_update(BUDI, "Budi", "MEDIA-1", "LRA Oktober.pdf"))
    assert "Berkas diterima: LRA Oktober.pdf" in graph.texts_to(BUDI)[-1]
    await post(webhook, choice_update(BUDI, "Budi", "kr:d"))
    assert "Mohon periksa" in graph.texts_to(BUDI)[-1]
    await post(webhook, choice_update(BUDI, "Budi", "kr:c"))
    assert graph.texts_to(BUDI)[-1].startswith("Terima kasih. Kiriman untuk butir KEU-01")
    check_limits(graph)

    with Session(core.engine) as session:
        [stored] = session.exec(select(SubmissionFileRow)).all()
        notices = [r for r in session.exec(select(OutboxRow)) if "diperiksa" in r.text]
    assert stored.file_name == "LRA Oktober.pdf" and stored.telegram_file_id is None
    [notice] = notices
    assert "KEU-01" in notice.text and notice.attachments == "[]"  # the files at the desk
    assert core.evidence.path(stored.sha256).read_bytes() == real_pdf(
        note="laporan realisasi anggaran"
    )

    await post(webhook, choice_update(BUDI, "Budi", "kr:c"))  # pressed again: nothing twice
    assert graph.texts_to(BUDI)[-1].startswith("Sesi pengiriman tersebut sudah berakhir")
