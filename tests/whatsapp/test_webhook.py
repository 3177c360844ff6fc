"""The WhatsApp front door, played with Meta-shaped signed updates posted to the webhook and
the Graph API faked on loopback: verification, signatures, replays, strangers, joining."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.support.fake_graph_api import PHONE_ID, FakeGraphApi, choice_update, signed, text_update
from tests.whatsapp.conftest import BUDI, VERIFY, post


async def test_the_verification_challenge(webhook: TestClient[Any, Any]) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = await webhook.get("/whatsapp", params=query)
    assert (response.status, await response.text()) == (200, "1158201444")
    response = await webhook.get("/whatsapp", params={**query, "hub.verify_token": "salah"})
    assert response.status == 403


async def test_a_bad_signature_is_refused_and_nothing_is_read(
    webhook: TestClient[Any, Any], graph: FakeGraphApi
) -> None:
    update = text_update(BUDI, "Budi", "bantuan", message_id="wamid.A1")
    assert await post(webhook, update, secret="bukan-rahasia") == 403
    body, _ = signed(update)
    unsigned = await webhook.post("/whatsapp", data=body)
    assert unsigned.status == 401
    assert graph.sent == []
    assert await post(webhook, update) == 200  # the same id, properly signed, is new
    assert graph.texts_to(BUDI) == [texts.WA_NOT_REGISTERED]


async def test_an_unknown_sender_is_told_how_to_join(
    webhook: TestClient[Any, Any], graph: FakeGraphApi
) -> None:
    assert await post(webhook, text_update(BUDI, "Budi", "status")) == 200
    assert graph.texts_to(BUDI) == [texts.WA_NOT_REGISTERED]


async def test_a_replayed_message_id_is_refused(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    code = core.services.registration.create_invite("1501", "satgas_kabkota", "Budi").code
    first = text_update(BUDI, "Budi", code, message_id="wamid.JOIN1")
    assert await post(webhook, first) == 200
    again = text_update(BUDI, "Budi", code, message_id="wamid.JOIN1")
    again["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "1"  # not a copy
    assert await post(webhook, again) == 200
    [welcome] = graph.texts_to(BUDI)  # once, not "code already used" on top
    assert "selamat datang" in welcome and "Ketik bantuan" in welcome


async def test_joining_with_an_invite_code_then_help_and_status(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    code = core.services.registration.create_invite("1501", "satgas_kabkota", "Budi S").code
    display = f"{code[:5]}-{code[5:]}".lower()
    assert await post(webhook, text_update(BUDI, "Budi", display)) == 200
    person = core.services.registration.whatsapp_person(BUDI)
    assert person is not None and person.name == "Budi S" and person.unit.code == "1501"
    await post(webhook, text_update(BUDI, "Budi", "Bantuan"))
    menu = graph.sent[-1]["interactive"]["action"]["sections"][0]["rows"]
    assert [row["id"] for row in menu] == [
        "mn:kirim",
        "mn:status",
        "mn:rapor",
    ]  # no queue for a regency
    await post(webhook, text_update(BUDI, "Budi", "status"))
    core.services.submission.open_period(Period(2026, 10))
    await post(webhook, text_update(BUDI, "Budi", "status"))
    await post(webhook, text_update(BUDI, "Budi", "apa kabar"))
    await post(webhook, choice_update(BUDI, "Budi", "mn:status", "list_reply"))
    welcome, help_text, no_period, status, unknown, tapped = graph.texts_to(BUDI)
    assert tapped == status
    assert "selamat datang" in welcome and "KPU Kabupaten Kerinci" in welcome
    assert "status —" in help_text and "bantuan —" in help_text and "/kirim" not in help_text
    assert no_period == texts.NO_PERIOD_YET
    assert "KPU Kabupaten Kerinci" in status and "Oktober 2026" in status
    assert unknown == texts.WA_NOT_UNDERSTOOD
    again = core.services.registration.create_invite("1502", "satgas_kabkota").code
    await post(webhook, text_update("6289999", "Orang", again[:4]))  # not a code: the way in
    assert graph.texts_to("6289999") == [texts.WA_NOT_REGISTERED]


def test_the_channel_refuses_to_start_without_the_app_secret(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "SPIP_DATA_DIR": str(tmp_path),
        "WHATSAPP_PHONE_ID": PHONE_ID,
        "WHATSAPP_TOKEN": "token-graph",
        "WHATSAPP_VERIFY_TOKEN": VERIFY,
    }
    result = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "run-whatsapp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "WHATSAPP_APP_SECRET belum diisi" in result.stderr


def test_wa_templates_prints_what_to_submit_to_meta(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    from chatbot.cli import main

    monkeypatch.setenv("SPIP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("WHATSAPP_TEMPLATE_NAME", "spip_info")
    assert main(["wa-templates"]) == 0
    out = capsys.readouterr().out
    assert "Nama: spip_info" in out and "Kategori: Utility" in out and "Bahasa: id" in out
    assert texts.WA_TEMPLATE_BODY in out
