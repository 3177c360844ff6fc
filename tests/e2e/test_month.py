"""One reporting period, from the kick-off to the hand-over, played against the real running
`spip-bot` through the fake Bot API on loopback: the admin, the provincial satgas, two regency
satgas, one department, the five reviewers and signers, and an outsider. Once in polling mode,
once in webhook mode with a secret token; both with the fake answering a share of the calls
with flood control, 5xx, slow answers and dropped connections."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from aiohttp import ClientSession
from openpyxl import load_workbook

from chatbot import texts
from chatbot.domain.calendar import CalendarRules, Period
from chatbot.domain.reminders import submission_reminder_days
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, UNIT_CARD_ITEM, CardStatus
from chatbot.services.calendar import build_calendar
from tests.e2e.player import (
    BotProcess,
    Player,
    acli,
    admin_code,
    chat,
    cli,
    delivered_twice,
    documents_to,
    environment,
    free_port,
    outbox_rows,
    pdf,
    user,
)
from tests.support.fake_bot_api import FakeBotApi, Faults, Sent

ADMIN = user(11, "Admin")
SARI = user(31, "Sari", "Satgas")
KERINCI = user(41, "Budi", "Kerinci")
MERANGIN = user(43, "Mira", "Merangin")
KUL = user(51, "Dewi", "KUL")
HUKUM = user(71, "Hana", "Hukum")
HSDM = user(72, "Hadi", "HSDM")
SEKRETARIS = user(73, "Sekar", "Sekretaris")
DIVISI = user(74, "Dodi", "Divisi")
KETUA = user(61, "Kurnia", "Ketua")
OUTSIDER = user(99, "Orang")
PEOPLE = [
    (SARI, "15", "satgas_prov"),
    (KERINCI, "1501", "satgas_kabkota"),
    (MERANGIN, "1502", "satgas_kabkota"),
    (KUL, "KUL", "bagian"),
    (HUKUM, "15", "subbag_hukum"),
    (HSDM, "15", "kabag_hsdm"),
    (SEKRETARIS, "15", "sekretaris"),
    (DIVISI, "15", "divisi_hukum"),
    (KETUA, "15", "ketua"),
]
UNIT_NAME = {KERINCI["id"]: "Kerinci", MERANGIN["id"]: "Merangin", KUL["id"]: "Keuangan"}


class Month(Player):
    def __init__(self, fake: FakeBotApi, env: dict[str, str]) -> None:
        super().__init__(fake)
        self.env = env

    async def notice(self, who: dict[str, object], *parts: str, after: int) -> Sent:
        """The first message to ``who`` since ``after`` holding every one of ``parts``. Under
        the injected faults a notice may meet two read time-outs, each retried after the
        outbox's back-off (5 s, then 10 s) on top of the slow answers: up to about 25 s; and
        a person's notices go in order, so one queued before it (a voided paraf's notice,
        then the new request) may take as long first."""
        deadline = asyncio.get_running_loop().time() + 90
        while asyncio.get_running_loop().time() < deadline:
            for sent in self.fake.sent[after:]:
                if sent.chat_id == who["id"] and all(p in sent.text for p in parts):
                    return sent
            await asyncio.sleep(0.05)
        seen = [s.text[:90] for s in self.fake.sent[after:] if s.chat_id == who["id"]]
        raise AssertionError(f"nothing to {who['first_name']} with {parts}; saw {seen}")

    async def with_button(self, who: dict[str, object], data: str, after: int) -> Sent:
        """The first message to ``who`` since ``after`` with a button sending ``data``."""
        for _ in range(400):
            for sent in self.fake.sent[after:]:
                if sent.chat_id == who["id"] and data in [d for _, d in sent.buttons]:
                    return sent
            await asyncio.sleep(0.05)
        raise AssertionError(f"no button {data} for {who['first_name']}")

    async def request(self, who: dict[str, object], after: int) -> Sent:
        """The first request to initial or sign sent to ``who`` since ``after`` (not an older
        request's edit: a returned version's requests are edited to say so)."""
        for _ in range(400):
            for sent in self.fake.sent[after:]:
                buttons = [d for _, d in sent.buttons]
                if (
                    sent.chat_id == who["id"]
                    and sent.method == "sendMessage"
                    and buttons
                    and buttons[0].startswith("kc:ok:")
                ):
                    return sent
            await asyncio.sleep(0.05)
        raise AssertionError(f"no request to initial or sign for {who['first_name']}")

    async def remind(self, day: str, *receivers: dict[str, object]) -> None:
        mark = self.mark()
        out = await acli(self.env, "remind", "--date", day, "--send")
        for who in receivers:
            assert f"--- kepada {who['first_name']}" in out, out
            await self.notice(who, "berikut pengingat", after=mark)

    async def upload_card(self, name: str, expect: str) -> Sent:
        return await self.send_files(
            SARI, [(name, pdf(name))], PROVINCIAL_CARD_ITEM, expect, "Kartu kendali provinsi"
        )

    async def sign_all(self, signers: list[dict[str, object]], after: int) -> None:
        for who in signers:
            notice = await self.request(who, after)
            # never by one tap: the request's button asks, the confirmation's gives it
            asked = await self.presses(
                who, notice, notice.buttons[0][1], ("Berikan paraf", "Bubuhkan tanda tangan")
            )
            assert asked.buttons[0][1].startswith("kc:ya:")
            await self.presses(who, asked, asked.buttons[0][1], "oleh")


async def play_month(month: Month, code: str) -> Period:
    fake = month.fake
    await month.says(OUTSIDER, "/start", "belum terdaftar")
    await month.says(ADMIN, f"/start {code}", "selamat datang")
    for who, unit, role in PEOPLE:
        await month.join(ADMIN, who, unit, role)

    # --- step 1: the period opens, everyone who owes something is told
    mark = month.mark()
    overview = await month.says(ADMIN, "/periode", "Periode pelaporan yang terbuka")
    await month.presses(ADMIN, overview, overview.buttons[0][1], "telah dibuka")
    for who in (KERINCI, MERANGIN, KUL, SARI):
        await month.notice(who, "mohon menyampaikan data dukung", after=mark)
    period = Period.parse(overview.buttons[0][1].removeprefix("pr:o:"))
    day = submission_reminder_days(build_calendar(CalendarRules()), period)[-1]
    await month.remind(day.isoformat(), KERINCI, MERANGIN, KUL)

    # --- step 2: deliveries and checks, with a return and a resubmission
    mark = month.mark()
    deliveries = [
        (KERINCI, "KEU-01"),
        (KERINCI, "RPL-01"),
        (MERANGIN, "KEU-01"),
        (MERANGIN, "RPL-01"),
        (KUL, "KEU-01"),
        (SARI, "RPL-01"),
    ]
    for who, item in deliveries:
        await month.deliver(who, item, f"{who['first_name']}-{item}.pdf")
    # the satgas' own RPL-01 goes to Kabag HSDM, the second reviewer (separation of duties)
    own = await month.notice(HSDM, "pemeriksa kedua", "Sari-RPL-01", after=mark)
    notices = [
        await month.notice(
            SARI, "Kiriman baru untuk diperiksa", f"{who['first_name']}-{item}", after=mark
        )
        for who, item in deliveries
        if who is not SARI
    ]
    await month.give_back(
        SARI, notices[0], "Tanda tangan bendahara belum ada", "Dikembalikan oleh Sari"
    )
    await month.notice(KERINCI, "Alasan: Tanda tangan bendahara belum ada", after=mark)
    for notice in notices[1:]:
        await month.approve(SARI, notice, "Disetujui oleh Sari")
    await month.approve(HSDM, own, "Disetujui oleh Hadi")
    mark = month.mark()
    await month.deliver(KERINCI, "KEU-01", "Kerinci-KEU-01-perbaikan.pdf")
    again = await month.notice(SARI, "Versi: 2", "perbaikan", after=mark)
    await month.approve(SARI, again, "Disetujui oleh Sari")
    await month.notice(KERINCI, "versi 2 telah disetujui oleh Sari Satgas", after=mark)

    # --- steps 7-8: the regencies' signed cards, one returned once
    mark = month.mark()
    await month.deliver(KERINCI, UNIT_CARD_ITEM, "kartu-kerinci.pdf")
    await month.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin.pdf")
    kerinci_card = await month.notice(
        SARI, "Kartu kendali bertanda tangan", "kartu-kerinci", after=mark
    )
    merangin_card = await month.notice(
        SARI, "Kartu kendali bertanda tangan", "kartu-merangin", after=mark
    )
    await month.approve(SARI, kerinci_card, "Disetujui oleh Sari")
    await month.give_back(SARI, merangin_card, "Paraf sekretaris belum ada", "Dikembalikan")
    await month.notice(MERANGIN, "Paraf sekretaris belum ada", after=mark)
    mark = month.mark()
    await month.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin-v2.pdf")
    card = await month.notice(SARI, "kartu-merangin-v2", after=mark)
    await month.approve(SARI, card, "Disetujui oleh Sari")

    # --- the recap workbook and the status, as the satgas asks for them
    mark = month.mark()
    await month.says(SARI, "/rekap", "Rekap Kartu Kendali SPIP")
    [document] = [
        s
        for s in fake.sent[mark:]
        if s.method == "sendDocument"
        and isinstance(s.params["document"], dict)
        and str(s.params["document"].get("file_name", "")).endswith(".xlsx")
    ]
    upload = document.params["document"]
    workbook = load_workbook(io.BytesIO(upload["data"]))
    assert upload["file_name"].endswith(".xlsx") and workbook.sheetnames[0] == "Sampul"
    summary_rows = list(workbook["Ringkasan"].iter_rows(min_row=2, values_only=True))
    assert any(row[0] == "1501" and 100 in row for row in summary_rows), summary_rows
    status = await month.says(SARI, "/status", "Status Kartu Kendali SPIP")
    assert "Kerinci" in status.text and "100%" in status.text

    # --- steps 3-5: the provincial card, returned at the paraf and at the signatures
    mark = month.mark()
    await month.upload_card(
        "draft-v1.pdf", "Draf kartu kendali provinsi bulan Oktober 2026 tersimpan sebagai versi 1"
    )
    paraf_hukum = await month.notice(HUKUM, "Yth. Subbagian Hukum,", after=mark)
    paraf_hsdm = await month.notice(HSDM, "Yth.", after=mark)
    asked = await month.presses(HUKUM, paraf_hukum, paraf_hukum.buttons[0][1], "Berikan paraf")
    await month.presses(HUKUM, asked, asked.buttons[0][1], "Diparaf oleh Hana Hukum")
    await month.give_back(HSDM, paraf_hsdm, "Angka rekap KUL keliru", "Dikembalikan")
    await month.notice(SARI, "Angka rekap KUL keliru", after=mark)

    mark = month.mark()
    await month.upload_card("draft-v2.pdf", "tersimpan sebagai versi 2")
    await month.remind(period.shifted(1).first_day().replace(day=12).isoformat(), HUKUM, HSDM)
    await month.sign_all([HUKUM, HSDM], after=mark)
    sekretaris = await month.request(SEKRETARIS, after=mark)
    await month.sign_all([SEKRETARIS, DIVISI], after=mark)
    ketua = await month.request(KETUA, after=mark)
    await month.give_back(KETUA, ketua, "Lampiran bukti rapat pleno kurang", "Dikembalikan")
    await month.notice(SARI, "Lampiran bukti rapat pleno kurang", after=mark)

    mark = month.mark()
    await month.upload_card("draft-v3.pdf", "tersimpan sebagai versi 3")
    await month.sign_all([HUKUM, HSDM], after=mark)
    await month.sign_all([SEKRETARIS, DIVISI, KETUA], after=mark)
    await month.notice(SARI, "paraf dan tanda tangan lengkap", after=mark)

    # --- step 6: the signed card, e-SPIP with a screenshot, kirim data; step 9: hand-over
    mark = month.mark()
    await month.upload_card("kartu-provinsi-ttd.pdf", "bertanda tangan tersimpan sebagai versi 4")
    view = await month.with_button(SARI, "kr:e", after=mark)
    await month.presses(SARI, view, "kr:e", "tangkapan layar e-SPIP")
    mark = month.mark()
    await fake.send_photo(SARI, b"\xff\xd8\xff screenshot e-spip")
    await fake.wait_for(chat(SARI), texts.CARD_STEP_DONE[CardStatus.ESPIP], after=mark)
    view = await month.with_button(SARI, "kr:k", after=mark)
    await month.presses(SARI, view, "kr:k", texts.CARD_STEP_DONE[CardStatus.DATA_DIKIRIM])
    confirm = await month.presses(SARI, view, "kr:h", texts.CONFIRM_HANDOVER[:40])
    mark = month.mark()  # the notices may come before the answer: and the period's edits
    await month.presses(SARI, confirm, "kr:hy", "telah diserahkan kepada Inspektorat KPU RI")
    for who in (HSDM, SEKRETARIS, KETUA):
        await month.notice(who, "telah diserahkan", after=mark)
    # every unit's kick-off now says the period is closed, and holds no button
    for who in (KERINCI, MERANGIN, KUL):
        closed = await month.notice(who, "Periode Oktober 2026 telah diserahkan", after=mark)
        assert closed.method == "editMessageText" and not closed.buttons
    await month.says(KERINCI, "/kirim", texts.NO_OPEN_PERIOD[:40])
    await month.says(OUTSIDER, "/antrian", "belum terdaftar")
    old = sekretaris  # a signature button of an earlier draft, after the hand-over
    await month.presses(SEKRETARIS, old, old.buttons[0][1], texts.CARD_ERRORS["period_closed"][:40])
    return period


async def settle(fake: FakeBotApi, database_url: str) -> None:
    """Wait until the outbox has sent everything it holds."""
    for _ in range(200):
        if all(q.sent for q in outbox_rows(database_url)):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the outbox did not empty")


def check_exactly_once(fake: FakeBotApi, database_url: str) -> None:
    rows = outbox_rows(database_url)
    assert rows and all(q.sent for q in rows)
    missing, doubled = delivered_twice(fake, rows)
    assert (missing, doubled) == ([], [])
    # the files attached to the notices (the card's requests) arrived once each, too; the
    # satgas' notices carry none: the desk shows the evidence
    assert sum(q.files for q in rows if q.chat == SARI["id"]) == 0
    for who in (HUKUM, HSDM):
        queued_files = sum(q.files for q in rows if q.chat == who["id"])
        assert queued_files > 0
        assert documents_to(fake, who) == queued_files
    # Kabag HSDM also had, at the desk, the satgas' own RPL-01 he decided as second reviewer:
    # its PDF as its first page's picture
    assert any(s.method == "sendPhoto" and s.chat_id == HSDM["id"] for s in fake.sent)


def check_history(env: dict[str, str], period: Period) -> None:
    history = cli(env, "audit", "--period", period.code)
    kinds = [line.split(" | ")[1] for line in history.splitlines() if " | " in line]
    assert kinds.count("item_dikembalikan") == 2 and kinds.count("kartu_dikembalikan") == 2
    assert kinds.count("kartu_draft_diunggah") == 3 and kinds[-1] == "periode_diserahkan"
    assert "item_disetujui | Sari Satgas | 1501 | KEU-01 | v2" in history


def clean(log: str, fake: FakeBotApi) -> None:
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
    assert fake.unknown == []
    assert fake.unanswered() == set()


async def test_polling(fake: FakeBotApi, tmp_path: Path, database_url: str) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    code = admin_code(env)
    fake.faults = Faults(share=0.1, seed=1)
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    try:
        period = await play_month(Month(fake, env), code)
        await settle(fake, database_url)
    finally:
        if fake.faults:
            fake.faults.share = 0  # a fault while stopping is PTB's to report, not ours
        await bot.stop()
    clean(bot.output(), fake)
    assert sum(fake.faults.injected.values()) >= 15, fake.faults.injected
    check_exactly_once(fake, database_url)
    check_history(env, period)


@pytest.mark.parametrize(
    "database_url", ["sqlite"], indirect=True
)  # the transport is the subject: the month on PostgreSQL is test_polling's
async def test_webhook_with_a_secret_token(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    code = admin_code(env)
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    env["TELEGRAM_WEBHOOK_SECRET"] = "rahasia-123"  # from the environment, not the command line
    bot = BotProcess(env, tmp_path / "bot.log", args)
    await bot.start()
    try:
        for _ in range(300):
            if fake.webhook_url == url:
                break
            await asyncio.sleep(0.05)
        assert fake.webhook_secret == "rahasia-123"
        await asyncio.sleep(0.5)  # the listener is up right after setWebhook
        forged = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "/start",
            },
        }
        async with ClientSession() as session:
            async with session.post(url, json=forged) as response:
                assert response.status == 403
            headers = {"X-Telegram-Bot-Api-Secret-Token": "salah"}
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 403
        fake.faults = Faults(share=0.1, seed=2)
        period = await play_month(Month(fake, env), code)
        await settle(fake, database_url)
    finally:
        if fake.faults:
            fake.faults.share = 0  # a fault while stopping is PTB's to report, not ours
        await bot.stop()
    clean(bot.output().replace("Invalid secret token", ""), fake)
    assert "rahasia-123" not in bot.output()
    check_exactly_once(fake, database_url)
    check_history(env, period)
