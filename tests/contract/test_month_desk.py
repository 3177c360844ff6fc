"""The provincial satgas' month at the reviewer's desk, through the running bot on both
channels: 11 regencies and 3 departments deliver every item they owe (a real PDF each), the
satgas is told once per delivery and reviews every one at the desk, one tap each, with the
first page of every PDF in view. ``pytest -s`` prints the figures (issue 16's closing note)."""

from __future__ import annotations

import pytest

from chatbot.app import Core
from chatbot.config import Settings
from chatbot.domain.roles import Role
from chatbot.domain.units import UnitKind
from chatbot.domain.workflow import UNIT_CARD_ITEM
from chatbot.services.ports import EvidenceFile
from tests.contract.conftest import OCTOBER
from tests.contract.drivers import Driver, Seen, TelegramDriver
from tests.support.pdf import real_pdf

ROLE = {UnitKind.KABKOTA: Role.SATGAS_KABKOTA, UnitKind.BAGIAN: Role.BAGIAN}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # the rate limiter paces the real Telegram (30 a second); here the month is counted,
    # not timed, so the fake's answers are not waited for
    return settings.model_copy(update={"spip_send_rate": 0})


def _pictures(seen: list[Seen]) -> int:
    return sum(1 for s in seen if s.document == "gambar")


async def test_the_satgas_month_at_the_desk(driver: Driver, core: Core) -> None:
    svc = core.services
    satgas = await driver.join("15", "satgas_prov", "Sari Satgas")
    units = [u for u in svc.registration.units() if u.kind in ROLE]
    assert sorted(u.kind.value for u in units).count("kabkota") == 11 and len(units) == 14
    if core.engine.dialect.name != "sqlite":  # the same month on PostgreSQL, a regency and
        units = [units[0], units[-1]]  # a department: the figures come from the SQLite run
    for unit in units:
        await driver.join(unit.code, ROLE[unit.kind].value, f"Petugas {unit.code}")
    svc.submission.open_period(OCTOBER)
    await driver.notices()  # the kick-offs
    people = {p.unit.code: p for p in svc.registration.people() if p.name.startswith("Petugas")}
    with core.uow() as uow:
        catalogue = uow.catalogue.load()
    deliveries = 0
    for unit in units:  # every item owed, before its signed card (which waits for 100%)
        for item in catalogue.items_for(unit):
            if item.code == UNIT_CARD_ITEM:
                continue
            stored = core.evidence.put_bytes(real_pdf(2, f"{unit.code} {item.code}"))
            name = f"{item.code}-{unit.code}.pdf"
            evidence = EvidenceFile(stored.sha256, name, "application/pdf", stored.size)
            svc.submission.deliver(people[unit.code], OCTOBER, item.code, 0, [evidence])
            deliveries += 1
    told = (await driver.notices())[satgas.address]
    assert len(told) == deliveries  # one message per delivery
    assert not [s for s in told if s.document]  # no file with them: the desk shows them
    assert all(any(d.startswith("rp:op:") for _, d in s.actions) for s in told)

    shown = await driver.press(satgas, next(d for _, d in told[0].actions))  # "Periksa"
    taps, pictures, reviewed, messages = 1, _pictures(shown), 0, len(shown)
    first = shown[-1].text.splitlines()[0]
    assert first == f"🔎 Pemeriksaan 1 dari {deliveries}", first
    while any(d.startswith("rp:ok:") for _, d in shown[-1].actions):
        approve = next(d for _, d in shown[-1].actions if d.startswith("rp:ok:"))
        shown = await driver.press(satgas, approve)  # "Setujui": the next one follows
        taps, reviewed = taps + 1, reviewed + 1
        pictures += _pictures(shown)
        messages += len(shown)
    assert reviewed == deliveries and taps == deliveries + 1  # one tap each once shown
    assert pictures == deliveries  # every PDF's first page, in view where it was decided
    if isinstance(driver, TelegramDriver):  # delivered past the bot, so none rendered ahead:
        # each rendered as it comes up, "sending a photo" shown while it is
        actions = [c for c in driver.bot.request.history if c.method == "sendChatAction"]
        assert len(actions) == deliveries
        assert {c.params.get("action") for c in actions} == {"upload_photo"}
    later = (await driver.notices()).get(satgas.address, [])
    assert [s for s in later if not s.edited] == []  # nothing new reached the satgas meanwhile
    # on Telegram each delivery's notice now says its outcome and holds no button (one edit
    # each: the desk's own message was brought up to date where it was pressed)
    edits = [s for s in later if s.edited]
    assert len(edits) == (deliveries if driver.channel == "telegram" else 0)
    assert all(not s.actions and "✅ Disetujui oleh Sari Satgas" in s.text for s in edits)
    print(
        f"\n{driver.channel}: {len(units)} units, {deliveries} deliveries; the satgas was told "
        f"{len(told)} messages ({len(told) / deliveries:.2f} per delivery); at the desk "
        f"{taps} taps ({(taps - 1) / deliveries:.2f} per delivery once shown), {messages} "
        f"messages ({messages / deliveries:.2f} per delivery, the picture included), "
        f"{pictures} first-page pictures for {deliveries} PDFs"
    )
