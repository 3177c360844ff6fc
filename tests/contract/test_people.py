"""People who come and go (issue 19), played as the admin and the people themselves on both
channels: /pengguna by buttons, a deactivation whose open work goes to the unit's other
satgas (a draft, a returned item's notice), a deactivated person refused on every way in,
a role left vacant confirmed apart, a transfer, a replacement, a reactivation."""

from __future__ import annotations

from chatbot import callbacks, texts
from chatbot.domain.events import EventKind
from chatbot.domain.people import Person
from chatbot.domain.roles import Role
from tests.contract.conftest import OCTOBER
from tests.contract.drivers import Driver, Seen, Who, command
from tests.contract.test_contract import (
    PDF,
    at_desk,
    deliver_file,
    last,
    notice_about,
    open_item,
)


def person(driver: Driver, name: str) -> Person:
    return next(p for p in driver.core.services.registration.people() if p.name == name)


def choice(seen: Seen, label: str) -> str:
    found = [d for shown, d in seen.actions if label in shown]
    assert found, f"no {label!r} in {seen.actions}"
    return found[0]


async def open_person(driver: Driver, admin: Who, name: str) -> Seen:
    listed = last(await driver.say(admin, command(driver, "pengguna")))
    assert listed.text.startswith("Pengguna layanan: ")
    return last(await driver.press(admin, choice(listed, name)))


async def test_a_deactivated_satgas_is_refused_everywhere_and_her_work_goes_on(
    driver: Driver,
) -> None:
    admin = await driver.join("15", "admin", "Admin Provinsi")
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    citra = await driver.join("1501", "satgas_kabkota", "Citra Kerinci")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    # Budi: one item delivered, then returned; another item's file received, not sent
    await deliver_file(driver, budi, "KEU-01", "LRA Oktober.pdf")
    desk = await at_desk(driver, satgas, await notice_about(driver, satgas, "KEU-01"))
    await driver.press(satgas, desk.action("rp:no:"))
    question = last(await driver.say(satgas, "Tanda tangan belum ada"))
    await driver.press(satgas, question.action(callbacks.RETURN_YES))
    await deliver_file(driver, budi, "KEU-03", "Kas Oktober.pdf")  # waiting for the satgas
    await driver.notices()
    item = await open_item(driver, budi, "KEU-02")
    await driver.press(budi, item.action(callbacks.KIRIM_FILES))
    await driver.send_file(budi, "Neraca.pdf", PDF, "application/pdf")
    # Citra has a decision notice of her own that month: Budi's still goes to her
    await deliver_file(driver, citra, "KPG-01", "Daftar pegawai.pdf")
    desk = await at_desk(driver, satgas, await notice_about(driver, satgas, "KPG-01"))
    await driver.press(satgas, desk.action("rp:ok:"))
    assert any("KPG-01" in s.text for s in (await driver.notices())[citra.address])
    driver.restart()  # the draft is kept in the database, not in the bot's memory
    old_button = callbacks.menu("kirim")

    card = await open_person(driver, admin, "Budi Kerinci")
    assert card.text.startswith("Budi Kerinci\nStatus: aktif")
    assert "Peran: Satgas SPIP KPU Kabupaten/Kota" in card.text
    assert "Unit: KPU Kabupaten Kerinci" in card.text
    asked = last(await driver.press(admin, choice(card, "Nonaktifkan")))
    assert asked.text.startswith(
        "Nonaktifkan Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci)?"
    )
    assert (
        "Draf KEU-02 Verifikasi pertanggungjawaban keuangan (SPJ) (Oktober 2026) dan 1 "
        "permintaan yang masih menunggu tindakannya dialihkan kepada Citra Kerinci."
    ) in asked.text
    assert "⚠️" not in asked.text  # Citra holds the role too
    first_yes = asked.action("ps:dy:")
    done = last(await driver.press(admin, first_yes))
    assert done.text.startswith(
        "Akses Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci) telah diakhiri."
    )
    assert (
        "Draf KEU-02 Verifikasi pertanggungjawaban keuangan (SPJ) (Oktober 2026) dan 1 "
        "permintaan yang masih menunggu tindakannya dialihkan kepada Citra Kerinci."
    ) in done.text
    assert "tercatat dalam log audit" in done.text

    told = await driver.notices()
    assert any(
        s.text.startswith("Pemberitahuan perubahan pengguna oleh Admin Provinsi:")
        for s in told[satgas.address]
    )
    to_citra = "\n".join(s.text for s in told[citra.address])
    assert "Pekerjaan Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci)" in (
        to_citra
    )
    assert "KEU-02" in to_citra and "Oktober 2026" in to_citra
    # the returned item's notice, with its button, forwarded to Citra
    forwarded = [s for s in told[citra.address] if s.text.startswith("↪️ Diteruskan")]
    assert forwarded and "KEU-01" in forwarded[0].text and forwarded[0].actions
    assert budi.address not in told  # nothing more goes to Budi

    # Budi: a command, an old button, a text: each refused with one sentence; a file too,
    # told it was not kept
    for seen in (
        await driver.say(budi, command(driver, "kirim")),
        await driver.press(budi, old_button),
        await driver.say(budi, "halo"),
    ):
        assert [s.text for s in seen] == [texts.ACCESS_ENDED]
    seen = await driver.send_file(budi, "Lagi.pdf", PDF, "application/pdf")
    assert [s.text for s in seen] == [texts.ACCESS_ENDED_FILE]
    # Budi's delivery still waiting is decided: Citra, who delivers for Kerinci now, is told
    desk = await at_desk(driver, satgas, last(await driver.say(satgas, command(driver, "antrian"))))
    assert "KEU-03" in desk.text
    await driver.press(satgas, desk.action("rp:ok:"))
    told = await driver.notices()
    assert budi.address not in told
    assert any("KEU-03" in s.text and "disetujui" in s.text for s in told[citra.address])
    # Citra finds Budi's draft under her /kirim
    checklist = last(await driver.say(citra, command(driver, "kirim")))
    opened = last(await driver.press(citra, checklist.item("KEU-02")))
    assert "Neraca.pdf" in opened.text

    events = driver.core.services.staffing.history(person(driver, "Budi Kerinci").id)
    assert [e.kind for e in events] == [EventKind.ANGGOTA_DINONAKTIFKAN]
    assert events[0].actor_id == person(driver, "Admin Provinsi").id
    assert events[0].detail["dialihkan_ke"] == str(person(driver, "Citra Kerinci").id)
    assert events[0].detail["draf"] == "1"

    # given back: Budi is told, and /kirim works again
    card = await open_person(driver, admin, "Budi Kerinci")
    assert "Status: nonaktif" in card.text
    assert (
        "akses pengguna diakhiri; pekerjaannya dialihkan kepada Citra Kerinci (dicatat oleh "
        "Admin Provinsi)"
    ) in card.text
    asked = last(await driver.press(admin, choice(card, "Aktifkan kembali")))
    assert asked.text.startswith("Aktifkan kembali Budi Kerinci")
    done = last(await driver.press(admin, asked.action("ps:ay:")))
    assert "telah aktif kembali" in done.text
    # the old confirmations, pressed again, change nothing
    expired = texts.PEOPLE_EXPIRED
    if driver.channel == "whatsapp":
        expired = texts.for_whatsapp(expired)
    again = last(await driver.press(admin, first_yes))
    assert again.text == expired
    again = last(await driver.press(admin, asked.action("ps:ay:")))
    assert again.text == "Budi Kerinci sudah aktif."
    assert person(driver, "Budi Kerinci").active
    told = await driver.notices()
    assert any("akses Anda ke layanan" in s.text for s in told[budi.address])
    back = last(await driver.say(budi, command(driver, "kirim")))
    assert "Kelengkapan" in back.text


async def test_leaving_a_role_nobody_holds_is_confirmed_apart(driver: Driver) -> None:
    admin = await driver.join("15", "admin", "Admin Provinsi")
    await driver.join("15", "ketua", "Ketua Provinsi")
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    card = await open_person(driver, admin, "Ketua Provinsi")
    asked = last(await driver.press(admin, choice(card, "Nonaktifkan")))
    assert "⚠️ Setelah perubahan ini tidak ada lagi yang memegang peran Ketua" in asked.text
    assert [label for label, _ in asked.actions] == ["⚠️ Tetap lakukan", "✖️ Batal"] or (
        driver.channel == "whatsapp"
    )
    ketua = person(driver, "Ketua Provinsi")
    # a confirmation made before the warning (``:0``) is not taken as accepting it
    again = last(await driver.press(admin, f"ps:dy:{ketua.id}:0:0"))
    assert "⚠️ Setelah perubahan ini" in again.text and person(driver, "Ketua Provinsi").active
    done = last(await driver.press(admin, asked.action("ps:dy:")))
    assert "⚠️ Peran Ketua kini tidak dipegang siapa pun." in done.text
    assert not person(driver, "Ketua Provinsi").active
    # not an admin's: refused; oneself: refused
    refused = last(await driver.press(budi, f"ps:d:{person(driver, 'Admin Provinsi').id}"))
    assert refused.text == texts.NOT_ALLOWED
    own = last(await driver.press(admin, f"ps:d:{person(driver, 'Admin Provinsi').id}"))
    assert own.text == texts.PERSON_REFUSED["self"]
    cancelled = last(await driver.press(admin, callbacks.PEOPLE_CANCEL))
    assert cancelled.text == texts.PEOPLE_CANCELLED


async def test_a_transfer_and_a_replacement_by_buttons(driver: Driver) -> None:
    admin = await driver.join("15", "admin", "Admin Provinsi")
    await driver.join("15", "satgas_prov", "Sari Satgas")
    citra = await driver.join("1501", "satgas_kabkota", "Citra Kerinci")
    await driver.join("1502", "satgas_kabkota", "Dedi Jambi")
    await driver.join("1502", "satgas_kabkota", "Eka Jambi")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()

    # Citra, Kerinci's only satgas, has a file not sent yet
    item = await open_item(driver, citra, "KEU-02")
    await driver.press(citra, item.action(callbacks.KIRIM_FILES))
    await driver.send_file(citra, "SPJ Kerinci.pdf", PDF, "application/pdf")
    driver.restart()
    # Citra moves from Kerinci to Merangin: a unit, a role, then confirmed with the warning
    card = await open_person(driver, admin, "Citra Kerinci")
    units = last(await driver.press(admin, choice(card, "Pindah")))
    assert units.text.startswith("Pindahkan Citra Kerinci (kini Satgas SPIP KPU Kabupaten/Kota")
    assert (
        ("KPU Kabupaten Kerinci (unit saat ini)" in units.text)
        or any("Kerinci (unit saat ini)" in label for label, _ in units.actions)
        or driver.channel == "whatsapp"
    )
    # a regency has one role: the unit chosen, the change is asked at once
    asked = last(await driver.press(admin, choice(units, "Merangin")))
    assert asked.text.startswith(
        "Pindahkan Citra Kerinci dari KPU Kabupaten Kerinci ke KPU Kabupaten Merangin (tetap "
        "Satgas SPIP KPU Kabupaten/Kota)?"
    )
    assert (
        "tidak ada lagi yang memegang peran Satgas SPIP KPU Kabupaten/Kota di KPU Kabupaten "
        "Kerinci, sehingga data dukung dan kartu kendali unit itu tidak dapat dikirim"
    ) in asked.text
    assert (
        "Draf KEU-02 Verifikasi pertanggungjawaban keuangan (SPJ) (Oktober 2026) tidak dapat "
        "dialihkan karena tidak ada pemegang peran lain di KPU Kabupaten Kerinci"
    ) in asked.text
    done = last(await driver.press(admin, asked.action("ps:my:")))
    assert done.text.startswith("Citra Kerinci kini Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten")
    moved = person(driver, "Citra Kerinci")
    assert moved.unit.code == "1502" and moved.active
    # Kerinci's draft is not offered as Merangin's
    merangin = last(await driver.say(citra, command(driver, "kirim")))
    assert "Draf" not in merangin.text and "SPJ Kerinci.pdf" not in merangin.text
    told = await driver.notices()
    assert any("telah diubah oleh admin: kini" in s.text for s in told[citra.address])
    assert any("Merangin" in s.text and "Oktober 2026" in s.text for s in told[citra.address])

    # Dedi is replaced by Eka (the same unit): Eka holds his roles and work, Dedi's access ends
    card = await open_person(driver, admin, "Dedi Jambi")
    who = last(await driver.press(admin, choice(card, "Ganti")))
    assert who.text.startswith("Siapa yang menggantikan Dedi Jambi")
    asked = last(await driver.press(admin, choice(who, "Eka Jambi")))
    assert asked.text.startswith("Ganti Dedi Jambi dengan Eka Jambi sebagai")
    done = last(await driver.press(admin, asked.action("ps:ry:")))
    assert done.text.startswith("Eka Jambi kini menggantikan Dedi Jambi")
    assert not person(driver, "Dedi Jambi").active
    kinds = [e.kind for e in driver.core.services.staffing.history(person(driver, "Dedi Jambi").id)]
    assert kinds == [EventKind.ANGGOTA_DIGANTIKAN]


async def test_a_replacement_that_joins_two_duties_is_refused(driver: Driver) -> None:
    """Separation of duties: the satgas, who drafts the card, may not become the Ketua who
    signs it; refused with the sentence, nothing changed."""
    admin = await driver.join("15", "admin", "Admin Provinsi")
    await driver.join("15", "ketua", "Ketua Provinsi")
    await driver.join("15", "satgas_prov", "Sari Satgas")
    card = await open_person(driver, admin, "Ketua Provinsi")
    who = last(await driver.press(admin, choice(card, "Ganti")))
    refused = last(await driver.press(admin, choice(who, "Sari Satgas")))
    assert refused.text == (
        "Mohon maaf, perubahan ini ditolak: Sari Satgas akan memegang peran Satgas SPIP KPU "
        "Provinsi dan Ketua sekaligus, sehingga memberi dua persetujuan pada kartu kendali yang "
        "sama (pemisahan tugas). Pilih orang lain."
    )
    assert person(driver, "Ketua Provinsi").active
    assert person(driver, "Sari Satgas").roles == {Role.SATGAS_PROV}


async def test_a_role_dropped_hands_over_only_that_roles_requests(driver: Driver) -> None:
    """Sari is satgas and admin; she gives up admin: her review requests stay hers (another
    admin cannot act on them), nothing is forwarded, she is told her roles."""
    admin = await driver.join("15", "admin", "Admin Provinsi")
    sari = await driver.join("15", "satgas_prov", "Sari Satgas")
    reg = driver.core.services.registration
    sari_id = person(driver, "Sari Satgas").id
    with driver.core.uow() as uow:
        uow.people.add_role(sari_id, Role.ADMIN)
        uow.commit()
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    driver.core.services.submission.open_period(OCTOBER)
    await driver.notices()
    await deliver_file(driver, budi, "KEU-01", "LRA Oktober.pdf")
    assert any("KEU-01" in s.text for s in (await driver.notices())[sari.address])
    done = driver.core.services.staffing.move(sari_id, "15", ["satgas_prov"])
    assert done.forwarded == 0 and done.successor is not None  # the other admin
    told = await driver.notices()
    assert not any(s.text.startswith("↪️") for s in told.get(admin.address, []))
    assert any(
        "telah diubah oleh admin: kini Satgas SPIP KPU Provinsi" in s.text
        for s in told[sari.address]
    )
    assert reg.people()  # nobody lost
    desk = await at_desk(driver, sari, last(await driver.say(sari, command(driver, "antrian"))))
    assert "KEU-01" in desk.text  # still hers to decide
