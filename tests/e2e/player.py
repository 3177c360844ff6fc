"""Playing people against the running bot through the fake Bot API, and reading what it kept."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.db import make_engine
from storage.models import OutboxRow, PersonRow
from tests.conftest import TOKEN
from tests.handlers.conftest import CHECKLIST, ORG
from tests.support.fake_bot_api import FakeBotApi, Sent
from tests.support.pdf import real_pdf

BIN = Path(sys.executable).parent
RUNNING: set[BotProcess] = set()  # stopped by the e2e conftest after every test, pass or fail
CODE = re.compile(r"Kode: ([A-Z0-9]{5}-[A-Z0-9]{5})")
LINK = re.compile(r"\?start=([A-Z0-9]{10})")
User = dict[str, Any]


def user(uid: int, first: str, last: str = "") -> User:
    data: User = {"id": uid, "is_bot": False, "first_name": first}
    if last:
        data["last_name"] = last
    return data


def chat(who: User) -> int:
    return int(who["id"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Monday 2 November 2026, 07:00 WIB: inside October's submission window, before the period
# of the month opens by itself (07:55) and before the day's warnings (08:00), so the admin
# opens it by hand and every delivery is on time, whatever today's date is
MONDAY_2_NOVEMBER = "2026-11-02T07:00:00+07:00"


def environment(
    fake: FakeBotApi,
    data: Path,
    database_url: str,
    small: bool = True,
    clock_start: str = MONDAY_2_NOVEMBER,
) -> dict[str, str]:
    """The bot's settings: the fake's addresses, a data folder, the training clock (the
    processes of one test share its timeline through the database), and (by default) the
    small province of the handler tests (two regencies, one department, two items)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIP_", "TELEGRAM_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_BASE_FILE_URL=fake.base_file_url,
        SPIP_DATA_DIR=str(data),
        DATABASE_URL=database_url,
        SPIP_OUTBOX_INTERVAL_SECONDS="0.2",
        SPIP_CLOCK_START=clock_start,
        SPIP_SCHEDULE_TICK_SECONDS="1",
        SPIP_DECISION_GATHER_SECONDS="1",
    )
    if small:
        data.mkdir(parents=True, exist_ok=True)
        (data / "org.toml").write_text(ORG, encoding="utf-8")
        (data / "checklist.toml").write_text(CHECKLIST, encoding="utf-8")
        env.update(
            SPIP_ORG_FILE=str(data / "org.toml"), SPIP_CHECKLIST_FILE=str(data / "checklist.toml")
        )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "spip-bot"), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def acli(env: dict[str, str], *args: str) -> str:
    """``cli`` while a bot runs: in a thread, so the fake servers of this event loop keep
    answering (a blocked loop made the bot's requests time out under load)."""
    return await asyncio.to_thread(cli, env, *args)


def admin_code(env: dict[str, str]) -> str:
    cli(env, "init")
    match = CODE.search(cli(env, "invite", "--unit", "15", "--role", "admin", "--name", "Admin"))
    assert match is not None
    return match[1]


@dataclass(eq=False)
class BotProcess:
    """``spip-bot run`` in a subprocess; its log goes to a file the test reads at the end."""

    env: dict[str, str]
    log: Path
    args: tuple[str, ...] = ()
    process: asyncio.subprocess.Process | None = None
    command: tuple[str, ...] = (str(BIN / "spip-bot"), "run")

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *self.command,
            *self.args,
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=self.log.open("ab"),
            start_new_session=True,  # a process group of its own: stopped whole
        )
        RUNNING.add(self)

    async def stop(self, timeout: float = 10) -> None:
        """SIGTERM, as Docker stops a container; the bot must be gone within ``timeout``."""
        if self.process is not None and self.process.returncode is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), timeout=timeout)
            finally:
                self.ensure_stopped()
        RUNNING.discard(self)

    async def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        await self.process.wait()
        RUNNING.discard(self)

    def ensure_stopped(self) -> None:
        """The whole process group killed, whatever state the test left it in."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


class Player:
    """People pressing buttons and sending files; every step waits for the bot's answer."""

    def __init__(self, fake: FakeBotApi) -> None:
        self.fake = fake

    def mark(self) -> int:
        return len(self.fake.sent)

    async def says(self, who: User, text: str, expect: str, timeout: float = 20) -> Sent:
        mark = self.mark()
        await self.fake.send_text(who, text)
        return await self.fake.wait_for(chat(who), expect, timeout=timeout, after=mark)

    async def presses(
        self,
        who: User,
        message: Sent,
        data: str,
        expect: str | tuple[str, ...],
        timeout: float = 20,
    ) -> Sent:
        mark = self.mark()
        await self.fake.press(who, message, data)
        return await self.fake.wait_for(chat(who), expect, timeout=timeout, after=mark)

    async def join(self, admin: User, who: User, unit: str, role: str) -> None:
        name = f"{who['first_name']} {who.get('last_name', '')}".strip()
        created = await self.says(
            admin, f"/undang {unit} {role} {name}", "Kode undangan berhasil dibuat"
        )
        match = LINK.search(created.text)
        assert match is not None
        await self.says(who, f"/start {match[1]}", "selamat datang")

    async def send_files(
        self,
        who: User,
        files: list[tuple[str, bytes]],
        item: str,
        expect: str | tuple[str, ...],
        detail: str = "",
    ) -> Sent:
        """From /kirim to the confirmation; returns the bot's receipt."""
        checklist = await self.says(who, "/kirim", "Kelengkapan:")
        title = "Kartu kendali" if item.startswith("KARTU") else f"{item} "  # a card by name
        detail_message = await self.presses(who, checklist, f"kr:i:{item}", detail or title)
        await self.presses(who, detail_message, "kr:f", "Silakan kirim berkas")
        received: Sent | None = None
        for name, data in files:
            mark = self.mark()
            await self.fake.send_document(who, name, data)
            received = await self.fake.wait_for(chat(who), f"Berkas diterima: {name}", after=mark)
        assert received is not None
        summary = await self.presses(who, received, "kr:d", "Mohon periksa")
        return await self.presses(who, summary, "kr:c", expect)

    async def deliver(self, who: User, item: str, name: str) -> Sent:
        return await self.send_files(who, [(name, pdf(name))], item, "Terima kasih. Kiriman untuk ")

    async def at_desk(self, who: User, notice: Sent) -> Sent:
        """A delivery's notice: "Periksa", then the desk's message (after the evidence)."""
        [(_, data)] = notice.buttons
        assert data.startswith("rp:op:"), notice.buttons
        decide = f"rp:ok:{data.removeprefix('rp:op:')}:"
        mark = self.mark()
        await self.fake.press(who, notice, data)
        # the desk's message for this delivery: not the next one an earlier decision showed,
        # which may arrive late under the injected faults
        return await self._first(
            who,
            mark,
            lambda sent: (
                sent.method == "sendMessage" and any(d.startswith(decide) for _, d in sent.buttons)
            ),
        )

    async def approve(self, who: User, notice: Sent, expect: str) -> Sent:
        """At the desk, "Setujui"; done when that desk message is edited to say so (an older
        notice's edit says the same words)."""
        desk = await self.at_desk(who, notice)
        mark = self.mark()
        await self.fake.press(who, desk, desk.buttons[0][1])
        return await self._first(
            who,
            mark,
            lambda sent: (
                sent.method == "editMessageText"
                and str(sent.params.get("message_id")) == str(desk.message["message_id"])
                and expect in sent.text
            ),
        )

    async def _first(self, who: User, after: int, wanted: Callable[[Sent], bool]) -> Sent:
        deadline = asyncio.get_running_loop().time() + 90  # under the injected faults
        while asyncio.get_running_loop().time() < deadline:
            for sent in self.fake.sent[after:]:
                if sent.chat_id == who["id"] and wanted(sent):
                    return sent
            await asyncio.sleep(0.05)
        seen = [s.text[:80] for s in self.fake.sent[after:] if s.chat_id == who["id"]]
        raise AssertionError(f"not seen by {who['first_name']}; saw {seen}")

    async def give_back(self, who: User, notice: Sent, reason: str, expect: str) -> None:
        """At the desk for a delivery; on the request itself for the provincial card."""
        desk = await self.at_desk(who, notice) if notice.buttons[0][1].startswith("rp:") else notice
        await self.presses(who, desk, desk.buttons[1][1], "Silakan tuliskan alasan")
        confirm = await self.says(who, reason, "dengan alasan:")
        await self.presses(who, confirm, "rt:y", expect)


def pdf(name: str) -> bytes:
    return real_pdf(note=name)


@dataclass(frozen=True)
class Queued:
    id: int
    chat: int
    text: str
    files: int
    sent: bool
    edit: bool = False  # an edit of a message sent before (its buttons gone)


def outbox_rows(database_url: str) -> list[Queued]:
    """Every notification the bot queued, as the database has it."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    OutboxRow.id,
                    PersonRow.telegram_chat_id,
                    OutboxRow.text,
                    OutboxRow.attachments,
                    OutboxRow.sent_at,
                    OutboxRow.edit_message_id,
                ).join(PersonRow, PersonRow.id == OutboxRow.person_id)  # type: ignore[arg-type]
            ).all()
    finally:
        engine.dispose()
    return [
        Queued(int(i), int(c or 0), t, a.count('"sha256"'), sent is not None, e is not None)
        for i, c, t, a, sent, e in rows
    ]


def delivered_twice(
    fake: FakeBotApi, rows: list[Queued]
) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Each queued notification against what reached the fake: (missing, doubled)."""
    queued = Counter((q.chat, q.text) for q in rows if not q.edit)
    seen = Counter((s.chat_id, s.text) for s in fake.sent if s.method == "sendMessage")
    missing = [key for key, n in queued.items() if seen[key] < n]
    doubled = [key for key, n in queued.items() if seen[key] > n]
    # an edit may meet the same edit made at once in the chat (the desk's own message): it
    # is never doubled, only missing when it never reached the message
    edited = {(s.chat_id, s.text) for s in fake.sent if s.method == "editMessageText"}
    missing += [(q.chat, q.text) for q in rows if q.edit and (q.chat, q.text) not in edited]
    return missing, doubled


def documents_to(fake: FakeBotApi, who: User) -> int:
    return sum(s.method == "sendDocument" and s.chat_id == chat(who) for s in fake.sent)
