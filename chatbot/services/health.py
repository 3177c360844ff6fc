"""The bot's health, decided once for `spip-bot doctor`, the health URL and the admins' alerts.

Each check answers with a ``Check``: fine (a short line of what was seen) or a problem (one
sentence in Indonesian saying what to do). The checks read the settings' consequences (the
database, the evidence folder and its disk, the outbox, the day's steps) and, unless asked
not to, ask Telegram and WhatsApp through the probes the composition root hands over (the
adapters' libraries stay out of this module). The outbox and the disk are also watched by
both processes' periodic jobs (``alert``): the admins are told in the chat once per incident,
and again only after it recovered and came back.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from chatbot.services import notify
from chatbot.services.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)

MB = 1024 * 1024
STEPS_KEY = "langkah_harian"  # meta: the day whose steps (period opening, warnings) last ran
INCIDENT_KEY = "insiden:{}"  # meta: "terbuka:<n>" while incident n lasts, "pulih:<n>" after

# the labels of the checks, as printed
NAMES = {
    "setelan": "setelan",
    "basis_data": "basis data",
    "folder_bukti": "folder bukti",
    "ruang_disk": "ruang disk",
    "telegram": "token Telegram",
    "whatsapp": "WhatsApp",
    "antrean": "antrean kirim",
    "gagal_kirim": "pesan gagal",
    "langkah_harian": "langkah harian",
}
# what the admins are told about, in the chat (``texts.HEALTH_ALERT_TITLES``)
INCIDENTS = ("antrean", "disk")


@dataclass(frozen=True, slots=True)
class Check:
    code: str  # stable, for machines (the health URL's JSON)
    ok: bool
    sentence: str  # fine: what was seen; a problem: one sentence saying what to do
    skipped: bool = False  # not checked (said why); not a problem

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)

    def as_json(self) -> dict[str, object]:
        return {
            "kode": self.code,
            "nama": self.name,
            "baik": self.ok,
            "dilewati": self.skipped,
            "keterangan": self.sentence,
        }


def healthy(checks: Sequence[Check]) -> bool:
    return all(c.ok for c in checks)


def report_json(checks: Sequence[Check]) -> dict[str, object]:
    """The answer of `spip-bot doctor --json` and of the health URL (no secret in it)."""
    return {
        "sehat": healthy(checks),
        "masalah": sum(not c.ok for c in checks),
        "pemeriksaan": [c.as_json() for c in checks],
    }


# ------------------------------------------------------------------ what storage and probes say


class ProbeStatus(Enum):
    OK = "ok"
    REJECTED = "rejected"  # the token (401)
    NOT_FOUND = "not_found"  # the WhatsApp phone number id unknown to the token
    UNREACHABLE = "unreachable"  # network, time-out, DNS
    FAILED = "failed"  # any other answer


@dataclass(frozen=True, slots=True)
class Probe:
    """A network check's outcome; ``detail``: the bot's username or the phone number when
    fine, else the error as the API gave it (English, for the log only)."""

    status: ProbeStatus
    detail: str = ""


ProbeFn = Callable[[], Awaitable[Probe]]


@dataclass(frozen=True, slots=True)
class Network:
    """The probes of the channels that are set up, with what the sentences name."""

    telegram: ProbeFn | None = None  # None: no TELEGRAM_BOT_TOKEN
    telegram_host: str = "api.telegram.org"
    whatsapp: ProbeFn | None = None  # None: WhatsApp not set up (or set up half-way)
    whatsapp_host: str = "graph.facebook.com"
    whatsapp_missing: str | None = None  # set up half-way: the sentence naming what is missing


@dataclass(frozen=True, slots=True)
class SchemaState:
    exists: bool  # False: the SQLite file is not there (nothing was created to find out)
    current: str | None
    head: str | None
    known: bool  # ``current`` is a revision of this code (else a newer release wrote it)


SchemaProbe = Callable[[], SchemaState]


@dataclass(frozen=True, slots=True)
class Database:
    """Where the database is, as the sentences name it (never a password)."""

    label: str
    sqlite: bool
    schema: SchemaProbe


@dataclass(frozen=True, slots=True)
class OutboxHealth:
    waiting: int  # messages due and not sent, to people the bot still sends to
    oldest: datetime | None  # when the oldest of them was queued
    failed: int  # given up by a send since the window's start, to people it still reaches
    last_failed: datetime | None


class Mark(NamedTuple):
    value: str
    at: datetime


class HealthRecords(Protocol):
    """What the checks read from the database (``storage.repositories.health``)."""

    def outbox(self, now: datetime, failed_since: datetime) -> OutboxHealth: ...
    def last_reminder(self) -> datetime | None: ...
    def read(self, key: str) -> Mark | None: ...
    def write(self, key: str, value: str, now: datetime) -> None: ...


class HealthUnitOfWork(UnitOfWork, Protocol):
    @property
    def health(self) -> HealthRecords: ...
    def __enter__(self) -> HealthUnitOfWork: ...


@dataclass(frozen=True, slots=True)
class Limits:
    min_free_bytes: int = 1024 * MB  # SPIP_MIN_FREE_MB
    outbox_late: timedelta = timedelta(minutes=15)  # SPIP_OUTBOX_LATE_MINUTES
    failed_within: timedelta = timedelta(hours=24)
    # the day's steps run at the first tick of each day and at the warnings (08:00): a day
    # and some slack without them means the bot (`spip-bot run`) is not running
    steps_within: timedelta = timedelta(hours=26)
    network_ttl: float = 60.0  # seconds the network checks are kept (the health URL)


# ------------------------------------------------------------------ words


def waktu(moment: datetime, tz: ZoneInfo) -> str:
    """Senin, 2 November 2026 pukul 08.00 WIB"""
    local = moment.astimezone(tz)
    offset = local.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(hours, local.tzname() or "")
    stamp = format_datetime(local, "EEEE, d MMMM y 'pukul' HH.mm", locale="id")
    return f"{stamp} {zone}"


def durasi(span: timedelta) -> str:
    """3 hari 4 jam, 2 jam 5 menit, 45 menit"""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    if hours:
        return f"{hours} jam {minutes} menit" if minutes else f"{hours} jam"
    return f"{minutes} menit" if minutes else "kurang dari 1 menit"


def ukuran(size: int) -> str:
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB".replace(".", ",")
    return f"{size // MB} MB"


# ------------------------------------------------------------------ the service


@dataclass
class HealthService:
    uow_factory: Callable[[], HealthUnitOfWork]
    clock: Clock
    timezone: ZoneInfo
    evidence_dir: Path
    database: Database
    network: Network = field(default_factory=Network)
    limits: Limits = field(default_factory=Limits)
    steps_expected: bool = True  # the Telegram process (which runs the day's steps) is set up
    disk_usage: Callable[[Path], tuple[int, int, int]] = shutil.disk_usage
    monotonic: Callable[[], float] = time.monotonic
    _kept: dict[str, tuple[float, Check]] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- all of it

    async def check(self, network: bool = True) -> list[Check]:
        """Every check in order; ``network=False`` leaves out Telegram and WhatsApp (a
        container's health check: quick, and no call leaves the machine)."""
        checks = [Check("setelan", True, "terbaca dan valid"), self.schema()]
        checks += [self.evidence(), self.disk()]
        if network:  # side by side: at most one time-out's wait when both hang
            checks += await asyncio.gather(self.telegram(), self.whatsapp())
        else:
            skipped = "tidak diperiksa: pemeriksaan jaringan dilewati"
            checks += [Check(c, True, skipped, True) for c in ("telegram", "whatsapp")]
        if checks[1].ok:
            checks += [*self.outbox(), self.steps()]
        else:
            skipped = "tidak diperiksa: basis data belum siap"
            checks += [Check(c, True, skipped, True) for c in ("antrean", "gagal_kirim")]
            checks.append(Check("langkah_harian", True, skipped, True))
        return checks

    # ---------------------------------------------------------------- the database

    def schema(self) -> Check:
        db = self.database
        try:
            state = db.schema()
        except Exception as exc:  # whatever the driver raises when it cannot connect
            log.warning("health: the database cannot be reached: %s", type(exc).__name__)
            log.debug("health: the database's error", exc_info=exc)
            if db.sqlite:
                return Check(
                    "basis_data",
                    False,
                    f"Berkas basis data {db.label} tidak dapat dibuka: periksa SPIP_DATA_DIR "
                    "serta pemilik dan izin folder datanya.",
                )
            return Check(
                "basis_data",
                False,
                f"Basis data ({db.label}) tidak dapat dihubungi: pastikan server basis data "
                "berjalan dan DATABASE_URL benar, lalu periksa lagi.",
            )
        if not state.exists or state.current is None:
            return Check(
                "basis_data",
                False,
                "Basis data belum disiapkan: jalankan spip-bot init (atau mulai bot dengan "
                "spip-bot run, yang menyiapkannya).",
            )
        if not state.known:
            return Check(
                "basis_data",
                False,
                f"Basis data berasal dari versi spip-bot yang lebih baru (revisi {state.current} "
                "tidak dikenal versi ini): pasang versi spip-bot itu atau yang lebih baru; "
                "jangan menurunkan versi.",
            )
        if state.current != state.head:
            return Check(
                "basis_data",
                False,
                f"Basis data masih revisi {state.current}, sedangkan versi spip-bot ini memakai "
                f"revisi {state.head}: buat cadangan, lalu jalankan spip-bot init untuk "
                "memperbaruinya.",
            )
        return Check("basis_data", True, f"tersambung ({db.label}), revisi {state.head} (terbaru)")

    # ---------------------------------------------------------------- the evidence folder

    def evidence(self) -> Check:
        root = self.evidence_dir
        if not root.is_dir():
            return Check(
                "folder_bukti",
                False,
                f"Folder bukti {root} tidak ada: periksa SPIP_DATA_DIR (apakah volume datanya "
                "terpasang?), atau jalankan spip-bot init untuk membuatnya.",
            )
        for folder in (root, root / "tmp"):  # the store writes into tmp, then moves the file
            if not folder.is_dir() and folder != root:
                continue
            try:  # writing is the only sure test (os.access is blind to read-only mounts)
                fd, name = tempfile.mkstemp(prefix=".pemeriksaan-", dir=folder)
                try:
                    os.write(fd, b"spip-bot doctor\n")
                finally:
                    os.close(fd)
                    os.unlink(name)
            except OSError as exc:
                log.warning("health: cannot write into %s: %s", folder, exc.strerror)
                return Check(
                    "folder_bukti",
                    False,
                    f"Folder bukti {folder} tidak dapat ditulisi oleh pengguna yang menjalankan "
                    "bot: perbaiki pemilik atau izinnya (mis. chown -R pengguna-bot "
                    f"{root}), atau kosongkan disk bila penuh.",
                )
        return Check("folder_bukti", True, f"{root} ada dan dapat ditulisi")

    def _free(self) -> int:
        place = self.evidence_dir.absolute()
        while not place.exists() and place != place.parent:  # the folder's own disk
            place = place.parent
        return self.disk_usage(place)[2]

    def disk(self) -> Check:
        free, limit = self._free(), self.limits.min_free_bytes
        if free < limit:
            return Check(
                "ruang_disk",
                False,
                f"Ruang disk folder bukti tinggal {ukuran(free)}, di bawah batas {ukuran(limit)}: "
                "kosongkan atau tambah kapasitas disk itu (atau ubah SPIP_MIN_FREE_MB bila "
                "batasnya terlalu tinggi).",
            )
        return Check("ruang_disk", True, f"{ukuran(free)} bebas (batas {ukuran(limit)})")

    # ---------------------------------------------------------------- the channels

    async def _kept_or(self, code: str, probe: Callable[[], Awaitable[Check]]) -> Check:
        """A network check at most once a ``network_ttl`` (a monitor polling every 10 s does
        not reach Telegram every 10 s)."""
        kept = self._kept.get(code)
        if kept is not None and self.monotonic() - kept[0] < self.limits.network_ttl:
            return kept[1]
        check = await probe()
        self._kept[code] = (self.monotonic(), check)
        return check

    async def telegram(self) -> Check:
        probe, host = self.network.telegram, self.network.telegram_host
        if probe is None:
            return Check("telegram", True, "tidak diperiksa: TELEGRAM_BOT_TOKEN belum diisi", True)

        async def ask() -> Check:
            result = await probe()
            if result.status is ProbeStatus.OK:
                return Check("telegram", True, f"token diterima Telegram (@{result.detail})")
            log.warning("health: Telegram's getMe: %s: %s", result.status.value, result.detail)
            if result.status is ProbeStatus.REJECTED:
                sentence = (
                    "Token bot ditolak Telegram (salah atau sudah dicabut): ambil token yang "
                    "berlaku dari @BotFather, setel TELEGRAM_BOT_TOKEN, lalu mulai ulang bot."
                )
            elif result.status is ProbeStatus.UNREACHABLE:
                sentence = (
                    f"Telegram ({host}) tidak dapat dihubungi dari server ini: periksa "
                    "sambungan internet, proxy dan firewall, lalu periksa lagi."
                )
            else:
                sentence = (
                    f"Telegram ({host}) menjawab dengan galat yang tidak terduga: periksa "
                    "TELEGRAM_BASE_URL dan log bot."
                )
            return Check("telegram", False, sentence)

        return await self._kept_or("telegram", ask)

    async def whatsapp(self) -> Check:
        net = self.network
        if net.whatsapp_missing is not None:
            return Check("whatsapp", False, net.whatsapp_missing)
        probe, host = net.whatsapp, net.whatsapp_host
        if probe is None:
            return Check("whatsapp", True, "tidak dipakai: WHATSAPP_PHONE_ID belum diisi", True)

        async def ask() -> Check:
            result = await probe()
            if result.status is ProbeStatus.OK:
                return Check("whatsapp", True, f"nomor {result.detail} diterima Graph API")
            log.warning("health: the Graph API: %s: %s", result.status.value, result.detail)
            sentence = {
                ProbeStatus.REJECTED: (
                    "Token WhatsApp ditolak Meta (salah atau kedaluwarsa): buat token akses "
                    "baru di Meta for Developers, setel WHATSAPP_TOKEN, lalu mulai ulang "
                    "spip-bot run-whatsapp."
                ),
                ProbeStatus.NOT_FOUND: (
                    "WHATSAPP_PHONE_ID tidak dikenal Graph API atau tidak dapat diakses dengan "
                    "token ini: salin Phone number ID dari WhatsApp > API Setup di Meta for "
                    "Developers."
                ),
                ProbeStatus.UNREACHABLE: (
                    f"Graph API WhatsApp ({host}) tidak dapat dihubungi dari server ini: "
                    "periksa sambungan internet, proxy dan firewall, lalu periksa lagi."
                ),
            }.get(
                result.status,
                f"Graph API WhatsApp ({host}) menjawab dengan galat yang tidak terduga: "
                "periksa WHATSAPP_GRAPH_URL dan log bot.",
            )
            return Check("whatsapp", False, sentence)

        return await self._kept_or("whatsapp", ask)

    # ---------------------------------------------------------------- the outbox

    def outbox(self) -> tuple[Check, Check]:
        """The oldest message still waiting (a problem past ``outbox_late``) and the messages
        given up within ``failed_within`` (people no channel reaches, or who left, are not
        counted: the satgas is told of those apart)."""
        now, limits = self.clock(), self.limits
        with self.uow_factory() as uow:
            seen = uow.health.outbox(now, now - limits.failed_within)
        hours = int(limits.failed_within.total_seconds() // 3600)
        if seen.oldest is None:
            waiting = Check("antrean", True, "tidak ada pesan yang menunggu dikirim")
        elif now - seen.oldest >= limits.outbox_late:
            waiting = Check(
                "antrean",
                False,
                f"{seen.waiting} pesan belum terkirim, yang tertua sejak "
                f"{waktu(seen.oldest, self.timezone)} ({durasi(now - seen.oldest)} lalu): "
                "pastikan spip-bot run (dan spip-bot run-whatsapp bila kanal WhatsApp dipakai) "
                "berjalan dan dapat menghubungi Telegram atau WhatsApp; lihat log bot.",
            )
        else:
            waiting = Check(
                "antrean",
                True,
                f"{seen.waiting} pesan menunggu dikirim, yang tertua sejak "
                f"{waktu(seen.oldest, self.timezone)}",
            )
        if seen.failed and seen.last_failed is not None:
            failed = Check(
                "gagal_kirim",
                False,
                f"{seen.failed} pesan gagal terkirim dalam {hours} jam terakhir (terakhir "
                f"{waktu(seen.last_failed, self.timezone)}): lihat penyebabnya di log bot (baris "
                '"failed for good"), lalu hubungi penerimanya langsung bila pesannya penting.',
            )
        else:
            failed = Check("gagal_kirim", True, f"tidak ada pesan gagal dalam {hours} jam terakhir")
        return waiting, failed

    # ---------------------------------------------------------------- the day's steps

    def steps_ran(self) -> None:
        """The Telegram process's scheduler ran the day's steps (recorded at the first tick
        of each day and after the day's warnings)."""
        now = self.clock()
        with self.uow_factory() as uow:
            day = now.astimezone(self.timezone).date().isoformat()
            uow.health.write(STEPS_KEY, day, now)
            uow.commit()

    def steps(self) -> Check:
        if not self.steps_expected:
            return Check(
                "langkah_harian",
                True,
                "tidak diperiksa: langkah harian dijalankan oleh spip-bot run, dan "
                "TELEGRAM_BOT_TOKEN belum diisi",
                True,
            )
        now, tz = self.clock(), self.timezone
        with self.uow_factory() as uow:
            mark = uow.health.read(STEPS_KEY)
            reminded = uow.health.last_reminder()
            periods = [p.period.code for p in uow.periods.open_periods()]
        ran = f"terakhir berjalan {waktu(mark.at, tz)}" if mark else "belum pernah berjalan"
        told = waktu(reminded, tz) if reminded else "belum pernah"
        if not periods:
            return Check("langkah_harian", True, f"{ran}; tidak ada periode terbuka")
        opened = ", ".join(periods)
        if mark is None:
            return Check(
                "langkah_harian",
                False,
                "Langkah harian (pembukaan periode dan pengingat) belum pernah berjalan pada "
                f"basis data ini, padahal periode {opened} terbuka: jalankan spip-bot run dan "
                "biarkan tetap berjalan.",
            )
        if now - mark.at > self.limits.steps_within:
            return Check(
                "langkah_harian",
                False,
                f"Langkah harian terakhir berjalan {waktu(mark.at, tz)} ({durasi(now - mark.at)} "
                f"lalu), padahal periode {opened} terbuka: pengingat tidak terkirim selama itu; "
                "pastikan spip-bot run berjalan terus dan lihat lognya.",
            )
        return Check("langkah_harian", True, f"{ran}; pengingat terakhir diantrekan {told}")

    # ---------------------------------------------------------------- the admins' alerts

    def problems(self) -> dict[str, list[str]]:
        """Per incident (``INCIDENTS``), the problems' sentences now (none: fine)."""
        return {
            "antrean": [c.sentence for c in self.outbox() if not c.ok],
            "disk": [c.sentence for c in (self.disk(),) if not c.ok],
        }

    def alert(self) -> list[str]:
        """Both processes' periodic jobs: the admins are told of a problem with the outbox
        or the disk once when it starts (one incident), nothing more while it lasts, and
        again when it comes back after it recovered. Returns the incidents told now."""
        found = self.problems()
        now = self.clock()
        told: list[str] = []
        with self.uow_factory() as uow:
            for kind in INCIDENTS:
                key = INCIDENT_KEY.format(kind)
                mark = uow.health.read(key)
                state, _, number = (mark.value if mark else "pulih:0").partition(":")
                incident = int(number) if number.isdigit() else 0
                if found[kind] and state != "terbuka":
                    incident += 1
                    uow.health.write(key, f"terbuka:{incident}", now)
                    queued = notify.health_alert(uow, now, kind, incident, " ".join(found[kind]))
                    told.append(kind)
                    log.warning(
                        "health: %s problem (incident %s), %s admins told: %s",
                        kind,
                        incident,
                        queued,
                        " ".join(found[kind]),
                    )
                elif not found[kind] and state == "terbuka":
                    uow.health.write(key, f"pulih:{incident}", now)
                    log.info("health: %s recovered (incident %s)", kind, incident)
            uow.commit()
        return told
