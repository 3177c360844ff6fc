"""The Telegram process's side of the health check: its scheduler records the day's steps
and tells the admin once when the outbox is stuck; its health URL on a port of its own."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import timedelta

import aiohttp
import pytest
from telegram.ext import Job

from chatbot import healthz
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.people import Person
from chatbot.services.health import Network, Probe, ProbeStatus
from chatbot.services.ports import OutgoingMessage
from handlers import jobs
from handlers.health import serve_health
from tests.conftest import Clock
from tests.handlers.conftest import ADMIN
from tests.support.telegram import TelegramHarness, drained, texts_to


def stuck_for_whatsapp(core: Core, minutes: float) -> None:
    """A notice to someone only WhatsApp reaches, while `spip-bot run-whatsapp` is down."""
    reg = core.services.registration
    code = reg.create_invite("1501", "satgas_kabkota", "Budi").code
    budi = reg.redeem_whatsapp(code, "6281234567890", "Budi").person
    with core.uow() as uow:
        uow.outbox.put(
            OutgoingMessage(budi.id, "Pengingat"), core.clock() - timedelta(minutes=minutes)
        )
        uow.commit()


async def test_the_scheduler_records_its_steps_and_tells_the_admin_once(
    bot: TelegramHarness, core: Core, admin: Person, clock: Clock
) -> None:
    health = core.services.health
    core.services.submission.open_period(Period(2026, 10))
    assert not health.steps().ok  # a period open, and the steps never ran
    stuck_for_whatsapp(core, minutes=40)
    await drained(bot)  # what was queued so far (the join): the WhatsApp notice stays
    steps = Job(jobs.scheduled_steps, data=jobs.ScheduleMemo(), name="jadwal-harian")

    await steps.run(bot.app)
    assert health.steps().sentence.startswith(
        "terakhir berjalan Senin, 2 November 2026 pukul 08.00 WIB; pengingat terakhir"
    )
    sent = texts_to(await drained(bot), ADMIN.id)
    assert len(sent) == 1
    assert sent[0].startswith("⚠️ Peringatan untuk admin: pengiriman pesan bot terganggu.\n\n")
    assert (  # with the notice, the warning this tick queued for Budi waits for WhatsApp too
        "2 pesan belum terkirim, yang tertua sejak Senin, 2 November 2026 pukul 07.20 WIB "
        "(40 menit lalu)"
    ) in sent[0]
    for _ in range(3):  # the next ticks: still stuck, nothing more
        clock.advance(seconds=20)
        await steps.run(bot.app)
    assert texts_to(await drained(bot), ADMIN.id) == []

    clock.advance(hours=25)  # the bot ran all along: each day's first tick is recorded
    await steps.run(bot.app)
    assert health.steps().sentence.startswith("terakhir berjalan Selasa, 3 November 2026")


async def test_the_telegram_processs_health_url(
    bot: TelegramHarness, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPIP_HEALTH_PORT: /healthz beside PTB's own server, started and stopped with it."""
    monkeypatch.setattr(healthz, "KEPT", 0.0)  # each request checks again
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    answers = [Probe(ProbeStatus.OK, "spip_jambi_bot")]

    async def get_me() -> Probe:  # Telegram as the fake answers it, without the network
        return answers[-1]

    base = core.services.health
    health = replace(
        base, network=Network(telegram=get_me), limits=replace(base.limits, network_ttl=0)
    )
    serve_health(bot.app, health, "127.0.0.1", port)
    assert bot.app.post_init is not None and bot.app.post_shutdown is not None
    await bot.app.post_init(bot.app)  # as run_polling and run_webhook call it
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200 and (await response.json())["sehat"] is True
            answers.append(Probe(ProbeStatus.REJECTED, "Unauthorized"))
            async with http.get(url) as response:
                body = await response.json()
        assert response.status == 503 and body["masalah"] == 1
        assert [c["nama"] for c in body["pemeriksaan"] if not c["baik"]] == ["token Telegram"]
    finally:
        await bot.app.post_shutdown(bot.app)
    async with aiohttp.ClientSession() as http:
        try:
            await http.get(url)
        except aiohttp.ClientConnectionError:
            pass
        else:
            raise AssertionError("the health URL is still served after the shutdown")
