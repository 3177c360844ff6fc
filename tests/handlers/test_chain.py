"""The whole month through the chat, from the first delivery to the hand-over, with a return
at every stage and resubmissions, checking what each person receives. A small province (two
regencies, one department) and a two-item checklist keep it readable."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chatbot import texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.workflow import PROVINCIAL_CARD_ITEM, UNIT_CARD_ITEM, CardStatus
from tests.handlers.conftest import (
    DIVISI,
    HSDM,
    HUKUM,
    KERINCI,
    KETUA,
    KUL,
    MERANGIN,
    OUTSIDER,
    SATGAS,
    SEKRETARIS,
    join,
)
from tests.support.pdf import real_pdf
from tests.support.telegram import (
    Call,
    TelegramHarness,
    User,
    as_they_stand,
    drained,
    give_card_step,
)

P = Period(2026, 10)


@pytest.fixture
async def bot(small_bot: TelegramHarness) -> TelegramHarness:
    return small_bot


class Month:
    """Plays people; ``inbox`` collects what the outbox delivered to each person."""

    def __init__(self, bot: TelegramHarness) -> None:
        self.bot = bot

    async def inbox(self) -> dict[int, list[Call]]:
        received: dict[int, list[Call]] = {}
        for call in await drained(self.bot):
            if call.method in ("sendMessage", "sendDocument", "editMessageText"):
                received.setdefault(int(call.chat_id or 0), []).append(call)
        return received

    async def deliver(self, user: User, item: str, name: str) -> list[Call]:
        await self.bot.send(user, "/kirim")
        await self.bot.press(user, f"kr:i:{item}")
        await self.bot.press(user, "kr:f")
        await self.bot.send_document(user, name, real_pdf(note=name))
        await self.bot.press(user, "kr:d")
        return await self.bot.press(user, "kr:c")

    async def desk(self, user: User, notice: Call) -> Call:
        """A delivery's notice: "Periksa", then the desk's message (a card's request is its
        own)."""
        if not notice.buttons[0][1].startswith("rp:op:"):
            return notice
        calls = await self.bot.press(user, notice.buttons[0][1], on=notice)
        return next(c for c in reversed(calls) if c.method == "sendMessage")

    async def approve(self, notice: Call, user: User = SATGAS) -> list[Call]:
        desk = await self.desk(user, notice)
        return await self.bot.press(user, desk.buttons[0][1], on=desk)

    async def give_back(self, user: User, notice: Call, reason: str) -> list[Call]:
        desk = await self.desk(user, notice)
        asked = await self.bot.press(user, desk.buttons[1][1], on=desk)
        [question] = [c for c in asked if c.method == "sendMessage"]
        # the phone opens a reply to the question, its field saying what the reason is for
        markup = question.params["reply_markup"]
        assert markup["force_reply"] is True
        assert markup["input_field_placeholder"].startswith("Alasan pengembalian ")
        [confirm] = await self.bot.send(user, reason, replying_to=question.result["message_id"])
        return await self.bot.press(user, "rt:y", on=confirm)


def texts_of(calls: list[Call]) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage"]


def notice_in(calls: list[Call]) -> Call:
    [notice] = [c for c in calls if c.method == "sendMessage" and c.buttons]
    return notice


async def test_the_whole_month(bot: TelegramHarness, small_core: Core) -> None:
    m = Month(bot)
    svc = small_core.services
    assert svc.submission.open_period(P).kickoffs == 4  # satgas (RPL-01), 2 regencies, KUL
    inbox = await m.inbox()
    assert set(inbox) == {SATGAS.id, KERINCI.id, MERANGIN.id, KUL.id}

    # --- step 2: deliveries and checks, with a return and a resubmission
    for user, unit_items in [
        (KERINCI, ["KEU-01", "RPL-01"]),
        (MERANGIN, ["KEU-01", "RPL-01"]),
        (KUL, ["KEU-01"]),
        (SATGAS, ["RPL-01"]),
    ]:
        for item in unit_items:
            await m.deliver(user, item, f"{user.first_name}-{item}.pdf")
    inbox = await m.inbox()
    notices = [c for c in inbox[SATGAS.id] if c.method == "sendMessage"]
    # one message per delivery, no files with it (they come at the desk); not her own: the
    # province's RPL-01 goes to Kabag HSDM, the second reviewer (separation of duties)
    assert len(notices) == 5 and [c.method for c in inbox[SATGAS.id]].count("sendDocument") == 0
    [own] = texts_of(inbox[HSDM.id])
    assert own.endswith(
        "Anda diminta memeriksa sebagai pemeriksa kedua: pengirimnya, Sari Satgas, adalah "
        "satu-satunya Satgas SPIP KPU Provinsi, dan tidak ada yang memeriksa kirimannya sendiri."
    )
    first = notices[0]
    assert "KPU Kabupaten Kerinci" in first.text and "KEU-01" in first.text
    await m.give_back(SATGAS, first, "Tanda tangan bendahara belum ada")
    for notice in notices[1:]:
        await m.approve(notice)
    # her own delivery is not hers to decide, whichever button she tries
    [refused] = texts_of(await bot.send(SATGAS, "/antrian"))
    assert refused == texts.QUEUE_EMPTY
    [rpl] = [c for c in inbox[HSDM.id] if c.method == "sendMessage"]
    state_id = rpl.buttons[0][1].split(":")[-1]
    said = texts_of(await bot.press(SATGAS, f"rp:ok:{state_id}:1"))
    assert said[0].startswith(
        "Kiriman ini Anda kirim sendiri, sehingga tidak dapat Anda putuskan (pemisahan tugas). "
        "Pemeriksaannya dilakukan oleh Hadi HSDM sebagai pemeriksa kedua"
    )
    await m.approve(rpl, HSDM)
    notices.append(rpl)
    inbox = await m.inbox()
    # every notice decided lost its button and says the outcome (edited where it is)
    edited = {
        c.params["message_id"]: c
        for c in inbox[SATGAS.id] + inbox[HSDM.id]
        if c.method == "editMessageText"
        and c.params["message_id"] in {n.result["message_id"] for n in notices}
    }
    assert len(edited) == 6 and all(c.buttons == [] for c in edited.values())
    assert "✅ Disetujui oleh Hadi HSDM" in edited[rpl.result["message_id"]].text
    assert "↩️ Dikembalikan oleh Sari Satgas" in edited[first.result["message_id"]].text
    assert "Alasan: Tanda tangan bendahara belum ada" in edited[first.result["message_id"]].text
    [returned] = texts_of(inbox[KERINCI.id])[:1]
    assert "dikembalikan oleh Sari Satgas" in returned and "bendahara belum ada" in returned
    # the return, and RPL-01 approved: apart here, the decisions being told at once
    # (SPIP_DECISION_GATHER_SECONDS=0; the contract suite holds them for real); the return
    # carries the button to fix its item (issue 15)
    assert len(texts_of(inbox[KERINCI.id])) == 2
    assert inbox[KERINCI.id][0].buttons == [("📎 Perbaiki KEU-01", "kr:i:2026-10:KEU-01")]
    assert len(texts_of(inbox[MERANGIN.id])) == 2 and len(texts_of(inbox[KUL.id])) == 1
    await m.deliver(KERINCI, "KEU-01", "Kerinci-KEU-01-perbaikan.pdf")
    inbox = await m.inbox()
    resubmitted = notice_in(inbox[SATGAS.id])
    assert "Versi: 2" in resubmitted.text
    # the old notice's "Periksa" (had it kept its button) opens the item's new version
    assert "versi 2" in texts_of(await bot.press(SATGAS, first.buttons[0][1], on=first))[-1]
    await m.approve(resubmitted)

    # --- step 7-8: regency signed cards, one returned once
    await m.inbox()
    await m.deliver(KERINCI, UNIT_CARD_ITEM, "kartu-kerinci.pdf")
    await m.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin.pdf")
    inbox = await m.inbox()
    kerinci_card, merangin_card = [c for c in inbox[SATGAS.id] if c.buttons]
    assert "Kartu kendali bertanda tangan" in merangin_card.text
    await m.approve(kerinci_card)
    await m.give_back(SATGAS, merangin_card, "Paraf sekretaris belum ada")
    inbox = await m.inbox()
    assert "Paraf sekretaris belum ada" in texts_of(inbox[MERANGIN.id])[0]
    await m.deliver(MERANGIN, UNIT_CARD_ITEM, "kartu-merangin-v2.pdf")
    await m.approve(notice_in((await m.inbox())[SATGAS.id]))
    await m.inbox()

    # --- steps 3-5: the provincial card, returned at the paraf and at the signature stage
    async def upload_card(name: str) -> list[Call]:
        await bot.send(SATGAS, "/kirim")
        await bot.press(SATGAS, f"kr:i:{PROVINCIAL_CARD_ITEM}")
        await bot.press(SATGAS, "kr:f")
        await bot.send_document(SATGAS, name, real_pdf(2, name))
        await bot.press(SATGAS, "kr:d")
        return await bot.press(SATGAS, "kr:c")

    receipt = texts_of(await upload_card("draft-v1.pdf"))[0]
    assert receipt.startswith(
        "Draf kartu kendali provinsi bulan Oktober 2026 tersimpan sebagai versi 1"
    )
    inbox = await m.inbox()
    assert set(inbox) == {HUKUM.id, HSDM.id}
    assert [c.method for c in inbox[HUKUM.id]] == ["sendDocument", "sendMessage"]
    paraf_hukum, paraf_hsdm = notice_in(inbox[HUKUM.id]), notice_in(inbox[HSDM.id])
    # the request is short: what is asked, who has given what, the units in one line
    assert paraf_hukum.text == (
        "Yth. Subbagian Hukum,\n"
        "mohon paraf kartu kendali SPIP KPU Provinsi Jambi bulan Oktober 2026 (versi 1); "
        "berkas kartunya terlampir di atas.\n\n"
        "Paraf:\n  ⏳ Subbagian Hukum: menunggu\n  ⏳ Kepala Bagian Hukum dan SDM: menunggu\n"
        "Tanda tangan:\n  ▫️ Sekretaris: belum\n  ▫️ Divisi Hukum dan Pengawasan: belum\n"
        "  ▫️ Ketua: belum\n\n"
        "Data dukung: 4 dari 4 unit lengkap (100%)."
    )
    assert paraf_hukum.buttons == [
        ("✅ Paraf", "kc:ok:2026-10:1"),
        ("↩️ Kembalikan", "kc:no:2026-10:1"),
        ("📊 Rekap", "kc:rk:2026-10:1"),
    ]
    # the recap a tap away: the request itself shows every unit, its decision buttons kept
    calls = await bot.press(HUKUM, "kc:rk:2026-10:1", on=paraf_hukum)
    [recap] = [c for c in calls if c.method != "answerCallbackQuery"]
    assert recap.method == "editMessageText"
    assert "KPU Kabupaten Kerinci: 100%, kartu disetujui" in recap.text
    assert recap.buttons == paraf_hukum.buttons[:2]
    asked = await bot.press(HUKUM, paraf_hukum.buttons[0][1], on=paraf_hukum)
    # never by one tap; the card's first page in view with the question
    [page] = [c for c in asked if c.method == "sendPhoto"]
    assert page.params["caption"] == (
        "Kartu kendali provinsi · Oktober 2026 · versi 1\ndraft-v1.pdf, halaman 1 dari 2"
    )
    [question] = [c for c in asked if c.method == "sendMessage"]
    assert question.text.startswith("Berikan paraf pada kartu kendali provinsi bulan Oktober")
    assert question.buttons == [("✅ Ya, paraf", "kc:ya:2026-10:1"), ("✖️ Batal", "kc:tidak")]
    edits = await bot.press(HUKUM, "kc:ya:2026-10:1", on=question)
    request, answer = [c for c in edits if c.method == "editMessageText"]
    assert request.params["message_id"] == paraf_hukum.result["message_id"]
    assert "✅ Diparaf oleh Hana Hukum" in request.text  # the request, edited in place
    assert ("✅ Paraf", "kc:ok:2026-10:1") not in request.buttons
    assert answer.text.startswith("✅ Diparaf oleh Hana Hukum")
    # the step is told: to the satgas, and to Kabag HSDM still awaited
    inbox = await m.inbox()
    told = (
        "Subbagian Hukum (Hana Hukum) telah memaraf kartu kendali provinsi bulan Oktober 2026 "
        "versi 1; menunggu paraf Kepala Bagian Hukum dan SDM."
    )
    assert texts_of(inbox[SATGAS.id]) == [told]
    # Kabag HSDM, still awaited, is told without buttons: his request holds them
    [hsdm_told] = [c for c in inbox[HSDM.id] if c.method == "sendMessage"]
    assert hsdm_told.text == (
        f"{told} Paraf Anda masih ditunggu: tombolnya ada pada permintaan sebelumnya, atau "
        "ketik /antrian."
    )
    assert hsdm_told.buttons == []
    assert HUKUM.id not in inbox  # her request was edited where she gave it, once
    given_back = await m.give_back(HSDM, paraf_hsdm, "Angka rekap KUL keliru")
    inbox = await m.inbox()
    assert "Angka rekap KUL keliru" in texts_of(inbox[SATGAS.id])[0]
    # Hana's paraf on version 1 no longer stands: she is told, with the reason (issue 16)
    [voided] = texts_of(inbox[HUKUM.id])
    assert voided.startswith("Pemberitahuan: kartu kendali provinsi bulan Oktober 2026 versi 1")
    assert "yang telah Anda paraf dikembalikan oleh Hadi HSDM" in voided
    assert (
        "Angka rekap KUL keliru" in voided and "Paraf Anda pada versi ini tidak berlaku" in voided
    )
    # Hadi's request for version 1 loses its buttons where he returned it, once
    [settled] = [c for c in given_back if c.method == "editMessageText"]
    assert settled.params["message_id"] == paraf_hsdm.result["message_id"]
    assert settled.buttons == [] and "↩️ Dikembalikan oleh Hadi HSDM" in settled.text
    assert HSDM.id not in inbox  # no second edit, and not told what he did himself
    assert texts_of(await bot.press(HUKUM, paraf_hukum.buttons[0][1], on=paraf_hukum)) == [
        texts.CARD_ERRORS["already_decided"]
    ]

    await upload_card("draft-v2.pdf")
    inbox = await m.inbox()
    for user in (HUKUM, HSDM):
        await give_card_step(bot, user, notice_in(inbox[user.id]))
    inbox = await m.inbox()
    assert texts_of(inbox[SATGAS.id])[-1] == (
        "Kepala Bagian Hukum dan SDM (Hadi HSDM) telah memaraf kartu kendali provinsi bulan "
        "Oktober 2026 versi 2; paraf lengkap. Menunggu tanda tangan Sekretaris, Divisi Hukum dan "
        "Pengawasan, serta Ketua."
    )
    assert {SEKRETARIS.id, DIVISI.id, KETUA.id} <= set(inbox)
    sign = {u: notice_in(inbox[u.id]) for u in (SEKRETARIS, DIVISI, KETUA)}
    assert sign[KETUA].buttons[0] == ("✍️ Tandatangani", "kc:ok:2026-10:2")
    assert "  ✅ Subbagian Hukum: Hana Hukum, " in sign[KETUA].text  # who has initialled
    await give_card_step(bot, SEKRETARIS, sign[SEKRETARIS])
    inbox = await m.inbox()
    # the signers still awaited see who has signed
    for user in (DIVISI, KETUA):
        assert texts_of(inbox[user.id])[0].startswith(
            "Sekretaris (Sekar Sekretaris) telah menandatangani kartu kendali provinsi bulan "
            "Oktober 2026 versi 2; menunggu tanda tangan Divisi Hukum dan Pengawasan serta Ketua."
        )
    await give_card_step(bot, DIVISI, sign[DIVISI])
    await m.give_back(KETUA, sign[KETUA], "Lampiran bukti rapat pleno kurang")
    inbox = await m.inbox()
    assert "Lampiran bukti rapat pleno kurang" in texts_of(inbox[SATGAS.id])[-1]

    await upload_card("draft-v3.pdf")  # the chain starts again from the paraf
    for stage_users in ((HUKUM, HSDM), (SEKRETARIS, DIVISI, KETUA)):
        inbox = await m.inbox()
        requests = {u: notice_in(inbox[u.id]) for u in stage_users}
        for user in stage_users:
            await give_card_step(bot, user, requests[user])
    inbox = await m.inbox()
    assert texts_of(inbox[SATGAS.id])[-1] == (
        "Ketua (Ketua KPU) telah menandatangani kartu kendali provinsi bulan Oktober 2026 "
        "versi 3; paraf dan tanda tangan lengkap. Silakan unggah berkas kartu bertanda tangan "
        "melalui /kirim (Kartu kendali provinsi), lalu unggah ke e-SPIP."
    )

    # --- step 6: the signed card, e-SPIP (with a screenshot), kirim data; step 9: hand-over
    receipt = texts_of(await upload_card("kartu-provinsi-ttd.pdf"))[0]
    assert receipt.startswith(
        "Kartu kendali provinsi bulan Oktober 2026 bertanda tangan tersimpan sebagai versi 4"
    )
    await bot.press(SATGAS, "kr:e")
    calls = await bot.send_photo(SATGAS, b"\xff\xd8\xff screenshot e-spip")
    assert texts.CARD_STEP_DONE[CardStatus.ESPIP] in texts_of(calls)
    calls = await bot.press(SATGAS, "kr:k")
    assert "Tercatat: kirim data di e-SPIP sudah dilakukan." in texts_of(calls)
    _, confirm = await bot.press(SATGAS, "kr:h")
    assert confirm.text == texts.CONFIRM_HANDOVER
    calls = await bot.press(SATGAS, "kr:hy")
    assert texts_of(calls)[0].startswith(
        "Data SPIP bulan Oktober 2026 telah diserahkan kepada Inspektorat KPU RI oleh Sari"
    )
    inbox = await m.inbox()
    told = {chat for chat, calls in inbox.items() if texts_of(calls)}
    assert {HSDM.id, SEKRETARIS.id, KETUA.id} == told  # the satgas had the reply
    # every unit's messages that held buttons for October say it is closed, and lose them
    for user in (KERINCI, MERANGIN, KUL, SATGAS):
        edits = [c for c in inbox[user.id] if c.method == "editMessageText"]
        assert edits and all(
            c.text.endswith("🔒 Periode Oktober 2026 telah diserahkan dan ditutup.")
            and c.buttons == []
            for c in edits
        )
    assert svc.submission.open_periods() == []
    assert texts_of(await bot.send(KERINCI, "/kirim")) == [texts.NO_OPEN_PERIOD]
    assert texts_of(await bot.send(OUTSIDER, "/antrian")) == [texts.NOT_REGISTERED]

    old = sign[SEKRETARIS]  # a signature button of an earlier draft, after the hand-over
    assert texts_of(await bot.press(SEKRETARIS, old.buttons[0][1], on=old)) == [
        texts.CARD_ERRORS["period_closed"]
    ]
    assert texts_of(await bot.press(KERINCI, "kc:ok:2026-10:4")) == [
        texts.CARD_ERRORS["not_your_role"]
    ]

    # every message the satgas received in the month, as it stands now: no button left on it
    # is a dead one (a decided item, a returned or replaced card version, the closed period)
    dead = {
        texts.REVIEW_ERRORS["already_decided"],
        *texts.CARD_ERRORS.values(),
        texts.STEP_NOT_AVAILABLE,
        texts.CHOICE_EXPIRED,
        texts.BUTTON_INVALID,
        texts.DESK_GONE,
    }
    received = as_they_stand(bot.request.history, SATGAS.id)
    pressed: list[tuple[str, str, str]] = []
    for message in received:
        for _, data in message.buttons:
            for answer in texts_of(await bot.press(SATGAS, data, on=message)):
                pressed.append((message.text[:50], data, answer[:80]))
    print(f"\nthe satgas received {len(received)} messages; {len(pressed)} buttons left:")
    print("\n".join(" | ".join(p) for p in pressed))
    assert [p for p in pressed if any(p[2].startswith(d[:60]) for d in dead)] == []
    # what is left are the receipts' "Daftar butir": /kirim itself, which says what is open
    assert {data for _, data, _ in pressed} <= {"mn:kirim"}

    # the record keeps every paraf and signature after the signed card and the hand-over: the
    # final workbook, and the copy inside the e-SPIP package, list the whole chain (issue 17)
    book = load_workbook(io.BytesIO(svc.recap.workbook(P)))
    with tempfile.TemporaryDirectory() as folder:
        package = svc.recap.package(P, Path(folder) / "paket.zip")
        with zipfile.ZipFile(package.path) as archive:
            [name] = [n for n in archive.namelist() if n.endswith(".xlsx")]
            packed = load_workbook(io.BytesIO(archive.read(name)))
    for workbook in (book, packed):
        rows = list(workbook["Kartu Kendali"].iter_rows(min_row=6, max_col=7, values_only=True))
        rows = rows[: [r[1] for r in rows].index(None)]  # to the blank row after the table
        record = [(r[0], r[1], r[2], r[3], r[6]) for r in rows]
        assert record == [
            (1, "draf kartu diunggah", None, "Sari Satgas", None),
            (1, "paraf", "Subbagian Hukum", "Hana Hukum", None),
            (
                1,
                "dikembalikan pada tahap paraf",
                "Kepala Bagian Hukum dan SDM",
                "Hadi HSDM",
                "Angka rekap KUL keliru",
            ),
            (2, "draf kartu diunggah", None, "Sari Satgas", None),
            (2, "paraf", "Subbagian Hukum", "Hana Hukum", None),
            (2, "paraf", "Kepala Bagian Hukum dan SDM", "Hadi HSDM", None),
            (2, "tanda tangan", "Sekretaris", "Sekar Sekretaris", None),
            (2, "tanda tangan", "Divisi Hukum dan Pengawasan", "Dodi Divisi", None),
            (
                2,
                "dikembalikan pada tahap tanda tangan",
                "Ketua",
                "Ketua KPU",
                "Lampiran bukti rapat pleno kurang",
            ),
            (3, "draf kartu diunggah", None, "Sari Satgas", None),
            (3, "paraf", "Subbagian Hukum", "Hana Hukum", None),
            (3, "paraf", "Kepala Bagian Hukum dan SDM", "Hadi HSDM", None),
            (3, "tanda tangan", "Sekretaris", "Sekar Sekretaris", None),
            (3, "tanda tangan", "Divisi Hukum dan Pengawasan", "Dodi Divisi", None),
            (3, "tanda tangan", "Ketua", "Ketua KPU", None),
            (4, "kartu bertanda tangan diunggah", None, "Sari Satgas", None),
            (4, "kartu diunggah ke e-SPIP", None, "Sari Satgas", None),
            (4, "kirim data di e-SPIP", None, "Sari Satgas", None),
            (4, "periode diserahkan ke Inspektorat", None, "Sari Satgas", None),
        ]

    history = svc.history.lines(P)
    kinds = [line.split(" | ")[1] for line in history]
    assert kinds.count("kartu_draft_diunggah") == 3
    assert kinds.count("kartu_dikembalikan") == 2
    assert kinds.count("kartu_tahap_selesai") == 3  # v2: paraf; v3: paraf and signatures
    assert kinds[-1] == "periode_diserahkan"
    [own] = [line for line in history if "| Hadi HSDM | 15 | RPL-01 |" in line]
    assert "item_disetujui" in own and "pemeriksa kedua (pengirim adalah satu-satunya" in own
    print("\n".join(history))  # the audit log as `spip-bot audit` prints it (pytest -s)


async def test_antrian_and_approve_all_of_a_unit(bot: TelegramHarness, small_core: Core) -> None:
    m = Month(bot)
    small_core.services.submission.open_period(P)
    await m.deliver(KERINCI, "KEU-01", "a.pdf")
    await m.deliver(KERINCI, "RPL-01", "b.pdf")
    await m.deliver(KUL, "KEU-01", "c.pdf")
    await m.inbox()
    calls = await bot.send(SATGAS, "/antrian")
    [queue] = texts_of(calls)  # one message for every unit
    assert queue.startswith("Menunggu pemeriksaan: 3 kiriman dari 2 unit")
    assert (
        "  • KPU Kabupaten Kerinci: 2 kiriman\n  • Bagian Keuangan, Umum dan Logistik: 1" in queue
    )
    assert calls[-1].buttons == [
        ("🔎 Periksa (3)", "rp:go"),
        ("✅ Setujui semua KPU Kabupaten Kerinci (2)", "aq:all:1501"),
    ]
    _, confirm = await bot.press(SATGAS, "aq:all:1501")
    assert confirm.text.startswith("Setujui semua 2 butir KPU Kabupaten Kerinci berikut?")
    assert "Perhatian: 2 dari 2 kiriman ini belum Anda buka berkasnya." in confirm.text
    _, done = await bot.press(SATGAS, "aq:yes")
    assert done.text == "2 butir telah disetujui."
    inbox = await m.inbox()
    [told] = texts_of(inbox[KERINCI.id])  # approve-all: one notice, not one per item
    assert "(2 butir)" in told and "Silakan kirim kartu kendali bertanda tangan" in told
    assert texts_of(await bot.send(SATGAS, "/antrian"))[0].startswith(
        "Menunggu pemeriksaan: 1 kiriman dari 1 unit"
    )
    with small_core.uow() as uow:
        approvals = [e for e in uow.audit.for_period(P.code) if e.kind.value == "item_disetujui"]
    assert [dict(e.detail) for e in approvals] == [
        {"pemeriksaan": "berkas tidak dibuka", "cara": "setujui semua"}
    ] * 2
    assert texts_of(await bot.send(KERINCI, "/antrian")) == [texts.QUEUE_EMPTY]


async def test_a_delegate_initials_for_the_covered_person(
    bot: TelegramHarness, small_core: Core
) -> None:
    m = Month(bot)
    svc = small_core.services
    join(small_core, User(11, "Admin", "Provinsi"), "15", "admin")
    svc.submission.open_period(P)
    people = {p.name: p for p in svc.registration.people()}
    hsdm, dewi = people["Hadi HSDM"], people["Dewi KUL"]
    admin = User(11, "Admin")
    # separation of duties: the Sekretaris, who signs, cannot also initial as Kabag HSDM
    [refused] = texts_of(await bot.send(admin, "/wakil Sekar kabag Hadi 02-11-2026 06-11-2026"))
    assert refused.startswith(
        "Mohon maaf, Sekar Sekretaris tidak dapat mewakili sebagai Kepala Bagian Hukum dan SDM: "
        "ia sudah memegang atau mewakili peran Sekretaris"
    )
    # by buttons, in one message: who is away, who covers, which days, then "Ya"
    [who] = [c for c in await bot.send(admin, "/wakil") if c.method == "sendMessage"]
    assert who.text.startswith("Penunjukan wakil (cuti atau berhalangan). Siapa yang berhalangan?")
    assert ("Hadi HSDM (Kepala Bagian Hukum dan SDM)", f"wk:c:{hsdm.id}") in who.buttons
    taps = 0

    async def tap(data: str, on: Call) -> Call:
        nonlocal taps
        taps += 1
        calls = await bot.press(admin, data, on=on)
        [shown] = [c for c in calls if c.method != "answerCallbackQuery"]
        assert shown.method == "editMessageText"  # the same message, step by step
        return shown

    covers = await tap(f"wk:c:{hsdm.id}", who)  # one role only: not asked which
    assert covers.text == "Siapa yang mewakili Hadi HSDM sebagai Kepala Bagian Hukum dan SDM?"
    offered = [label for label, _ in covers.buttons]
    assert not [x for x in offered if x.startswith(("Sekar", "Hana", "Dodi", "Ketua"))]
    choice = (f"{dewi.name} ({dewi.unit.name})", f"wk:d:{hsdm.id}:kabag_hsdm:{dewi.id}")
    assert choice in covers.buttons
    when = await tap(choice[1], covers)
    assert when.text.startswith(
        "Dewi KUL mewakili Hadi HSDM sebagai Kepala Bagian Hukum dan SDM. Untuk tanggal berapa?"
    )
    labels = [label for label, _ in when.buttons]
    assert labels[:2] == [
        "Hari ini (2 November 2026)",
        "Hari ini s.d. Jumat (2 Nov s.d. 6 November 2026)",
    ]
    confirm = await tap(when.buttons[1][1], when)
    assert confirm.text.startswith(
        "Tunjuk Dewi KUL mewakili Hadi HSDM sebagai Kepala Bagian Hukum dan SDM dari "
        "Senin, 2 November 2026 sampai Jumat, 6 November 2026?"
    )
    done = await tap(confirm.buttons[0][1], confirm)
    assert done.text.startswith("Tercatat: Dewi KUL mewakili Hadi HSDM sebagai Kepala Bagian")
    assert taps == 4
    # typed with names and dd-mm-yyyy dates; what does not read is said in one sentence
    [bad] = texts_of(await bot.send(admin, "/wakil Dewi ketua Hadi 02-11-2026 05-11-2026"))
    assert "tidak memegang peran Ketua" in bad
    [twice] = texts_of(await bot.send(admin, "/wakil Dewi kabag Hadi 03-11-2026 04-11-2026"))
    assert "Dewi KUL sudah tercatat mewakili Hadi HSDM sebagai Kepala Bagian" in twice
    [not_ours] = texts_of(await bot.send(admin, "/wakil Budi kabag Hadi 09-11-2026 10-11-2026"))
    assert "Budi Kerinci bukan pegawai Sekretariat KPU Provinsi" in not_ours
    [admin_role] = texts_of(await bot.send(admin, "/wakil Dewi admin Admin 09-11-2026 10-11-2026"))
    assert "peran Administrator tidak dapat diwakilkan" in admin_role
    [unclear] = texts_of(await bot.send(admin, "/wakil Dewi kabag Hadi 2-11-2026 besok"))
    assert unclear.startswith(
        "Tanggal \u201cbesok\u201d tidak dikenali; tuliskan seperti 12-11-2026."
    )
    inbox = await m.inbox()
    assert any("Anda ditunjuk mewakili Hadi HSDM" in t for t in texts_of(inbox[KUL.id]))
    [told] = texts_of(inbox[HSDM.id])  # the person on leave is told who acts
    assert told.startswith("Yth. Bapak/Ibu Hadi HSDM, Dewi KUL mewakili Anda sebagai")
    assert "Anda tidak dimintai lagi" in told

    await bot.send(SATGAS, "/kirim")
    await bot.press(SATGAS, f"kr:i:{PROVINCIAL_CARD_ITEM}")
    await bot.press(SATGAS, "kr:f")
    await bot.send_document(SATGAS, "draft.pdf", real_pdf(note="draft"))
    await bot.press(SATGAS, "kr:d")
    await bot.press(SATGAS, "kr:c")
    inbox = await m.inbox()
    assert HSDM.id not in inbox  # on leave: not asked while covered
    notice = notice_in(inbox[KUL.id])  # the delegate is, on his behalf
    assert notice.text.startswith(
        "Yth. Bapak/Ibu Dewi KUL,\nselaku wakil Kepala Bagian Hukum dan SDM (Hadi HSDM), mohon"
    )
    await give_card_step(bot, KUL, notice)
    await bot.press(HUKUM, "kc:ya:2026-10:1")  # the confirmation's button
    line = next(x for x in svc.history.lines(P) if "kabag_hsdm" in x)
    assert "Dewi KUL (atas nama Hadi HSDM)" in line
    assert "kartu_tahap_selesai" in svc.history.lines(P)[-1]
    calls = await bot.send(SEKRETARIS, "/antrian")  # now the signature waits for her own role
    assert texts_of(calls) == [
        "Kartu kendali provinsi bulan Oktober 2026 (versi 1) menunggu tanda tangan Anda."
    ]


def test_both_paraf_at_the_same_moment_are_both_kept(small_core: Core) -> None:
    """Two officials of one stage deciding at once: neither decision is lost or doubled."""
    import threading

    from chatbot.domain.workflow import CardStatus as Status

    svc = small_core.services
    people = {p.name: p for p in svc.registration.people()}
    svc.submission.open_period(P)
    svc.card.upload(people["Sari Satgas"], P, 0, [])
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def paraf(name: str) -> None:
        barrier.wait()
        try:
            svc.card.decide(people[name], P, 1, approve=True)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=paraf, args=(n,)) for n in ("Hana Hukum", "Hadi HSDM")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    state = svc.card.view(P).state
    assert (state.status, state.stage, state.approvals) == (Status.PROSES, 1, frozenset())
    kinds = [line.split(" | ")[1] for line in svc.history.lines(P)]
    assert kinds.count("kartu_disetujui_pejabat") == 2 and kinds.count("kartu_tahap_selesai") == 1


async def test_card_steps_refused_while_their_precondition_is_missing(
    bot: TelegramHarness, small_core: Core
) -> None:
    svc = small_core.services
    people = {p.name: p for p in svc.registration.people()}
    svc.submission.open_period(P)
    await bot.send(SATGAS, "/kirim")
    _, detail = await bot.press(SATGAS, f"kr:i:{PROVINCIAL_CARD_ITEM}")
    assert "Perhatian: data dukung unit berikut belum lengkap. Draf tetap dapat diunggah." in (
        detail.text
    )
    assert [d for _, d in detail.buttons] == ["kr:f", "kr:b"]
    assert texts_of(await bot.press(SATGAS, "kr:k")) == [  # a forged "kirim data"
        texts.CARD_ERRORS["precondition_missing"]
    ]
    svc.card.upload(people["Sari Satgas"], P, 0, [])
    for stage in svc.card.chain:
        for role in stage.roles:
            holder = next(p for p in people.values() if role in p.roles)
            svc.card.decide(holder, P, 1, approve=True)
    svc.card.upload(people["Sari Satgas"], P, 1, [])
    await bot.send(SATGAS, "/kirim")
    _, detail = await bot.press(SATGAS, f"kr:i:{PROVINCIAL_CARD_ITEM}")
    assert ("🌐 Catat: sudah diunggah ke e-SPIP", "kr:e") in detail.buttons
    assert texts_of(await bot.press(SATGAS, "kr:h")) == [texts.CARD_ERRORS["precondition_missing"]]
    await bot.press(SATGAS, "kr:e")
    await bot.press(SATGAS, "kr:s")
    await bot.press(SATGAS, "kr:k")
    _, blocked = await bot.press(SATGAS, "kr:h")
    assert blocked.text.startswith("Penyerahan kepada Inspektorat KPU RI belum dapat dicatat")
    assert "KPU Kabupaten Kerinci: 0%, kartu kendali bertanda tangan belum disetujui" in (
        blocked.text
    )
    assert svc.submission.open_periods() == [P]
