"""What a person sees, written once and played on Telegram and on WhatsApp (SQLite, and
PostgreSQL when configured): deliver with a file, "tidak ada kegiatan", withdraw, a return
with a reason and the resubmission, the status, and a refusal. A difference between the
channels here is a gap in parity."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from chatbot import callbacks, texts
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.roles import Role
from tests.contract.conftest import OCTOBER
from tests.contract.drivers import Driver, Seen, Who, command
from tests.support.pdf import real_pdf

NOVEMBER = Period(2026, 11)
PDF = real_pdf(2, "laporan realisasi anggaran oktober")


def last(seen: list[Seen]) -> Seen:
    assert seen, "the bot said nothing"
    return seen[-1]


async def at_desk(driver: Driver, who: Who, message: Seen) -> Seen:
    """A notice's or the queue's "Periksa" pressed: the desk's message with its buttons."""
    opener = next(d for _, d in message.actions if d.startswith(("rp:op:", "rp:go")))
    return desk_in(await driver.press(who, opener))


def desk_in(seen: list[Seen]) -> Seen:
    return next(s for s in reversed(seen) if any(d.startswith("rp:ok:") for _, d in s.actions))


async def notice_about(driver: Driver, satgas: Who, code: str) -> Seen:
    told = (await driver.notices())[satgas.address]
    return next(s for s in told if s.actions and code in s.text)


async def regency(driver: Driver) -> Who:
    who = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()  # the kick-off
    return who


async def open_item(driver: Driver, who: Who, code: str) -> Seen:
    checklist = last(await driver.say(who, command(driver, "kirim")))
    assert "Kelengkapan: 0%" in checklist.text
    return last(await driver.press(who, checklist.item(code)))


async def deliver_file(driver: Driver, who: Who, code: str, name: str) -> Seen:
    item = await open_item(driver, who, code)
    ask = last(await driver.press(who, item.action(callbacks.KIRIM_FILES)))
    received = last(await driver.send_file(who, name, PDF, "application/pdf"))
    assert f"Berkas diterima: {name}" in received.text
    summary = received  # the file's answer holds the button to send (issue 15)
    assert ask.action(callbacks.KIRIM_CONFIRM) and "versi 1" in summary.text
    receipts = await driver.press(who, summary.action(callbacks.KIRIM_CONFIRM))
    return next(s for s in receipts if s.text.startswith("Terima kasih"))


async def test_deliver_one_item_with_a_file(driver: Driver, core: Core) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    receipt = await deliver_file(driver, budi, "KEU-01", "LRA Oktober.pdf")
    assert "KEU-01" in receipt.text and "versi 1 (1 berkas)" in receipt.text
    checklist = last(await driver.say(budi, command(driver, "kirim")))
    assert "Kelengkapan: 0%" in checklist.text  # approved items only, and it says what waits:
    assert "menunggu pemeriksaan Satgas SPIP KPU Provinsi: 1 butir" in checklist.text

    told = (await driver.notices())[satgas.address]
    assert len(told) == 1 and not told[0].document  # one message per delivery, no files
    [notice] = told
    assert [label for label, _ in notice.actions] == ["🔎 Periksa"]
    seen = await driver.press(satgas, notice.action("rp:op:"))
    [picture] = [s for s in seen if s.document == "gambar"]  # the first page, as a picture
    assert "KEU-01 · KPU Kabupaten Kerinci · versi 1" in picture.text
    assert "LRA Oktober.pdf, halaman 1 dari 2" in picture.text
    desk = desk_in(seen)
    assert desk.text.startswith("🔎 Pemeriksaan 1 dari 1")
    assert "LRA Oktober.pdf (PDF 2 halaman" in desk.text and "Budi Kerinci" in desk.text
    decided = await driver.press(satgas, desk.action("rp:ok:"))
    assert any("Disetujui oleh Sari Satgas" in s.text for s in decided)
    assert texts.DESK_EMPTY in last(decided).text


async def test_no_activity_with_a_note(driver: Driver) -> None:
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-02")
    ask = last(await driver.press(budi, item.action(callbacks.KIRIM_NIHIL)))
    assert ask.text == texts.ASK_NOTE
    summary = last(await driver.say(budi, "Tidak ada hibah pada bulan Oktober"))
    assert "Nihil. Keterangan: Tidak ada hibah pada bulan Oktober" in summary.text
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any("versi 1 (pernyataan Nihil)" in s.text for s in receipts)
    closed = last(await driver.say(budi, command(driver, "batal")))
    assert "1 kiriman yang sudah Anda konfirmasi dalam sesi ini tetap tersimpan" in closed.text


async def test_withdraw_a_delivery(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await driver.say(budi, command(driver, "batal"))
    item = await open_item_again(driver, budi, "KEU-01")
    assert "dikirim, menunggu pemeriksaan" in item.text
    seen = await driver.press(budi, item.withdrawal("KEU-01"))
    assert any("Kiriman versi 1 untuk butir KEU-01 telah ditarik" in s.text for s in seen)
    after = last(seen)
    assert "Status: ⬜ kosong" in after.text
    assert not [d for _, d in after.actions if d.startswith(callbacks.KIRIM_WITHDRAW)]


async def test_withdrawn_in_the_session_is_not_said_to_be_kept(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    checklist = last(await driver.press(budi, callbacks.KIRIM_BACK))
    item = last(await driver.press(budi, checklist.item("KEU-01")))
    await driver.press(budi, item.withdrawal("KEU-01"))
    closed = last(await driver.say(budi, command(driver, "batal")))
    assert "tetap tersimpan" not in closed.text
    assert "Tidak ada perubahan pada data Anda." in closed.text


async def open_item_again(driver: Driver, who: Who, code: str) -> Seen:
    checklist = last(await driver.say(who, command(driver, "kirim")))
    return last(await driver.press(who, checklist.item(code)))


async def test_return_with_a_reason_and_resubmit(driver: Driver) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    desk = await at_desk(driver, satgas, await notice_about(driver, satgas, "KEU-01"))
    ask = last(await driver.press(satgas, desk.action("rp:no:")))
    assert "alasan" in ask.text.lower()
    question = last(await driver.say(satgas, "Tanda tangan kepala belum ada"))
    assert "Tanda tangan kepala belum ada" in question.text
    decided = await driver.press(satgas, question.action("rt:y"))
    assert any("Dikembalikan oleh Sari" in s.text for s in decided)

    told = (await driver.notices())[budi.address]
    assert any("dikembalikan" in s.text and "Tanda tangan kepala belum ada" in s.text for s in told)
    item = await open_item_again(driver, budi, "KEU-01")
    assert "Alasan pengembalian: Tanda tangan kepala belum ada" in item.text
    ask = last(await driver.press(budi, item.action(callbacks.KIRIM_FILES)))
    received = last(await driver.send_file(budi, "LRA ttd.pdf", PDF + b"ttd", "application/pdf"))
    summary = received  # the file's answer holds the button to send (issue 15)
    assert ask.text and "versi 2" in summary.text
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any("sebagai versi 2 (1 berkas)" in s.text for s in receipts)


async def test_status_of_the_unit(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await driver.say(budi, command(driver, "batal"))
    status = await driver.say(budi, command(driver, "status"))
    text = "\n".join(s.text for s in status)
    assert "KPU Kabupaten Kerinci" in text and "KEU-01" in text


async def test_a_regency_cannot_approve(driver: Driver) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    notice = await notice_about(driver, satgas, "KEU-01")
    refused = await driver.press(budi, notice.action("rp:op:"))  # the satgas' notice's button
    assert any(texts.REVIEW_ERRORS["not_your_role"] in s.text for s in refused)
    with driver.core.uow() as uow:
        state_id = uow.items.get(OCTOBER, "1501", "KEU-01").id
    assert state_id is not None
    for data in (
        callbacks.review(True, state_id, 1, desk=True),
        callbacks.review(True, state_id, 1),
    ):
        refused = await driver.press(budi, data)
        assert any(texts.REVIEW_ERRORS["not_your_role"] in s.text for s in refused)
    item = await open_item_again(driver, budi, "KEU-01")
    assert "dikirim, menunggu pemeriksaan" in item.text  # nothing was approved


async def test_idle_session_ends_saying_what_was_kept(driver: Driver) -> None:
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    item = await open_item_again(driver, budi, "KEU-02")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    await driver.send_file(budi, "hibah.pdf", PDF + b"hibah", "application/pdf")
    ended = last(await driver.idle(budi))
    assert ended.text.startswith("Sesi pengiriman berakhir karena tidak ada tanggapan.")
    assert "tetap tersimpan sebagai draf (butir KEU-02: 1 berkas)" in ended.text
    assert "Tidak ada yang disimpan" not in ended.text


async def test_another_open_period(driver: Driver) -> None:
    budi = await regency(driver)
    driver.core.services.submission.open_period(NOVEMBER)
    await driver.notices()
    checklist = last(await driver.say(budi, command(driver, "kirim")))
    # the month whose work is due soonest stays on screen; the new one is a button away
    assert checklist.text.splitlines()[0] == "Data dukung KPU Kabupaten Kerinci bulan Oktober 2026"
    november = last(await driver.press(budi, checklist.action(callbacks.kirim_period(NOVEMBER))))
    assert "bulan November 2026" in november.text.splitlines()[0]
    october = last(await driver.press(budi, november.action(callbacks.kirim_period(OCTOBER))))
    assert "bulan Oktober 2026" in october.text.splitlines()[0]
    item = last(await driver.press(budi, october.item("KEU-01")))
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    received = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    summary = received  # the file's answer holds the button to send (issue 15)
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any(s.text.startswith("Terima kasih. Kiriman untuk butir KEU-01") for s in receipts)
    with driver.core.uow() as uow:  # recorded for October, not November
        assert uow.items.for_unit(OCTOBER, "1501")["KEU-01"].version == 1
        assert "KEU-01" not in uow.items.for_unit(NOVEMBER, "1501")


# ------------------------------------------------------------------ the satgas and the admin


async def deliver_two(driver: Driver) -> tuple[Who, Who]:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await driver.say(budi, command(driver, "batal"))
    await deliver_file(driver, budi, "KEU-02", "Hibah.pdf")
    await driver.notices()
    return satgas, budi


async def test_approve_all_of_a_unit(driver: Driver) -> None:
    satgas, budi = await deliver_two(driver)
    queue = await driver.say(satgas, command(driver, "antrian"))
    unit = next(s for s in queue if "KPU Kabupaten Kerinci" in s.text)
    confirm = last(await driver.press(satgas, unit.action(callbacks.approve_all("1501"))))
    assert "Setujui semua 2 butir KPU Kabupaten Kerinci" in confirm.text
    done = last(await driver.press(satgas, confirm.action(callbacks.APPROVE_ALL_YES)))
    assert done.text == "2 butir telah disetujui."
    assert last(await driver.say(satgas, command(driver, "antrian"))).text == texts.QUEUE_EMPTY
    [told] = (await driver.notices())[budi.address]  # one notice, not one per item
    assert "(2 butir)" in told.text and "✅ KEU-01" in told.text and "✅ KEU-02" in told.text


async def test_recap_package_and_picture(driver: Driver) -> None:
    satgas, _ = await deliver_two(driver)
    recap = await driver.say(satgas, command(driver, "rekap"))
    assert [s.document for s in recap if s.document] == ["Rekap-Kartu-Kendali-SPIP-2026-10.xlsx"]
    package = await driver.say(satgas, command(driver, "paket"))
    assert [s.document for s in package if s.document] == ["Paket-eSPIP-2026-10.zip"]
    seen = await driver.say(satgas, command(driver, "status"))
    assert "KPU Kabupaten Kerinci" in "\n".join(s.text for s in seen)
    status = last(seen)
    picture = await driver.press(satgas, status.action(callbacks.status_picture(OCTOBER)))
    assert [s.document for s in picture] == ["gambar"]
    unit = last(await driver.press(satgas, status.action(callbacks.status_unit("1501", OCTOBER))))
    assert unit.text.startswith("KPU Kabupaten Kerinci — Oktober 2026")


async def test_heavy_work_runs_in_the_workers_not_on_the_event_loop(
    driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: the workbook, the package, the status picture, a PDF's reading at arrival
    and its first page at the desk are made in worker threads while the chat goes on; the
    person is told the file is being prepared."""
    loop_thread = threading.current_thread()
    where: dict[str, threading.Thread] = {}
    svc = driver.core.services

    def spy(owner: object, name: str) -> None:
        real = getattr(owner, name)

        def watched(*args: object, **kwargs: object) -> object:
            where[name] = threading.current_thread()
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, watched)

    for owner, name in (
        (svc.recap, "workbook"),
        (svc.recap, "package"),
        (svc.recap, "picture"),
        (svc.submission.inspector, "read"),
        (svc.previews, "make"),
    ):
        spy(owner, name)
    satgas, _ = await deliver_two(driver)
    queue = await driver.say(satgas, command(driver, "antrian"))
    opener = next(s for s in queue if any(d.startswith("rp:go") for _, d in s.actions))
    await at_desk(driver, satgas, opener)
    recap = await driver.say(satgas, command(driver, "rekap"))
    assert recap[0].text == texts.PREPARING_RECAP.format(period="Oktober 2026")
    assert [s.document for s in recap if s.document] == ["Rekap-Kartu-Kendali-SPIP-2026-10.xlsx"]
    package = await driver.say(satgas, command(driver, "paket"))
    assert [s.document for s in package if s.document] == ["Paket-eSPIP-2026-10.zip"]
    status = last(await driver.say(satgas, command(driver, "status")))
    picture = await driver.press(satgas, status.action(callbacks.status_picture(OCTOBER)))
    assert [s.document for s in picture] == ["gambar"]
    assert set(where) == {"workbook", "package", "picture", "read", "make"}
    assert all(thread is not loop_thread for thread in where.values()), where


async def test_admin_opens_a_period_invites_and_sees_the_plan(driver: Driver) -> None:
    admin = await driver.join("15", "admin", "Admin Provinsi")
    overview = last(await driver.say(admin, command(driver, "periode")))
    assert "Periode pelaporan yang terbuka" in overview.text
    opened = last(await driver.press(admin, overview.action(callbacks.OPEN_PERIOD + ":")))
    assert "telah dibuka" in opened.text
    plan = last(await driver.say(admin, command(driver, "jadwal")))
    assert plan.text.startswith("Jadwal pengingat untuk laporan bulan")
    units = last(await driver.say(admin, command(driver, "undang")))
    roles = last(await driver.press(admin, units.action(callbacks.invite_unit("1501"))))
    assert "KPU Kabupaten Kerinci" in roles.text
    created = last(
        await driver.press(admin, roles.action(callbacks.invite_role("1501", "satgas_kabkota")))
    )
    assert created.text.startswith("Kode undangan berhasil dibuat.")
    typed = last(await driver.say(admin, f"{command(driver, 'undang')} KUL bagian Dewi Lestari"))
    assert "Nama: Dewi Lestari" in typed.text
    # on WhatsApp the invite also says how to join there
    assert ("kirim kode" in typed.text) is (driver.channel == "whatsapp")
    usage = last(await driver.say(admin, command(driver, "wakil")))
    assert "wakil" in usage.text.lower()


async def test_a_month_out_of_its_time_is_confirmed_before_it_opens(driver: Driver) -> None:
    """Issue 17, 3: a month before its report month, or past its hand-over date, is opened
    only after a confirmation naming it and its deadlines; "Batal" opens nothing; the
    overview offers no month already past (2 November: October, due now, is one tap)."""
    admin = await driver.join("15", "admin", "Admin Provinsi")
    budi = await regency(driver)
    early = last(await driver.say(admin, f"{command(driver, 'periode')} 2026-12"))
    assert early.text.startswith(
        "Periode Desember 2026 belum waktunya dibuka: pelaporannya dimulai Jumat, "
        "1 Januari 2027 dan periode ini dibuka otomatis pada 4 Januari 2027 pukul 07.55 WIB."
    )  # 1 January is a holiday, the weekend follows: the scheduler opens it on Monday the 4th
    assert "pengiriman data dukung 1 Januari 2027 s.d. 10 Januari 2027" in early.text
    assert [d for _, d in early.actions] == ["pr:y:2026-12", "pr:n:2026-12"]
    kept = last(await driver.press(admin, "pr:n:2026-12"))
    assert kept.text == texts.period_not_opened(Period(2026, 12))
    refused = last(await driver.press(budi, "pr:y:2026-12"))  # not a regency's button
    assert refused.text == texts.NOT_ALLOWED
    assert Period(2026, 12) not in driver.core.services.submission.open_periods()

    late = last(await driver.say(admin, f"{command(driver, 'periode')} 2026-08"))
    assert late.text.startswith(
        "Batas penyerahan periode Agustus 2026 (Minggu, 20 September 2026) telah lewat; data "
        "yang dikirim sekarang tercatat terlambat."
    )
    assert (  # older than October, being worked on: it will come first, and says so
        "Periode Agustus 2026 akan ditampilkan lebih dahulu kepada unit yang masih memiliki data "
        "dukung yang belum dikirim untuk bulan itu."
    ) in late.text
    opened = last(await driver.press(admin, late.action("pr:y:")))
    assert opened.text.startswith("Periode Agustus 2026 telah dibuka.")
    overview = last(await driver.say(admin, command(driver, "periode")))
    assert "  • Agustus 2026: ⚠️ batas penyerahan 20 September 2026 telah lewat" in overview.text
    assert "Periode September 2026" not in overview.text  # past, and not open: not offered
    assert "  • Oktober 2026: tahap pengiriman data dukung; batas penyerahan 20 November 2026" in (
        overview.text
    )
    assert "Periode November 2026 dibuka otomatis pada 1 Desember 2026 pukul 07.55 WIB." in (
        overview.text
    )
    assert overview.actions == ()  # nothing due to open now: no button


async def test_the_menu_offers_the_persons_commands(driver: Driver) -> None:
    budi = await regency(driver)
    menu = last(await driver.say(budi, command(driver, "bantuan")))
    data = [d for _, d in menu.actions]
    assert callbacks.menu("kirim") in data and callbacks.menu("status") in data
    assert callbacks.menu("undang") not in data  # not a regency's
    checklist = last(await driver.press(budi, callbacks.menu("kirim")))
    assert "Data dukung KPU Kabupaten Kerinci" in checklist.text


async def test_the_card_chain_to_the_handover_refusal(driver: Driver) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    signers = {
        role: await driver.join("15", role, name)
        for role, name in [
            ("subbag_hukum", "Hana Hukum"),
            ("kabag_hsdm", "Hendra HSDM"),
            ("sekretaris", "Sekar Sekretaris"),
            ("divisi_hukum", "Dodi Divisi"),
            ("ketua", "Ketut Ketua"),
        ]
    }
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()

    async def upload(name: str) -> list[Seen]:
        card = await open_item(driver, satgas, "KARTU_PROV")
        await driver.press(satgas, card.action(callbacks.KIRIM_FILES))
        received = last(
            await driver.send_file(satgas, name, PDF + name.encode(), "application/pdf")
        )
        summary = received  # the file's answer holds the button to send (issue 15)
        if name == "draft.pdf":  # drafted short: the answer holding "Kirim" names the units
            assert "Butir: Kartu kendali provinsi, bulan Oktober 2026." in summary.text
            assert "Perhatian: data dukung 15 unit belum lengkap (100%): " in summary.text
            assert (
                "Bila draf tetap dikirim, riwayat kartu mencatat bahwa draf disusun saat data "
                "dukung belum lengkap."
            ) in summary.text
        return await driver.press(satgas, summary.action(callbacks.KIRIM_CONFIRM))

    uploaded = await upload("draft.pdf")
    assert any(
        s.text.startswith(
            "Draf kartu kendali provinsi bulan Oktober 2026 tersimpan sebagai versi 1"
        )
        for s in uploaded
    )
    for wave in (("subbag_hukum", "kabag_hsdm"), ("sekretaris", "divisi_hukum", "ketua")):
        inbox = await driver.notices()
        for role in wave:
            who = signers[role]
            notice = next(s for s in inbox[who.address] if s.actions)
            question = last(await driver.press(who, notice.action("kc:ok:")))
            assert not any("oleh " + who.name in s.text for s in [question])  # not yet given
            # the units still short are named before the paraf or signature is given
            assert "Perhatian: data dukung 15 unit belum lengkap (100%): " in question.text
            assert "KPU Kabupaten Kerinci 0%" in question.text
            if role == "ketua":  # a mis-tap: "Batal" gives nothing, the request still works
                kept = last(await driver.press(who, question.action(callbacks.CARD_KEEP)))
                assert kept.text == texts.CARD_STEP_KEPT
                with driver.core.uow() as uow:
                    state = uow.items.get_card(OCTOBER, "15").state
                    assert Role.KETUA not in state.approvals
                question = last(await driver.press(who, notice.action("kc:ok:")))
            decided = await driver.press(who, question.action("kc:ya:"))
            assert any("oleh " + who.name in s.text for s in decided), decided
    await driver.notices()
    with driver.core.uow() as uow:  # the record says the chain ran on an incomplete recap
        given = [e for e in uow.audit.for_period(OCTOBER.code) if e.subject == "kartu_provinsi"]
    started = [
        e for e in given if e.kind.value in ("kartu_draft_diunggah", "kartu_disetujui_pejabat")
    ]
    assert len(started) == 6 and all(
        "KPU Kabupaten Kerinci 0%" in e.detail["data_belum_lengkap"] for e in started
    )
    final = await upload("ttd.pdf")
    assert any("bertanda tangan tersimpan sebagai versi 2" in s.text for s in final)
    card = last(final)
    espip = last(await driver.press(satgas, card.action(callbacks.KIRIM_ESPIP)))
    done = await driver.press(satgas, espip.action(callbacks.KIRIM_SKIP))
    assert any("diunggah ke e-SPIP" in s.text for s in done)
    sent = await driver.press(satgas, last(done).action(callbacks.KIRIM_DATA))
    refused = last(await driver.press(satgas, last(sent).action(callbacks.KIRIM_HANDOVER)))
    assert refused.text.startswith("Penyerahan kepada Inspektorat KPU RI belum dapat dicatat")
    assert "KPU Kabupaten Kerinci" in refused.text


async def checklist_of(driver: Driver, who: Who, period: Period) -> Seen:
    """The checklist of ``period``, switching to it when another one opens first."""
    checklist = last(await driver.say(who, command(driver, "kirim")))
    if f"bulan {texts.bulan(period)}" not in checklist.text.splitlines()[0]:
        checklist = last(await driver.press(who, checklist.action(callbacks.kirim_period(period))))
    return checklist


async def test_a_button_acts_on_the_month_it_was_drawn_for(driver: Driver) -> None:
    """An item's button names its period: pressed after switching to another month, it still
    acts on its own month (and the screens say which)."""
    budi = await regency(driver)
    driver.core.services.submission.open_period(NOVEMBER)
    await driver.notices()
    for period in (NOVEMBER, OCTOBER):
        checklist = await checklist_of(driver, budi, period)
        item = last(await driver.press(budi, checklist.item("KEU-01")))
        await driver.press(budi, item.action(callbacks.KIRIM_FILES))
        name, content = f"LRA {period.code}.pdf", PDF + period.code.encode()
        received = last(await driver.send_file(budi, name, content, "application/pdf"))
        summary = received  # the file's answer holds the button to send (issue 15)
        await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    october = await checklist_of(driver, budi, OCTOBER)
    item = last(await driver.press(budi, october.item("KEU-01")))
    assert "Periode: Oktober 2026" in item.text
    old_withdraw = item.withdrawal("KEU-01")
    await checklist_of(driver, budi, NOVEMBER)  # the person moves on to November
    seen = await driver.press(budi, old_withdraw)
    assert any("KEU-01 periode Oktober 2026 telah ditarik" in s.text for s in seen)
    with driver.core.uow() as uow:
        assert uow.items.for_unit(OCTOBER, "1501")["KEU-01"].status.value == "kosong"
        assert uow.items.for_unit(NOVEMBER, "1501")["KEU-01"].status.value == "dikirim"


async def test_a_stale_no_activity_button_on_the_card_does_nothing(driver: Driver) -> None:
    """ "Tidak ada kegiatan" never applies to the provincial card: a forged or stale press is
    refused, and no empty draft goes to the officials."""
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    card = await open_item(driver, satgas, "KARTU_PROV")
    assert card.text.startswith("Kartu kendali provinsi bulan Oktober 2026")
    refused = last(await driver.press(satgas, callbacks.KIRIM_NIHIL))
    assert refused.text.startswith("Tombol ini berasal dari pesan lama")  # STEP_NOT_AVAILABLE
    await driver.say(satgas, "Tidak ada kegiatan")
    await driver.press(satgas, callbacks.KIRIM_CONFIRM)
    assert driver.core.services.card.view(OCTOBER).state.version == 0


async def test_a_command_while_a_reason_is_awaited(driver: Driver) -> None:
    """A command typed while a return's reason is awaited runs the command (it does not become
    the reason); the reason typed after it still works."""
    satgas, _ = await deliver_two(driver)
    queue = last(await driver.say(satgas, command(driver, "antrian")))
    desk = await at_desk(driver, satgas, queue)
    ask = last(await driver.press(satgas, desk.action("rp:no:")))
    assert "alasan" in ask.text.lower()
    status = "\n".join(s.text for s in await driver.say(satgas, command(driver, "status")))
    assert "KPU Kabupaten Kerinci" in status and "Kembalikan" not in status
    question = last(await driver.say(satgas, "Lampiran belum ditandatangani"))
    assert "Lampiran belum ditandatangani" in question.text
    decided = await driver.press(satgas, question.action(callbacks.RETURN_YES))
    assert any("Dikembalikan oleh Sari" in s.text for s in decided)


async def test_a_return_left_half_way_expires(driver: Driver) -> None:
    """A return whose reason never came ends after the conversation's time-out: a message
    much later is not taken as the reason, and nothing is decided."""
    satgas, _ = await deliver_two(driver)
    queue = last(await driver.say(satgas, command(driver, "antrian")))
    desk = await at_desk(driver, satgas, queue)
    await driver.press(satgas, desk.action("rp:no:"))
    await driver.idle(satgas)
    later = await driver.say(satgas, "Terima kasih Bu Cici")
    assert not any(a for s in later for a in s.actions)  # no confirmation to tap
    with driver.core.uow() as uow:
        states = uow.items.for_unit(OCTOBER, "1501")
    assert {states["KEU-01"].status.value, states["KEU-02"].status.value} == {"dikirim"}


async def test_a_late_joiner_gets_the_kickoff_and_a_welcome_that_says_what_to_do(
    driver: Driver,
) -> None:
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    reg = driver.core.services.registration
    code = reg.create_invite("1502", "satgas_kabkota", "Mira Merangin").code
    who, welcome = await driver.join_with(code, "Mira Merangin")
    assert "selamat datang" in welcome.text
    assert "Periode yang sedang berjalan: Oktober 2026" in welcome.text
    assert "paling lambat Selasa, 10 November 2026" in welcome.text
    assert welcome.action(callbacks.menu("kirim"))
    told = (await driver.notices())[who.address]
    assert [s for s in told if "mohon menyampaikan data dukung" in s.text]  # the kick-off
    again = await driver.notices()
    assert who.address not in again  # once


async def test_what_is_not_a_file_is_named_and_the_confirmation_points_to_its_button(
    driver: Driver,
) -> None:
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-01")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    sticker = last(await driver.send_sticker(budi))
    assert sticker.text.startswith("Yang Anda kirim adalah stiker, bukan berkas.")
    heic = last(await driver.send_file(budi, "IMG_0001.HEIC", b"\x00\x00ftypheic", "image/heic"))
    assert "HEIC" in heic.text and "Paling Kompatibel" in heic.text
    received = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    summary = received  # the file's answer holds the button to send (issue 15)
    assert "tekan \u201cKirim\u201d" in summary.text
    hint = last(await driver.say(budi, "ya"))
    assert hint.text == texts.CONFIRM_BY_BUTTON
    receipts = await driver.press(budi, summary.action(callbacks.KIRIM_CONFIRM))
    assert any(s.text.startswith("Terima kasih. Kiriman untuk butir KEU-01") for s in receipts)


async def test_a_renamed_executable_is_refused_by_its_content(driver: Driver) -> None:
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-01")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    refused = last(await driver.send_file(budi, "laporan.pdf", exe, "application/pdf"))
    assert refused.text.startswith("Mohon maaf, isi berkas laporan.pdf tidak sesuai")
    received = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    assert "Jumlah berkas dalam kiriman ini: 1" in received.text  # the refused one not counted


async def test_a_file_sent_straight_is_delivered_in_two_taps(driver: Driver) -> None:
    """After the kick-off a person sends the file first: the bot asks which item it is for
    (the likely ones first), the answer shows the confirmation, one more tap sends it."""
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    question = last(await driver.send_file(budi, "LRA Oktober.pdf", PDF, "application/pdf"))
    assert "LRA Oktober.pdf" in question.text and "Untuk butir mana berkas ini?" in question.text
    assert question.action(callbacks.kirim_assign("KEU-01"))
    confirmation = last(await driver.press(budi, callbacks.kirim_assign("KEU-01")))  # tap 1
    assert "butir KEU-01" in confirmation.text and "versi 1" in confirmation.text
    receipts = await driver.press(budi, confirmation.action(callbacks.KIRIM_CONFIRM))  # tap 2
    receipt = next(s for s in receipts if s.text.startswith("Terima kasih"))
    assert "KEU-01" in receipt.text and "versi 1 (1 berkas)" in receipt.text
    [told] = (await driver.notices())[satgas.address]
    assert "LRA Oktober.pdf" in told.text and told.action("rp:op:")


async def test_files_sent_before_the_answer_go_together(driver: Driver) -> None:
    budi = await regency(driver)
    question = last(await driver.send_file(budi, "SPJ 1.pdf", PDF + b"1", "application/pdf"))
    # the item the file's name points at comes first ("SPJ": KEU-02 ... (SPJ))
    assert question.actions[0][1] == callbacks.kirim_assign("KEU-02")
    second = last(await driver.send_file(budi, "SPJ 2.pdf", PDF + b"2", "application/pdf"))
    assert "2 berkas" in second.text  # asked again (Telegram) or told it joins (WhatsApp)
    confirmation = last(await driver.press(budi, callbacks.kirim_assign("KEU-02")))
    assert "SPJ 1.pdf" in confirmation.text and "SPJ 2.pdf" in confirmation.text
    assert "Jumlah berkas: 2." in confirmation.text
    receipts = await driver.press(budi, confirmation.action(callbacks.KIRIM_CONFIRM))
    assert any("versi 1 (2 berkas)" in s.text for s in receipts)


async def test_a_file_into_the_item_open_is_one_tap(driver: Driver) -> None:
    """From a return notice's or the checklist's item: the file, then "Kirim"."""
    budi = await regency(driver)
    item = await open_item(driver, budi, "KEU-01")
    received = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    assert received.action(callbacks.KIRIM_CONFIRM) and item.text
    receipts = await driver.press(budi, received.action(callbacks.KIRIM_CONFIRM))
    assert any("versi 1 (1 berkas)" in s.text for s in receipts)


NOTHING_SAVED = ("Tidak ada yang disimpan", "tidak disimpan", "tidak ada yang tersimpan")


async def test_no_sentence_says_nothing_was_saved_after_a_delivery(driver: Driver) -> None:
    """Close, time-out, restart and cancel after a confirmed delivery, with a file waiting:
    each says what was kept (the delivery, the draft), none that nothing was."""
    budi = await regency(driver)
    said: list[str] = []
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    checklist = last(await driver.press(budi, callbacks.KIRIM_BACK))
    await driver.press(budi, checklist.item("KEU-02"))
    await driver.send_file(budi, "SPJ.pdf", PDF + b"spj", "application/pdf")
    closed = last(await driver.press(budi, callbacks.KIRIM_CLOSE))  # "Tutup"
    said.append(closed.text)
    assert "1 kiriman yang sudah Anda konfirmasi" in closed.text
    assert "tetap tersimpan sebagai draf (butir KEU-02: 1 berkas)" in closed.text

    await driver.say(budi, command(driver, "kirim"))
    timed_out = last(await driver.idle(budi))
    said.append(timed_out.text)
    assert "tetap tersimpan sebagai draf (butir KEU-02: 1 berkas)" in timed_out.text

    await driver.say(budi, command(driver, "kirim"))
    driver.restart()
    stale = last(await driver.press(budi, callbacks.KIRIM_CONFIRM))  # an old "Kirim"
    said.append(stale.text)
    assert "tetap tersimpan sebagai draf (butir KEU-02: 1 berkas)" in stale.text

    checklist = last(await driver.say(budi, command(driver, "kirim")))
    assert "📝 Draf belum dikirim (butir KEU-02: 1 berkas)" in checklist.text
    cancelled = last(await driver.say(budi, command(driver, "batal")))
    said.append(cancelled.text)
    assert "tetap tersimpan sebagai draf" in cancelled.text
    for text in said:
        assert not any(words in text for words in NOTHING_SAVED), text
    item = last(await driver.press(budi, callbacks.kirim_item("KEU-02")))  # sent at last
    receipts = await driver.press(budi, item.action(callbacks.KIRIM_CONFIRM))
    assert any("KEU-02" in s.text and "versi 1 (1 berkas)" in s.text for s in receipts)


async def test_decisions_within_minutes_reach_the_unit_as_one_notice(
    driver: Driver, core: Core
) -> None:
    """An approval and a return a minute apart: one notice when the few minutes are up,
    with the reason and a button to the returned item, which takes the file at once."""
    core.services.review.gather = timedelta(minutes=2)
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await deliver_file(driver, budi, "KEU-02", "Hibah.pdf")
    first = await at_desk(driver, satgas, await notice_about(driver, satgas, "KEU-01"))
    second = desk_in(await driver.press(satgas, first.action("rp:ok:")))  # the next one
    assert "KEU-02" in second.text and "Pemeriksaan 1 dari 1" in second.text
    assert budi.address not in await driver.notices()  # held for the next decisions
    clock = core.clock
    clock.advance(seconds=60)  # type: ignore[attr-defined]
    await driver.press(satgas, second.action("rp:no:"))
    question = last(await driver.say(satgas, "Berita acara belum ditandatangani"))
    await driver.press(satgas, question.action("rt:y"))
    assert budi.address not in await driver.notices()
    clock.advance(seconds=120)  # type: ignore[attr-defined]
    [told] = (await driver.notices())[budi.address]
    assert "(2 butir)" in told.text and "✅ KEU-01" in told.text and "↩️ KEU-02" in told.text
    assert "Alasan: Berita acara belum ditandatangani" in told.text
    fix = told.action(callbacks.KIRIM_ITEM)
    item = last(await driver.press(budi, fix))  # the return notice's button: the item
    assert item.text.startswith("KEU-02") and "Status: ↩️ dikembalikan" in item.text
    received = last(await driver.send_file(budi, "Hibah ttd.pdf", PDF + b"ttd", "application/pdf"))
    receipts = await driver.press(budi, received.action(callbacks.KIRIM_CONFIRM))
    assert any("KEU-02" in s.text and "versi 2 (1 berkas)" in s.text for s in receipts)


async def test_an_older_kirim_sends_its_own_item_never_another(driver: Driver) -> None:
    """Files for two items, the first one's "Kirim" pressed while the second is open: the
    first item is sent; the second's draft stays, and its own "Buang" drops only it."""
    budi = await regency(driver)
    await open_item(driver, budi, "KEU-01")
    first = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    await driver.press(budi, callbacks.kirim_item("KEU-02"))
    second = last(await driver.send_file(budi, "SPJ.pdf", PDF + b"spj", "application/pdf"))
    receipts = await driver.press(budi, first.action(callbacks.KIRIM_CONFIRM))
    assert any("KEU-01" in s.text and "versi 1 (1 berkas)" in s.text for s in receipts)
    with driver.core.uow() as uow:
        person = next(p for p in uow.people.all() if p.name == budi.name)
        assert uow.items.get(OCTOBER, "1501", "KEU-02").state.version == 0  # not sent
    kept = driver.core.services.submission.drafts(person.id)
    assert [code for _, code in kept] == ["KEU-02"]
    again = await driver.press(budi, first.action(callbacks.KIRIM_CONFIRM))  # pressed twice
    assert any("sudah terkirim sebagai versi 1" in s.text for s in again)  # not "not saved"
    assert "SPJ.pdf" in second.text
    await driver.press(budi, callbacks.kirim_discard(OCTOBER, "KEU-02"))
    assert driver.core.services.submission.drafts(person.id) == {}


async def test_a_file_after_its_month_closed_goes_to_the_open_month(driver: Driver) -> None:
    budi = await regency(driver)
    driver.core.services.submission.open_period(NOVEMBER)
    await checklist_of(driver, budi, OCTOBER)  # the session is on October
    with driver.core.uow() as uow:
        uow.periods.close(OCTOBER, driver.core.clock())
        uow.commit()
    question = last(await driver.send_file(budi, "LRA.pdf", PDF, "application/pdf"))
    assert "Untuk butir mana berkas ini?" in question.text
    with driver.core.uow() as uow:
        person = next(p for p in uow.people.all() if p.name == budi.name)
    assert list(driver.core.services.submission.drafts(person.id)) == [(NOVEMBER, "")]


async def test_another_button_drops_a_return_waiting_for_its_reason(driver: Driver) -> None:
    """The satgas taps "Kembalikan" on one item, approves another, then writes a thank-you:
    the return was dropped with a sentence saying so, and the thank-you is no reason."""
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await regency(driver)
    await deliver_file(driver, budi, "KEU-01", "LRA.pdf")
    await deliver_file(driver, budi, "KEU-02", "Hibah.pdf")
    told = (await driver.notices())[satgas.address]
    notice = next(s for s in told if s.actions and "KEU-02" in s.text)
    first = await at_desk(driver, satgas, next(s for s in told if "KEU-01" in s.text))
    ask = last(await driver.press(satgas, first.action("rp:no:")))
    assert "KEU-01" in ask.text and "alasan" in ask.text
    seen = await driver.press(satgas, notice.action("rp:op:"))  # the other delivery opened
    dropped = next(s for s in seen if s.text.startswith("Pengembalian KEU-01"))
    assert "dibatalkan karena Anda menekan tombol lain" in dropped.text
    second = desk_in(seen)  # the button still did its work
    assert "KEU-02" in second.text
    seen = await driver.press(satgas, second.action("rp:ok:"))
    assert any("Disetujui oleh Sari" in s.text for s in seen)
    after = last(await driver.say(satgas, "Terima kasih Bu Cici"))
    assert "rt:y" not in [d for _, d in after.actions]  # not asked to confirm it as a reason
    with driver.core.uow() as uow:
        assert uow.items.get(OCTOBER, "1501", "KEU-01").state.status.value == "dikirim"
        assert uow.items.get(OCTOBER, "1501", "KEU-02").state.status.value == "disetujui"


async def test_a_reason_is_the_answer_to_its_question(driver: Driver) -> None:
    """The reason is asked as a question to reply to: a message answering another message
    (the desk, a notice) is not taken for it, and the question's own reply is."""
    satgas, _ = await deliver_two(driver)
    queue = last(await driver.say(satgas, command(driver, "antrian")))
    desk = await at_desk(driver, satgas, queue)
    ask = last(await driver.press(satgas, desk.action("rp:no:")))
    assert "KEU-01" in ask.text and "alasan" in ask.text
    thanks = last(await driver.say(satgas, "Terima kasih Bu Cici", replying_to=desk))
    assert thanks.text.startswith("Pesan ini merupakan balasan atas pesan lain")
    assert "alasan pengembalian KEU-01" in thanks.text
    assert not thanks.actions  # nothing to confirm
    question = last(await driver.say(satgas, "Lampiran belum ditandatangani", replying_to=ask))
    assert "Lampiran belum ditandatangani" in question.text
    decided = await driver.press(satgas, question.action(callbacks.RETURN_YES))
    assert any("Dikembalikan oleh Sari" in s.text for s in decided)


async def test_leave_cover_by_buttons_and_by_names(driver: Driver) -> None:
    """/wakil alone: who is away, who covers, which days, "Ya"; the delegate is asked "atas
    nama" the person on leave, who is told and not asked meanwhile. Typed with names too."""
    admin = await driver.join("15", "admin", "Admin Provinsi")
    away = await driver.join("15", "sekretaris", "Sekar Ayu")
    cover = await driver.join("KUL", "bagian", "Hendra Saputra")  # no role in the chain

    def choice(seen: Seen, label: str) -> str:
        return next(d for shown, d in seen.actions if shown.startswith(label))

    step = last(await driver.say(admin, command(driver, "wakil")))
    assert "Siapa yang berhalangan?" in step.text
    step = last(await driver.press(admin, choice(step, "Sekar Ayu")))
    assert step.text == "Siapa yang mewakili Sekar Ayu sebagai Sekretaris?"
    step = last(await driver.press(admin, choice(step, "Hendra Saputra")))
    assert "Untuk tanggal berapa?" in step.text
    step = last(await driver.press(admin, choice(step, "Hari ini")))
    assert step.text.startswith("Tunjuk Hendra Saputra mewakili Sekar Ayu sebagai Sekretaris dari")
    done = last(await driver.press(admin, step.action("wk:y:")))
    assert done.text.startswith("Tercatat: Hendra Saputra mewakili Sekar Ayu sebagai Sekretaris")
    told = await driver.notices()
    assert any("mewakili Anda sebagai Sekretaris" in s.text for s in told[away.address])
    assert any("Anda ditunjuk mewakili Sekar Ayu" in s.text for s in told[cover.address])
    typed = last(
        await driver.say(
            admin, f"{command(driver, 'wakil')} Hendra sekretaris Sekar 12-11-2026 14-11-2026"
        )
    )
    assert typed.text.startswith("Tercatat: Hendra Saputra mewakili Sekar Ayu sebagai Sekretaris")
    assert "12 November 2026 sampai 14 November 2026" in typed.text


async def test_nobody_decides_their_own_delivery(driver: Driver) -> None:
    """Separation of duties: the provincial satgas' own delivery goes to the second reviewer
    (Kabag HSDM), told why; her own button refuses with the same sentence on both channels,
    naming who decides it; the second reviewer decides it at the desk."""
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    kabag = await driver.join("15", "kabag_hsdm", "Hadi Saputra")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    await deliver_file(driver, satgas, "RPL-01", "Notulen.pdf")
    told = await driver.notices()
    assert satgas.address not in told or not [s for s in told[satgas.address] if s.actions]
    [notice] = [s for s in told[kabag.address] if s.actions]
    assert "sebagai pemeriksa kedua: pengirimnya, Sari Satgas" in notice.text
    state_id = notice.action("rp:op:").split(":")[-1]
    refused = last(await driver.press(satgas, f"rp:ok:{state_id}:1"))
    assert refused.text == (
        "Kiriman ini Anda kirim sendiri, sehingga tidak dapat Anda putuskan (pemisahan tugas). "
        "Pemeriksaannya dilakukan oleh Hadi Saputra sebagai pemeriksa kedua; tidak ada yang "
        "diubah."
    )
    queue = last(await driver.say(satgas, command(driver, "antrian")))
    assert "Tidak ada" in queue.text  # nothing of hers waits for her
    desk = await at_desk(driver, kabag, notice)
    decided = await driver.press(kabag, desk.action("rp:ok:"))
    assert any("Disetujui oleh Hadi Saputra" in s.text for s in decided)


async def test_one_person_gives_one_paraf_per_card_version(driver: Driver) -> None:
    """Separation of duties on the card: someone holding both paraf roles initials once; the
    second paraf is refused at the request's button, with the same sentence on both
    channels, saying who gives it instead."""
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    both = await driver.join("15", "subbag_hukum", "Hana Hukum")
    with driver.core.uow() as uow:
        person = next(p for p in uow.people.all() if p.name == "Hana Hukum")
        uow.people.add_role(person.id, Role.KABAG_HSDM)
        uow.commit()
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    card = await open_item(driver, satgas, "KARTU_PROV")
    await driver.press(satgas, card.action(callbacks.KIRIM_FILES))
    received = last(await driver.send_file(satgas, "draft.pdf", PDF, "application/pdf"))
    await driver.press(satgas, received.action(callbacks.KIRIM_CONFIRM))
    request = next(s for s in (await driver.notices())[both.address] if s.actions)
    question = last(await driver.press(both, request.action("kc:ok:")))
    assert any(
        "oleh Hana Hukum" in s.text for s in await driver.press(both, question.action("kc:ya:"))
    )
    again = last(await driver.press(both, request.action("kc:ok:")))
    assert again.text == (
        "Anda sudah memberikan paraf pada versi kartu ini sebagai Subbagian Hukum; satu orang "
        "hanya memberikan satu paraf atau tanda tangan per versi (pemisahan tugas). Paraf "
        "sebagai Kepala Bagian Hukum dan SDM perlu diberikan oleh orang lain yang memegang "
        "peran itu (atau wakilnya). Tidak ada yang diubah."
    )
    with driver.core.uow() as uow:
        assert uow.items.get_card(OCTOBER, "15").state.approvals == {Role.SUBBAG_HUKUM}
