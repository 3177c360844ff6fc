"""The month, from the kick-off to the hand-over, over WhatsApp: the provincial satgas, the five
reviewers and signers, two regencies and a department all on WhatsApp; then the same month with
one regency on WhatsApp and everyone else on Telegram. Signed Cloud API updates posted to the
webhook, the Graph API faked on loopback, both outboxes drained as the running bots do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp.test_utils import TestClient
from pywa_async.client import WhatsApp

from chatbot import texts
from chatbot.app import Core
from chatbot.config import Settings
from chatbot.domain.calendar import Period
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, UNIT_CARD_ITEM, CardStatus
from tests.conftest import TOKEN
from tests.handlers.conftest import CHECKLIST, ORG, join
from tests.handlers.test_chain import Month
from tests.support.fake_graph_api import (
    APP_SECRET,
    PHONE_ID,
    FakeGraphApi,
    choice_update,
    document_update,
    text_update,
    update_with,
)
from tests.support.pdf import real_pdf
from tests.support.telegram import TelegramHarness, User, give_card_step
from tests.whatsapp.conftest import post
from whatsapp.app import whatsapp_sender

P = Period(2026, 10)
PEOPLE = {  # WhatsApp id: (unit, role, name)
    "62811031": ("15", "satgas_prov", "Sari Satgas"),
    "62811071": ("15", "subbag_hukum", "Hana Hukum"),
    "62811072": ("15", "kabag_hsdm", "Hadi HSDM"),
    "62811073": ("15", "sekretaris", "Sekar Sekretaris"),
    "62811074": ("15", "divisi_hukum", "Dodi Divisi"),
    "62811061": ("15", "ketua", "Kurnia Ketua"),
    "62811041": ("1501", "satgas_kabkota", "Budi Kerinci"),
    "62811043": ("1502", "satgas_kabkota", "Mira Merangin"),
    "62811051": ("KUL", "bagian", "Dewi KUL"),
}
SARI, HUKUM, HSDM, SEKRETARIS, DIVISI, KETUA, KERINCI, MERANGIN, KUL = PEOPLE
SATGAS_TG, KERINCI_TG, KUL_TG = (
    User(31, "Sari", "Satgas"),
    User(41, "Budi", "Kerinci"),
    User(51, "Dewi", "KUL"),
)
HUKUM_TG, HSDM_TG = User(71, "Hana", "Hukum"), User(72, "Hadi", "HSDM")
SEKRETARIS_TG, DIVISI_TG = User(73, "Sekar", "Sekretaris"), User(74, "Dodi", "Divisi")
KETUA_TG = User(61, "Kurnia", "Ketua")
MERANGIN_TG_ID = 43  # Merangin's Telegram id in the handler tests: never used here


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The small province of the handler tests: two regencies, one department, two items."""
    org, checklist = tmp_path / "org.toml", tmp_path / "checklist.toml"
    org.write_text(ORG, encoding="utf-8")
    checklist.write_text(CHECKLIST, encoding="utf-8")
    return Settings(
        telegram_bot_token=TOKEN,
        spip_data_dir=tmp_path / "data",
        spip_decision_gather_seconds=0,  # the clock stands still (see tests/conftest.py)
        spip_org_file=org,
        spip_checklist_file=checklist,
        _env_file=None,  # type: ignore[call-arg]
    )


class Player:
    def __init__(self, webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core) -> None:
        self.webhook, self.graph, self.core = webhook, graph, core
        wa = WhatsApp(
            phone_id=PHONE_ID,
            token="token-graph",
            app_secret=APP_SECRET,
            session=httpx.AsyncClient(transport=graph.transport()),
        )
        self.sender = whatsapp_sender(core, wa)

    async def drain(self) -> None:
        await self.core.services.outbox.drain(self.sender, channel="whatsapp")

    async def says(self, who: str, text: str) -> str:
        assert await post(self.webhook, text_update(who, who, text)) == 200
        return self.last(who)

    async def presses(self, who: str, data: str, kind: str = "button_reply") -> str:
        assert await post(self.webhook, choice_update(who, who, data, kind)) == 200
        return self.last(who)

    async def gives(self, who: str, data: str) -> str:
        """A paraf or signature: the request's button, then the confirmation's "Ya"."""
        asked = await self.presses(who, data)
        assert asked.startswith(("Berikan paraf", "Bubuhkan tanda tangan")), asked
        [yes] = [b for b in self.buttons(who, "tidak dapat ditarik") if b.startswith("kc:ya:")]
        return await self.presses(who, yes)

    async def sends_file(self, who: str, name: str, image: bool = False) -> str:
        self.graph.media[name] = (real_pdf(note=name), "application/pdf")
        if image:
            self.graph.media[name] = (b"\xff\xd8\xff layar", "image/jpeg")
            update = update_with(
                who,
                who,
                {"type": "image", "image": {"id": name, "mime_type": "image/jpeg", "sha256": "x"}},
            )
        else:
            update = document_update(who, who, name, name)
        assert await post(self.webhook, update) == 200
        return self.last(who)

    def last(self, who: str) -> str:
        return self.graph.texts_to(who)[-1]

    def message(self, who: str, *parts: str) -> dict[str, Any]:
        """The latest message to ``who`` whose text holds every one of ``parts``."""
        for payload in reversed(self.graph.sent):
            body = payload.get("text", {}).get("body") or payload.get("interactive", {}).get(
                "body", {}
            ).get("text", "")
            if str(payload["to"]) == who and all(p in body for p in parts):
                return payload
        raise AssertionError(f"no message to {who} with {parts}: {self.graph.texts_to(who)}")

    def body(self, who: str, *parts: str) -> str:
        """The text of the latest message to ``who`` holding ``parts`` (plain or with buttons)."""
        payload = self.message(who, *parts)
        return str(payload.get("text", {}).get("body") or payload["interactive"]["body"]["text"])

    def buttons(self, who: str, *parts: str) -> list[str]:
        payload = self.message(who, *parts)
        return [b["reply"]["id"] for b in payload["interactive"]["action"]["buttons"]]

    async def at_desk(self, who: str, *parts: str) -> list[str]:
        """The delivery's notice (the latest holding ``parts`` and "Periksa"): pressed, the
        desk's buttons (Setujui, Kembalikan, Lewati)."""
        for payload in reversed(self.graph.sent):
            buttons = payload.get("interactive", {}).get("action", {}).get("buttons", [])
            ids = [b["reply"]["id"] for b in buttons]
            text = payload.get("interactive", {}).get("body", {}).get("text", "")
            if (
                str(payload["to"]) == who
                and all(p in text for p in parts)
                and ids
                and ids[0].startswith("rp:op:")
            ):
                assert "Pemeriksaan" in await self.presses(who, ids[0])
                return self.buttons(who, "Pemeriksaan")
        raise AssertionError(f"no notice to {who} with {parts}")

    async def deliver(self, who: str, item: str, name: str) -> None:
        await self.says(who, "kirim")
        await self.presses(who, f"kr:i:{item}", "list_reply")
        await self.presses(who, "kr:f")
        assert "Berkas diterima" in await self.sends_file(who, name)
        await self.presses(who, "kr:d")
        assert (await self.presses(who, "kr:c")).startswith("Terima kasih. Kiriman untuk ")

    async def give_back(self, who: str, data: str, reason: str) -> None:
        assert "alasan" in await self.presses(who, data)
        await self.says(who, reason)
        assert "Dikembalikan" in await self.presses(who, "rt:y")

    async def upload_card(self, name: str, expect: str) -> None:
        await self.says(SARI, "kirim")
        await self.presses(SARI, f"kr:i:{PROVINCIAL_CARD_ITEM}", "list_reply")
        await self.presses(SARI, "kr:f")
        await self.sends_file(SARI, name)
        await self.presses(SARI, "kr:d")
        await self.presses(SARI, "kr:c")
        receipt, card_view = self.graph.texts_to(SARI)[-2:]
        assert expect in receipt and texts.PROVINCIAL_CARD_NAME in card_view


def join_all(core: Core, player_ids: dict[str, tuple[str, str, str]]) -> list[tuple[str, str]]:
    reg = core.services.registration
    return [
        (wa_id, reg.create_invite(unit, role, name).code)
        for wa_id, (unit, role, name) in player_ids.items()
    ]


async def test_the_month_over_whatsapp(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    play = Player(webhook, graph, core)
    for wa_id, code in join_all(core, PEOPLE):
        assert "selamat datang" in await play.says(wa_id, code)
    assert core.services.submission.open_period(P).kickoffs == 4
    await play.drain()
    for who in (KERINCI, MERANGIN, KUL, SARI):
        assert "mohon menyampaikan data dukung" in play.body(who, "mohon menyampaikan")

    # deliveries and checks, a return and a resubmission
    deliveries = [
        (KERINCI, "KEU-01"),
        (KERINCI, "RPL-01"),
        (MERANGIN, "KEU-01"),
        (MERANGIN, "RPL-01"),
        (KUL, "KEU-01"),
        (SARI, "RPL-01"),
    ]
    for who, item in deliveries:
        await play.deliver(who, item, f"{who}-{item}.pdf")
    await play.drain()
    desk = await play.at_desk(SARI, f"{KERINCI}-KEU-01.pdf")
    await play.give_back(SARI, desk[1], "Tanda tangan bendahara belum ada")
    for who, item in deliveries[1:-1]:
        approve = (await play.at_desk(SARI, f"{who}-{item}.pdf"))[0]
        assert "Disetujui" in await play.presses(SARI, approve)
    # her own RPL-01 is decided by Kabag HSDM, the second reviewer (separation of duties)
    assert "pemeriksa kedua" in play.body(HSDM, f"{SARI}-RPL-01.pdf")
    approve = (await play.at_desk(HSDM, f"{SARI}-RPL-01.pdf"))[0]
    assert "Disetujui oleh" in await play.presses(HSDM, approve)
    await play.drain()
    assert "Alasan: Tanda tangan bendahara belum ada" in play.body(KERINCI, "Alasan")
    await play.deliver(KERINCI, "KEU-01", "kerinci-perbaikan.pdf")
    await play.drain()
    await play.presses(SARI, (await play.at_desk(SARI, "kerinci-perbaikan.pdf"))[0])

    # the regencies' signed cards, one returned once
    await play.deliver(KERINCI, UNIT_CARD_ITEM, "kartu-kerinci.pdf")
    await play.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin.pdf")
    await play.drain()
    await play.presses(SARI, (await play.at_desk(SARI, "kartu-kerinci.pdf"))[0])
    await play.give_back(
        SARI, (await play.at_desk(SARI, "kartu-merangin.pdf"))[1], "Paraf sekretaris belum ada"
    )
    await play.drain()
    await play.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin-v2.pdf")
    await play.drain()
    await play.presses(SARI, (await play.at_desk(SARI, "kartu-merangin-v2.pdf"))[0])
    assert "Kerinci" in await play.says(SARI, "status")

    # the provincial card: returned at the paraf, then at the signatures
    await play.upload_card("draft-v1.pdf", "tersimpan sebagai versi 1")
    await play.drain()
    request = play.buttons(HUKUM, "Yth. Subbagian Hukum")
    assert request == ["kc:ok:2026-10:1", "kc:no:2026-10:1", "kc:rk:2026-10:1"]
    # "Rekap": WhatsApp cannot edit the request, so the recap comes with its buttons
    recap = await play.presses(HUKUM, request[2])
    assert "Rekapitulasi kelengkapan data dukung:" in recap and "Kerinci: 100%" in recap
    assert play.buttons(HUKUM, "Rekapitulasi kelengkapan") == request[:2]
    assert "Hana Hukum" in await play.gives(HUKUM, request[0])
    await play.drain()
    told = "Subbagian Hukum (Hana Hukum) telah memaraf kartu kendali provinsi"
    assert play.last(SARI).startswith(told)
    assert play.last(HSDM).startswith(told) and "Paraf Anda masih ditunggu" in play.last(HSDM)
    await play.give_back(HSDM, play.buttons(HSDM, "Yth.")[1], "Angka rekap KUL keliru")
    await play.drain()
    assert "Angka rekap KUL keliru" in play.last(SARI)
    await play.upload_card("draft-v2.pdf", "tersimpan sebagai versi 2")
    await play.drain()
    for who in (HUKUM, HSDM):
        await play.gives(who, play.buttons(who, "versi 2")[0])
    await play.drain()
    for who in (SEKRETARIS, DIVISI):
        await play.gives(who, play.buttons(who, "versi 2")[0])
    await play.give_back(
        KETUA, play.buttons(KETUA, "versi 2")[1], "Lampiran bukti rapat pleno kurang"
    )
    await play.drain()
    await play.upload_card("draft-v3.pdf", "tersimpan sebagai versi 3")
    await play.drain()
    for who in (HUKUM, HSDM):
        await play.gives(who, play.buttons(who, "versi 3")[0])
    await play.drain()
    for who in (SEKRETARIS, DIVISI, KETUA):
        await play.gives(who, play.buttons(who, "versi 3")[0])
    await play.drain()
    assert "telah menandatangani" in play.last(SARI)
    assert "paraf dan tanda tangan lengkap" in play.last(SARI)

    # the signed card, e-SPIP with a screenshot, kirim data, hand-over
    await play.upload_card("kartu-provinsi-ttd.pdf", "bertanda tangan tersimpan sebagai versi 4")
    assert "tangkapan layar" in await play.presses(SARI, "kr:e")
    await play.sends_file(SARI, "layar-espip.jpg", image=True)
    assert texts.CARD_STEP_DONE[CardStatus.ESPIP] == play.graph.texts_to(SARI)[-2]
    await play.presses(SARI, "kr:k")
    assert await play.presses(SARI, "kr:h") == texts.CONFIRM_HANDOVER
    assert "telah diserahkan kepada Inspektorat KPU RI" in await play.presses(SARI, "kr:hy")
    await play.drain()
    for who in (HSDM, SEKRETARIS, KETUA):
        assert "telah diserahkan" in play.last(who)
    assert core.services.submission.open_periods() == []

    kinds = [line.split(" | ")[1] for line in core.services.history.lines(P)]
    assert kinds.count("item_dikembalikan") == 2 and kinds.count("kartu_dikembalikan") == 2
    assert kinds.count("kartu_draft_diunggah") == 3 and kinds[-1] == "periode_diserahkan"
    assert core.services.outbox.due(channel="whatsapp") == []


async def test_the_month_with_one_regency_on_whatsapp(
    webhook: TestClient[Any, Any], graph: FakeGraphApi, core: Core
) -> None:
    """Merangin on WhatsApp, everyone else on Telegram: one procedure, one history."""
    play = Player(webhook, graph, core)
    telegram = {
        SATGAS_TG: ("15", "satgas_prov"),
        HUKUM_TG: ("15", "subbag_hukum"),
        HSDM_TG: ("15", "kabag_hsdm"),
        SEKRETARIS_TG: ("15", "sekretaris"),
        DIVISI_TG: ("15", "divisi_hukum"),
        KETUA_TG: ("15", "ketua"),
        KERINCI_TG: ("1501", "satgas_kabkota"),
        KUL_TG: ("KUL", "bagian"),
    }
    for user, (unit, role) in telegram.items():
        join(core, user, unit, role)
    code = core.services.registration.create_invite("1502", "satgas_kabkota", "Mira").code
    await play.says(MERANGIN, code)
    assert core.services.submission.open_period(P).kickoffs == 4
    async with TelegramHarness(core) as bot:
        month = Month(bot)
        inbox = await month.inbox()
        await play.drain()
        assert set(inbox) == {SATGAS_TG.id, KERINCI_TG.id, KUL_TG.id}  # Merangin: WhatsApp
        assert "mohon menyampaikan" in play.body(MERANGIN, "mohon menyampaikan")

        for item in ("KEU-01", "RPL-01"):
            await play.deliver(MERANGIN, item, f"merangin-{item}.pdf")
            await month.deliver(KERINCI_TG, item, f"kerinci-{item}.pdf")
        await month.deliver(KUL_TG, "KEU-01", "kul.pdf")
        await month.deliver(SATGAS_TG, "RPL-01", "prov.pdf")
        inbox = await month.inbox()
        notices = [c for c in inbox[SATGAS_TG.id] if c.method == "sendMessage" and c.buttons]
        uploads = [c for c in inbox[SATGAS_TG.id] if c.method == "sendDocument"]
        assert len(notices) == 5 and not uploads  # one message each; the files at the desk
        # the satgas' own RPL-01 goes to Kabag HSDM, the second reviewer
        [own] = [c for c in inbox[HSDM_TG.id] if c.method == "sendMessage" and c.buttons]
        assert "pemeriksa kedua" in own.text
        await month.approve(own, HSDM_TG)
        for notice in notices:
            if "merangin-RPL-01" in notice.text:
                await month.give_back(SATGAS_TG, notice, "Notulen belum ditandatangani")
            else:
                await month.approve(notice)
        await month.inbox()
        await play.drain()
        assert "Notulen belum ditandatangani" in play.body(MERANGIN, "Alasan")
        await play.deliver(MERANGIN, "RPL-01", "merangin-RPL-01-perbaikan.pdf")
        inbox = await month.inbox()
        [again] = [c for c in inbox[SATGAS_TG.id] if c.method == "sendMessage" and c.buttons]
        await month.approve(again)
        await month.inbox()
        await play.drain()
        assert "versi 2 telah disetujui" in play.last(MERANGIN)

        await play.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin.pdf")
        await month.deliver(KERINCI_TG, UNIT_CARD_ITEM, "kartu-kerinci.pdf")
        inbox = await month.inbox()
        for notice in [c for c in inbox[SATGAS_TG.id] if c.method == "sendMessage" and c.buttons]:
            await month.approve(notice)
        await month.inbox()

        # the provincial card on Telegram, straight through, then the hand-over
        for name in ("draft.pdf",):
            await bot.send(SATGAS_TG, "/kirim")
            await bot.press(SATGAS_TG, f"kr:i:{PROVINCIAL_CARD_ITEM}")
            await bot.press(SATGAS_TG, "kr:f")
            await bot.send_document(SATGAS_TG, name, real_pdf(note=name))
            await bot.press(SATGAS_TG, "kr:d")
            await bot.press(SATGAS_TG, "kr:c")
        for stage in ((HUKUM_TG, HSDM_TG), (SEKRETARIS_TG, DIVISI_TG, KETUA_TG)):
            inbox = await month.inbox()
            for user in stage:
                [notice] = [c for c in inbox[user.id] if c.method == "sendMessage" and c.buttons]
                await give_card_step(bot, user, notice)
        await month.inbox()
        await bot.send(SATGAS_TG, "/kirim")
        await bot.press(SATGAS_TG, f"kr:i:{PROVINCIAL_CARD_ITEM}")
        await bot.press(SATGAS_TG, "kr:f")
        await bot.send_document(SATGAS_TG, "ttd.pdf", real_pdf(note="ttd"))
        await bot.press(SATGAS_TG, "kr:d")
        await bot.press(SATGAS_TG, "kr:c")
        await bot.press(SATGAS_TG, "kr:e")
        await bot.press(SATGAS_TG, "kr:s")
        await bot.press(SATGAS_TG, "kr:k")
        await bot.press(SATGAS_TG, "kr:h")
        calls = await bot.press(SATGAS_TG, "kr:hy")
        assert any("telah diserahkan kepada Inspektorat" in c.text for c in calls)
        inbox = await month.inbox()
        await play.drain()
        telegram_chats = {c.chat_id for c in bot.calls}
    assert core.services.submission.open_periods() == []
    assert MERANGIN_TG_ID not in telegram_chats  # nothing for Merangin went to Telegram
    assert {str(p["to"]) for p in graph.sent} == {MERANGIN}  # nor anything else to WhatsApp
    history = core.services.history.lines(P)
    merangin = [line for line in history if "| Mira |" in line or "Mira" in line.split(" | ")[2]]
    assert any("item_dikirim" in line and "RPL-01 | v2" in line for line in merangin)
    assert core.services.outbox.due(channel="whatsapp") == []
    assert core.services.outbox.due(channel="telegram") == []
