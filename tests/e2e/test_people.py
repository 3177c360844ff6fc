"""A regency satgas deactivated at the server while the bot runs (issue 19): his next message,
button press and file, through the running `spip-bot` and the fake Bot API, are each refused
with one sentence; his file not yet sent goes to the unit's other satgas, who is told."""

from __future__ import annotations

from pathlib import Path

from chatbot import texts
from tests.e2e.player import BotProcess, Player, acli, admin_code, environment, pdf, user
from tests.support.fake_bot_api import FakeBotApi

ADMIN = user(11, "Admin")
BUDI = user(41, "Budi", "Kerinci")
CITRA = user(42, "Citra", "Kerinci")


async def test_access_ends_at_once_while_the_bot_runs(
    fake: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    env = environment(fake, tmp_path / "data", database_url)
    code = admin_code(env)
    bot = BotProcess(env, tmp_path / "bot.log")
    await bot.start()
    play = Player(fake)
    await play.says(ADMIN, f"/start {code}", "selamat datang")
    await play.join(ADMIN, BUDI, "1501", "satgas_kabkota")
    await play.join(ADMIN, CITRA, "1501", "satgas_kabkota")
    await acli(env, "period", "open", "2026-10")
    checklist = await play.says(BUDI, "/kirim", "Kelengkapan:")
    item = await play.presses(BUDI, checklist, "kr:i:KEU-01", "KEU-01 ")
    await play.presses(BUDI, item, "kr:f", "Silakan kirim berkas")
    mark = play.mark()
    await fake.send_document(BUDI, "Daftar hadir.pdf", pdf("daftar hadir oktober"))
    await fake.wait_for(41, "Berkas diterima: Daftar hadir.pdf", after=mark)

    listed = await acli(env, "person", "list")
    budi_id = next(line.split()[0] for line in listed.splitlines() if "Budi Kerinci" in line)
    said = await acli(env, "person", "deactivate", budi_id)
    assert "dialihkan kepada Citra Kerinci." in said and "Draf KEU-01" in said

    refused = await play.says(BUDI, "/kirim", "akses Anda")
    assert refused.text == texts.ACCESS_ENDED
    refused = await play.presses(BUDI, checklist, "kr:i:RPL-01", "akses Anda")
    assert refused.text == texts.ACCESS_ENDED
    mark = play.mark()
    await fake.send_document(BUDI, "Lagi.pdf", pdf("lagi"))
    refused = await fake.wait_for(41, "akses Anda", after=mark)
    assert refused.text == texts.ACCESS_ENDED_FILE
    told = await fake.wait_for(42, "Pekerjaan Budi Kerinci")
    assert "KEU-01" in told.text and "Oktober 2026" in told.text
    mine = await play.says(CITRA, "/kirim", "Kelengkapan:")
    opened = await play.presses(CITRA, mine, "kr:i:KEU-01", "Daftar hadir.pdf")
    assert "Daftar hadir.pdf" in opened.text
    await bot.stop()
