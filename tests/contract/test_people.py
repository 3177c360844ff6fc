"""People who come and go (issue 19), played as the admin and the people themselves on both
channels: /pengguna by buttons, a deactivation whose open work goes to the unit's other
satgas (a draft, a returned item's notice), a deactivated person refused on every way in,
a role left vacant confirmed apart, a transfer, a replacement, a reactivation."""

from __future__ import annotations

from chatbot import callbacks, texts
from chatbot.domain.events import EventKind
from chatbot.domain.people import Person
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
    driver.restart()  # the draft is kept in the database, not in the bot's memory
    old_button = callbacks.menu("kirim")

    card = await open_person(driver, admin, "Budi Kerinci")
    assert "Budi Kerinci (ID " in card.text and "Status: aktif" in card.text
    assert "Peran: Satgas SPIP KPU Kabupaten/Kota" in card.text
    assert "Unit: KPU Kabupaten Kerinci" in card.text
    asked = last(await driver.press(admin, choice(card, "Nonaktifkan")))
    assert asked.text.startswith(
        "Nonaktifkan Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci)?"
    )
    assert (
        "1 draf kiriman dan permintaan yang masih menunggu tindakannya dialihkan kepada "
        "Citra Kerinci."
    ) in asked.text
    assert "⚠️" not in asked.text  # Citra holds the role too
    done = last(await driver.press(admin, asked.action("ps:dy:")))
    assert done.text.startswith(
        "Akses Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci) telah diakhiri."
    )
    assert "Dialihkan kepada Citra Kerinci: 1 draf kiriman" in done.text
    assert "tercatat dalam log audit" in done.text

    told = await driver.notices()
    assert any(
        s.text.startswith("Pemberitahuan perubahan pengguna oleh Admin Provinsi:")
        for s in told[satgas.address]
    )
    to_citra = "\n".join(s.text for s in told[citra.address])
    assert "Anda kini menerima pekerjaan yang ditinggalkan Budi Kerinci" in to_citra
    assert "KEU-02" in to_citra and "Oktober 2026" in to_citra
    # the returned item's notice, with its button, forwarded to Citra
    forwarded = [s for s in told[citra.address] if s.text.startswith("↪️ Diteruskan")]
    assert forwarded and "KEU-01" in forwarded[0].text and forwarded[0].actions
    assert budi.address not in told  # nothing more goes to Budi

    # Budi: a command, an old button, a file: each refused with the same sentence
    for seen in (
        await driver.say(budi, command(driver, "kirim")),
        await driver.press(budi, old_button),
        await driver.send_file(budi, "Lagi.pdf", PDF, "application/pdf"),
        await driver.say(budi, "halo"),
    ):
        assert [s.text for s in seen] == [texts.ACCESS_ENDED]
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
    assert "Status: nonaktif" in card.text and "akses pengguna diakhiri oleh Admin" in card.text
    asked = last(await driver.press(admin, choice(card, "Aktifkan kembali")))
    assert asked.text.startswith("Aktifkan kembali Budi Kerinci")
    done = last(await driver.press(admin, asked.action("ps:ay:")))
    assert "telah aktif kembali" in done.text
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
    again = last(await driver.press(admin, f"ps:dy:{ketua.id}:0"))
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

    # Citra moves from Kerinci to Merangin: a unit, a role, then confirmed with the warning
    card = await open_person(driver, admin, "Citra Kerinci")
    units = last(await driver.press(admin, choice(card, "Pindah")))
    assert units.text.startswith("Pindahkan Citra Kerinci (kini Satgas SPIP KPU Kabupaten/Kota")
    roles = last(await driver.press(admin, choice(units, "KPU Kabupaten Merangin")))
    assert roles.text == "Sebagai apa Citra Kerinci di KPU Kabupaten Merangin?"
    asked = last(await driver.press(admin, roles.action("ps:mr:")))  # the one role of a regency
    assert asked.text.startswith(
        "Ubah Citra Kerinci: dari Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci, "
        "menjadi Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Merangin?"
    )
    assert "peran Satgas SPIP KPU Kabupaten/Kota KPU Kabupaten Kerinci" in asked.text
    done = last(await driver.press(admin, asked.action("ps:my:")))
    assert done.text.startswith("Citra Kerinci kini Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten")
    moved = person(driver, "Citra Kerinci")
    assert moved.unit.code == "1502" and moved.active
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
