"""Per-update CPU cost and throughput of the WhatsApp channel (`spip-bot run-whatsapp`), against
a bare aiohttp webhook of the same shape (``bench.wa_echo``): both real subprocesses, driven
with signed Meta-shaped webhook posts over loopback, the Graph API faked in this process
(``tests.support.fake_graph_api``).

    python -m bench.whatsapp [--runs 3] [--samples 30] [--rush 500] [--profile]

CPU per update is the process's CPU time (all threads) from the webhook's POST handed to its
handler to the response returned (``bench.instrumented``'s ``webhook_timer``): pywa handles
an update inside the request, its replies to the Graph API and the work put in threads
included. One update at a time; each waits for the bot's answer, and the outbox's notices an
update queues (the satgas' notice, the decision's notice) are awaited before the next update,
so their sending is not counted there (the rush counts everything). SQL: the statements run in
the request. The steps are those of ``bench.updates`` (the same month, full province and
checklist): WhatsApp's file receipt already offers "Kirim", so a person there skips "selesai"
(the summary); it is measured all the same, and the delivery is summed both ways.

The rush: ``--rush`` deliveries (kirim, the item, "send a file", the file, "done", "confirm")
by 100 people at once, against the echo webhook's updates per second with 100 senders at once;
the outbox's sending rate at its maximum (``WHATSAPP_SEND_RATE=1000``). Peak memory: VmHWM.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, TCPConnector
from sqlalchemy import text

from bench.updates import (
    Figures as TelegramFigures,
)
from bench.updates import (
    check_clean,
    cpu_ms,
    kabkota_items,
    kabkota_units,
    p99,
    peak_rss_mb,
)
from storage.db import make_engine
from tests.conftest import TOKEN
from tests.e2e.player import CODE, BotProcess, acli, cli, environment, free_port
from tests.support.fake_bot_api import FakeBotApi
from tests.support.fake_graph_api import (
    APP_SECRET,
    PHONE_ID,
    FakeGraphApi,
    choice_update,
    document_update,
    signed,
    text_update,
)
from tests.support.pdf import real_pdf

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("kirim", "butir", "minta berkas", "berkas", "selesai", "konfirmasi")
VERIFY_TOKEN = "verifikasi"
SARI = ("62811031", "Sari")
RECEIPTS = ("Terima kasih", "Mohon maaf", "sudah dikirim")  # delivered, or changed meanwhile
Person = tuple[str, str]  # (wa id, name)
Payload = dict[str, Any]


def shown(payload: Payload) -> str:
    """What a message sent to the Graph API shows: its text, body or caption."""
    kind = payload.get("type")
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "interactive":
        return str(payload["interactive"].get("body", {}).get("text", ""))
    if kind in ("image", "document"):
        return str(payload[kind].get("caption", ""))
    return ""


def buttons(payload: Payload) -> list[str]:
    """The ids of a message's reply buttons or list rows."""
    action = payload.get("interactive", {}).get("action", {})
    ids = [b["reply"]["id"] for b in action.get("buttons", [])]
    return ids + [r["id"] for s in action.get("sections", []) for r in s.get("rows", [])]


@dataclass
class Webhook:
    """A webhook process's URL, the fake Graph API it answers through, and the posting of
    updates to it; every update gets a message id of our own, to find its CPU line."""

    url: str
    graph: FakeGraphApi
    http: ClientSession
    last_id: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _media: Any = field(default_factory=lambda: itertools.count(1))

    async def ready(self, process: BotProcess) -> None:
        challenge = {
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "42",
        }
        for _ in range(600):
            assert process.process is not None
            if process.process.returncode is not None:
                raise RuntimeError("the webhook process ended:\n" + process.output()[-3000:])
            try:
                async with self.http.get(self.url, params=challenge) as response:
                    if response.status == 200 and await response.text() == "42":
                        return
            except OSError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError("the webhook did not start")

    async def post(self, update: Payload) -> str:
        message_id = f"wamid.bench{next(self._ids)}"
        update["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = message_id
        body, headers = signed(update)
        self.last_id = message_id
        async with self.http.post(self.url, data=body, headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"the webhook answered {response.status}")
        return message_id

    def mark(self) -> int:
        return len(self.graph.sent)

    async def wait_for(
        self,
        who: Person,
        expect: str | tuple[str, ...],
        after: int,
        timeout: float = 20,
        wanted: Callable[[Payload], bool] | None = None,
    ) -> Payload:
        """The first message to ``who`` since ``after`` showing ``expect``."""
        expected = (expect,) if isinstance(expect, str) else expect
        for _ in range(int(timeout / 0.01)):
            for payload in self.graph.sent[after:]:
                if str(payload["to"]) != who[0]:
                    continue
                if (wanted or (lambda p: any(e in shown(p) for e in expected)))(payload):
                    return payload
            await asyncio.sleep(0.01)
        said = [shown(p)[:200] for p in self.graph.sent[after:] if str(p["to"]) == who[0]]
        raise RuntimeError(f"{who[1]} was not sent {expected!r}; got {said}")

    async def says(self, who: Person, words: str, expect: str | tuple[str, ...]) -> Payload:
        mark = self.mark()
        await self.post(text_update(who[0], who[1], words))
        return await self.wait_for(who, expect, mark)

    async def taps(
        self, who: Person, data: str, expect: str | tuple[str, ...], kind: str = "button_reply"
    ) -> Payload:
        mark = self.mark()
        await self.post(choice_update(who[0], who[1], data, kind))
        return await self.wait_for(who, expect, mark)

    async def sends(self, who: Person, name: str, data: bytes, expect: str) -> Payload:
        media_id = f"MEDIA-{next(self._media)}"
        self.graph.media[media_id] = (data, "application/pdf")
        mark = self.mark()
        await self.post(document_update(who[0], who[1], media_id, name))
        return await self.wait_for(who, expect, mark)

    async def delivers(
        self, who: Person, item: str, name: str, sample: Sampler | None = None
    ) -> Payload:
        """kirim, the item from the list, "Kirim berkas", the PDF, "done" (the summary), then
        the summary's "Kirim"; returns the receipt (or the refusal, when it changed meanwhile)."""

        async def step(kind: str, do: Callable[[], Awaitable[Payload]]) -> Payload:
            return await (sample(kind, do) if sample is not None else do())

        await step("kirim", lambda: self.says(who, "kirim", "Kelengkapan:"))
        detail = await step("butir", lambda: self.taps(who, f"kr:i:{item}", item, "list_reply"))
        assert "kr:f" in buttons(detail), buttons(detail)
        await step("minta berkas", lambda: self.taps(who, "kr:f", "Silakan kirim"))
        pdf = real_pdf(note=name)
        await step("berkas", lambda: self.sends(who, name, pdf, f"Berkas diterima: {name}"))
        summary = await step("selesai", lambda: self.taps(who, "kr:d", "Mohon periksa"))
        [send] = [b for b in buttons(summary) if b.startswith("kr:c:")]
        return await step("konfirmasi", lambda: self.taps(who, send, RECEIPTS))


@dataclass
class Figures(TelegramFigures):
    commits: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class Sampler:
    """Which update was which: the CPU of each is read afterwards from the process's log."""

    webhook: Webhook
    cpu_log: Path
    kinds: dict[str, str] = field(default_factory=dict)

    async def __call__(self, kind: str, step: Callable[[], Awaitable[Any]]) -> Any:
        result = await step()
        self.kinds[self.webhook.last_id] = kind
        return result

    def collect(self, figures: Figures) -> None:
        for line in self.cpu_log.read_text().splitlines():
            message_id, ns, queries, commits = line.split()
            kind = self.kinds.get(message_id)
            if kind is not None:
                figures.add(kind, int(ns) / 1e6, int(queries))
                figures.commits.setdefault(kind, []).append(int(commits))


def settings(graph: FakeGraphApi, fake: FakeBotApi, folder: Path) -> dict[str, str]:
    """The bot's environment of tests/e2e/test_whatsapp.py, with the full province."""
    env = environment(
        fake, folder / "data", f"sqlite:///{folder / 'data' / 'spip.db'}", small=False
    )
    env.update(
        WHATSAPP_PHONE_ID=PHONE_ID,
        WHATSAPP_TOKEN="token-graph",
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
        WHATSAPP_GRAPH_URL=graph.url,
        SPIP_BENCH_CPU_LOG=str(folder / "cpu.log"),
    )
    return env


async def start(
    env: dict[str, str], folder: Path, mode: str, http: ClientSession, graph: FakeGraphApi
) -> tuple[BotProcess, Webhook]:
    port = free_port()
    args = ("--listen", "127.0.0.1", "--port", str(port), "--path", "/whatsapp")
    command = (sys.executable, "-m", "bench.instrumented", mode)
    process = BotProcess(
        dict(env, PYTHONPATH=str(ROOT)), folder / f"{mode}.log", args, command=command
    )
    await process.start()
    webhook = Webhook(f"http://127.0.0.1:{port}/whatsapp", graph, http)
    await webhook.ready(process)
    return process, webhook


def wa_id(n: int) -> str:
    return f"62812{n:07d}"


async def echo_baseline(
    graph: FakeGraphApi, http: ClientSession, folder: Path, samples: int, figures: Figures
) -> None:
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPIP_", "WHATSAPP_"))} | {
        "WHATSAPP_PHONE_ID": PHONE_ID,
        "WHATSAPP_TOKEN": "token-graph",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_GRAPH_URL": graph.url,
        "SPIP_BENCH_CPU_LOG": str(folder / "cpu.log"),
    }
    process, webhook = await start(env, folder, "wa-echo", http, graph)
    assert process.process is not None
    sample = Sampler(webhook, folder / "cpu.log")
    someone: Person = ("62819000005", "Gema")
    for i in range(20):  # warm-up
        await webhook.says(someone, f"pemanasan {i}", f"pemanasan {i}")
    for i in range(samples * 3):
        said = f"halo {i}"
        await sample("echo", functools.partial(webhook.says, someone, said, said))
    people: list[Person] = [(wa_id(3000 + n), f"Gema{n}") for n in range(100)]

    async def chatter(who: Person) -> None:
        for k in range(60):
            mark = webhook.mark()
            await webhook.post(text_update(who[0], who[1], f"pesan {k}"))
            assert len(webhook.graph.sent) > mark  # answered inside the request

    begin = time.perf_counter()
    await asyncio.gather(*(chatter(who) for who in people))
    figures.rush["echo_updates_per_s"] = 6000 / (time.perf_counter() - begin)
    figures.rss["echo (aiohttp)"] = peak_rss_mb(process.process.pid)
    await process.stop()
    check_clean(process.output())
    sample.collect(figures)


def invite(env: dict[str, str], unit: str, role: str, name: str) -> str:
    match = CODE.search(cli(env, "invite", "--unit", unit, "--role", role, "--name", name))
    assert match is not None
    return match[1]


async def open_period(env: dict[str, str], webhook: Webhook, people: list[Person]) -> None:
    """October opened from the command line; its kick-off sent by the channel's outbox."""
    mark = webhook.mark()
    await acli(env, "period", "open", "2026-10")
    for who in people:
        await webhook.wait_for(who, "mohon menyampaikan", mark, timeout=120)
    await outbox_empty(env)


async def outbox_empty(env: dict[str, str], timeout: float = 120) -> None:
    engine = make_engine(env["DATABASE_URL"])
    try:
        for _ in range(int(timeout / 0.1)):
            with engine.connect() as conn:
                unsent = conn.execute(
                    text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
                ).scalar()
            if not unsent:
                return
            await asyncio.sleep(0.1)
    finally:
        engine.dispose()
    raise RuntimeError(f"the outbox still holds {unsent} messages")


async def per_update(
    graph: FakeGraphApi,
    fake: FakeBotApi,
    http: ClientSession,
    folder: Path,
    samples: int,
    figures: Figures,
    profile: bool = False,
) -> None:
    folder.mkdir(parents=True)
    env = settings(graph, fake, folder)
    if profile:
        (folder / "profiles").mkdir()
        env["SPIP_BENCH_PROFILE"] = str(folder / "profiles")
    cli(env, "init")
    units = kabkota_units()
    staff: list[Person] = [(wa_id(1000 + n), f"Staf{n}") for n in range(len(units))]
    codes = {SARI: invite(env, "15", "satgas_prov", "Sari Satgas")}
    for who, unit in zip(staff, units, strict=True):
        codes[who] = invite(env, unit, "satgas_kabkota", f"{who[1]} Kabupaten")
    bot, webhook = await start(env, folder, "whatsapp", http, graph)
    assert bot.process is not None
    for who, code in codes.items():
        await webhook.says(who, code, "selamat datang")
    await open_period(env, webhook, staff)
    sample = Sampler(webhook, folder / "cpu.log")
    items = kabkota_items()
    notices: list[tuple[Person, Payload]] = []
    for n in range(samples):
        who = staff[n % len(staff)]
        name = f"{who[1]}-{n}.pdf"
        mark = webhook.mark()
        receipt = await webhook.delivers(who, items[(n // len(staff)) % len(items)], name, sample)
        assert shown(receipt).startswith("Terima kasih"), shown(receipt)
        # the notice to the satgas goes out through the outbox, outside the next update
        notices.append((who, await webhook.wait_for(SARI, name, mark, timeout=60)))
    for who, notice in notices:
        [periksa] = buttons(notice)
        assert periksa.startswith("rp:op:"), periksa
        decide = f"rp:ok:{periksa.removeprefix('rp:op:')}:"

        async def at_desk(periksa: str = periksa, decide: str = decide) -> Payload:
            mark = webhook.mark()
            await webhook.post(choice_update(SARI[0], SARI[1], periksa))
            return await webhook.wait_for(
                SARI, "", mark, wanted=lambda p: any(b.startswith(decide) for b in buttons(p))
            )

        desk = await sample("periksa", at_desk)
        mark = webhook.mark()
        approve = buttons(desk)[0]
        await sample("keputusan", functools.partial(webhook.taps, SARI, approve, "Disetujui"))
        await webhook.wait_for(who, "telah disetujui", mark, timeout=60)
    for _ in range(samples):
        await sample("/status", lambda: webhook.says(SARI, "status", "Status Kartu Kendali SPIP"))
    figures.rss["spip-bot run-whatsapp"] = peak_rss_mb(bot.process.pid)
    await bot.stop()
    check_clean(bot.output())
    sample.collect(figures)
    if profile:
        print_profiles(folder / "profiles", sample.kinds)


def package(file: str) -> str:
    """Whose code a profiled function is: the project's folder, a library, the standard
    library's module, or ``~`` (a built-in)."""
    if file == "~":
        return "~"
    path = Path(file)
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    if file.startswith(str(ROOT)):
        return path.relative_to(ROOT).parts[0].removesuffix(".py") + "/"
    stdlib = [n for n, part in enumerate(path.parts) if part.startswith("python3")]
    if stdlib and len(path.parts) > stdlib[-1] + 1:
        return "stdlib " + path.parts[stdlib[-1] + 1].removesuffix(".py")
    return file.strip("<>").split()[0]


Function = tuple[str, int, str]  # pstats' key: (file, line, name)
NO_CALLER: Function = ("", 0, "(no project function on the stack: the server, the loop)")


def is_project(function: Function) -> bool:
    return package(function[0]) in ("chatbot/", "whatsapp/", "storage/", "handlers/")


def blame(stats: dict[Function, Any], rounds: int = 200) -> dict[Function, float]:
    """Each function's own time credited to the nearest project function that called it,
    gprof's way: a library function's time is split among its callers by the time spent from
    each, and pushed up the call graph until it reaches a project function (a resumed
    coroutine's caller is the coroutine awaiting it); what goes round a cycle of library
    calls longer than ``rounds`` steps, or reaches a function nobody called, is NO_CALLER."""
    up: dict[Function, list[tuple[Function, float]]] = {}
    for function, row in stats.items():
        weights = {c: e[3] or e[2] for c, e in row[4].items() if c != function}
        total = sum(weights.values())
        up[function] = [(c, w / total) for c, w in weights.items() if w] if total else []
    blamed: dict[Function, float] = {}
    moving: dict[Function, float] = {}
    for function, row in stats.items():
        target = blamed if is_project(function) else moving
        target[function] = target.get(function, 0.0) + row[2]
    for _ in range(rounds):
        if not moving:
            break
        pushed: dict[Function, float] = {}
        for function, spent in moving.items():
            if not up.get(function):
                blamed[NO_CALLER] = blamed.get(NO_CALLER, 0.0) + spent
                continue
            for caller, share in up[function]:
                target = blamed if is_project(caller) else pushed
                target[caller] = target.get(caller, 0.0) + spent * share
        moving = pushed
    blamed[NO_CALLER] = blamed.get(NO_CALLER, 0.0) + sum(moving.values())
    return blamed


def print_profiles(folder: Path, kinds: dict[str, str], top: int = 6) -> None:
    """Per step, summed over its samples (cProfile on each thread's own clock, the worker
    threads' work added): the own time by package (a built-in's counted to its caller's),
    the project's functions by the time they cause (their own and that of the library code
    they call, ``blame``), and the functions with the most own time."""
    by_kind: dict[str, list[str]] = {}
    for message_id, kind in kinds.items():
        path = folder / f"{message_id}.prof"
        if path.exists():
            by_kind.setdefault(kind, []).append(str(path))
    for kind, paths in by_kind.items():
        stats: Any = pstats.Stats(*paths)
        rows = list(stats.stats.items())
        total = sum(row[2] for _, row in rows)
        n = len(paths)
        packages: dict[str, float] = {}
        for (file, _, _), (_, _, own, _, callers) in rows:
            if file != "~" or not callers:
                packages[package(file)] = packages.get(package(file), 0) + own
                continue
            for (caller, _, _), edge in callers.items():
                packages[package(caller)] = packages.get(package(caller), 0) + edge[2]
        print(f"\nProfile of {kind!r}: {n} updates, {1000 * total / n:.2f} ms each profiled")
        shares = sorted(packages.items(), key=lambda kv: -kv[1])[:top]
        print("  by package: " + ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in shares))
        print(f"  the project's functions by the time they cause (own + libraries), top {top}:")
        for (file, line, name), spent in sorted(blame(stats.stats).items(), key=lambda kv: -kv[1])[
            :top
        ]:
            where = f"{Path(file).relative_to(ROOT)}:{line} " if file else ""
            print(f"  {100 * spent / total:5.1f}%  {1000 * spent / n:6.2f} ms  {where}{name}")
        print(f"  own time, top {top}:")
        for (file, line, name), (_, calls, own, _, _) in sorted(rows, key=lambda kv: -kv[1][2])[
            :top
        ]:
            where = "/".join(Path(file).parts[-2:])
            print(
                f"  {100 * own / total:5.1f}%  {1000 * own / n:6.2f} ms  {calls / n:7.1f}×  "
                f"{where}:{line} {name}"
            )


async def rush(
    graph: FakeGraphApi,
    fake: FakeBotApi,
    http: ClientSession,
    folder: Path,
    deliveries: int,
    figures: Figures,
) -> None:
    folder.mkdir(parents=True)
    env = settings(graph, fake, folder)
    env["WHATSAPP_SEND_RATE"] = "1000"
    cli(env, "init")
    admin: Person = ("62811011", "Admin")
    code = invite(env, "15", "admin", "Admin")
    bot, webhook = await start(env, folder, "whatsapp", http, graph)
    assert bot.process is not None
    pid = bot.process.pid
    await webhook.says(admin, code, "selamat datang")
    units = kabkota_units()
    staff: list[Person] = [(wa_id(2000 + n), f"Staf{n}") for n in range(100)]
    for who, role, unit in [(SARI, "satgas_prov", "15")] + [
        (w, "satgas_kabkota", units[n % len(units)]) for n, w in enumerate(staff)
    ]:
        created = await webhook.says(admin, f"undang {unit} {role} {who[1]}", "Kode:")
        match = CODE.search(shown(created))
        assert match is not None, shown(created)
        await webhook.says(who, match[1], "selamat datang")
    await open_period(env, webhook, staff)
    items = kabkota_items()
    each = deliveries // len(staff)
    stale = 0

    async def person(n: int, who: Person) -> None:
        """Ten people of a unit share its items: two of them may deliver the same item at the
        same moment, and the second is told it changed (stale); like a person, they open it
        again and send once more."""
        nonlocal stale
        for k in range(each):
            item, name = items[(n + k) % len(items)], f"{who[1]}-{k}.pdf"
            for _ in range(20):
                receipt = await webhook.delivers(who, item, name)
                if shown(receipt).startswith("Terima kasih"):
                    break
                stale += 1
            else:
                raise RuntimeError(f"{who[1]} could not deliver {item}: {shown(receipt)}")

    cpu_before, begin = cpu_ms(pid), time.perf_counter()
    await asyncio.gather(*(person(n, who) for n, who in enumerate(staff)))
    elapsed = time.perf_counter() - begin
    cpu = cpu_ms(pid) - cpu_before
    await outbox_empty(env)  # the notices to the satgas, all of them
    engine = make_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM submission")).scalar()
    engine.dispose()
    figures.rss["run-whatsapp rush"] = peak_rss_mb(pid)
    await bot.stop()
    check_clean(bot.output())
    assert stored == each * len(staff), (stored, each * len(staff))
    figures.rush.update(
        deliveries=each * len(staff),
        stale_retries=stale,
        updates_per_s=6 * (each * len(staff) + stale) / elapsed,
        seconds=elapsed,
        cpu_ms_per_delivery=cpu / (each * len(staff)),
    )


async def one_run(samples: int, deliveries: int, profile: bool = False) -> Figures:
    figures = Figures()
    folder = Path(tempfile.mkdtemp(prefix="spip-bench-wa-"))
    jobs: list[tuple[str, Callable[..., Awaitable[None]]]] = [
        ("echo", lambda g, f, h: echo_baseline(g, h, folder / "echo", samples, figures)),
        ("spip", lambda g, f, h: per_update(g, f, h, folder / "spip", samples, figures, profile)),
    ]
    if deliveries:
        jobs.append(("rush", lambda g, f, h: rush(g, f, h, folder / "rush", deliveries, figures)))
    for name, job in jobs:
        graph, fake = FakeGraphApi(), FakeBotApi(TOKEN)
        await graph.start()
        await fake.start()
        try:
            async with ClientSession(connector=TCPConnector(limit=0)) as http:
                await job(graph, fake, http)
        finally:
            await fake.stop()
            await graph.stop()
        print(f"  {name} done", file=sys.stderr)
    return figures


def report(runs: list[Figures]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    echo = med([med(r.samples["echo"]) for r in runs])
    print(f"\nPer-update CPU of the webhook process, ms (medians over {len(runs)} runs)")
    print(f"{'step':<26}{'median':>9}{'p99':>9}{'× echo':>9}{'SQL':>6}{'commits':>9}{'n':>6}")
    for kind in runs[0].samples:
        m = med([med(r.samples[kind]) for r in runs])
        tail = med([p99(r.samples[kind]) for r in runs])
        n = len(runs[0].samples[kind])
        queries = med([med([float(q) for q in r.queries[kind]]) for r in runs])
        commits = med([med([float(c) for c in r.commits.get(kind, [0])]) for r in runs])
        print(
            f"{kind:<26}{m:>9.2f}{tail:>9.2f}{m / echo:>9.1f}{queries:>6.0f}{commits:>9.0f}{n:>6}"
        )
    for label, steps in (
        ("delivery (6 updates)", STEPS),
        ("delivery, WhatsApp's 5", tuple(s for s in STEPS if s != "selesai")),
    ):
        total = med([sum(med(r.samples[k]) for k in steps) for r in runs])
        print(f"{label:<26}{total:>9.2f}{'':>9}{total / echo:>9.1f}")
    print("\nRush: 100 senders at once")
    keys = ("deliveries", "stale_retries", "seconds", "updates_per_s", "cpu_ms_per_delivery")
    for key in (*(keys if "deliveries" in runs[0].rush else ()), "echo_updates_per_s"):
        print(f"  {key:<24}{med([r.rush[key] for r in runs]):>10.1f}")
    print("\nPeak RSS (VmHWM), MB")
    for key in runs[0].rss:
        print(f"  {key:<24}{med([r.rss[key] for r in runs]):>10.1f}")


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--rush", type=int, default=500)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile every update of the bot (cProfile, threads included) and print where "
        "each step's CPU goes (the figures are then the profiler's, not the bot's)",
    )
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        print(f"run {n + 1} of {args.runs}", file=sys.stderr)
        runs.append(asyncio.run(one_run(args.samples, args.rush, args.profile)))
    report(runs)


if __name__ == "__main__":
    main()
