"""Per-update CPU cost and throughput of the running bot, against a bare PTB echo bot, both
through the fake Bot API server of the end-to-end tests (loopback, in this process).

    python -m bench.updates [--runs 3] [--samples 60] [--rush 1000]

Each bot is a real subprocess (``spip-bot run`` / ``python -m bench.echo_bot``) polling the
fake. CPU is the process's CPU time (all threads) while PTB handles one update, its
reply sent included (``bench.instrumented``), one update at a time; the notifications an update
queues are awaited before the next update, so the outbox's sending is not counted there (the
rush counts everything). Peak memory is the
process's VmHWM. The rush: ``--rush`` deliveries (six updates each: /kirim, the item, "send a
file", the file, "done", "confirm") by 100 people at once, on a second bot with the rate limiter
off (``SPIP_SEND_RATE=0``), to measure what the bot itself can take: with the limiter on,
Telegram's 30 messages/s bound every answer, hence about 30 updates/s.
"""

from __future__ import annotations

import argparse
import asyncio
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

from sqlalchemy import text

from chatbot.domain.checklist import load_catalogue
from chatbot.domain.units import UnitKind, load_org
from storage.db import make_engine
from tests.conftest import TOKEN
from tests.e2e.player import BotProcess, Player, User, admin_code, environment, pdf, user
from tests.support.fake_bot_api import FakeBotApi, Sent
from tests.support.pdf import real_pdf

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("kirim", "butir", "minta berkas", "berkas", "selesai", "konfirmasi")
DATA = ROOT / "chatbot" / "data"


def cpu_ms(pid: int) -> float:
    """The CPU time of process ``pid`` (all its threads), ns-precise: the process CPU clock
    (Linux's clock id for another process, ``(~pid << 3) | CPUCLOCK_SCHED``). The scheduler
    statistics in /proc were only 4 ms-precise on this machine's kernel."""
    return time.clock_gettime_ns(((~pid) << 3) | 2) / 1e6


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


@dataclass
class Figures:
    samples: dict[str, list[float]] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    rush: dict[str, float] = field(default_factory=dict)
    queries: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, value: float, queries: int = 0) -> None:
        self.samples.setdefault(kind, []).append(value)
        self.queries.setdefault(kind, []).append(queries)


@dataclass
class Sampler:
    """Which update was which: the CPU of each is read afterwards from the bot's own log."""

    fake: FakeBotApi
    cpu_log: Path
    kinds: dict[int, str] = field(default_factory=dict)

    async def __call__(self, kind: str, step: Callable[[], Awaitable[Any]]) -> Any:
        result = await step()
        self.kinds[self.fake.last_update_id] = kind
        return result

    def collect(self, figures: Figures) -> None:
        for line in self.cpu_log.read_text().splitlines():
            update_id, ns, queries = line.split()
            kind = self.kinds.get(int(update_id))
            if kind is not None:
                figures.add(kind, int(ns) / 1e6, int(queries))


async def wait_started(fake: FakeBotApi, calls_before: int) -> None:
    for _ in range(600):
        if any(m == "getUpdates" for m, _ in fake.calls[calls_before:]):
            return
        await asyncio.sleep(0.05)
    raise RuntimeError("the bot did not start polling")


async def echo_baseline(fake: FakeBotApi, folder: Path, samples: int, figures: Figures) -> None:
    cpu_log = folder / "echo-cpu.log"
    env = dict(
        os.environ,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        SPIP_BENCH_CPU_LOG=str(cpu_log),
    )
    log = folder / "echo.log"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.instrumented",
        "echo",
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    await wait_started(fake, 0)
    play = Player(fake)
    sample = Sampler(fake, cpu_log)
    someone = user(5, "Gema")
    for i in range(20):  # warm-up
        await play.says(someone, f"pemanasan {i}", f"pemanasan {i}")
    for i in range(samples * 3):
        await sample("echo", lambda i=i: play.says(someone, f"halo {i}", f"halo {i}"))
    people = [user(3000 + n, f"Gema{n}") for n in range(100)]

    async def chatter(who: User) -> None:
        for k in range(60):
            await play.says(who, f"pesan {k}", f"pesan {k}")

    begin = time.perf_counter()
    await asyncio.gather(*(chatter(who) for who in people))
    figures.rush["echo_updates_per_s"] = 6000 / (time.perf_counter() - begin)
    figures.rss["echo"] = peak_rss_mb(process.pid)
    process.terminate()
    await process.wait()
    sample.collect(figures)


def kabkota_items() -> list[str]:
    catalogue = load_catalogue(DATA / "checklist.toml")
    return [i.code for i in catalogue.items if "kabkota" in i.owed_by]


def kabkota_units() -> list[str]:
    return [u.code for u in load_org(DATA / "org.toml") if u.kind is UnitKind.KABKOTA]


async def start_spip(fake: FakeBotApi, folder: Path, **settings: str) -> tuple[BotProcess, str]:
    folder.mkdir(parents=True)
    url = f"sqlite:///{folder / 'data' / 'spip.db'}"
    env = environment(fake, folder / "data", url, small=False)
    env.update(settings, SPIP_BENCH_CPU_LOG=str(folder / "cpu.log"))
    code = admin_code(env)
    command = (sys.executable, "-m", "bench.instrumented", "spip")
    bot = BotProcess(env, folder / "bot.log", command=command)
    calls = len(fake.calls)
    await bot.start()
    await wait_started(fake, calls)
    return bot, code


async def team(play: Player, admin: User, code: str, people: int, first_id: int) -> list[User]:
    """The admin, the provincial satgas (id 31), and ``people`` regency staff, all joined."""
    await play.says(admin, f"/start {code}", "selamat datang")
    await play.join(admin, user(31, "Sari", "Satgas"), "15", "satgas_prov")
    units = kabkota_units()
    staff = [user(first_id + n, f"Staf{n}", "Kabupaten") for n in range(people)]
    for n, who in enumerate(staff):
        await play.join(admin, who, units[n % len(units)], "satgas_kabkota")
    return staff


async def per_update(
    fake: FakeBotApi, folder: Path, samples: int, figures: Figures, profile: bool = False
) -> None:
    settings = {"SPIP_BENCH_PROFILE": str(folder / "profiles")} if profile else {}
    if os.environ.get("SPIP_BENCH_SQL_LOG"):
        settings["SPIP_BENCH_SQL_LOG"] = os.environ["SPIP_BENCH_SQL_LOG"]
        settings["SPIP_BENCH_SQL_WHERE"] = os.environ.get("SPIP_BENCH_SQL_WHERE", "")
    if profile:
        (folder / "profiles").mkdir(parents=True)
    bot, code = await start_spip(fake, folder / "spip", **settings)
    assert bot.process is not None
    play = Player(fake)
    sample = Sampler(fake, folder / "spip" / "cpu.log")
    admin, sari = user(11, "Admin"), user(31, "Sari", "Satgas")
    staff = await team(play, admin, code, len(kabkota_units()), 1000)
    overview = await play.says(admin, "/periode", "Periode pelaporan yang terbuka")
    await play.presses(admin, overview, overview.buttons[0][1], "telah dibuka")
    items = kabkota_items()

    async def deliver(who: User, item: str, name: str) -> None:
        c = await sample("kirim", lambda: play.says(who, "/kirim", "Kelengkapan:"))
        d = await sample("butir", lambda: play.presses(who, c, f"kr:i:{item}", f"{item} "))
        await sample("minta berkas", lambda: play.presses(who, d, "kr:f", "Silakan kirim"))

        async def send_file() -> Any:
            mark = play.mark()
            await fake.send_document(who, name, real_pdf(note=name))
            return await fake.wait_for(int(who["id"]), f"Berkas diterima: {name}", after=mark)

        r = await sample("berkas", send_file)
        s = await sample("selesai", lambda: play.presses(who, r, "kr:d", "Mohon periksa"))
        await sample("konfirmasi", lambda: play.presses(who, s, "kr:c", "Terima kasih"))
        # the notice to the satgas goes out through the outbox, outside the next update
        notices.append(await fake.wait_for(31, name, timeout=60, after=mark))

    mark = play.mark()
    notices: list[Sent] = []
    for n in range(samples):
        who = staff[n % len(staff)]
        await deliver(who, items[(n // len(staff)) % len(items)], f"{who['first_name']}-{n}.pdf")
    for n, notice in enumerate(notices):
        who = staff[n % len(staff)]
        before = play.mark()
        desk = await sample("periksa", lambda n=notice: play.at_desk(sari, n))
        await sample(
            "keputusan", lambda d=desk: play.presses(sari, d, d.buttons[0][1], "Disetujui")
        )
        await fake.wait_for(int(who["id"]), "telah disetujui", timeout=60, after=before)
    for _ in range(samples):
        await sample("/status", lambda: play.says(sari, "/status", "Status Kartu Kendali SPIP"))
    figures.rss["spip"] = peak_rss_mb(bot.process.pid)
    await bot.stop()
    check_clean(bot.output())
    sample.collect(figures)
    if profile:
        print_profiles(folder / "profiles", sample.kinds)


def is_ours(file: str) -> bool:
    return file.startswith(str(ROOT)) and ".venv" not in file


def print_profiles(folder: Path, kinds: dict[int, str], top: int = 14) -> None:
    """Per kind of update, the functions with the most own time (cProfile, the event loop's
    thread), summed over its samples: where the per-update CPU goes."""
    by_kind: dict[str, list[str]] = {}
    for update_id, kind in kinds.items():
        path = folder / f"{update_id}.prof"
        if path.exists():
            by_kind.setdefault(kind, []).append(str(path))
    for kind, paths in by_kind.items():
        stats = pstats.Stats(*paths)
        total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
        rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)  # type: ignore[attr-defined]
        print(f"\nProfile of {kind!r} ({len(paths)} updates, own time, top {top})")
        for (file, line, name), (_, calls, own, _, _) in rows[:top]:
            where = "/".join(Path(file).parts[-2:])
            print(
                f"  {100 * own / total:5.1f}%  {1000 * own / len(paths):6.2f} ms  "
                f"{calls / len(paths):7.1f}×  {where}:{line} {name}"
            )
        ours = [kv for kv in stats.stats.items() if is_ours(kv[0][0])]  # type: ignore[attr-defined]
        ours.sort(key=lambda kv: kv[1][3], reverse=True)
        print(f"  the project's own functions, by cumulative time (top {top}):")
        for (file, line, name), (_, calls, _, cumulative, _) in ours[:top]:
            where = str(Path(file).relative_to(ROOT))
            print(
                f"  {100 * cumulative / total:5.1f}%  {1000 * cumulative / len(paths):6.2f} ms  "
                f"{calls / len(paths):7.1f}×  {where}:{line} {name}"
            )


async def rush(fake: FakeBotApi, folder: Path, deliveries: int, figures: Figures) -> None:
    bot, code = await start_spip(fake, folder / "rush", SPIP_SEND_RATE="0")
    assert bot.process is not None
    pid = bot.process.pid
    play = Player(fake)
    staff = await team(play, user(11, "Admin"), code, 100, 2000)
    overview = await play.says(user(11, "Admin"), "/periode", "Periode pelaporan yang terbuka")
    await play.presses(user(11, "Admin"), overview, overview.buttons[0][1], "telah dibuka")
    items = kabkota_items()
    each = deliveries // len(staff)

    stale = 0
    RECEIPTS = ("Terima kasih", "Mohon maaf, butir ini telah berubah")

    async def person(n: int, who: User) -> None:
        """Ten people of a unit share 18 items: two of them may deliver the same item at the
        same moment, and the second is told the item changed (stale); like a person, they
        open it again and send once more."""
        nonlocal stale
        for k in range(each):
            item, name = items[(n + k) % len(items)], f"{who['first_name']}-{k}.pdf"
            while True:
                receipt = await play.send_files(who, [(name, pdf(name))], item, RECEIPTS)
                if receipt.text.startswith("Terima kasih"):
                    break
                stale += 1

    updates_before = sum(m == "getUpdates" for m, _ in fake.calls)
    cpu_before, begin = cpu_ms(pid), time.perf_counter()
    await asyncio.gather(*(person(n, who) for n, who in enumerate(staff)))
    elapsed = time.perf_counter() - begin
    cpu = cpu_ms(pid) - cpu_before
    engine = make_engine(bot.env["DATABASE_URL"])
    for _ in range(600):  # the notices to the satgas, all of them
        with engine.connect() as conn:
            unsent = conn.execute(
                text("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            ).scalar()
            stored = conn.execute(text("SELECT count(*) FROM submission")).scalar()
        if not unsent:
            break
        await asyncio.sleep(0.1)
    engine.dispose()
    figures.rss["spip rush"] = peak_rss_mb(pid)
    await bot.stop()
    check_clean(bot.output())
    assert stored == each * len(staff), (stored, each * len(staff))
    assert not unsent
    figures.rush.update(
        deliveries=each * len(staff),
        stale_retries=stale,
        updates_per_s=6 * (each * len(staff) + stale) / elapsed,
        seconds=elapsed,
        cpu_ms_per_delivery=cpu / (each * len(staff)),
        polls=sum(m == "getUpdates" for m, _ in fake.calls) - updates_before,
    )


def check_clean(log: str) -> None:
    if " ERROR " in log or "Traceback" in log:
        raise RuntimeError("the bot logged an error:\n" + log[-3000:])


async def one_run(samples: int, deliveries: int, profile: bool = False) -> Figures:
    figures = Figures()
    folder = Path(tempfile.mkdtemp(prefix="spip-bench-"))
    for name, job in (
        ("echo", lambda fake: echo_baseline(fake, folder, samples, figures)),
        ("spip", lambda fake: per_update(fake, folder, samples, figures, profile)),
        ("rush", lambda fake: rush(fake, folder, deliveries, figures)),
    ):
        if name == "rush" and not deliveries:
            continue
        fake = FakeBotApi(TOKEN)
        await fake.start()
        try:
            await job(fake)
        finally:
            await fake.stop()
        print(f"  {name} done", file=sys.stderr)
    return figures


def report(runs: list[Figures]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    echo = med([med(r.samples["echo"]) for r in runs])
    print(f"\nPer-update CPU of the bot process, ms (medians over {len(runs)} runs)")
    print(f"{'update':<22}{'median':>9}{'p99':>9}{'× echo':>9}{'SQL':>6}{'n':>6}")
    kinds = list(runs[0].samples)
    for kind in kinds:
        m = med([med(r.samples[kind]) for r in runs])
        tail = med([p99(r.samples[kind]) for r in runs])
        n = len(runs[0].samples[kind])
        queries = med([med(r.queries[kind]) for r in runs])
        print(f"{kind:<22}{m:>9.2f}{tail:>9.2f}{m / echo:>9.1f}{queries:>6.0f}{n:>6}")
    delivery = [
        sum(
            med(r.samples[k])
            for k in ("kirim", "butir", "minta berkas", "berkas", "selesai", "konfirmasi")
        )
        for r in runs
    ]
    print(f"{'delivery (6 updates)':<22}{med(delivery):>9.2f}{'':>9}{med(delivery) / echo:>9.1f}")
    rush_keys = (
        "deliveries",
        "stale_retries",
        "seconds",
        "updates_per_s",
        "cpu_ms_per_delivery",
        "echo_updates_per_s",
    )
    if "deliveries" in runs[0].rush:
        print("\nRush (rate limiter off)")
        for key in rush_keys:
            print(f"  {key:<22}{med([r.rush[key] for r in runs]):>10.1f}")
    print("\nPeak RSS, MB")
    for key in runs[0].rss:
        print(f"  {key:<22}{med([r.rss[key] for r in runs]):>10.1f}")


def main() -> None:
    logging.basicConfig(level=logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--rush", type=int, default=1000)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile every update of the SPIP bot and print where each kind's CPU goes "
        "(the figures are then the profiler's, not the bot's)",
    )
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        print(f"run {n + 1} of {args.runs}", file=sys.stderr)
        runs.append(asyncio.run(one_run(args.samples, args.rush, args.profile)))
    report(runs)


if __name__ == "__main__":
    main()
