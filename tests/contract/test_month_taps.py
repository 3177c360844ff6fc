"""Taps and messages per task of a regency satgas' month, played through the running bot on
both channels: the file sent straight then two taps per item, a "tidak ada kegiatan", the
rest of the checklist, a resubmission from the return notice's button, and what approve-all
sends the unit. ``pytest -s`` prints the table (issue 15's closing note quotes it)."""

from __future__ import annotations

from chatbot import callbacks
from chatbot.app import Core
from chatbot.domain.units import Unit
from tests.contract.conftest import OCTOBER
from tests.contract.drivers import Driver, Seen, Who, command
from tests.support.pdf import real_pdf

PDF = real_pdf(3, "laporan realisasi anggaran oktober")


class Counter:
    def __init__(self, driver: Driver, who: Who) -> None:
        self.driver, self.who = driver, who
        self.taps = self.messages = self.typed = self.files = 0
        self.log: list[str] = []

    def seen(self, seen: list[Seen], what: str) -> list[Seen]:
        self.messages += len(seen)
        self.log.append(f"> {what}")
        self.log += [f"  < {s.text[:300]!r} {[a for a, _ in s.actions][:6]}" for s in seen]
        return seen

    async def press(self, data: str) -> Seen:
        self.taps += 1
        return self.seen(await self.driver.press(self.who, data), f"tap {data}")[-1]

    async def say(self, text: str) -> Seen:
        self.typed += 1
        return self.seen(await self.driver.say(self.who, text), f"type {text}")[-1]

    async def file(self, name: str, data: bytes) -> Seen:
        self.files += 1
        return self.seen(
            await self.driver.send_file(self.who, name, data, "application/pdf"), f"file {name}"
        )[-1]

    def report(self, task: str) -> str:
        line = (
            f"{self.driver.channel:9} {task:28} taps={self.taps} typed={self.typed} "
            f"files={self.files} messages={self.messages}"
        )
        self.taps = self.messages = self.typed = self.files = 0
        return line


async def deliver(c: Counter, code: str, name: str, data: bytes) -> None:
    question = await c.file(name, data)  # the file first, then which item, then "Kirim"
    while not any(d.endswith(f":{code}") for _, d in question.actions):
        question = await c.press(question.action("kr:pg:"))
    confirm = await c.press(callbacks.kirim_assign(code))
    await c.press(confirm.action(callbacks.KIRIM_CONFIRM))


async def test_taps_and_messages_of_the_month(driver: Driver, core: Core) -> None:
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    core.services.submission.open_period(OCTOBER)
    c = Counter(driver, budi)
    c.seen((await driver.notices()).get(budi.address, []), "kick-off")
    report = [c.report("kick-off")]
    await deliver(c, "KEU-01", "LRA.pdf", PDF)
    assert (c.taps, c.typed, c.files) == (2, 0, 1)  # the file, then at most 2 taps
    report.append(c.report("deliver one item"))
    # nihil
    checklist = await c.say(command(driver, "kirim"))
    while not any(d.endswith(":HBH-03") for _, d in checklist.actions):  # the list's next page
        checklist = await c.press(checklist.action("kr:pg:"))
    item = await c.press(checklist.item("HBH-03"))
    await c.press(item.action(callbacks.KIRIM_NIHIL))
    summary = await c.say("Tidak ada hibah bulan ini")
    await c.press(summary.action(callbacks.KIRIM_CONFIRM))
    report.append(c.report("nihil (tidak ada kegiatan)"))
    await c.say(command(driver, "batal"))
    c.report("close")
    # the rest of the checklist
    with core.uow() as uow:
        owed = [i for i in uow.catalogue.load().items if i.owed_by_unit(budi_unit(core, budi))]
    rest = [i.code for i in owed if i.code not in ("KEU-01", "HBH-03")]
    for code in rest:
        await deliver(c, code, f"{code}.pdf", PDF + code.encode())
    assert (c.taps, c.typed) == (2 * len(rest), 0)
    report.append(c.report(f"the other {len(rest)} items"))
    # what the satgas received: one message per delivery, none with files
    told = (await driver.notices())[satgas.address]
    deliveries = 1 + 1 + len(rest)
    assert len(told) == deliveries and not [s for s in told if s.document]
    s = Counter(driver, satgas)
    s.messages = len(told)
    report.append(s.report(f"satgas: {deliveries} deliveries told"))
    # the satgas at the desk: the first delivery returned, the next two approved
    notice = next(m for m in told if "KEU-01" in m.text and m.actions)
    shown = s.seen(await driver.press(satgas, notice.action("rp:op:")), "Periksa")
    s.taps += 1
    assert [m.document for m in shown].count("gambar") == 1  # the PDF's first page
    desk = shown[-1]
    ask = await s.press(desk.action("rp:no:"))
    question = await s.say("Tanda tangan belum ada")
    shown = s.seen(await driver.press(satgas, question.action("rt:y")), "tap rt:y")
    s.taps += 1
    report.append(s.report("satgas: return one at the desk"))
    for _ in range(2):
        desk = shown[-1]
        assert desk.text.startswith("🔎 Pemeriksaan 1 dari") or "🔎 Pemeriksaan 1 dari" in desk.text
        shown = s.seen(await driver.press(satgas, desk.action("rp:ok:")), "tap Setujui")
        s.taps += 1
        pictures = [m for m in shown if m.document == "gambar"]
        assert len(pictures) == 1 and "halaman 1 dari 3" in pictures[0].text
    assert s.taps == 2  # one tap per delivery once it is shown, the next one follows
    report.append(s.report("satgas: approve two at the desk"))
    heard = c.seen((await driver.notices()).get(budi.address, []), "decision notices")
    returned = next(m for m in heard if "dikembalikan" in m.text)
    item = await c.press(returned.action(callbacks.KIRIM_ITEM))  # the notice's button
    assert "dikembalikan" in item.text
    received = await c.file("LRA ttd.pdf", PDF + b"ttd")
    await c.press(received.action(callbacks.KIRIM_CONFIRM))
    assert (c.taps, c.typed, c.files) == (2, 0, 1)
    report.append(c.report("resubmit after a return"))
    assert ask.text and question.text
    # approve-all: what Budi hears
    queue = await driver.say(satgas, command(driver, "antrian"))
    unit = next(s for s in queue if any(d == "aq:all:1501" for _, d in s.actions))
    confirm = (await driver.press(satgas, unit.action(callbacks.approve_all("1501"))))[-1]
    assert f"Perhatian: {deliveries - 3} dari {deliveries - 2} kiriman ini belum Anda buka" in (
        confirm.text
    )  # the resubmitted KEU-01 was not opened either; the two approved are gone
    await driver.press(satgas, confirm.action(callbacks.APPROVE_ALL_YES))
    c.seen((await driver.notices()).get(budi.address, []), "after approve-all")
    assert 1 <= c.messages <= 2  # one notice (on WhatsApp a long body comes in two parts)
    report.append(c.report("approve-all heard"))
    print("\n".join(report))
    print("\n".join(s.log))  # what the satgas saw at the desk (pytest -s)


def budi_unit(core: Core, who: Who) -> Unit:
    return next(p for p in core.services.registration.people() if p.name == who.name).unit


async def test_a_regencys_month_on_the_eight_card_catalogue(driver: Driver, core: Core) -> None:
    """The shipped catalogue (8 cards, 46 items) loaded, a regency's month on both channels:
    the card forms and evidence sent (the file, then which item, then "Kirim"), the hibah
    items answered Nihil, approve-all, the signed card of the month, 100%."""
    from chatbot.app import prepare_database
    from chatbot.config import DATA

    loaded = prepare_database(core, checklist_file=DATA / "checklist.toml")
    assert loaded.checklist.added == 46
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    budi = await driver.join("1501", "satgas_kabkota", "Budi Kerinci")
    core.services.submission.open_period(OCTOBER)
    kickoff = (await driver.notices())[budi.address]
    assert any("PEG-01 Kartu Kendali Kepegawaian" in s.text for s in kickoff)
    with core.uow() as uow:
        owed = uow.catalogue.load().items_for(budi_unit(core, budi))
    assert len(owed) == 46
    c = Counter(driver, budi)
    nihil = [i for i in owed if "hibah" in i.name.lower() and not i.form]
    for item in owed:
        if item in nihil:
            continue
        await deliver(c, item.code, f"{item.code} Oktober.pdf", real_pdf(note=item.code))
    files_taps = c.taps
    for item in nihil:  # a month without hibah: Nihil, with its note
        checklist = await c.say(command(driver, "kirim"))
        while not any(d.endswith(f":{item.code}") for _, d in checklist.actions):
            checklist = await c.press(checklist.action("kr:pg:"))
        opened = await c.press(checklist.item(item.code))
        ask = await c.press(opened.action(callbacks.KIRIM_NIHIL))
        assert "mengapa butir ini Nihil" in ask.text
        summary = await c.say("Tidak ada dana hibah pada bulan Oktober 2026")
        assert "Nihil. Keterangan: Tidak ada dana hibah" in summary.text
        await c.press(summary.action(callbacks.KIRIM_CONFIRM))
        await c.say(command(driver, "batal"))
    print(c.report(f"{len(owed) - len(nihil)} files, {len(nihil)} Nihil"), f"files: {files_taps}")
    told = (await driver.notices())[satgas.address]
    assert len(told) == 46
    queue = await driver.say(satgas, command(driver, "antrian"))
    unit = next(s for s in queue if any(d == "aq:all:1501" for _, d in s.actions))
    asked = await driver.press(satgas, unit.action(callbacks.approve_all("1501")))
    assert any("Setujui semua 46 butir KPU Kabupaten Kerinci" in s.text for s in asked)
    confirm = asked[-1]  # on WhatsApp a long question's buttons follow in a second message
    await driver.press(satgas, confirm.action(callbacks.APPROVE_ALL_YES))
    heard = (await driver.notices())[budi.address]
    done = next(s for s in heard if s.actions)
    signed = [d for _, d in done.actions if callbacks.parse_kirim_item(d) is not None]
    assert signed, done  # the button for the signed card
    opened = await c.press(signed[0])
    await c.press(opened.action(callbacks.KIRIM_FILES))
    received = await c.file("Kartu kendali Oktober ttd.pdf", real_pdf(note="ditandatangani"))
    await c.press(received.action(callbacks.KIRIM_CONFIRM))
    notice = next(s for s in (await driver.notices())[satgas.address] if s.actions)
    shown = await driver.press(satgas, notice.action("rp:op:"))
    await driver.press(satgas, shown[-1].action("rp:ok:"))
    status = core.services.status.period_status(OCTOBER)
    kerinci = next(u for u in status.units if u.unit.code == "1501")
    assert kerinci.progress.percent == 100 and kerinci.card is not None
    assert "15" not in {u.unit.code for u in status.units}  # the province owes nothing here
    assert kerinci.card.status.value == "disetujui"
