"""Every word the users read, in formal Bahasa Indonesia, in one place.

Plain text (no markup), so the same words serve Telegram and WhatsApp.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from chatbot import callbacks
from chatbot.domain.calendar import Deadline, Period, PeriodSchedule, SopCalendar, Window
from chatbot.domain.checklist import Catalogue, ChecklistItem
from chatbot.domain.errors import DomainError, UnitsIncomplete
from chatbot.domain.events import Event, EventKind
from chatbot.domain.evidence import Finding, FindingKind
from chatbot.domain.people import Person
from chatbot.domain.progress import Progress
from chatbot.domain.reminders import Notice, Reminder, Rule, UnitSnapshot
from chatbot.domain.roles import Permission, Role
from chatbot.domain.scorecard import ROMAN, Summary
from chatbot.domain.staffing import Vacancy
from chatbot.domain.text import MAX_REASON_LENGTH
from chatbot.domain.units import Unit, UnitKind
from chatbot.domain.workflow import (
    PROVINCIAL_CARD_ITEM,
    UNIT_CARD_ITEM,
    CardState,
    CardStatus,
    CardStep,
    ItemState,
    ItemStatus,
    Stage,
    StageKind,
)
from chatbot.domain.workflow import PROVINCIAL_CARD_NAME as PROVINCIAL_CARD_NAME
from chatbot.domain.workflow import UNIT_CARD_NAME as UNIT_CARD_NAME
from chatbot.services.ports import Button, EvidenceFile, PendingAnnouncement, Submission
from chatbot.services.scorecard import Scorecard
from chatbot.services.status import PeriodStatus
from chatbot.services.views import (
    CardView,
    Change,
    ChangeKind,
    Decision,
    Delegated,
    DraftItem,
    Entry,
    Given,
    Plan,
    ReviewTarget,
    UnitStanding,
)

ROLE_LABEL: dict[Role, str] = {
    Role.SATGAS_KABKOTA: "Satgas SPIP KPU Kabupaten/Kota",
    Role.BAGIAN: "Bagian (penyampai data dukung)",
    Role.SATGAS_PROV: "Satgas SPIP KPU Provinsi",
    Role.SUBBAG_HUKUM: "Subbagian Hukum",
    Role.KABAG_HSDM: "Kepala Bagian Hukum dan SDM",
    Role.SEKRETARIS: "Sekretaris",
    Role.DIVISI_HUKUM: "Divisi Hukum dan Pengawasan",
    Role.KETUA: "Ketua",
    Role.ADMIN: "Administrator",
}


def angka(n: int) -> str:
    """1.000 (Indonesian digit grouping)"""
    return f"{n:,}".replace(",", ".")


def tanggal(day: date) -> str:
    """10 Maret 2026"""
    return str(format_date(day, "d MMMM y", locale="id"))


def hari_tanggal(day: date) -> str:
    """Selasa, 10 Maret 2026"""
    return str(format_date(day, "EEEE, d MMMM y", locale="id"))


def waktu(moment: datetime, tz: ZoneInfo) -> str:
    """10 Maret 2026 pukul 08.00 WIB"""
    local = moment.astimezone(tz)
    offset = local.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    zone = {7: "WIB", 8: "WITA", 9: "WIT"}.get(hours, local.tzname() or "")
    stamp = format_datetime(local, "d MMMM y 'pukul' HH.mm", locale="id")
    return f"{stamp} {zone}"


def roles_text(roles: frozenset[Role]) -> str:
    return ", ".join(ROLE_LABEL[r] for r in sorted(roles))


# ------------------------------------------------------------------ commands and menu


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    button: str
    help: str
    permission: Permission | tuple[Permission, ...] | None = None  # None: everyone who joined


COMMANDS: tuple[Command, ...] = (
    Command("start", "🏠 Menu", "menampilkan menu sesuai peran Anda."),
    Command(
        "kirim",
        "📤 Kirim data dukung",
        "mengirim data dukung per butir ceklis untuk periode yang sedang berjalan.",
        Permission.SUBMIT_EVIDENCE,
    ),
    Command("batal", "✖️ Batal", "membatalkan langkah yang sedang berjalan."),
    Command(
        "status",
        "📊 Status",
        "menampilkan kelengkapan data dukung per unit dan tahap kartu kendali "
        "(contoh: /status 2026-10).",
        (Permission.VIEW_ALL_STATUS, Permission.VIEW_OWN_STATUS),
    ),
    Command(
        "rapor",
        "📈 Rapor kepatuhan",
        "menampilkan rapor kepatuhan pelaporan: tepat waktu, lengkap dan sesuai, per bulan, "
        "triwulan dan tahun (contoh: /rapor 2026).",
        (Permission.VIEW_ALL_STATUS, Permission.VIEW_OWN_STATUS),
    ),
    Command(
        "rekap",
        "📑 Rekap Excel",
        "mengirim rekap dalam bentuk berkas Excel (contoh: /rekap 2026-10).",
        Permission.EXPORT_RECAP,
    ),
    Command(
        "paket",
        "🗜 Paket e-SPIP",
        "mengirim paket ZIP data dukung yang disetujui beserta rekap, siap diunggah ke e-SPIP.",
        Permission.EXPORT_RECAP,
    ),
    Command(
        "periksa",
        "🔎 Periksa kiriman",
        "memeriksa kiriman satu per satu bersama berkasnya (halaman pertama setiap PDF "
        "sebagai gambar), lalu menyetujui, mengembalikan atau melewatinya.",
        Permission.REVIEW_ITEMS,
    ),
    Command(
        "antrian",
        "📥 Antrian",
        "menampilkan kiriman dan kartu kendali yang menunggu tindakan Anda.",
        (Permission.REVIEW_ITEMS, Permission.PARAF, Permission.SIGN),
    ),
    Command(
        "bantuan", "❓ Bantuan", "menampilkan penjelasan setiap perintah yang dapat Anda gunakan."
    ),
    Command(
        "undang",
        "✉️ Undang pengguna",
        "membuat kode undangan sekali pakai untuk unit dan peran tertentu "
        "(contoh: /undang 1501 satgas_kabkota Nama Lengkap).",
        Permission.INVITE,
    ),
    Command(
        "wakil",
        "🧑‍🤝‍🧑 Wakil",
        "menunjuk wakil yang bertindak untuk suatu peran selama cuti atau berhalangan.",
        Permission.DELEGATE,
    ),
    Command(
        "pengguna",
        "👥 Pengguna",
        "menampilkan daftar pengguna beserta peran, saluran dan aktivitas terakhirnya, serta "
        "menonaktifkan, mengaktifkan kembali, memindahkan unit/peran, atau mengganti pengguna "
        "(mutasi).",
        Permission.MANAGE_PEOPLE,
    ),
    Command(
        "jadwal",
        "⏰ Jadwal pengingat",
        "menampilkan jadwal pengingat bulan berjalan.",
        Permission.OPEN_PERIOD,
    ),
    Command(
        "periode",
        "🗓 Periode",
        "melihat periode yang terbuka dan membuka periode (contoh: /periode 2026-10).",
        Permission.OPEN_PERIOD,
    ),
    Command(
        "tautkan",
        "🔗 Tautkan WhatsApp",
        "membuat kode untuk menautkan nomor WhatsApp Anda, agar layanan ini dapat dipakai "
        "dan pemberitahuan diterima melalui WhatsApp.",
    ),
    Command(
        "notifikasi",
        "🔔 Pemberitahuan di sini",
        "mengirim pemberitahuan ke kanal ini (bila akun Anda tertaut dengan Telegram dan "
        "WhatsApp).",
    ),
)
COMMAND_WORDS = frozenset(c.name for c in COMMANDS)


def use_slash(word: str) -> str:
    """A command word typed without its slash on Telegram (as it is typed on WhatsApp)."""
    return f"Perintah di Telegram diawali garis miring: ketik /{word}."


def commands_for(person: Person) -> list[Command]:
    def allowed(command: Command) -> bool:
        needed = command.permission
        if needed is None:
            return True
        options = needed if isinstance(needed, tuple) else (needed,)
        return any(person.may(p) for p in options)

    both = person.telegram_user_id is not None and person.whatsapp_id is not None
    return [c for c in COMMANDS if allowed(c) and (both or c.name != "notifikasi")]


def menu_commands(person: Person) -> list[Command]:
    """The commands a menu offers as buttons (the menu itself and "batal" are not)."""
    return [c for c in commands_for(person) if c.name not in ("start", "batal")]


def greeting(person: Person) -> str:
    return (
        f"Yth. Bapak/Ibu {person.name},\n"
        f"selamat datang di layanan Kartu Kendali SPIP KPU Provinsi Jambi.\n\n"
        f"Anda terdaftar sebagai {roles_text(person.roles)} pada {person.unit.name}."
    )


def menu(person: Person) -> str:
    """/start and /menu: short, the buttons below do the rest; /bantuan explains."""
    names = ", ".join(f"/{c.name}" for c in menu_commands(person) if c.name != "bantuan")
    return (
        f"Yth. Bapak/Ibu {person.name} ({person.unit.name}),\n"
        "silakan pilih layanan di bawah ini.\n\n"
        f"Perintah Anda: {names}. Penjelasan setiap perintah: /bantuan."
    )


# the "/" menu of someone not (yet) registered: how to join, and the help
GUEST_COMMANDS = ("start", "bantuan")


def help_text(person: Person) -> str:
    lines = [
        "Bantuan layanan Kartu Kendali SPIP",
        "",
        "Layanan ini menjalankan SOP Nomor 1 Tahun 2024 tentang Penyusunan dan Pelaporan "
        "Kartu Kendali SPIP: unit menyampaikan data dukung paling lambat tanggal 10, Satgas "
        "SPIP KPU Provinsi memeriksanya, pimpinan memaraf dan menandatangani kartu kendali "
        "pada tanggal 10 sampai 15, dan data diserahkan kepada Inspektorat KPU RI paling "
        "lambat tanggal 20.",
        "",
        f"Peran Anda: {roles_text(person.roles)} ({person.unit.name}).",
        "Perintah yang dapat Anda gunakan:",
    ]
    lines += [f"/{c.name} — {c.help}" for c in commands_for(person)]
    return "\n".join(lines)


NOT_REGISTERED = (
    "Mohon maaf, Anda belum terdaftar pada layanan Kartu Kendali SPIP KPU Provinsi Jambi.\n\n"
    "Untuk bergabung, mintalah kode undangan kepada admin Satgas SPIP KPU Provinsi Jambi, "
    "lalu buka tautan undangan atau kirim pesan: /start KODE"
)

PRIVATE_ONLY = (
    "Mohon maaf, layanan ini hanya melayani percakapan pribadi. "
    "Silakan kirim pesan langsung kepada bot ini."
)


def files_missing(names: Sequence[str]) -> str:
    listed = ", ".join(names)
    return (
        f"\n\n(Berkas {listed} tidak dapat dilampirkan karena tidak ditemukan di penyimpanan "
        "bot; admin telah mendapat catatan. Berkas dapat diminta kembali kepada pengirim.)"
    )


def notices_failing(person: Person, since: datetime, error: str, tz: ZoneInfo) -> str:
    return (
        f"Pemberitahuan: pesan bot kepada {person.name} ({person.unit.name}) belum dapat "
        f"terkirim sejak {waktu(since, tz)}. Bot terus mencoba "
        f"mengirimkannya. Keterangan teknis: {error[:200]}"
    )


# the admins' alert from the health check (``chatbot/services/health.py``), once per incident
HEALTH_ALERT_TITLES = {
    "antrean": "pengiriman pesan bot terganggu",
    "disk": "ruang disk server bot hampir penuh",
}


def health_alert(kind: str, problem: str) -> str:
    return (
        f"⚠️ Peringatan untuk admin: {HEALTH_ALERT_TITLES.get(kind, kind)}.\n\n{problem}\n\n"
        "Pemeriksaan lengkap: jalankan spip-bot doctor di server bot. Peringatan ini dikirim "
        "sekali; bila masalahnya pulih lalu muncul lagi, Anda diberi tahu kembali."
    )


WA_CHOOSE_ACTION = "Silakan pilih tindakan untuk pesan di atas:"
WA_BUTTON_INVALID = "Pilihan ini tidak berlaku. Ketik menu untuk melihat pilihan yang tersedia."
BUTTON_INVALID = "Tombol ini tidak berlaku. Silakan buka kembali menu dengan /start."
SERVICE_UNAVAILABLE = (
    "Mohon maaf, layanan sedang mengalami gangguan penyimpanan data dan permintaan Anda belum "
    "dapat diproses. Data yang sudah dikonfirmasi tetap aman. Silakan ulangi dalam beberapa "
    "menit; admin telah mendapat catatan gangguan ini."
)
GENERIC_ERROR = (
    "Mohon maaf, terjadi gangguan saat memproses permintaan Anda. Data Anda yang sudah "
    "dikonfirmasi tetap aman. Silakan coba lagi beberapa saat lagi."
)

NOT_UNDERSTOOD = (
    "Mohon maaf, pesan Anda belum dapat kami proses. Ketik /start untuk menu atau "
    "/bantuan untuk penjelasan."
)

NOT_ALLOWED = "Mohon maaf, layanan ini tidak tersedia untuk peran Anda."


# ------------------------------------------------------------------ invites


def joined(
    person: Person,
    role: Role,
    new_person: bool,
    help_command: str = "/bantuan",
    period: Period | None = None,
    deadline: date | None = None,
) -> str:
    """The welcome; with the open period the person now delivers for, its deadline and what
    to do (the kick-off with the list of items follows as the next message)."""
    head = (
        greeting(person)
        if new_person
        else (
            f"Yth. Bapak/Ibu {person.name},\nperan {ROLE_LABEL[role]} telah ditambahkan "
            f"pada akun Anda ({person.unit.name})."
        )
    )
    now = ""
    if period is not None and deadline is not None:
        now = (
            f"\n\nPeriode yang sedang berjalan: {bulan(period)}; data dukung disampaikan "
            f"paling lambat {hari_tanggal(deadline)}. Daftar butirnya menyusul dalam pesan "
            f"berikut. Untuk mulai, tekan \u201c{BUTTON_KIRIM[0]}\u201d atau ketik /kirim."
        )
    return f"{head}{now}\n\nKetik {help_command} untuk melihat perintah yang dapat Anda gunakan."


def joined_notice(person: Person, role: Role) -> str:
    return (
        f"Pemberitahuan: {person.name} telah bergabung sebagai {ROLE_LABEL[role]} "
        f"pada {person.unit.name} menggunakan kode undangan yang Anda buat."
    )


INVITE_ERRORS: dict[str, str] = {
    "access_ended": (
        "Mohon maaf, akses Anda ke layanan Kartu Kendali SPIP KPU Provinsi Jambi telah "
        "diakhiri oleh admin, sehingga kode ini tidak dapat dipakai. Bila Anda kembali "
        "bertugas, mintalah admin mengaktifkan kembali akses Anda."
    ),
    "invite_invalid": (
        "Mohon maaf, kode undangan tidak dikenal. Periksa kembali kode yang Anda terima "
        "(10 huruf/angka, contoh ABCDE-FGH23), atau mintalah kode baru kepada admin."
    ),
    "invite_used": (
        "Mohon maaf, kode undangan tersebut sudah pernah digunakan. Setiap kode hanya "
        "berlaku satu kali; mintalah kode baru kepada admin."
    ),
    "invite_expired": (
        "Mohon maaf, kode undangan tersebut sudah kedaluwarsa. Mintalah kode baru kepada admin."
    ),
    "already_linked": (
        "Mohon maaf, nomor WhatsApp ini sudah tertaut dengan akun orang lain. Hubungi admin "
        "Satgas SPIP KPU Provinsi Jambi."
    ),
    "already_in_other_unit": (
        "Mohon maaf, akun Anda sudah terdaftar pada unit lain. Hubungi admin bila Anda "
        "berpindah unit."
    ),
}

INVITE_USAGE = (
    "Untuk membuat undangan, pilih unit di bawah ini, atau ketik langsung:\n"
    "/undang KODE_UNIT PERAN [Nama Lengkap]\n"
    "contoh: /undang 1501 satgas_kabkota Budi Santoso"
)

INVITE_PICK_ROLE = "Unit: {unit}\nPilih peran yang akan diundang:"


def invite_created(
    unit: Unit,
    role: Role,
    display_code: str,
    link: str | None,
    expires: str,
    name: str | None,
    whatsapp: bool = False,
) -> str:
    lines = [
        "Kode undangan berhasil dibuat.",
        "",
        f"Unit: {unit.code} {unit.name}",
        f"Peran: {ROLE_LABEL[role]}",
    ]
    if name:
        lines.append(f"Nama: {name}")
    lines += [f"Kode: {display_code}", f"Berlaku sampai: {expires}", ""]
    if link:
        lines.append(f"Teruskan tautan ini kepada yang bersangkutan: {link}")
    lines.append(
        f"Atau minta yang bersangkutan mengirim /start {display_code} kepada bot Telegram. "
        "Kode hanya berlaku satu kali."
    )
    if whatsapp:
        lines.append(
            f"Bila memakai WhatsApp: kirim kode {display_code} sebagai pesan ke nomor WhatsApp "
            "layanan ini."
        )
    return "\n".join(lines)


INVITE_FORM_ERRORS: dict[str, str] = {
    "unknown_unit": "Mohon maaf, kode unit {value} tidak dikenal.",
    "unknown_role": "Mohon maaf, peran {value} tidak dikenal. Peran yang tersedia: {roles}.",
    "role_not_for_unit": "Mohon maaf, peran tersebut tidak sesuai dengan jenis unitnya ({value}).",
}


# ------------------------------------------------------------------ periods and deliveries

STATUS_ICON: dict[ItemStatus, str] = {
    ItemStatus.KOSONG: "⬜",
    ItemStatus.DIKIRIM: "📤",
    ItemStatus.DIKEMBALIKAN: "↩️",
    ItemStatus.DISETUJUI: "✅",
    ItemStatus.TIDAK_ADA_KEGIATAN: "➖",
}
STATUS_LABEL: dict[ItemStatus, str] = {
    ItemStatus.KOSONG: "kosong",
    ItemStatus.DIKIRIM: "dikirim, menunggu pemeriksaan",
    ItemStatus.DIKEMBALIKAN: "dikembalikan untuk perbaikan",
    ItemStatus.DISETUJUI: "disetujui",
    ItemStatus.TIDAK_ADA_KEGIATAN: "nihil (disetujui)",
}
BUTTON_KIRIM: Button = ("📤 Kirim data dukung", callbacks.menu("kirim"))


def bulan(period: Period) -> str:
    """Oktober 2026"""
    return str(format_date(period.first_day(), "MMMM y", locale="id"))


def bulan_singkat(period: Period) -> str:
    """Okt 2026"""
    return str(format_date(period.first_day(), "MMM y", locale="id"))


def ukuran(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, size // 1024)} KB"


def kickoff(
    person: Person,
    period: Period,
    deadline: date,
    items: Sequence[ChecklistItem],
    catalogue: Catalogue,
    earlier: Period | None = None,
) -> str:
    """Step 1's message; ``earlier``: an older period still open, shown first by /kirim."""
    lines = [
        f"Yth. Bapak/Ibu {person.name} ({person.unit.name}),",
        "",
        f"dengan hormat, sesuai SOP Nomor 1 Tahun 2024, mohon menyampaikan data dukung "
        f"Kartu Kendali SPIP bulan {bulan(period)} paling lambat {hari_tanggal(deadline)}.",
    ]
    if earlier is not None:
        lines.append(
            f"Periode {bulan(earlier)} masih berjalan: /kirim tetap menampilkannya lebih dahulu "
            f"sampai seluruh data dukungnya terkirim; bulan {bulan(period)} dapat dipilih "
            "dengan tombol 🗓 di sana."
        )
    lines += [
        "",
        "Butir yang wajib disampaikan unit Anda:",
    ]
    for card in catalogue.card_types:
        owed = [i for i in items if i.card_type == card.code]
        if not owed:
            continue
        lines.append(f"{card.name}:")
        lines += [
            f"  • {i.code} {i.name}" + ("" if i.required else " (bila ada kegiatan)") for i in owed
        ]
    lines += [
        "",
        "Cara mengirim: ketik /kirim atau tekan tombol di bawah, pilih butir, lalu kirim "
        "berkas (PDF, foto, Word, Excel atau ZIP). Bila pada bulan tersebut tidak ada "
        "kegiatan untuk suatu butir, pilih \u201cNihil\u201d dan tuliskan keterangannya.",
    ]
    if catalogue.owes_signed_card(person.unit):
        lines.append(
            f"Setelah seluruh butir disetujui, kirimkan juga {UNIT_CARD_NAME.lower()} melalui "
            "/kirim."
        )
    elif person.unit.kind is UnitKind.KABKOTA and any(i.form for i in items):
        lines.append(
            "Formulir setiap kartu kendali (butir pertama setiap kartu) dikirim dalam keadaan "
            "telah ditandatangani."
        )
    lines += ["", "Terima kasih."]
    return "\n".join(lines)


def desk_button(state_id: int) -> Button:
    """A delivery's notice: into the desk at that delivery."""
    return LABEL_DESK[0], callbacks.desk(callbacks.DESK_OPEN, state_id)


def desk_start_button(count: int) -> Button:
    return desk_label(count)[0], callbacks.DESK_START


def new_delivery(
    sender: Person,
    item_name: str,
    state: ItemState,
    late: bool,
    files: Sequence[EvidenceFile],
    note: str,
    findings: Sequence[Finding] = (),
) -> str:
    lines = [
        "Kiriman baru untuk diperiksa" + (" (terlambat)" if late else ""),
        f"Unit: {sender.unit.name}",
        f"Periode: {bulan(state.period)}",
        f"Butir: {item_title(state.item_code, item_name)}",
        f"Versi: {state.version}",
        f"Pengirim: {sender.name}",
    ]
    if files:
        lines.append(f"Berkas ({len(files)}):")
        lines += [f"  • {f.file_name} ({ukuran(f.size)})" for f in files]
    else:
        lines.append(f"Nihil. Keterangan: {note}")
    if findings:
        lines.append(findings_for_reviewer(findings, state.period))
    lines.append("Tekan \u201cPeriksa\u201d untuk melihat berkasnya dan memutuskan.")
    return "\n".join(lines)


def delivery_digest(
    pending: Sequence[PendingAnnouncement], units: dict[str, Unit], names: dict[str, str]
) -> str:
    lines = [f"Kiriman baru untuk diperiksa: {len(pending)} butir"]
    for p in pending:
        unit = units[p.unit_code].name if p.unit_code in units else p.unit_code
        late = " (terlambat)" if p.late else ""
        found = f" ⚠️ {p.findings} catatan pemeriksaan otomatis" if p.findings else ""
        lines.append(
            f"  • {unit}: {item_title(p.item_code, names.get(p.item_code, ''))} versi "
            f"{p.version}{late}{found}"
        )
    lines.append(
        "Tekan \u201cPeriksa\u201d untuk melihat berkasnya satu per satu, lalu menyetujui "
        "atau mengembalikan."
    )
    return "\n".join(lines)


def item_label(
    code: str, name: str, status: ItemStatus, limit: int = 60, drafted: bool = False
) -> str:
    icons = STATUS_ICON[status] + ("📝" if drafted else "")
    label = " ".join(part for part in (icons, code, name) if part)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def checklist_header(
    unit: Unit,
    period: Period,
    progress: Progress,
    deadline: Deadline,
    waiting: int = 0,
    drafts: Sequence[tuple[str, int]] = (),
    loose: int = 0,
) -> str:
    """The checklist's head; the completeness counts approved items only, so the items sent
    and waiting for review are said apart (right after a delivery it is still 0%)."""
    sent = (
        f"\nSudah dikirim dan menunggu pemeriksaan Satgas SPIP KPU Provinsi: {waiting} butir."
        if waiting
        else ""
    )
    if drafts:
        listed = "; ".join(f"{what}: {n} berkas" for what, n in drafts)
        sent += (
            f"\n📝 Draf belum dikirim ({listed}). Buka butirnya, lalu tekan \u201cKirim draf\u201d."
        )
    if loose:
        sent += (
            f"\n📝 Ada {loose} berkas yang belum dipilih butirnya. Tekan "
            f"\u201c{label_loose(loose)[0]}\u201d di bawah."
        )
    return (
        f"Data dukung {unit.name} bulan {bulan(period)}\n"
        f"Batas waktu: {batas(deadline)}\n"
        f"Kelengkapan: {progress.percent}% ({progress.accepted} dari {progress.required} "
        f"butir wajib disetujui){sent}\n\n"
        "Keterangan: ⬜ kosong, 📤 dikirim, ↩️ dikembalikan, ✅ disetujui, ➖ nihil, "
        "📝 draf belum dikirim\n"
        "Silakan pilih butir yang akan dikirim:"
    )


def item_detail(
    name: str, description: str, state: ItemState, submission: Submission | None, tz: ZoneInfo
) -> str:
    lines = [item_title(state.item_code, name)]
    if description:
        lines.append(description)
    lines.append(f"Periode: {bulan(state.period)}")
    lines.append(f"Status: {STATUS_ICON[state.status]} {STATUS_LABEL[state.status]}")
    if state.reason and state.status is ItemStatus.DIKEMBALIKAN:
        lines.append(f"Alasan pengembalian: {state.reason}")
    if submission is not None and submission.withdrawn_at is None:
        lines.append(
            f"Kiriman terakhir: versi {submission.version}, {waktu(submission.submitted_at, tz)}"
            + (" (terlambat)" if submission.late else "")
        )
        if submission.files:
            lines += [f"  • {f.file_name} ({ukuran(f.size)})" for f in submission.files]
        else:
            lines.append(f"  Nihil: {submission.note}")
    return "\n".join(lines)


def draft_lines(files: Sequence[EvidenceFile], sendable: bool = True) -> str:
    """The files an item holds as a draft (received, not sent)."""
    lines = [f"📝 Draf belum dikirim ({len(files)} berkas):"]
    lines += [f"  • {short_name(f.file_name)} ({ukuran(f.size)})" for f in files[:SUMMARY_FILES]]
    if len(files) > SUMMARY_FILES:
        lines.append(f"  • dan {len(files) - SUMMARY_FILES} berkas lainnya")
    lines.append(
        "Tekan \u201cKirim draf\u201d untuk menyampaikannya, atau kirim berkas lain."
        if sendable
        else "Butir ini tidak menerima berkas lagi (sudah disetujui), sehingga draf ini tidak "
        "dapat dikirim; silakan buang draf, atau kirim berkasnya untuk butir lain."
    )
    return "\n".join(lines)


def card_not_ready(missing: Sequence[ChecklistItem]) -> str:
    lines = [
        "Kartu kendali bertanda tangan baru dapat dikirim setelah seluruh data dukung wajib "
        "unit Anda disetujui (100%). Butir yang belum disetujui:",
    ]
    lines += [f"  • {i.code} {i.name}" for i in missing]
    return "\n".join(lines)


ITEM_LOCKED = "Butir ini sudah disetujui sehingga tidak dapat diubah lagi."
ASK_FILES = (
    "Silakan kirim berkas untuk butir ini (PDF, foto JPG/PNG, Word, Excel atau ZIP) sebagai "
    "dokumen atau foto. Beberapa berkas atau satu album foto dihitung sebagai satu kiriman. "
    "Setelah semua berkas terkirim, tekan \u201cKirim\u201d."
)
ASK_NOTE = (
    "Silakan tuliskan keterangan singkat mengapa butir ini Nihil (tidak ada kegiatan) pada bulan "
    "laporan (contoh: \u201cTidak ada perjalanan dinas pada bulan ini\u201d)."
    + " Paling banyak "
    + angka(MAX_REASON_LENGTH)
    + " karakter."
)
TEXT_INSTEAD_OF_FILE = (
    "Mohon kirim berkas sebagai dokumen atau foto, bukan teks. Bila berkas sudah lengkap, "
    "tekan \u201cKirim\u201d; untuk menutup, ketik /batal (berkas yang sudah diterima tetap "
    "tersimpan sebagai draf)."
)
NO_FILES_YET = "Belum ada berkas yang diterima. Silakan kirim berkas terlebih dahulu."
NOTHING_TO_CANCEL = "Tidak ada langkah yang sedang berjalan."
STEP_NOT_AVAILABLE = (
    "Tombol ini berasal dari pesan lama dan tidak berlaku untuk langkah saat ini. Silakan "
    "buka butirnya kembali dari daftar: ketik /kirim."
)


def item_title(code: str, name: str) -> str:
    """An item as people read it: its number and name; a card by its name alone (never its
    internal code)."""
    if code == UNIT_CARD_ITEM:
        return UNIT_CARD_NAME
    if code == PROVINCIAL_CARD_ITEM:
        return PROVINCIAL_CARD_NAME
    return f"{code} {name}".strip()


def _butir(code: str, name: str) -> str:
    """ "butir KEU-01 Laporan ...", or a card by its name."""
    title = item_title(code, name)
    return title if code in (UNIT_CARD_ITEM, PROVINCIAL_CARD_ITEM) else f"butir {title}"


def _butir_head(code: str) -> str:  # "Butir ..." at the head of a sentence
    what = _butir(code, "").strip()
    return what[0].upper() + what[1:]


EVENT_LABEL: dict[EventKind, str] = {
    EventKind.UNDANGAN_DIBUAT: "undangan dibuat",
    EventKind.ANGGOTA_BERGABUNG: "anggota bergabung",
    EventKind.AKUN_DITAUTKAN: "akun WhatsApp ditautkan",
    EventKind.DATA_DIMUAT: "data unit dan ceklis dimuat",
    EventKind.PERIODE_DIBUKA: "periode dibuka",
    EventKind.ITEM_DIKIRIM: "butir dikirim",
    EventKind.ITEM_DITARIK: "kiriman ditarik",
    EventKind.ITEM_DISETUJUI: "butir disetujui",
    EventKind.ITEM_DIKEMBALIKAN: "butir dikembalikan",
    EventKind.KARTU_DRAFT_DIUNGGAH: "draf kartu diunggah",
    EventKind.KARTU_DISETUJUI_PEJABAT: "kartu diparaf/ditandatangani",
    EventKind.KARTU_TAHAP_SELESAI: "tahap kartu selesai",
    EventKind.KARTU_DIKEMBALIKAN: "kartu dikembalikan",
    EventKind.KARTU_TTD_DIUNGGAH: "kartu bertanda tangan diunggah",
    EventKind.KARTU_ESPIP_DIUNGGAH: "kartu diunggah ke e-SPIP",
    EventKind.KARTU_DATA_DIKIRIM: "kirim data di e-SPIP",
    EventKind.PERIODE_DISERAHKAN: "periode diserahkan ke Inspektorat",
    EventKind.DELEGASI_DIBUAT: "wakil ditunjuk",
    EventKind.TEMPLAT_DIDAFTARKAN: "formulir kosong didaftarkan",
    EventKind.ANGGOTA_DINONAKTIFKAN: "akses pengguna diakhiri",
    EventKind.ANGGOTA_DIAKTIFKAN: "akses pengguna diaktifkan kembali",
    EventKind.ANGGOTA_DIPINDAHKAN: "unit/peran pengguna diubah",
    EventKind.ANGGOTA_DIGANTIKAN: "pengguna digantikan",
    EventKind.ANGGOTA_MENGGANTIKAN: "pengguna menggantikan orang lain",
}
STAGE_WORD = {"paraf": "paraf", "tanda_tangan": "tanda tangan"}


def card_record_step(kind: EventKind, stage: str) -> str:
    """A step of the card's record as the workbook says it: "paraf", "tanda tangan", "draf
    kartu diunggah" ..."""
    if kind is EventKind.KARTU_DISETUJUI_PEJABAT:
        return STAGE_WORD.get(stage, stage)
    if kind is EventKind.KARTU_DIKEMBALIKAN:
        return f"dikembalikan pada tahap {STAGE_WORD.get(stage, stage)}"
    return EVENT_LABEL.get(kind, kind.value)


DELIVERY_WORD = {"berkas": "berkas", "nihil": "nihil"}
DETAIL_KEY = {
    "jenis": "bentuk",
    "atas_nama": "atas nama",
    "data_belum_lengkap": "data dukung belum lengkap",
    "temuan": "pemeriksaan otomatis",
}
FINDING_WORD = {
    "sama": "berkas sama dengan kiriman sebelumnya",
    "kosong": "hasil pindai kosong",
    "templat": "formulir kosong",
    "bulan": "menyebut bulan lain",
}


def event_subject(subject: str | None) -> str | None:
    """The subject of an audit event as people read it: an item's number, a card's name,
    a role's name; never an internal code."""
    if subject is None:
        return None
    if subject == "kartu_provinsi":
        return PROVINCIAL_CARD_NAME
    if subject.startswith("peran:"):
        role = subject.removeprefix("peran:")
        return ROLE_LABEL[Role(role)] if role in Role._value2member_map_ else role
    return item_short(subject) if subject == UNIT_CARD_ITEM else subject


def event_detail(detail: Mapping[str, str], names: Mapping[int, str]) -> str:
    """An audit event's detail in words: roles and stages by name, people by name."""
    parts = []
    for key, value in sorted(detail.items()):
        if key == "peran" and value in Role._value2member_map_:
            value = ROLE_LABEL[Role(value)]
        elif key == "tahap":
            value = STAGE_WORD.get(value, value)
        elif key == "jenis":
            value = DELIVERY_WORD.get(value, value)
        elif key in ("wakil", "atas_nama") and value.isdigit():
            value = names.get(int(value), value)
        elif key == "temuan":
            value = ", ".join(FINDING_WORD.get(v, v) for v in value.split(", "))
        parts.append(f"{DETAIL_KEY.get(key, key)}: {value}")
    return "; ".join(parts)


def item_short(code: str) -> str:
    """An item on a small button or a picture's column: its number; a card as "Kartu"."""
    if code == UNIT_CARD_ITEM:
        return "Kartu"
    if code == PROVINCIAL_CARD_ITEM:
        return "Kartu Provinsi"
    return code


def draft_target(item_code: str, period: Period | None = None) -> str:
    """What a draft is for, in a sentence: an item, a card, or no item chosen yet."""
    if item_code == "":
        what = "berkas yang belum dipilih butirnya"
    elif item_code == PROVINCIAL_CARD_ITEM:
        what = PROVINCIAL_CARD_NAME
    elif item_code == UNIT_CARD_ITEM:
        what = UNIT_CARD_NAME
    else:
        what = f"butir {item_code}"
    return what + (f" ({bulan(period)})" if period is not None else "")


def _drafts_kept(drafts: Sequence[tuple[str, int]]) -> str:
    listed = "; ".join(f"{what}: {n} berkas" for what, n in drafts)
    return (
        f"Berkas yang belum Anda kirim tetap tersimpan sebagai draf ({listed}) dan belum "
        "dikirim. Ketik /kirim untuk mengirim atau membuangnya."
    )


def session_closed(
    timed_out: bool,
    confirmed: int,
    drafts: Sequence[tuple[str, int]],
    pending_note: bool,
    item: str = "",
) -> str:
    """Closing a delivery session (Tutup, Batal, /batal or a time-out): what was kept and what
    was not, never "nothing was saved" when something was: the deliveries confirmed, the
    drafts kept in the database (what they are for, how many files), a note not confirmed."""
    lines = [
        "Sesi pengiriman berakhir karena tidak ada tanggapan."
        if timed_out
        else "Sesi pengiriman ditutup."
    ]
    if confirmed:
        lines.append(
            f"{confirmed} kiriman yang sudah Anda konfirmasi dalam sesi ini tetap tersimpan dan "
            "telah diteruskan untuk diperiksa."
        )
    if drafts:
        lines.append(_drafts_kept(drafts))
    if pending_note:
        lines.append(f"Keterangan Nihil untuk butir {item} belum dikonfirmasi dan tidak dikirim.")
    if not confirmed and not drafts and not pending_note:
        lines.append("Tidak ada perubahan pada data Anda.")
    if not drafts:
        lines.append("Ketik /kirim untuk membuka daftar butir kembali.")
    return " ".join(lines)


def session_ended(drafts: Sequence[tuple[str, int]]) -> str:
    """A button of a session that ended (closed, timed out, the bot restarted)."""
    if drafts:
        return "Sesi pengiriman tersebut sudah berakhir. " + _drafts_kept(drafts)
    return "Sesi pengiriman tersebut sudah berakhir. Ketik /kirim untuk membuka daftar butir."


def already_sent(code: str, version: int) -> str:
    """An older message's "Kirim" for an item delivered since."""
    return (
        f"{_butir_head(code)} sudah terkirim sebagai versi {version}; "
        "tombol ini dari pesan sebelumnya. Ketik /kirim untuk melihat daftar butir."
    )


NOTHING_TO_SEND = (
    "Belum ada yang dapat dikirim untuk butir ini: belum ada berkas atau keterangan. Silakan "
    "kirim berkasnya, atau pilih \u201cNihil\u201d bila tidak ada kegiatannya."
)
NO_ITEM_OPEN = (
    "Belum ada butir yang dibuka untuk dikirim (tombol dari pesan lama). Ketik /kirim lalu "
    "pilih butirnya."
)
NO_LOOSE_FILES = (
    "Berkas tersebut sudah diproses sebelumnya (dimasukkan ke butir, dikirim, atau dibuang). "
    "Ketik /kirim untuk membuka daftar butir."
)
ITEM_TAKES_NO_FILES = (
    "Butir ini tidak dapat menerima berkas saat ini (misalnya sudah disetujui). Berkas Anda "
    "tetap tersimpan; silakan pilih butir lain."
)


def draft_discarded(count: int) -> str:
    if not count:
        return "Tidak ada draf yang perlu dibuang."
    return f"Draf ({count} berkas) telah dibuang dan tidak dikirim."


def which_item(files: Sequence[EvidenceFile], period: Period | None) -> str:
    """The question for files sent before an item was chosen."""
    month = f" periode {bulan(period)}" if period is not None else ""
    lines = [f"Berkas diterima ({len(files)} berkas):"]
    lines += [f"  • {short_name(f.file_name)} ({ukuran(f.size)})" for f in files[:SUMMARY_FILES]]
    if len(files) > SUMMARY_FILES:
        lines.append(f"  • dan {len(files) - SUMMARY_FILES} berkas lainnya")
    lines.append(
        f"Untuk butir mana berkas ini{month}? Silakan pilih butirnya; berkas tetap tersimpan "
        "sampai Anda memilih."
    )
    return "\n".join(lines)


PICK_ITEM_FOR_FILES = "Pilih butirnya"


def loose_file_received(file: EvidenceFile, count: int) -> str:
    """A further file before the person said which item the first ones are for."""
    return (
        f"Berkas diterima: {file.file_name} ({ukuran(file.size)}); {count} berkas menunggu "
        "dipilih butirnya. Silakan pilih butirnya pada daftar di atas; semua berkas ini akan "
        "ikut."
    )


NO_OPEN_PERIOD = (
    "Saat ini belum ada periode pelaporan yang dibuka. Periode dibuka setiap tanggal 1; "
    "hubungi Satgas SPIP KPU Provinsi bila diperlukan."
)
NOTE_TOO_SHORT = (
    "Keterangan belum terbaca. Mohon tuliskan keterangan dengan kata-kata (minimal 3 huruf "
    "atau angka)."
)
TEXT_TOO_LONG = (
    f"Mohon maaf, teks tersebut terlalu panjang; paling banyak {angka(MAX_REASON_LENGTH)} "
    "karakter (sekitar satu paragraf). Mohon diringkas lalu kirim kembali."
)
REASON_REQUIRED = (
    "Alasan pengembalian wajib diisi dengan kata-kata (minimal 3 huruf atau angka), paling "
    f"banyak {angka(MAX_REASON_LENGTH)} karakter."
)


def _send_hint(code: str, name: str, count: int, version: int, period: Period) -> str:
    return (
        f"Butir: {item_title(code, name)}, bulan {bulan(period)}. Jumlah berkas dalam kiriman "
        f"ini: {count}. Bila "
        "masih ada berkas lain, kirimkan sekarang; bila sudah lengkap, tekan \u201cKirim\u201d "
        f"(dicatat sebagai versi {version + 1})."
    )


def file_received(
    file: EvidenceFile, count: int, code: str, name: str, version: int, period: Period
) -> str:
    # whether the same content is stored already (perhaps sent by another unit) is not said:
    # it would tell one unit what another delivered
    return f"Berkas diterima: {file.file_name} ({ukuran(file.size)}).\n" + _send_hint(
        code, name, count, version, period
    )


def file_already_in_draft(
    file: EvidenceFile,
    earlier: EvidenceFile,
    count: int,
    code: str,
    name: str,
    version: int,
    period: Period,
) -> str:
    same = "" if file.file_name == earlier.file_name else f" (sama dengan {earlier.file_name})"
    return (
        f"Berkas {file.file_name}{same} sudah ada dalam kiriman ini; tidak ditambahkan lagi.\n"
        + _send_hint(code, name, count, version, period)
    )


def file_too_large(limit_mb: int) -> str:
    return (
        f"Mohon maaf, berkas melebihi batas {limit_mb} MB sehingga tidak dapat diterima. "
        f"Silakan perkecil (kompres) berkas, atau pecah menjadi beberapa berkas yang "
        f"masing-masing di bawah {limit_mb} MB lalu kirim satu per satu. Bila tidak "
        "memungkinkan, simpan berkas di Google Drive dan sampaikan tautannya kepada Satgas "
        "SPIP KPU Provinsi."
    )


def file_type_refused(allowed: Sequence[str], extension: str = "") -> str:
    kinds = ", ".join(sorted(x.upper() for x in allowed))
    if extension in ("heic", "heif"):  # iPhone photos sent as files
        return (
            f"Mohon maaf, foto berformat HEIC (dari iPhone) belum dapat diterima. {HEIC_HINT} "
            f"Jenis yang diterima: {kinds}."
        )
    return f"Mohon maaf, jenis berkas ini tidak dapat diterima. Jenis yang diterima: {kinds}."


# what a message holds when it is not a file (Telegram's and WhatsApp's names for them)
NOT_A_FILE: dict[str, str] = {
    "sticker": "stiker",
    "voice": "pesan suara",
    "audio": "rekaman suara",
    "location": "lokasi",
    "contact": "kontak",
    "contacts": "kontak",
    "video": "video",
    "video_note": "video",
    "animation": "animasi",
    "poll": "jajak pendapat",
    "reaction": "reaksi",
}


def not_a_file(kind: str) -> str:
    """A sticker, a voice note, a location... sent where a file is awaited."""
    what = NOT_A_FILE.get(kind, "pesan")
    return (
        f"Yang Anda kirim adalah {what}, bukan berkas. Mohon kirim data dukung sebagai dokumen "
        "(PDF, Word, Excel, ZIP) atau foto."
    )


CONFIRM_BY_BUTTON = (
    "Untuk mengirim, tekan \u201cKirim\u201d pada pesan di atas. Bila belum ingin mengirim, "
    "tekan \u201cTutup\u201d; berkas yang sudah diterima tetap tersimpan sebagai draf."
)


def content_mismatch(name: str) -> str:
    return (
        f"Mohon maaf, isi berkas {name} tidak sesuai dengan jenis pada namanya (misalnya "
        "berkas lain yang diganti namanya), sehingga tidak dapat diterima. Silakan kirim "
        "berkas aslinya, misalnya PDF hasil pindai atau ekspor dari aplikasinya."
    )


HEIC_HINT = (
    "Silakan kirim sebagai foto biasa (bukan sebagai berkas/dokumen) agar otomatis menjadi JPG, "
    "atau ubah Pengaturan > Kamera > Format ke \u201cPaling Kompatibel\u201d."
)
UNREADABLE = {
    "rusak": (
        "Mohon maaf, berkas {name} rusak dan tidak dapat dibuka, sehingga tidak diterima. "
        "Silakan simpan ulang atau pindai ulang dokumennya sebagai PDF, lalu kirim kembali."
    ),
    "sandi": (
        "Mohon maaf, berkas {name} dilindungi kata sandi, sehingga pemeriksa tidak dapat "
        "membukanya, dan tidak diterima. Silakan simpan ulang tanpa kata sandi (misalnya "
        "Cetak, lalu Simpan sebagai PDF) dan kirim kembali."
    ),
    "kosong": (
        "Mohon maaf, berkas {name} tidak memiliki satu halaman pun, sehingga tidak diterima. "
        "Silakan ekspor ulang dokumennya sebagai PDF, lalu kirim kembali."
    ),
    "foto": "Mohon maaf, foto HEIC {name} tidak dapat dibuka, sehingga tidak diterima. "
    + HEIC_HINT,
}


def unreadable(name: str, reason: str) -> str:
    return UNREADABLE.get(reason, UNREADABLE["rusak"]).format(name=name)


def finding(f: Finding, period: Period, to_reviewer: bool = False) -> str:
    """One finding of the evidence checks: for the submitter with what to do, for the
    reviewer as a fact."""
    if f.kind is FindingKind.SAMA:
        if f.returned:
            said = f"Berkas {f.file_name} sama persis dengan versi {f.version} yang dikembalikan"
            advice = "; kirimkan berkas yang sudah diperbaiki sesuai alasan pengembalian."
        elif f.same_item:
            said = (
                f"Berkas {f.file_name} sama dengan versi {f.version} butir ini yang sudah dikirim"
            )
            advice = "."
        else:
            item = f"{f.item} {f.item_name}" if f.item_name else f.item
            said = (
                f"Berkas {f.file_name} sama dengan kiriman {f.unit} untuk butir {item} bulan "
                f"{bulan(Period.parse(f.period))}"
            )
            advice = "; pastikan berkas ini memang bukti untuk butir ini."
        return said + ("." if to_reviewer else advice)
    if f.kind is FindingKind.KOSONG:
        if f.photo:
            said = f"Foto {f.file_name} tampak kosong (polos, tanpa isi)"
            return said + ("." if to_reviewer else "; periksa kembali fotonya.")
        said = (
            f"Berkas {f.file_name} tampak kosong: tidak ada teks dan halaman pertamanya polos "
            "(hasil pindai lembar kosong?)"
        )
        return said + ("." if to_reviewer else "; periksa kembali berkasnya.")
    if f.kind is FindingKind.TEMPLAT:
        said = f"Berkas {f.file_name} sama persis dengan formulir kosong \u201c{f.item}\u201d"
        return said + (": belum diisi." if to_reviewer else "; formulir ini tampaknya belum diisi.")
    named = bulan(Period.parse(f.period))
    said = (
        f"Dokumen {f.file_name} menyebut {named}, sedangkan kiriman ini untuk bulan {bulan(period)}"
    )
    return said + ("." if to_reviewer else f"; pastikan dokumennya untuk bulan {bulan(period)}.")


def findings_for_submitter(findings: Sequence[Finding], period: Period) -> str:
    if not findings:
        return ""
    lines = ["⚠️ Perhatian:"] + [f"• {finding(f, period)}" for f in findings]
    lines.append(
        "Kiriman tetap dapat dikirim; catatan ini disimpan bersama kiriman dan terlihat oleh "
        "pemeriksa."
    )
    return "\n".join(lines)


def findings_for_reviewer(findings: Sequence[Finding], period: Period) -> str:
    if not findings:
        return ""
    return "\n".join(
        ["⚠️ Pemeriksaan otomatis:"] + [f"• {finding(f, period, True)}" for f in findings]
    )


def download_failed(name: str) -> str:
    return (
        f"Mohon maaf, berkas {name} gagal diterima setelah beberapa kali percobaan. "
        "Berkas ini belum tersimpan; silakan kirim ulang."
    )


SUMMARY_FILES = 20  # files listed by name in a summary; the rest are counted
SHOWN_NAME = 60  # characters of a file name in a list


def short_name(name: str, limit: int = SHOWN_NAME) -> str:
    """A long file name shortened in the middle, its end (and extension) kept."""
    if len(name) <= limit:
        return name
    tail = limit // 3
    return name[: limit - tail - 1] + "…" + name[-tail:]


def confirm_files(
    item_name: str, code: str, files: Sequence[EvidenceFile], version: int, period: Period
) -> str:
    lines = [f"Mohon periksa kiriman Anda untuk {_butir(code, item_name)} bulan {bulan(period)}:"]
    lines += [f"  • {short_name(f.file_name)} ({ukuran(f.size)})" for f in files[:SUMMARY_FILES]]
    if len(files) > SUMMARY_FILES:
        rest = files[SUMMARY_FILES:]
        lines.append(f"  • dan {len(rest)} berkas lainnya ({ukuran(sum(f.size for f in rest))})")
    lines.append(f"Jumlah berkas: {len(files)}.")
    lines.append(f"Kiriman ini akan dicatat sebagai versi {version + 1}. Kirim sekarang?")
    return "\n".join(lines)


def confirm_nihil(item_name: str, code: str, note: str, version: int, period: Period) -> str:
    return (
        f"Mohon periksa kiriman Anda untuk {_butir(code, item_name)} bulan {bulan(period)}:\n"
        f"Nihil. Keterangan: {note}\n"
        f"Kiriman ini akan dicatat sebagai versi {version + 1}. Kirim sekarang?"
    )


def receipt(
    item_name: str, state: ItemState, late: bool, files: int, due: date | None = None
) -> str:
    what = f"{files} berkas" if files else "pernyataan Nihil"
    deadline = f", {hari_tanggal(due)}," if due is not None else ""
    late_note = (
        f"\nKiriman ini melewati batas waktunya{deadline} dan dicatat sebagai terlambat."
        if late
        else ""
    )
    return (
        f"Terima kasih. Kiriman untuk {_butir(state.item_code, item_name)} telah diterima "
        f"sebagai versi {state.version} ({what}) dan diteruskan kepada Satgas SPIP KPU "
        f"Provinsi untuk diperiksa. Anda akan menerima pemberitahuan hasil pemeriksaannya."
        f"{late_note}"
    )


def withdrawn(code: str, version: int, period: Period | None = None) -> str:
    month = f" periode {bulan(period)}" if period is not None else ""
    return (
        f"Kiriman versi {version} untuk butir {code}{month} telah ditarik. Silakan kirim "
        "pengganti bila sudah siap."
    )


SUBMISSION_ERRORS: dict[str, str] = {
    "not_owed": "Mohon maaf, butir tersebut bukan kewajiban unit Anda.",
    "not_your_unit": "Mohon maaf, Anda hanya dapat mengirim data untuk unit Anda sendiri.",
    "not_your_role": NOT_ALLOWED,
    "period_closed": (
        "Mohon maaf, periode tersebut sudah ditutup (sudah diserahkan kepada Inspektorat KPU RI) "
        "sehingga tidak dapat menerima kiriman lagi."
    ),
    "unknown_period": "Mohon maaf, periode tersebut tidak dikenal atau belum dibuka.",
    "item_locked": ITEM_LOCKED,
    "stale_version": (
        "Mohon maaf, butir ini telah berubah sejak Anda membukanya (misalnya sudah diperiksa), "
        "sehingga kiriman ini belum tercatat. Berkas yang sudah Anda unggah (bila ada) tetap "
        "tersimpan sebagai draf; silakan buka kembali butirnya dengan /kirim."
    ),
    "concurrent_change": (
        "Mohon maaf, butir ini sedang diubah pada saat yang sama, sehingga kiriman ini belum "
        "tercatat. Berkas yang sudah Anda unggah (bila ada) tetap tersimpan sebagai draf; "
        "silakan coba lagi melalui /kirim."
    ),
    "note_required": NOTE_TOO_SHORT,
    "text_too_long": TEXT_TOO_LONG,
    "invalid_transition": "Mohon maaf, langkah tersebut tidak berlaku untuk status butir saat ini.",
}


PERIOD_FORMAT = "Mohon maaf, periode harus ditulis TTTT-BB, contoh /periode 2026-10."


def batas(deadline: Deadline) -> str:
    """A deadline as the setting makes it: moved to the working day before, or kept on a day
    off with the last working day before it said."""
    text = hari_tanggal(deadline.day)
    if deadline.moved:
        return f"{text} (dimajukan dari {hari_tanggal(deadline.sop_day)}, hari libur)"
    if deadline.on_day_off:
        return f"{text}, hari libur; hari kerja terakhir {hari_tanggal(deadline.last_working_day)}"
    return text


def _deadlines(schedule: PeriodSchedule) -> str:
    return (
        f"pengiriman data dukung {tanggal(schedule.kickoff)} s.d. "
        f"{tanggal(schedule.submission_deadline)}; pemeriksaan, paraf dan tanda tangan s.d. "
        f"{tanggal(schedule.review_deadline)}; penyerahan kepada Inspektorat KPU RI s.d. "
        f"{tanggal(schedule.handover_deadline)}"
    )


def period_opened(
    period: Period, deadline: date, kickoffs: int, at_work: Period | None = None
) -> str:
    text = (
        f"Periode {bulan(period)} telah dibuka. Batas pengiriman data dukung: "
        f"{hari_tanggal(deadline)}. Pemberitahuan dimulainya pelaporan dikirim kepada "
        f"{kickoffs} penyampai data."
    )
    if at_work is not None and at_work < period:
        text += (
            f"\nPeriode {bulan(at_work)} tetap ditampilkan lebih dahulu kepada setiap unit "
            f"yang belum mengirim seluruh data dukungnya; periode {bulan(period)} dapat dipilih "
            "dengan tombol 🗓 pada /kirim dan /status."
        )
    return text


def period_already_open(period: Period, closed: bool = False) -> str:
    if closed:
        return (
            f"Periode {bulan(period)} sudah diserahkan kepada Inspektorat KPU RI dan ditutup; "
            "periode tersebut tidak dapat dibuka kembali."
        )
    return (
        f"Periode {bulan(period)} sudah dibuka sebelumnya; tidak ada pemberitahuan yang "
        "dikirim ulang."
    )


def confirm_open_period(
    period: Period,
    schedule: PeriodSchedule,
    window: Window,
    at_work: Period | None,
    opens: datetime,
    tz: ZoneInfo,
) -> str:
    """Opening a month early or late is asked once more: it sends every unit its kick-off."""
    if window is Window.BELUM_DIBUKA:
        why = (
            f"Periode {bulan(period)} belum waktunya dibuka: pelaporannya dimulai "
            f"{hari_tanggal(schedule.kickoff)} dan periode ini dibuka otomatis pada "
            f"{waktu(opens, tz)}."
        )
    else:
        why = (
            f"Batas penyerahan periode {bulan(period)} "
            f"({hari_tanggal(schedule.handover_deadline)}) telah lewat; data yang dikirim "
            "sekarang tercatat terlambat."
        )
    lines = [
        why,
        f"Jadwalnya: {_deadlines(schedule)}.",
        "Bila dibuka sekarang, setiap penyampai data menerima pemberitahuan dimulainya "
        f"pelaporan bulan {bulan(period)}.",
    ]
    if at_work is not None and at_work < period:
        lines.append(
            f"Periode {bulan(at_work)} yang sedang dikerjakan tetap ditampilkan lebih dahulu."
        )
    elif at_work is not None and period < at_work:
        lines.append(
            f"Periode {bulan(period)} akan ditampilkan lebih dahulu kepada unit yang masih "
            "memiliki data dukung yang belum dikirim untuk bulan itu."
        )
    lines.append(f"Buka periode {bulan(period)} sekarang?")
    return "\n".join(lines)


def period_not_opened(period: Period) -> str:
    return f"Baik, periode {bulan(period)} tidak dibuka. Tidak ada pemberitahuan yang dikirim."


def label_open_period(period: Period, confirmed: bool = False) -> tuple[str, str]:
    if confirmed:
        return (f"🗓 Ya, buka {bulan(period)}", "Ya, buka")
    return (f"🗓 Buka periode {bulan(period)}", "Buka periode")


def periods_overview(
    rows: Sequence[tuple[Period, Window, PeriodSchedule]],
    offer: Period | None,
    upcoming: Period,
    upcoming_opens: datetime,
    tz: ZoneInfo,
) -> str:
    """/periode: the open periods with where each stands, what opens next and when."""
    lines = ["Periode pelaporan yang terbuka:"]
    for period, window, schedule in rows:
        if window is Window.TERLAMBAT:
            where = f"⚠️ batas penyerahan {tanggal(schedule.handover_deadline)} telah lewat"
        elif window is Window.BELUM_DIBUKA:
            where = f"dibuka lebih awal; pelaporan dimulai {tanggal(schedule.kickoff)}"
        else:
            where = (
                f"tahap {WINDOW_LABEL[window]}; batas penyerahan "
                f"{tanggal(schedule.handover_deadline)}"
            )
        lines.append(f"  • {bulan(period)}: {where}")
    if not rows:
        lines.append("  (belum ada)")
    if offer is not None:
        lines.append(
            f"\nPeriode {bulan(offer)} belum dibuka. Tekan tombol di bawah untuk membukanya."
        )
    else:
        lines.append(
            f"\nPeriode {bulan(upcoming)} dibuka otomatis pada {waktu(upcoming_opens, tz)}."
        )
    lines.append(
        "Untuk membuka periode lain, ketik /periode TTTT-BB (contoh /periode "
        f"{upcoming.code}); periode di luar jadwalnya diminta konfirmasi lebih dahulu."
    )
    return "\n".join(lines)


# ------------------------------------------------------------------ review


def decision_line(approve: bool, reviewer_name: str, at: datetime, tz: ZoneInfo) -> str:
    verdict = "✅ Disetujui" if approve else "↩️ Dikembalikan"
    return f"{verdict} oleh {reviewer_name}, {waktu(at, tz)}"


def decided_line(decision: Decision, tz: ZoneInfo) -> str:
    """Added to every message that held a delivery's buttons once it is decided."""
    line = decision_line(decision.approve, decision.reviewer.name, decision.at, tz)
    return line if decision.approve else f"{line}. Alasan: {decision.reason}"


@dataclass(frozen=True, slots=True)
class UnitDone:
    """Where a unit stands after decisions: required evidence all approved; the signed card
    still to be sent (a regency)."""

    complete: bool
    card_due: bool


def _latest(entries: Sequence[dict[str, object]]) -> list[dict[str, object]]:
    """One line per item: its last decision (a later version's decides)."""
    latest: dict[str, dict[str, object]] = {}
    for entry in entries:
        latest[str(entry["code"])] = entry
    return list(latest.values())


def _one_decision(unit: Unit, entry: dict[str, object], tz: ZoneInfo) -> str:
    code = entry["code"]
    what = f"butir {code} {entry['name']}" if code != UNIT_CARD_ITEM else UNIT_CARD_NAME.lower()
    at = waktu(datetime.fromisoformat(str(entry["at"])), tz)
    head = f"Yth. Bapak/Ibu, kiriman {unit.name} untuk {what} versi {entry['version']} telah "
    if entry["approve"]:
        return head + f"disetujui oleh {entry['reviewer']} ({at})."
    return (
        head + f"dikembalikan oleh {entry['reviewer']} ({at}) untuk diperbaiki.\n"
        f"Alasan: {entry['reason']}"
    )


def _decision_line(entry: dict[str, object], tz: ZoneInfo) -> str:
    code, name = entry["code"], entry["name"]
    what = f"{code} {name}" if code != UNIT_CARD_ITEM else UNIT_CARD_NAME
    at = waktu(datetime.fromisoformat(str(entry["at"])), tz)
    if entry["approve"]:
        return f"✅ {what} (versi {entry['version']}): disetujui oleh {entry['reviewer']}, {at}."
    return (
        f"↩️ {what} (versi {entry['version']}): dikembalikan oleh {entry['reviewer']}, {at}, "
        f"untuk diperbaiki.\n   Alasan: {entry['reason']}"
    )


def decisions_notice(
    unit: Unit,
    period: Period,
    entries: Sequence[dict[str, object]],
    done: UnitDone,
    tz: ZoneInfo,
) -> str:
    """The submitter's notice of decisions on their deliveries (one, or gathered: an
    approve-all, or several within a few minutes), and the next step."""
    lines = _latest(entries)
    returned = [e for e in lines if not e["approve"]]
    if len(lines) == 1:
        text = [_one_decision(unit, lines[0], tz)]
    else:
        head = f"Yth. Bapak/Ibu, hasil pemeriksaan kiriman {unit.name} periode {bulan(period)}"
        text = [f"{head} ({len(lines)} butir):", *(_decision_line(e, tz) for e in lines)]
    if returned:
        text.append(
            "\nSilakan kirim perbaikannya: tekan tombol butirnya di bawah (atau ketik /kirim), "
            "lalu kirim berkasnya."
        )
    elif done.card_due:
        text.append(
            "\nSeluruh data dukung wajib unit Anda telah disetujui (100%). Silakan kirim kartu "
            "kendali bertanda tangan melalui tombol di bawah."
        )
    elif done.complete and not any(e["code"] == UNIT_CARD_ITEM for e in lines):
        text.append("\nSeluruh data dukung wajib unit Anda telah disetujui (100%).")
    return "\n".join(text)


def _short_item(code: str) -> str:
    return "kartu" if code == UNIT_CARD_ITEM else code


def decision_buttons(
    period: Period, entries: Sequence[dict[str, object]], done: UnitDone
) -> tuple[tuple[Button, ...], ...]:
    """A button to each item returned (the first three: WhatsApp shows no more), else the
    signed card's when it is due."""
    returned = [str(e["code"]) for e in _latest(entries) if not e["approve"]]
    if returned:
        return tuple(
            ((f"📎 Perbaiki {_short_item(code)}", callbacks.kirim_item(code, period)),)
            for code in returned[:3]
        )
    if done.card_due:
        return ((("📤 Kartu kendali", callbacks.kirim_item(UNIT_CARD_ITEM, period)),),)
    return ()


def second_review(submitter: Person) -> str:
    return (
        f"Anda diminta memeriksa sebagai pemeriksa kedua: pengirimnya, {submitter.name}, adalah "
        "satu-satunya Satgas SPIP KPU Provinsi, dan tidak ada yang memeriksa kirimannya sendiri."
    )


def own_delivery(instead: Sequence[str], second: bool) -> str:
    """The refusal of deciding one's own delivery, naming who decides it instead."""
    if not instead:
        who = "Satgas SPIP KPU Provinsi lain (belum ada yang terdaftar)"
    else:
        who = ", ".join(instead) + (" sebagai pemeriksa kedua" if second else "")
    return (
        f"Kiriman ini Anda kirim sendiri, sehingga tidak dapat Anda putuskan (pemisahan tugas). "
        f"Pemeriksaannya dilakukan oleh {who}; tidak ada yang diubah."
    )


def reason_hint(what: str) -> str:
    return f"Alasan pengembalian {what}"


def reason_elsewhere(what: str) -> str:
    return (
        f"Pesan ini merupakan balasan atas pesan lain, sehingga tidak dicatat sebagai alasan "
        f"pengembalian {what}. Silakan tuliskan alasannya sebagai balasan atas pertanyaan "
        "alasan, atau tanpa membalas pesan apa pun; ketik /batal untuk membatalkan."
    )


ASK_RETURN_REASON = (
    "Silakan tuliskan alasan pengembalian untuk {item} dari {unit} (versi {version}), "
    "paling banyak " + angka(MAX_REASON_LENGTH) + " karakter. "
    "Alasan ini akan diteruskan kepada pengirim. Ketik /batal untuk membatalkan."
)


def _key(target: ReviewTarget) -> tuple[int, int]:
    return target.state_id, target.state.version


def return_interrupted(what: str) -> str:
    """A return left waiting for its reason when another button was pressed."""
    subject = f" {what}" if what else ""
    return (
        f"Pengembalian{subject} dibatalkan karena Anda menekan tombol lain; pesan yang Anda "
        "ketik berikutnya tidak menjadi alasannya. Tekan \u201c↩️ Kembalikan\u201d lagi bila "
        "masih ingin mengembalikannya."
    )


RETURN_NOT_PENDING = (
    "Tidak ada pengembalian yang sedang menunggu alasan, sehingga pesan ini tidak dicatat "
    "sebagai alasan. Untuk mengembalikan, tekan \u201c↩️ Kembalikan\u201d pada kiriman."
)


def confirm_return(target: ReviewTarget, reason: str) -> str:
    return (
        f"Kembalikan {item_title(target.state.item_code, target.item_name)} "
        f"({target.unit.name}, versi {target.state.version}) dengan alasan:\n{reason}"
    )


RETURN_CANCELLED = "Pengembalian dibatalkan. Butir tetap menunggu pemeriksaan."

REVIEW_ERRORS: dict[str, str] = {
    "already_decided": "Butir ini sudah diputuskan sebelumnya; tidak ada yang diubah.",
    "concurrent_change": (
        "Butir ini baru saja diputuskan oleh pemeriksa lain; tidak ada yang diubah."
    ),
    "stale_version": (
        "Tombol ini untuk versi lama; pengirim sudah mengirim versi yang lebih baru. "
        "Tidak ada yang diubah."
    ),
    "invalid_transition": "Kiriman ini sudah ditarik oleh pengirim; tidak ada yang diubah.",
    "not_your_role": "Mohon maaf, hanya Satgas SPIP KPU Provinsi yang dapat memeriksa kiriman.",
    "period_closed": "Periode ini sudah ditutup; tidak ada yang diubah.",
    "unknown_item": "Butir ini tidak ditemukan.",
    "reason_required": REASON_REQUIRED,
    "text_too_long": TEXT_TOO_LONG,
}


# ------------------------------------------------------------------ the provincial card

STAGE_NAME: dict[StageKind, str] = {
    StageKind.PARAF: "paraf",
    StageKind.TANDA_TANGAN: "tanda tangan",
}
CARD_STATUS_LABEL: dict[CardStatus, str] = {
    CardStatus.KOSONG: "belum ada draf",
    CardStatus.PROSES: "dalam proses",
    CardStatus.DIKEMBALIKAN: "dikembalikan untuk perbaikan",
    CardStatus.MENUNGGU_TTD: (
        "sudah diparaf dan ditandatangani; menunggu unggahan kartu bertanda tangan"
    ),
    CardStatus.FINAL: "kartu bertanda tangan sudah diunggah",
    CardStatus.ESPIP: "sudah diunggah ke e-SPIP",
    CardStatus.DATA_DIKIRIM: "kirim data di e-SPIP sudah dilakukan",
    CardStatus.DISERAHKAN: "sudah diserahkan kepada Inspektorat KPU RI",
}


def card_status_text(state: CardState, chain: Sequence[Stage]) -> str:
    if state.status is CardStatus.PROSES:
        stage = chain[state.stage]
        waiting = [ROLE_LABEL[r] for r in stage.roles if r not in state.approvals]
        return f"menunggu {STAGE_NAME[stage.kind]}: " + ", ".join(waiting)
    return CARD_STATUS_LABEL[state.status]


def recap_lines(view: CardView) -> list[str]:
    lines = []
    for s in view.standings:
        card = ""
        if s.card is not None:
            card = ", kartu " + ("disetujui" if s.card is ItemStatus.DISETUJUI else "belum")
        lines.append(f"  • {s.unit.name}: {s.progress.percent}%{card}")
    return lines


def jam_singkat(moment: datetime, tz: ZoneInfo) -> str:
    """12 Nov 10.02"""
    return str(format_datetime(moment.astimezone(tz), "d MMM HH.mm", locale="id"))


def given_name(g: Given) -> str:
    return f"{g.name} atas nama {g.on_behalf_of}" if g.on_behalf_of else g.name


def chain_lines(view: CardView, tz: ZoneInfo) -> list[str]:
    """Who has initialled and signed the card's version, and who is awaited."""
    lines = []
    state = view.state
    for index, stage in enumerate(view.chain):
        lines.append(f"{STAGE_NAME[stage.kind].capitalize()}:")
        for role in stage.roles:
            g = view.given_by(role)
            if g is not None:
                lines.append(f"  ✅ {ROLE_LABEL[role]}: {given_name(g)}, {jam_singkat(g.at, tz)}")
            elif state.status is CardStatus.PROSES and index == state.stage:
                lines.append(f"  ⏳ {ROLE_LABEL[role]}: menunggu")
            else:
                lines.append(f"  ▫️ {ROLE_LABEL[role]}: belum")
    return lines


def completeness_line(view: CardView) -> str:
    total, short = len(view.standings), len(view.short)
    if not short:
        return f"Data dukung: {angka(total)} dari {angka(total)} unit lengkap (100%)."
    return (
        f"Perhatian: data dukung {angka(short)} dari {angka(total)} unit belum lengkap; "
        "rinciannya dapat dilihat melalui tombol Rekap."
    )


def card_for_stage(
    state: CardState,
    stage: Stage,
    role: Role,
    view: CardView,
    tz: ZoneInfo,
    holder: Person,
    on_behalf_of: Person | None = None,
) -> str:
    """The short request to initial or sign (the recap of the units is a tap away)."""
    what = STAGE_NAME[stage.kind]
    if on_behalf_of is not None:
        head = (
            f"Yth. Bapak/Ibu {holder.name},\nselaku wakil {ROLE_LABEL[role]} "
            f"({on_behalf_of.name}), mohon"
        )
    else:
        head = f"Yth. {ROLE_LABEL[role]},\nmohon"
    lines = [
        f"{head} {what} kartu kendali SPIP KPU Provinsi Jambi bulan {bulan(state.period)} "
        f"(versi {state.version}); berkas kartunya terlampir di atas.",
        "",
        *chain_lines(view, tz),
        "",
        completeness_line(view),
    ]
    return "\n".join(lines)


LABEL_CARD_RECAP = ("📊 Rekap", "Rekap")


def card_buttons(state: CardState, stage: Stage) -> tuple[Button, Button]:
    label = "✅ Paraf" if stage.kind is StageKind.PARAF else "✍️ Tandatangani"
    return (
        (label, callbacks.card(True, state.period.code, state.version)),
        ("↩️ Kembalikan", callbacks.card(False, state.period.code, state.version)),
    )


def card_keyboard(state: CardState, stage: Stage) -> tuple[tuple[Button, ...], ...]:
    """A request's buttons: the decision, then the recap a tap away."""
    recap = (LABEL_CARD_RECAP[0], callbacks.card_recap(state.period.code, state.version))
    return (card_buttons(state, stage), (recap,))


def card_recap(view: CardView, tz: ZoneInfo, chain: bool = True) -> str:
    """The recap behind a request's "Rekap": the card's status and chain (``chain``; not
    when it is added under the request, which shows them), then every unit's standing."""
    state = view.state
    head = [
        f"{PROVINCIAL_CARD_NAME} bulan {bulan(view.period)} (versi {state.version})",
        f"Status: {card_status_text(state, view.chain)}",
        *chain_lines(view, tz),
        "",
    ]
    units = ["Rekapitulasi kelengkapan data dukung:", *recap_lines(view)]
    return "\n".join([*(head if chain else []), *units])


def still_awaited(stage: Stage) -> str:
    what = STAGE_NAME[stage.kind].capitalize()
    return (
        f"{what} Anda masih ditunggu: tombolnya ada pada permintaan sebelumnya, atau ketik "
        "/antrian."
    )


def names_list(names: Sequence[str]) -> str:
    """A, B, serta C (role names hold "dan" themselves: "serta" joins the last)"""
    if len(names) < 2:
        return "".join(names)
    if len(names) == 2:
        return f"{names[0]} serta {names[1]}"
    return f"{', '.join(names[:-1])}, serta {names[-1]}"


def card_step_given(view: CardView, g: Given) -> str:
    """A paraf or signature just given, to the satgas and to those still awaited."""
    state = view.state
    verb = "memaraf" if g.kind is StageKind.PARAF else "menandatangani"
    said = (
        f"{ROLE_LABEL[g.role]} ({given_name(g)}) telah {verb} kartu kendali provinsi bulan "
        f"{bulan(state.period)} versi {state.version}"
    )
    if state.status is CardStatus.MENUNGGU_TTD:
        return f"{said}; paraf dan tanda tangan lengkap."
    stage = view.chain[state.stage]
    waiting = names_list([ROLE_LABEL[r] for r in stage.roles if r not in state.approvals])
    if g.role not in stage.roles:  # g's stage just completed: the next one is due
        return f"{said}; {STAGE_NAME[g.kind]} lengkap. Menunggu {STAGE_NAME[stage.kind]} {waiting}."
    return f"{said}; menunggu {STAGE_NAME[stage.kind]} {waiting}."


def card_voided_line(by: Person, role: Role, at: datetime, tz: ZoneInfo) -> str:
    return (
        f"↩️ Dikembalikan oleh {by.name} ({ROLE_LABEL[role]}), {waktu(at, tz)}; versi ini "
        "tidak berlaku lagi."
    )


def card_replaced_line(version: int) -> str:
    return f"🔁 Digantikan oleh draf versi {version}; permintaan baru menyusul."


LABEL_PARAF_YES = ("✅ Ya, paraf", "Ya, paraf")
LABEL_SIGN_YES = ("✍️ Ya, tandatangani", "Ya, tandatangani")
CARD_STEP_KEPT = (
    "Baik, belum ada paraf atau tanda tangan yang diberikan. Tombolnya pada permintaan tetap "
    "dapat ditekan kembali."
)


def short_units_warning(view: CardView, what: str, done: str) -> str:
    """The units below 100% named where a step of the card is confirmed ("" when none)."""
    short = view.short
    if not short:
        return ""
    return (
        f"Perhatian: data dukung {angka(len(short))} unit belum lengkap (100%): "
        f"{view.short_line}. Bila {what}, riwayat kartu mencatat bahwa {done} saat data "
        "dukung belum lengkap."
    )


def confirm_card_step(kind: StageKind, view: CardView) -> str:
    """The paraf or signature asked once more, the units still short named."""
    state = view.state
    what = "paraf" if kind is StageKind.PARAF else "tanda tangan"
    verb = "Berikan paraf" if kind is StageKind.PARAF else "Bubuhkan tanda tangan"
    warning = short_units_warning(view, f"{what} tetap diberikan", f"{what} diberikan")
    warning = f"\n\n{warning}" if warning else ""
    return (
        f"{verb} pada kartu kendali provinsi bulan {bulan(state.period)} versi "
        f"{state.version}? {what.capitalize()} yang sudah diberikan tercatat dengan nama Anda "
        f"(dan nama yang Anda wakili, bila mewakili) dan tidak dapat ditarik kembali.{warning}"
    )


def card_approval_voided(
    state: CardState,
    version: int,
    given: Mapping[str, str],
    role: Role,
    by: Person,
    reason: str,
) -> str:
    """To someone whose paraf or signature a return made void."""
    what = STAGE_WORD.get(given.get("tahap", ""), "paraf atau tanda tangan")
    verb = "paraf" if what == "paraf" else "tandatangani"
    return (
        f"Pemberitahuan: kartu kendali provinsi bulan {bulan(state.period)} versi {version} "
        f"yang telah Anda {verb} dikembalikan oleh {by.name} ({ROLE_LABEL[role]}) untuk "
        f"diperbaiki.\nAlasan: {reason}\n\n{what.capitalize()} Anda pada versi ini tidak "
        "berlaku lagi; Anda akan diminta kembali setelah Satgas SPIP mengunggah versi baru."
    )


def card_returned(state: CardState, role: Role, person: Person, reason: str) -> str:
    return (
        f"Kartu kendali provinsi bulan {bulan(state.period)} versi {state.version} "
        f"dikembalikan oleh {person.name} ({ROLE_LABEL[role]}).\nAlasan: {reason}\n\n"
        "Silakan perbaiki lalu unggah draf baru melalui /kirim (Kartu kendali provinsi); "
        "paraf dimulai lagi dari awal."
    )


def card_signed_all(given: str) -> str:
    """To the satgas at the last signature (``given`` says whose, ``card_step_given``)."""
    return (
        f"{given} Silakan unggah berkas kartu bertanda tangan melalui /kirim (Kartu kendali "
        "provinsi), lalu unggah ke e-SPIP."
    )


def card_decided(approve: bool, stage: Stage, person_name: str, at: datetime, tz: ZoneInfo) -> str:
    if approve:
        verdict = "✅ Diparaf" if stage.kind is StageKind.PARAF else "✍️ Ditandatangani"
    else:
        verdict = "↩️ Dikembalikan"
    return f"{verdict} oleh {person_name}, {waktu(at, tz)}"


def period_closed_line(period: Period) -> str:
    return f"🔒 Periode {bulan(period)} telah diserahkan dan ditutup."


def period_handed_over(period: Period, person: Person, at: datetime, tz: ZoneInfo) -> str:
    return (
        f"Data SPIP bulan {bulan(period)} telah diserahkan kepada Inspektorat KPU RI oleh "
        f"{person.name} pada {waktu(at, tz)}. Periode ini ditutup."
    )


def card_detail(view: CardView, tz: ZoneInfo) -> str:
    state = view.state
    lines = [
        f"{PROVINCIAL_CARD_NAME} bulan {bulan(view.period)}",
        f"Status: {card_status_text(state, view.chain)}",
    ]
    if state.reason and state.status is CardStatus.DIKEMBALIKAN:
        lines.append(f"Alasan pengembalian: {state.reason}")
    if view.submission is not None:
        lines.append(
            f"Berkas terakhir: versi {view.submission.version}, "
            f"{waktu(view.submission.submitted_at, tz)}"
        )
        lines += [f"  • {f.file_name} ({ukuran(f.size)})" for f in view.submission.files]
    short = view.short
    if short and state.status in (CardStatus.KOSONG, CardStatus.DIKEMBALIKAN, CardStatus.PROSES):
        lines += [
            "",
            "Perhatian: data dukung unit berikut belum lengkap. Draf tetap dapat diunggah.",
            *[f"  • {s.unit.name}: {s.progress.percent}%" for s in short],
        ]
    return "\n".join(lines)


def handover_blocked(short: Sequence[UnitStanding]) -> str:
    lines = [
        "Penyerahan kepada Inspektorat KPU RI belum dapat dicatat karena data berikut belum "
        "lengkap (100%):",
    ]
    for s in short:
        card = ""
        if s.card is not None and s.card is not ItemStatus.DISETUJUI:
            card = ", kartu kendali bertanda tangan belum disetujui"
        lines.append(f"  • {s.unit.name}: {s.progress.percent}%{card}")
    return "\n".join(lines)


CARD_STEP_DONE: dict[CardStatus, str] = {
    CardStatus.ESPIP: "Tercatat: kartu kendali dan bukti dukung sudah diunggah ke e-SPIP.",
    CardStatus.DATA_DIKIRIM: "Tercatat: kirim data di e-SPIP sudah dilakukan.",
}
ASK_ESPIP_EVIDENCE = (
    "Bila ada, kirim tangkapan layar e-SPIP sebagai bukti (foto atau PDF), atau tekan "
    "\u201cLewati\u201d."
)
CONFIRM_HANDOVER = (
    "Catat bahwa seluruh data periode ini sudah diserahkan kepada Inspektorat KPU RI? "
    "Setelah dicatat, periode ditutup dan tidak menerima kiriman lagi."
)

CARD_ERRORS: dict[str, str] = {
    "precondition_missing": "Langkah ini belum dapat dilakukan: langkah sebelumnya belum selesai.",
    "already_decided": "Kartu ini sudah diputuskan pada tahap ini; tidak ada yang diubah.",
    "stale_version": (
        "Tombol ini untuk versi kartu yang lama; sudah ada draf yang lebih baru. "
        "Tidak ada yang diubah."
    ),
    "not_your_role": "Mohon maaf, langkah ini bukan kewenangan peran Anda.",
    "period_closed": "Periode ini sudah ditutup; tidak ada yang diubah.",
    "concurrent_change": "Kartu ini baru saja diubah oleh orang lain; silakan coba lagi.",
    "invalid_transition": "Langkah ini tidak berlaku untuk status kartu saat ini.",
    "units_incomplete": (
        "Penyerahan belum dapat dicatat: data dukung sebagian unit belum lengkap."
    ),
    "reason_required": REASON_REQUIRED,
    "text_too_long": TEXT_TOO_LONG,
    "unknown_period": "Mohon maaf, periode tersebut tidak dikenal.",
}


def duty_taken(
    given: Role, kind: StageKind, due: Role, due_kind: StageKind, instead: Sequence[str]
) -> str:
    who = ", ".join(instead) if instead else "orang lain yang memegang peran itu (atau wakilnya)"
    return (
        f"Anda sudah memberikan {STAGE_NAME[kind]} pada versi kartu ini sebagai "
        f"{ROLE_LABEL[given]}; satu orang hanya memberikan satu paraf atau tanda tangan per "
        f"versi (pemisahan tugas). {STAGE_NAME[due_kind].capitalize()} sebagai {ROLE_LABEL[due]} "
        f"perlu diberikan oleh {who}. Tidak ada yang diubah."
    )


def card_error(exc: DomainError) -> str:
    """A refusal of a step of the provincial card, in words (the units still short named)."""
    if exc.code == "duty_taken":
        given, due = exc.context.get("given"), exc.context.get("due")
        kind, due_kind = exc.context.get("kind"), exc.context.get("due_kind")
        instead = exc.context.get("instead")
        if (
            isinstance(given, Role)
            and isinstance(due, Role)
            and isinstance(kind, StageKind)
            and isinstance(due_kind, StageKind)
        ):
            names = [str(n) for n in instead] if isinstance(instead, list | tuple) else []
            return duty_taken(given, kind, due, due_kind, names)
    if isinstance(exc, UnitsIncomplete):
        short = exc.context.get("short")
        if isinstance(short, list | tuple):
            return handover_blocked(short)
    return CARD_ERRORS.get(exc.code, GENERIC_ERROR)


def submission_error(exc: DomainError) -> str:
    return SUBMISSION_ERRORS.get(exc.code, GENERIC_ERROR)


def review_error(exc: DomainError) -> str:
    if exc.code == "own_delivery":
        instead = exc.context.get("instead")
        names = [str(n) for n in instead] if isinstance(instead, list | tuple) else []
        return own_delivery(names, bool(exc.context.get("second")))
    return REVIEW_ERRORS.get(exc.code, GENERIC_ERROR)


def card_uploaded(state: CardState, chain: Sequence[Stage]) -> str:
    if state.status is CardStatus.FINAL:
        return (
            f"Kartu kendali provinsi bulan {bulan(state.period)} bertanda tangan tersimpan "
            f"sebagai versi {state.version}. "
            "Langkah berikutnya: unggah ke e-SPIP, lalu catat di sini."
        )
    first = chain[0]
    names = ", ".join(ROLE_LABEL[r] for r in first.roles)
    return (
        f"Draf kartu kendali provinsi bulan {bulan(state.period)} tersimpan sebagai versi "
        f"{state.version} dan diteruskan "
        f"kepada {names} untuk {STAGE_NAME[first.kind]}."
    )


ASK_CARD_RETURN_REASON = (
    "Silakan tuliskan alasan pengembalian kartu kendali provinsi (versi {version}), paling "
    "banyak " + angka(MAX_REASON_LENGTH) + " karakter. Alasan ini "
    "akan diteruskan kepada Satgas SPIP KPU Provinsi. Ketik /batal untuk membatalkan."
)


def confirm_card_return(version: int, reason: str) -> str:
    return f"Kembalikan kartu kendali provinsi (versi {version}) dengan alasan:\n{reason}"


# ------------------------------------------------------------------ delegation


def delegation_notice(d: Delegated) -> str:
    return (
        f"Yth. Bapak/Ibu {d.delegate.name}, Anda ditunjuk mewakili {d.covered.name} sebagai "
        f"{ROLE_LABEL[d.role]} dari {tanggal(d.start)} sampai {tanggal(d.end)}. Setiap "
        "keputusan Anda dicatat atas nama yang diwakili."
    )


def delegation_covered(d: Delegated) -> str:
    return (
        f"Yth. Bapak/Ibu {d.covered.name}, {d.delegate.name} mewakili Anda sebagai "
        f"{ROLE_LABEL[d.role]} dari {tanggal(d.start)} sampai {tanggal(d.end)}. Selama itu "
        f"permintaan untuk peran ini dikirim kepada {d.delegate.name} atas nama Anda, dan Anda "
        "tidak dimintai lagi; Anda tetap dapat bertindak sendiri bila perlu."
    )


def delegation_done(d: Delegated) -> str:
    return (
        f"Tercatat: {d.delegate.name} mewakili {d.covered.name} sebagai {ROLE_LABEL[d.role]} "
        f"dari {tanggal(d.start)} sampai {tanggal(d.end)}."
    )


ROLE_WORD: dict[Role, str] = {  # the short word typed for a role in /wakil
    Role.SATGAS_PROV: "satgas",
    Role.SUBBAG_HUKUM: "subbag",
    Role.KABAG_HSDM: "kabag",
    Role.SEKRETARIS: "sekretaris",
    Role.DIVISI_HUKUM: "divisi",
    Role.KETUA: "ketua",
}
LEAVE_TYPED = (
    "Atau ketik lengkap: /wakil NAMA_WAKIL PERAN NAMA_YANG_DIWAKILI TGL_MULAI TGL_SELESAI, "
    "contoh: /wakil Hendra sekretaris Sekar 12-11-2026 14-11-2026 (peran: "
    + ", ".join(ROLE_WORD.values())
    + ")."
)
LEAVE_WHO = "Penunjukan wakil (cuti atau berhalangan). Siapa yang berhalangan?"
LEAVE_NOBODY = "Belum ada pejabat atau satgas provinsi yang terdaftar untuk diwakili."
LEAVE_CANCELLED = "Dibatalkan; tidak ada wakil yang ditunjuk."
LABEL_LEAVE_YES = ("✅ Ya, tunjuk", "Ya, tunjuk")
LABEL_PICK_PERSON = "Pilih orang"
LABEL_PICK_DATES = "Pilih tanggal"
LEAVE_PRESET: dict[str, str] = {
    "hari_ini": "Hari ini",
    "sd_jumat": "Hari ini s.d. Jumat",
    "besok": "Besok",
    "besok_sd_jumat": "Besok s.d. Jumat",
    "minggu_depan": "Minggu depan",
    "tujuh_hari": "7 hari mulai hari ini",
}


def tanggal_singkat(day: date) -> str:
    """12 Nov"""
    return str(format_date(day, "d MMM", locale="id"))


def span(start: date, end: date) -> str:
    """12 Nov s.d. 14 Nov 2026, or 12 Nov 2026 for one day."""
    if start == end:
        return tanggal(start)
    return f"{tanggal_singkat(start)} s.d. {tanggal(end)}"


def leave_role(covered: Person) -> str:
    return f"Peran mana dari {covered.name} yang diwakilkan?"


def leave_delegate(covered: Person, role: Role) -> str:
    return f"Siapa yang mewakili {covered.name} sebagai {ROLE_LABEL[role]}?"


def leave_dates(covered: Person, role: Role, delegate: Person) -> str:
    return (
        f"{delegate.name} mewakili {covered.name} sebagai {ROLE_LABEL[role]}. Untuk tanggal "
        f"berapa?\n\nUntuk tanggal lain, ketik: /wakil {delegate.name} {ROLE_WORD[role]} "
        f"{covered.name} TGL_MULAI TGL_SELESAI (contoh tanggal: 12-11-2026)."
    )


def leave_confirm(covered: Person, role: Role, delegate: Person, start: date, end: date) -> str:
    return (
        f"Tunjuk {delegate.name} mewakili {covered.name} sebagai {ROLE_LABEL[role]} dari "
        f"{hari_tanggal(start)} sampai {hari_tanggal(end)}?\n\nSelama itu permintaan untuk "
        f"peran ini dikirim kepada {delegate.name} atas nama {covered.name}, dan "
        f"{covered.name} tidak lagi menerima permintaan tersebut. Keduanya akan diberi tahu."
    )


def leave_typed_problem(problem: str, said: str, ambiguous: Sequence[Person]) -> str:
    """A typed /wakil that could not be read: which part, and how to write it."""
    if problem == "tanggal":
        first = f"Tanggal \u201c{said}\u201d tidak dikenali; tuliskan seperti 12-11-2026."
    elif problem == "peran":
        first = "Peran yang diwakilkan tidak ditemukan dalam perintah itu."
    elif ambiguous:
        names = ", ".join(p.name for p in ambiguous)
        first = f"\u201c{said}\u201d dapat berarti {names}; tuliskan nama lengkapnya."
    elif problem in ("wakil", "diwakili"):
        first = f"Tidak ada pengguna aktif bernama \u201c{said}\u201d."
    else:
        first = (
            "Perintah /wakil belum lengkap (perlu nama wakil, peran, nama yang diwakili, tanggal "
            "mulai dan tanggal selesai). Ketik /wakil saja untuk memilih dengan tombol."
        )
    return f"{first}\n\n{LEAVE_TYPED}"


def delegation_error(exc: DomainError) -> str:
    """A leave cover refused, in one sentence."""
    if exc.code == "cover_conflict":
        delegate, held, role = (exc.context.get(k) for k in ("delegate", "held", "role"))
        if isinstance(held, Role) and isinstance(role, Role):
            return (
                f"Mohon maaf, {delegate} tidak dapat mewakili sebagai {ROLE_LABEL[role]}: ia "
                f"sudah memegang atau mewakili peran {ROLE_LABEL[held]}, sehingga akan "
                "memberikan dua paraf atau tanda tangan pada satu kartu (pemisahan tugas). "
                "Silakan tunjuk orang lain yang tidak memegang peran dalam rantai paraf dan "
                "tanda tangan."
            )
    detail = exc.detail if exc.code == "invalid_delegation" else ""
    return DELEGATION_ERROR.format(detail=detail or "data tidak valid")


DELEGATION_ERROR = "Mohon maaf, penunjukan wakil tidak dapat dicatat: {detail}."


# ------------------------------------------------------------------ the reviewer's desk

LABEL_DESK = ("🔎 Periksa", "Periksa")
LABEL_DESK_APPROVE = ("✅ Setujui", "Setujui")
LABEL_DESK_RETURN = ("↩️ Kembalikan", "Kembalikan")
LABEL_DESK_SKIP = ("⏭ Lewati", "Lewati")
LABEL_DESK_ORIGINALS = ("📄 Berkas asli", "Berkas asli")
DESK_EMPTY = "Tidak ada kiriman yang menunggu pemeriksaan."
DESK_GONE = (
    "Kiriman yang Anda pilih sudah diputuskan atau telah diganti dengan versi baru; berikut "
    "kiriman yang menunggu."
)
DESK_ONLY_ONE = "Tidak ada kiriman lain yang menunggu; ini satu-satunya."
DESK_SKIPPED = "⏭ Dilewati; kiriman ini tetap menunggu pemeriksaan."
DESK_NO_FILES = "Kiriman ini Nihil: tanpa berkas, karena tidak ada kegiatan pada bulan laporan."


def decision_subject(target: ReviewTarget) -> str:
    """Which delivery a decision was about, as people read it."""
    state = target.state
    return f"{item_short(state.item_code)} ({target.unit.name}, versi {state.version})"


def desk_label(count: int) -> tuple[str, str]:
    """The button into the desk, with how many deliveries wait when more than one."""
    if count <= 1:
        return LABEL_DESK
    return f"{LABEL_DESK[0]} ({angka(count)})", f"{LABEL_DESK[1]} ({angka(count)})"


@dataclass(frozen=True, slots=True)
class FileFact:
    """One file of a delivery at the desk: its page count (a PDF) and how it is shown."""

    file: EvidenceFile
    pages: int = 0  # a PDF's pages; 0 for other files or an unreadable PDF
    pictured: bool = False  # its picture is above (a PDF's first page, or the photo)
    unreadable: bool = False  # a PDF that cannot be opened


def _file_line(fact: FileFact) -> str:
    f = fact.file
    if fact.unreadable:
        return (
            f"  • {f.file_name} ({ukuran(f.size)}): PDF ini tidak dapat dibuka; periksa "
            "berkas aslinya"
        )
    if fact.pages:
        shown = ", halaman pertama pada gambar di atas" if fact.pictured else ""
        return f"  • {f.file_name} (PDF {angka(fact.pages)} halaman, {ukuran(f.size)}){shown}"
    if fact.pictured:
        return f"  • {f.file_name} (foto, {ukuran(f.size)}), pada gambar di atas"
    return f"  • {f.file_name} ({ukuran(f.size)}), berkas di atas"


def desk_page(
    target: ReviewTarget,
    position: int,
    total: int,
    facts: Sequence[FileFact],
    sender: str,
    tz: ZoneInfo,
    said: str = "",
) -> str:
    """One delivery at the desk: where one is, what it is, who sent it, its evidence."""
    sub, state = target.submission, target.state
    lines = [said, ""] if said else []
    lines += [
        f"🔎 Pemeriksaan {angka(position)} dari {angka(total)}",
        f"{target.unit.name}, bulan {bulan(state.period)}",
        f"{item_title(state.item_code, target.item_name)}, versi {state.version}",
    ]
    if sub is not None:
        late = " (terlambat)" if sub.late else ""
        lines.append(f"Dikirim oleh {sender}, {waktu(sub.submitted_at, tz)}{late}")
        if sub.files:
            lines.append(f"Berkas ({angka(len(sub.files))}):")
            lines += [_file_line(fact) for fact in facts]
        else:
            lines.append(f"Nihil. Keterangan: {sub.note}")
        if sub.findings:
            lines.append(findings_for_reviewer(sub.findings, state.period))
    lines.append(
        "Setujui bila data dukung sudah sesuai; Kembalikan untuk meminta perbaikan dengan "
        "alasan; Lewati untuk memeriksanya nanti."
    )
    return "\n".join(lines)


def evidence_caption(target: ReviewTarget, fact: FileFact) -> str:
    state = target.state
    where = f"halaman 1 dari {angka(fact.pages)}" if fact.pages else "foto"
    return (
        f"{item_short(state.item_code)} · {target.unit.name} · versi {state.version}\n"
        f"{fact.file.file_name}, {where}"
    )


def card_caption(state: CardState, file_name: str, pages: int) -> str:
    where = f", halaman 1 dari {angka(pages)}" if pages else ""
    return (
        f"{PROVINCIAL_CARD_NAME} · {bulan(state.period)} · versi {state.version}\n"
        f"{file_name}{where}"
    )


def desk_decided(target: ReviewTarget, line: str) -> str:
    """The outcome of a decision at the desk, said above the next delivery."""
    state = target.state
    return f"{item_title(state.item_code, target.item_name)} ({target.unit.name}): {line}"


# ------------------------------------------------------------------ /antrian

QUEUE_EMPTY = "Tidak ada yang sedang menunggu tindakan Anda."


QUEUE_SECTION = "Pemeriksaan"
WA_PICK_ACTION_QUEUE = "Pilih tindakan"


def queue_summary(groups: Sequence[tuple[Unit, Sequence[ReviewTarget]]]) -> str:
    total = sum(len(t) for _, t in groups)
    lines = [
        f"Menunggu pemeriksaan: {angka(total)} kiriman dari {angka(len(groups))} unit "
        "(unit dengan kiriman terlama di atas):"
    ]
    lines += [f"  • {unit.name}: {angka(len(targets))} kiriman" for unit, targets in groups]
    lines.append(
        "Tekan \u201cPeriksa\u201d untuk memeriksa satu per satu bersama berkasnya, mulai "
        "dari yang terlama. \u201cSetujui semua\u201d menyetujui seluruh kiriman suatu unit "
        "sekaligus."
    )
    return "\n".join(lines)


def confirm_approve_all(unit: Unit, targets: Sequence[ReviewTarget], unopened: int) -> str:
    lines = [f"Setujui semua {len(targets)} butir {unit.name} berikut?"]
    lines += [
        f"  • {item_title(t.state.item_code, t.item_name)} versi {t.state.version}" for t in targets
    ]
    if unopened:
        lines.append(
            f"Perhatian: {angka(unopened)} dari {angka(len(targets))} kiriman ini belum Anda buka "
            "berkasnya. Persetujuan ini tercatat sebagai \u201csetujui semua\u201d beserta "
            "jumlah yang belum dibuka."
        )
    else:
        lines.append("Semua kiriman ini sudah Anda buka berkasnya.")
    return "\n".join(lines)


def approved_all(count: int, skipped: Sequence[ReviewTarget]) -> str:
    text = f"{count} butir telah disetujui."
    if skipped:
        text += (
            " Dilewati karena sudah berubah: " + ", ".join(t.state.item_code for t in skipped) + "."
        )
    return text


def queue_card(state: CardState, stage: Stage) -> str:
    verb = "paraf" if stage.kind is StageKind.PARAF else "tanda tangan"
    return (
        f"Kartu kendali provinsi bulan {bulan(state.period)} (versi {state.version}) menunggu "
        f"{verb} Anda."
    )


APPROVE_ALL_CANCELLED = "Dibatalkan; tidak ada yang disetujui."
CHOICE_EXPIRED = (
    "Pilihan ini sudah tidak berlaku; tidak ada yang diubah. Silakan buka kembali /antrian."
)


# ------------------------------------------------------------------ status and recap

WINDOW_LABEL: dict[Window, str] = {
    Window.BELUM_DIBUKA: "belum dimulai",
    Window.PENGIRIMAN: "pengiriman data dukung",
    Window.PEMERIKSAAN: "pemeriksaan, paraf dan tanda tangan",
    Window.PENYERAHAN: "unggah e-SPIP dan penyerahan kepada Inspektorat",
    Window.TERLAMBAT: "melewati batas penyerahan (tanggal 20)",
}
STATUS_MAX_UNITS = 60  # a chat message holds about 4,000 characters


def status_overview(status: PeriodStatus) -> str:
    lines = [f"Status Kartu Kendali SPIP — {bulan(status.period)}"]
    if status.closed:
        lines.append("Periode ini sudah diserahkan kepada Inspektorat KPU RI dan ditutup.")
    else:
        window = f"Tahap: {WINDOW_LABEL[status.window]}"
        if status.window_end is not None and status.days_left is not None:
            until = batas(status.deadline) if status.deadline else hari_tanggal(status.window_end)
            window += f", sisa {status.days_left} hari (sampai {until})"
        lines.append(window)
    lines.append(f"Kartu kendali provinsi: {card_status_text(status.card, status.chain)}")
    lines += ["", "Unit: kelengkapan (dikirim/dikembalikan/kosong)"]
    for u in status.units[:STATUS_MAX_UNITS]:
        mark = "⚠️ " if u.overdue else ("✅ " if u.progress.complete else "")
        counts = (
            f"{u.count(ItemStatus.DIKIRIM)}/{u.count(ItemStatus.DIKEMBALIKAN)}/"
            f"{u.count(ItemStatus.KOSONG)}"
        )
        card = f", kartu {STATUS_LABEL[u.card.status]}" if u.card is not None else ""
        lines.append(f"{mark}{u.unit.code} {u.unit.name}: {u.progress.percent}% ({counts}){card}")
    if len(status.units) > STATUS_MAX_UNITS:
        lines.append(f"(+{len(status.units) - STATUS_MAX_UNITS} unit lainnya: lihat /rekap)")
    if any(u.overdue for u in status.units):
        lines.append("\n⚠️ = belum lengkap setelah batas pengiriman")
    return "\n".join(lines)


def unit_status_detail(status: PeriodStatus, unit_code: str) -> str:
    u = status.unit(unit_code)
    if u is None:
        return STATUS_ERRORS["not_your_unit"]
    lines = [
        f"{u.unit.name} — {bulan(status.period)}",
        f"Kelengkapan: {u.progress.percent}% ({u.progress.accepted} dari {u.progress.required} "
        "butir wajib disetujui)",
        "",
    ]
    for line in (*u.lines, *([u.card] if u.card else [])):
        version = f" (versi {line.version})" if line.version else ""
        title = item_title(line.item.code, line.item.name)
        lines.append(f"{STATUS_ICON[line.status]} {title}{version}")
        if line.status is ItemStatus.DIKEMBALIKAN and line.reason:
            lines.append(f"     alasan: {line.reason}")
    if u.progress.missing:
        lines += ["", "Belum disetujui: " + ", ".join(i.code for i in u.progress.missing)]
    return "\n".join(lines)


STATUS_ERRORS: dict[str, str] = {
    "not_your_unit": "Mohon maaf, Anda hanya dapat melihat rincian unit Anda sendiri.",
    "not_your_role": NOT_ALLOWED,
    "unknown_period": (
        "Mohon maaf, periode tersebut tidak dikenal. Tulis periode sebagai TTTT-BB, "
        "contoh /status 2026-10, untuk periode yang sudah dibuka."
    ),
    "invalid_data": "Mohon maaf, periode harus ditulis TTTT-BB, contoh /status 2026-10.",
}
NO_PERIOD_YET = "Belum ada periode pelaporan yang dibuka."
PREPARING_RECAP = "Sedang menyiapkan rekap {period}, mohon tunggu sebentar…"
PREPARING_PACKAGE = "Sedang menyiapkan paket e-SPIP {period}, mohon tunggu sebentar…"
PACKAGE_TOO_LARGE = (
    "Paket e-SPIP {period} berukuran {size}, melebihi batas kiriman bot Telegram (50 MB). "
    "Silakan minta admin membuatnya dengan perintah: spip-bot package --period {period} "
    "--out paket.zip"
)


def picture_caption(period: Period) -> str:
    return f"Status {bulan(period)}"


def recap_caption(period: Period) -> str:
    return f"Rekap Kartu Kendali SPIP {bulan(period)}"


def package_caption(period: Period, files: int) -> str:
    return f"Paket e-SPIP {bulan(period)}: {files} berkas, rekap dan MANIFEST.txt (sha256)."


# ------------------------------------------------------------------ reminders

RULE_LABEL: dict[Rule, str] = {
    Rule.PENGINGAT_KIRIM: "pengingat pengiriman data dukung (H-3, H-1 dan hari H)",
    Rule.TERLAMBAT_KIRIM: "pemberitahuan keterlambatan kepada unit yang belum lengkap",
    Rule.RINGKASAN_SATGAS: "ringkasan harian unit yang belum lengkap kepada Satgas Provinsi",
    Rule.ANTRIAN: "pengingat kepada pemeriksa, pemaraf dan penanda tangan",
    Rule.KARTU_KABKOTA: "pengingat kartu kendali bertanda tangan kabupaten/kota",
    Rule.DRAF_KARTU: "pengingat penyusunan kartu kendali provinsi selama drafnya belum ada",
    Rule.PENYERAHAN: "pengingat unggah e-SPIP dan penyerahan kepada Inspektorat",
    Rule.TERLAMBAT_SERAH: "pemberitahuan keterlambatan penyerahan (eskalasi)",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _missing_text(unit: UnitSnapshot) -> str:
    """What is still missing, said as it is: not sent yet, sent and waiting for review, or
    returned (with the reason)."""
    parts = []
    returned = {item.code for item, _ in unit.returned}
    sent = {item.code for item in unit.waiting}
    unsent = [i.code for i in unit.missing if i.code not in returned | sent]
    if unsent:
        parts.append("belum dikirim: " + ", ".join(unsent))
    if sent:
        parts.append(
            "sudah dikirim, menunggu pemeriksaan: " + ", ".join(i.code for i in unit.waiting)
        )
    if unit.returned:
        parts.append(
            "dikembalikan: "
            + "; ".join(
                f"{item_short(item.code)} (alasan: {reason})" for item, reason in unit.returned
            )
        )
    return "; ".join(parts)


def _notice_text(notice: Notice, cal: SopCalendar) -> str:
    month = bulan(notice.period)
    s = cal.schedule(notice.period)
    review = batas(cal.deadline(notice.period, s.review_deadline))
    if notice.rule is Rule.PENGINGAT_KIRIM:
        unit = notice.units[0]
        return (
            f"• Data dukung {unit.unit.name} bulan {month} baru {unit.percent}% lengkap; batas "
            f"pengiriman {batas(cal.deadline(notice.period, s.submission_deadline))}. "
            f"{_sentence(_missing_text(unit))}."
        )
    if notice.rule is Rule.TERLAMBAT_KIRIM:
        unit = notice.units[0]
        return (
            f"• Data dukung {unit.unit.name} bulan {month} telah melewati batas "
            f"{tanggal(s.submission_deadline)} dan baru {unit.percent}% lengkap. "
            f"{_sentence(_missing_text(unit))}. Mohon segera dilengkapi melalui /kirim."
        )
    if notice.rule is Rule.RINGKASAN_SATGAS:
        names = ", ".join(f"{u.unit.name} ({u.percent}%)" for u in notice.units)
        return f"• Unit yang belum lengkap untuk bulan {month} ({len(notice.units)}): {names}."
    if notice.rule is Rule.ANTRIAN and notice.role is None:
        return (
            f"• {notice.pending_reviews} kiriman bulan {month} menunggu pemeriksaan Anda "
            "(/antrian)."
        )
    if notice.rule is Rule.ANTRIAN:
        assert notice.role is not None and notice.card is not None
        return (
            f"• Kartu kendali provinsi bulan {month} (versi {notice.card.version}) menunggu "
            f"tindakan Anda sebagai {ROLE_LABEL[notice.role]} (/antrian); batas "
            f"{review}."
        )
    if notice.rule is Rule.KARTU_KABKOTA:
        unit = notice.units[0]
        state = "belum disetujui" if unit.card is ItemStatus.DIKIRIM else "belum dikirim"
        return (
            f"• Kartu kendali bertanda tangan {unit.unit.name} bulan {month} {state}; batas "
            f"{review}."
        )
    if notice.rule is Rule.DRAF_KARTU:
        assert notice.card is not None
        returned = notice.card.status is CardStatus.DIKEMBALIKAN
        what = (
            f"dikembalikan (versi {notice.card.version}) dan belum ada draf perbaikannya"
            if returned
            else "belum disusun"
        )
        short = (  # the count: from the 11th the day's summary names them
            f" Data dukung {angka(len(notice.units))} unit belum lengkap."
            if notice.units
            else " Data dukung semua unit sudah lengkap."
        )
        return (
            f"• Kartu kendali provinsi bulan {month} {what}; batas pemeriksaan, paraf dan "
            f"tanda tangan {review}.{short} Unggah drafnya melalui /kirim, tombol "
            f"\u201c🗂 {PROVINCIAL_CARD_NAME}\u201d."
        )
    assert notice.card is not None
    blockers = ", ".join(f"{u.unit.name} ({u.percent}%)" for u in notice.units) or "tidak ada"
    head = (
        f"• Penyerahan data bulan {month} kepada Inspektorat KPU RI paling lambat "
        f"{batas(cal.deadline(notice.period, s.handover_deadline))}."
        if notice.rule is Rule.PENYERAHAN
        else f"• Penyerahan data bulan {month} kepada Inspektorat KPU RI telah melewati batas "
        f"{tanggal(s.handover_deadline)}."
    )
    return (
        f"{head} Kartu kendali provinsi: {CARD_STATUS_LABEL[notice.card.status]}. "
        f"Unit yang belum lengkap: {blockers}."
    )


def reminder(person: Person, item: Reminder, cal: SopCalendar) -> str:
    lines = [
        f"Yth. Bapak/Ibu {person.name},",
        f"berikut pengingat Kartu Kendali SPIP hari ini, {hari_tanggal(item.day)}:",
        "",
        *[_notice_text(n, cal) for n in item.notices],
        "",
        "Terima kasih.",
    ]
    return "\n".join(lines)


def month_plan(period: Period, days: Sequence[tuple[date, Sequence[Rule]]], today: date) -> str:
    """/jadwal: the period's reminders day by day, today marked where it falls."""
    lines = [f"Jadwal pengingat untuk laporan bulan {bulan(period)} (hari kerja, pukul 08.00 WIB):"]
    marked = False
    for day, rules in days:
        if not marked and today < day:
            lines.append(f"👉 Hari ini, {hari_tanggal(today)}: tidak ada pengingat.")
            marked = True
        said = "; ".join(RULE_LABEL[r] for r in rules)
        if day == today:
            lines.append(f"👉 Hari ini, {hari_tanggal(day)}: {said}")
            marked = True
        else:
            lines.append(f"{hari_tanggal(day)}: {said}")
    if not marked:
        lines.append(
            f"👉 Hari ini, {hari_tanggal(today)}: tidak ada lagi pengingat terjadwal untuk "
            "periode ini; selama belum diserahkan, pemberitahuan keterlambatan penyerahan "
            "tetap dikirim setiap hari kerja."
        )
    lines.append("Pengingat hanya dikirim kepada yang masih memiliki kewajiban pada hari itu.")
    return "\n".join(lines)


def person_blocked(person: Person) -> str:
    return (
        f"Pemberitahuan: pesan kepada {person.name} ({person.unit.name}) tidak dapat dikirim "
        "karena yang bersangkutan memblokir bot atau akunnya tidak aktif. Pengingat kepadanya "
        "dihentikan sampai ia mengirim pesan lagi kepada bot; mohon dihubungi melalui saluran "
        "lain."
    )


# ------------------------------------------------------------------ buttons of the shared screens

# each button: (its label on Telegram, its title on WhatsApp: 20 characters at most)
LABEL_FILES = ("📎 Kirim berkas", "Kirim berkas")
LABEL_NIHIL = ("➖ Nihil (tidak ada kegiatan)", "Nihil")
LABEL_WITHDRAW = ("↩️ Tarik kiriman", "Tarik kiriman")
LABEL_BACK = ("⬅️ Kembali ke daftar", "Kembali ke daftar")
LABEL_LIST = ("📋 Daftar butir", "Daftar butir")
LABEL_CLOSE = ("✖️ Tutup", "Tutup")
LABEL_CANCEL = ("✖️ Batal", "Batal")
LABEL_DONE = ("✅ Selesai", "Selesai")
LABEL_SEND = ("✅ Kirim", "Kirim")
LABEL_SEND_DRAFT = ("✅ Kirim draf", "Kirim draf")
LABEL_DISCARD = ("🗑 Buang draf", "Buang draf")
LABEL_DISCARD_LOOSE = ("🗑 Buang berkas", "Buang berkas")


def label_loose(count: int) -> tuple[str, str]:
    """The checklist's row for files sent before an item was chosen."""
    return (f"📎 {count} berkas belum dipilih butirnya", f"📎 {count} berkas tanpa butir")


LABEL_SKIP = ("⏭ Lewati", "Lewati")
LABEL_HANDOVER_YES = ("🏁 Ya, serahkan", "Ya, serahkan")
CARD_STEP_LABEL: dict[CardStep, tuple[str, str]] = {
    CardStep.UPLOAD_DRAFT: ("📎 Unggah draf kartu", "Unggah draf"),
    CardStep.UPLOAD_SIGNED: ("📎 Unggah kartu bertanda tangan", "Unggah kartu ttd"),
    CardStep.ESPIP: ("🌐 Catat: sudah diunggah ke e-SPIP", "Catat e-SPIP"),
    CardStep.KIRIM_DATA: ("📨 Catat: kirim data", "Catat kirim data"),
    CardStep.HANDOVER: ("🏁 Serahkan ke Inspektorat KPU RI", "Serahkan"),
}
LABEL_PICTURE = ("🖼 Gambar", "Gambar")
LABEL_APPROVE_ALL_YES = ("✅ Ya, setujui semua", "Ya, setujui semua")
PICK_ITEM = "Pilih butir"
PICK_ACTION = "Pilih tindakan"
PICK_UNIT = "Pilih unit"
PICK_ROLE = "Pilih peran"
ROLE_SHORT: dict[Role, str] = {  # a role on a WhatsApp list row (24 characters at most)
    Role.SATGAS_KABKOTA: "Satgas SPIP Kab/Kota",
    Role.BAGIAN: "Bagian",
    Role.SATGAS_PROV: "Satgas SPIP Provinsi",
    Role.SUBBAG_HUKUM: "Subbagian Hukum",
    Role.KABAG_HSDM: "Kabag Hukum dan SDM",
    Role.SEKRETARIS: "Sekretaris",
    Role.DIVISI_HUKUM: "Div. Hukum & Pengawasan",
    Role.KETUA: "Ketua",
    Role.ADMIN: "Administrator",
}


def period_button(period: Period) -> tuple[str, str]:
    return (f"🗓 Periode {bulan(period)}", f"Periode {bulan(period)}")


COMMAND = re.compile(r"(?<![\w/])/([a-z]+)\b")


def for_whatsapp(text: str) -> str:
    """Texts name commands as Telegram does (/kirim); on WhatsApp the word is typed. A
    command of Telegram alone (``/start KODE``) is left as it is: it is meant for Telegram."""
    names = {c.name for c in WA_COMMANDS}
    return COMMAND.sub(lambda m: m.group(1) if m.group(1) in names else m.group(0), text)


# ------------------------------------------------------------------ WhatsApp

WA_NOT_REGISTERED = (
    "Mohon maaf, nomor WhatsApp ini belum terdaftar pada layanan Kartu Kendali SPIP KPU "
    "Provinsi Jambi.\n\nUntuk bergabung, mintalah kode undangan kepada admin Satgas SPIP KPU "
    "Provinsi Jambi, lalu kirim kode itu sebagai pesan di sini (contoh: ABCDE-FGH23)."
)
WA_NOT_UNDERSTOOD = (
    "Mohon maaf, pesan Anda belum dapat kami pahami. Ketik bantuan untuk melihat perintah "
    "yang tersedia."
)
WA_COMMANDS: tuple[Command, ...] = (
    # every command but the ones of Telegram's own account: /start (joining with a code, on
    # WhatsApp the code alone is sent) and /tautkan (linking WhatsApp to a Telegram account)
    *(c for c in COMMANDS if c.name not in ("start", "tautkan", "bantuan")),
    Command("bantuan", "❓ Bantuan", "menampilkan bantuan ini."),
)


def whatsapp_menu(person: Person) -> list[Command]:
    """The commands the WhatsApp menu offers as rows to tap (all can be typed, too)."""
    allowed = {c.name for c in menu_commands(person)}
    return [c for c in WA_COMMANDS if c.name in allowed and c.name != "bantuan"]


def whatsapp_help(person: Person) -> str:
    lines = help_text(person).split("\n")
    head = lines[: lines.index("Perintah yang dapat Anda gunakan:") + 1]
    head[-1] = "Perintah yang dapat Anda gunakan di WhatsApp (ketik kata perintahnya):"
    allowed = [c for c in WA_COMMANDS if c in commands_for(person) or c.name == "bantuan"]
    return "\n".join(head + [f"{c.name} — {c.help}" for c in allowed])


# the utility template of notifications outside WhatsApp's 24-hour window, as submitted to Meta
WA_TEMPLATE_BODY = (
    "Yth. Bapak/Ibu, pemberitahuan layanan Kartu Kendali SPIP KPU Provinsi Jambi: {{1}} "
    "Balas pesan ini untuk melihat rinciannya."
)
WA_TEMPLATE_EXAMPLE = (
    "Kiriman KPU Kabupaten Kerinci untuk butir KEU-01 versi 2 telah disetujui oleh Sari Satgas."
)
WA_MENU = "Menu"
WA_NEXT_PAGE = "▶ Halaman berikutnya"
WA_SESSION_ENDED = (
    "Sesi pengiriman ini sudah berakhir. Ketik kirim untuk memulai lagi dari daftar butir."
)


def link_code_issued(code: str, expires: datetime, tz: ZoneInfo) -> str:
    return (
        f"Kode penautan WhatsApp Anda: {code}\n\n"
        "Kirim kode ini sebagai pesan dari nomor WhatsApp Anda ke nomor WhatsApp layanan Kartu "
        f"Kendali SPIP, paling lambat {waktu(expires, tz)}. Kode hanya berlaku satu kali. "
        "Setelah tertaut, pemberitahuan dikirim melalui WhatsApp."
    )


def whatsapp_linked(person: Person) -> str:
    return (
        f"Yth. Bapak/Ibu {person.name},\nnomor WhatsApp ini telah ditautkan dengan akun Anda "
        f"({person.unit.name}). Pemberitahuan selanjutnya dikirim melalui WhatsApp.\n\n"
        "Ketik bantuan untuk melihat perintah yang dapat Anda gunakan."
    )


NOTIFY_HERE: dict[str, str] = {
    "telegram": "Baik. Pemberitahuan selanjutnya dikirim melalui Telegram.",
    "whatsapp": "Baik. Pemberitahuan selanjutnya dikirim melalui WhatsApp.",
}


# ---------------------------------------------------------------- the scorecard (/rapor)

TREND = {1: "▲ naik", -1: "▼ turun", 0: "= tetap"}  # against the previous quarter
RAPOR_KEY = (
    "Tepat waktu: seluruh butir wajib terkirim paling lambat batas pengiriman data dukung "
    "(kartu kendali bertanda tangan: batas pemeriksaan). Lengkap: seluruh butir wajib "
    "disetujui (100%). Sesuai: bagian butir wajib yang disetujui tanpa pernah dikembalikan. "
    "Indeks: rata-rata ketiganya. Tren: dibanding triwulan sebelumnya."
)
RAPOR_NOT_ALLOWED = (
    "Mohon maaf, rapor hanya dapat dilihat oleh unit pelapor, Satgas SPIP dan pimpinan."
)


def triwulan(quarter: int, year: int) -> str:
    """Triwulan III 2026"""
    return f"Triwulan {ROMAN[quarter - 1]} {year}"


def _persen(value: float) -> str:
    return f"{round(100 * value)}%"


def _summary_line(summary: Summary) -> str:
    return (
        f"tepat waktu {summary.on_time} dari {summary.months} bulan, lengkap "
        f"{summary.complete} bulan, sesuai {_persen(summary.correct)}"
    )


def _months_scored(card: Scorecard) -> str:
    if not card.months:
        return (
            f"Belum ada bulan tahun {card.year} yang dinilai: sebuah bulan dinilai setelah "
            "diserahkan kepada Inspektorat atau setelah batas penyerahannya lewat."
        )
    first, last = card.months[0], card.months[-1]
    span = bulan(first) if first == last else f"{bulan(first)} s.d. {bulan(last)}"
    line = f"Bulan dinilai: {span} ({len(card.months)} bulan)"
    if card.running:
        line += "; " + ", ".join(bulan(p) for p in card.running) + " masih berjalan"
    return line + "."


def rapor(card: Scorecard, tz: ZoneInfo, own: bool) -> str:
    """/rapor: every unit ranked (the satgas, officials), or the unit's own months."""
    if own:
        entry = card.units[0] if card.units else None
        title = f"📈 Rapor {entry.unit.name} {card.year}" if entry else f"📈 Rapor {card.year}"
        lines = [title, _months_scored(card)]
        if entry is None:
            return "\n".join(lines)
        lines.append("")
        for period, s in sorted(entry.months.items(), reverse=True):
            done = f"✅ ({tanggal(s.complete_at.astimezone(tz).date())})" if s.complete_at else "❌"
            lines.append(
                f"{bulan(period)}: tepat waktu {'✅' if s.on_time else '❌'}, lengkap {done}, "
                f"sesuai {_persen(s.correct)}"
            )
        lines.append("")
        for q, summary in entry.quarters.items():
            lines.append(f"{triwulan(q, card.year)}: {_summary_line(summary)}")
        lines.append(
            f"Tahun {card.year}: {_summary_line(entry.year)}; indeks "
            f"{_persen(entry.year.index)}" + (f" {TREND[entry.trend]}" if entry.trend else "")
        )
        return "\n".join([*lines, "", RAPOR_KEY])
    lines = [f"📈 Rapor Kepatuhan Pelaporan Kartu Kendali SPIP {card.year}", _months_scored(card)]
    if card.units and card.months:
        lines += ["", "Urutan menurut indeks:"]
        for rank, entry in enumerate(card.ranked(), start=1):
            trend = f" {TREND[entry.trend]}" if entry.trend else ""
            lines.append(
                f"{rank}. {entry.unit.name}: {_persen(entry.year.index)}{trend} "
                f"({_summary_line(entry.year)})"
            )
        lines += ["", RAPOR_KEY, "Rincian per bulan dan triwulan: /rekap (lembar Rapor)."]
    return "\n".join(lines)


RAPOR_YEAR_HINT = "Tahun rapor ditulis empat angka, misalnya: /rapor 2026."


def template_registered(name: str, added: bool) -> str:
    if not added:
        return "Formulir ini sudah terdaftar; tidak ada yang diubah."
    return (
        f"Formulir kosong \u201c{name}\u201d terdaftar. Kiriman yang sama persis dengannya "
        "akan disebut belum diisi, baik kepada pengirim maupun kepada pemeriksa."
    )


def rapor_caption(card: Scorecard) -> str:
    return f"Rapor kepatuhan kartu kendali SPIP {card.year}"


# ------------------------------------------------------------------ people who come and go

ACCESS_ENDED = (
    "Mohon maaf, akses Anda ke layanan Kartu Kendali SPIP KPU Provinsi Jambi telah diakhiri "
    "oleh admin, sehingga permintaan ini tidak diproses. Data yang telah Anda kirim sebelumnya "
    "tetap tersimpan. Bila ini keliru, hubungi admin Satgas SPIP KPU Provinsi Jambi."
)
ACCESS_ENDED_FILE = (
    "Mohon maaf, akses Anda ke layanan Kartu Kendali SPIP KPU Provinsi Jambi telah diakhiri "
    "oleh admin, sehingga berkas ini tidak disimpan. Data yang telah Anda kirim sebelumnya "
    "tetap tersimpan. Bila ini keliru, hubungi admin Satgas SPIP KPU Provinsi Jambi."
)
LABEL_DEACTIVATE = ("⛔ Nonaktifkan", "Nonaktifkan")
LABEL_REACTIVATE = ("✅ Aktifkan kembali", "Aktifkan kembali")
LABEL_MOVE = ("🔀 Pindah unit/peran", "Pindah unit/peran")
LABEL_REPLACE = ("👤 Ganti dengan orang lain", "Ganti orang")
LABEL_PEOPLE_LIST = ("⬅️ Daftar pengguna", "Daftar pengguna")
LABEL_CHANGE_YES = ("✔️ Ya, lakukan", "Ya, lakukan")
LABEL_CHANGE_VACANT = ("⚠️ Tetap lakukan", "Tetap lakukan")
LABEL_PICK_UNIT = "Pilih unit"
LABEL_PICK_ROLE = "Pilih peran"
LABEL_PICK_ACTION = "Pilih tindakan"
LABEL_PERSON_BACK = ("⬅️ Rincian pengguna", "Rincian pengguna")
PEOPLE_CANCELLED = "Dibatalkan; tidak ada perubahan pada pengguna."
PEOPLE_NOBODY = "Belum ada pengguna. Buat undangan dengan perintah /undang."
PEOPLE_NONE_FOUND = (
    "Tidak ada pengguna yang nama atau unitnya memuat “{query}”. Ketik /pengguna saja untuk "
    "melihat semuanya."
)
PEOPLE_PICK = (
    "Pilih pengguna untuk melihat rinciannya atau mengubahnya. Untuk mencari, ketik /pengguna "
    "diikuti nama atau unit (contoh: /pengguna Kerinci)."
)
PEOPLE_EXPIRED = (
    "Pilihan ini sudah kedaluwarsa karena data pengguna telah berubah sejak pesan ini dikirim; "
    "tidak ada perubahan yang dilakukan. Silakan buka kembali /pengguna."
)
# what a role nobody holds stops, named in the warning
VACANT_CONSEQUENCE: dict[Role, str] = {
    Role.SATGAS_KABKOTA: "data dukung dan kartu kendali unit itu tidak dapat dikirim",
    Role.BAGIAN: "data dukung bagian itu tidak dapat dikirim",
    Role.SATGAS_PROV: "kiriman tidak dapat diperiksa dan kartu kendali provinsi tidak dapat "
    "disusun, diunggah ke e-SPIP, maupun diserahkan",
    Role.SUBBAG_HUKUM: "kartu kendali provinsi tidak dapat diparaf pada tahap itu",
    Role.KABAG_HSDM: "kartu kendali provinsi tidak dapat diparaf pada tahap itu",
    Role.SEKRETARIS: "kartu kendali provinsi tidak dapat ditandatangani pada tahap itu",
    Role.DIVISI_HUKUM: "kartu kendali provinsi tidak dapat ditandatangani pada tahap itu",
    Role.KETUA: "kartu kendali provinsi tidak dapat ditandatangani pada tahap itu",
    Role.ADMIN: "tidak ada yang dapat mengelola pengguna, undangan dan periode melalui chat "
    "(pengelola server tetap dapat melakukannya dengan perintah spip-bot)",
}


def unit_short(unit: Unit) -> str:
    """A unit's name on a WhatsApp list row (24 characters): the regency or city alone."""
    if unit.name.startswith("KPU Kabupaten "):
        return unit.name.removeprefix("KPU Kabupaten ")
    if unit.name.startswith("KPU Kota "):
        return unit.name.removeprefix("KPU ")
    if unit.kind is UnitKind.BAGIAN:
        return f"Bagian {unit.code}"
    return unit.name


def channels_text(person: Person) -> str:
    held = [
        name
        for name, linked in (
            ("Telegram", person.telegram_chat_id is not None),
            ("WhatsApp", person.whatsapp_id is not None),
        )
        if linked
    ]
    return ", ".join(held) or "belum terhubung"


def last_seen_text(seen: datetime | None, tz: ZoneInfo) -> str:
    return waktu(seen, tz) if seen is not None else "belum ada"


def _roles_short(person: Person) -> str:
    return ", ".join(ROLE_SHORT[r] for r in sorted(person.roles)) or "tanpa peran"


def person_button(entry: Entry) -> str:
    """A person's button in the directory: name, role and unit, short enough for a phone."""
    p = entry.person
    gone = "⛔ " if not p.active else ""
    return f"{gone}{p.name} · {_roles_short(p)} · {unit_short(p.unit)}"


def person_row(entry: Entry, tz: ZoneInfo) -> str:
    """A person's row description on WhatsApp (72 characters): role, unit, last activity."""
    p = entry.person
    seen = (
        format_date(entry.last_seen.astimezone(tz), "d MMM y", locale="id")
        if entry.last_seen
        else "belum ada"
    )
    gone = "NONAKTIF · " if not p.active else ""
    return f"{gone}{_roles_short(p)} · {unit_short(p.unit)} · aktif {seen}"


def people_directory(entries: Sequence[Entry], query: str = "") -> str:
    active = sum(1 for e in entries if e.person.active)
    found = f" yang memuat “{query}”" if query else ""
    return (
        f"Pengguna layanan{found}: {active} aktif, {len(entries) - active} nonaktif.\n\n"
        f"{PEOPLE_PICK}"
    )


def person_card(entry: Entry, history: Sequence[str], tz: ZoneInfo, own: bool) -> str:
    p = entry.person
    lines = [
        p.name,
        f"Status: {'aktif' if p.active else 'nonaktif (akses diakhiri)'}",
        f"Unit: {p.unit.name}",
        f"Peran: {roles_text(p.roles) or 'tanpa peran'}",
        f"Saluran: {channels_text(p)}",
        f"Aktivitas terakhir: {last_seen_text(entry.last_seen, tz)}",
        f"Nomor pengguna: {p.id} (untuk perintah spip-bot di server)",
    ]
    if history:
        lines += ["", "Riwayat perubahan:", *(f"• {h}" for h in history)]
    if own:
        lines += ["", PERSON_REFUSED["self"]]
    return "\n".join(lines)


def _role_in(role: Role, unit: Unit | None) -> str:
    return f"{ROLE_LABEL[role]} di {unit.name}" if unit is not None else ROLE_LABEL[role]


def vacancy_text(vacant: Sequence[Vacancy]) -> str:
    parts = [
        f"tidak ada lagi yang memegang peran {_role_in(v.role, v.unit)}, sehingga "
        f"{VACANT_CONSEQUENCE[v.role]}"
        for v in vacant
    ]
    return (
        f"⚠️ Setelah perubahan ini {'; '.join(parts)}, sampai ada pemegang baru. Bila "
        "penggantinya sudah bergabung, gunakan Ganti dengan orang lain sebagai ganti langkah "
        "ini; bila belum, buat undangan dengan perintah /undang."
    )


def drafts_text(drafts: Sequence[DraftItem]) -> str:
    """ "draf KEU-02 Neraca (Oktober 2026)" for each, joined."""
    named = [
        f"draf {d.code} {d.name} ({bulan(d.period)})".replace("  ", " ")
        if d.code
        else f"draf berkas yang belum dipilih butirnya ({bulan(d.period)})"
        for d in drafts
    ]
    return ", ".join(named)


def _handed_text(successor: Person | None, drafts: Sequence[DraftItem], waiting: int) -> str:
    parts = [drafts_text(drafts)] if drafts else []
    if waiting:
        parts.append(f"{waiting} permintaan yang masih menunggu tindakannya")
    if successor is None or not parts:
        return ""
    what = " dan ".join(parts)
    return f"{what[0].upper()}{what[1:]} dialihkan kepada {successor.name}."


def plan_text(plan: Plan) -> str:
    """The confirmation of a change, before it is made."""
    p, after = plan.person, plan.after
    handed = _handed_text(plan.successor, plan.drafts, plan.waiting)
    if plan.kind is ChangeKind.DEACTIVATE:
        lines = [
            f"Nonaktifkan {p.name} ({roles_text(p.roles)}, {p.unit.name})?",
            "Aksesnya berakhir seketika di Telegram dan WhatsApp; data yang telah dikirimnya "
            "tetap tersimpan.",
        ]
    elif plan.kind is ChangeKind.REACTIVATE:
        lines = [
            f"Aktifkan kembali {p.name} ({roles_text(p.roles)}, {p.unit.name})?",
            "Yang bersangkutan dapat kembali menggunakan layanan ini dengan peran yang sama. "
            "Draf dan permintaan yang telah dialihkan kepada orang lain tetap pada penerimanya.",
        ]
    elif plan.kind is ChangeKind.MOVE:
        if after.roles == p.roles:
            head = (
                f"Pindahkan {p.name} dari {p.unit.name} ke {after.unit.name} (tetap "
                f"{roles_text(p.roles)})?"
            )
        elif after.unit == p.unit:
            head = (
                f"Ubah peran {p.name} di {p.unit.name} dari {roles_text(p.roles)} menjadi "
                f"{roles_text(after.roles)}?"
            )
        else:
            head = (
                f"Pindahkan {p.name} dari {p.unit.name} ({roles_text(p.roles)}) ke "
                f"{after.unit.name} sebagai {roles_text(after.roles)}?"
            )
        lines = [head]
    else:
        assert plan.successor is not None
        lines = [
            f"Ganti {p.name} dengan {plan.successor.name} sebagai {roles_text(p.roles)}, "
            f"{p.unit.name}?",
            f"{plan.successor.name} menerima perannya; akses {p.name} berakhir seketika.",
        ]
    if handed:
        lines.append(handed)
    if plan.dropped:
        lines.append(dropped_text(plan.dropped, p.unit))
    if plan.vacant:
        lines.append(vacancy_text(plan.vacant))
    return "\n\n".join(lines)


def dropped_text(drafts: Sequence[DraftItem], unit: Unit) -> str:
    what = drafts_text(drafts)
    return (
        f"{what[0].upper()}{what[1:]} tidak dapat dialihkan karena tidak ada pemegang peran "
        f"lain di {unit.name}, sehingga dihapus dari daftar draf (berkasnya tetap tersimpan di "
        "server, dan penghapusannya tercatat dalam log audit)."
    )


def change_done(done: Change) -> str:
    """What the admin reads once the change is made (the chat and the command line)."""
    b, a = done.before, done.after
    if done.kind is ChangeKind.DEACTIVATE:
        head = f"Akses {b.name} ({roles_text(b.roles)}, {b.unit.name}) telah diakhiri."
    elif done.kind is ChangeKind.REACTIVATE:
        head = f"Akses {b.name} ({roles_text(b.roles)}, {b.unit.name}) telah aktif kembali."
    elif done.kind is ChangeKind.MOVE:
        head = (
            f"{b.name} kini {roles_text(a.roles)}, {a.unit.name} (sebelumnya "
            f"{roles_text(b.roles)}, {b.unit.name})."
        )
    else:
        assert done.successor is not None
        head = (
            f"{done.successor.name} kini menggantikan {b.name} sebagai {roles_text(b.roles)}, "
            f"{b.unit.name}; akses {b.name} telah diakhiri."
        )
    lines = [head]
    handed = _handed_text(done.successor, done.drafts, done.forwarded)
    if handed:
        lines.append(handed)
    if done.dropped:
        lines.append(dropped_text(done.dropped, b.unit))
    if done.vacant:
        names = ", ".join(_role_in(v.role, v.unit) for v in done.vacant)
        lines.append(f"⚠️ Peran {names} kini tidak dipegang siapa pun.")
    lines.append("Perubahan ini tercatat dalam log audit.")
    return "\n".join(lines)


def staffing_notice(done: Change) -> str:
    """To the provincial satgas: who changed, by whom, and where the work went."""
    by = f" oleh {done.by.name}" if done.by is not None else " oleh pengelola server"
    text = f"Pemberitahuan perubahan pengguna{by}:\n{change_done(done)}"
    if done.vacant:
        text += "\n" + vacancy_text(done.vacant).removeprefix("⚠️ Setelah perubahan ini ")
    return text


def forwarded_from(person: Person) -> str:
    return (
        f"↪️ Diteruskan kepada Anda dari {person.name} ({roles_text(person.roles)}, "
        f"{person.unit.name}), yang tidak lagi memegang peran ini:"
    )


def staffing_successor(done: Change) -> str:
    b = done.before
    if done.kind is ChangeKind.REPLACE:
        head = (
            f"Yth. Bapak/Ibu {done.successor.name if done.successor else ''},\nAnda "
            f"ditetapkan menggantikan {b.name} sebagai {roles_text(b.roles)}, {b.unit.name}."
        )
    else:
        head = (
            f"Pekerjaan {b.name} ({roles_text(b.roles)}, {b.unit.name}) yang belum selesai kini "
            "dialihkan kepada Anda."
        )
    lines = [head]
    if done.drafts:
        lines += [
            "",
            "Draf yang belum dikirim, kini milik Anda (buka /kirim untuk memeriksa dan "
            "mengirimnya):",
            *(f"• {drafts_text([d]).removeprefix('draf ')}" for d in done.drafts),
        ]
    if done.forwarded:
        lines += [
            "",
            f"{done.forwarded} permintaan yang masih menunggu tindakan diteruskan kepada Anda "
            "dalam pesan terpisah, bertanda ↪️.",
        ]
    if done.kind is ChangeKind.REPLACE:
        lines += ["", "Ketik /bantuan untuk melihat perintah sesuai peran Anda."]
    return "\n".join(lines)


def staffing_person(done: Change) -> str:
    a, b = done.after, done.before
    if done.kind is ChangeKind.REACTIVATE:
        return (
            f"Yth. Bapak/Ibu {a.name},\nakses Anda ke layanan Kartu Kendali SPIP KPU Provinsi "
            f"Jambi telah aktif kembali sebagai {roles_text(a.roles)}, {a.unit.name}. Ketik "
            "/bantuan untuk melihat perintah yang dapat Anda gunakan."
        )
    text = (
        f"Yth. Bapak/Ibu {a.name},\nperan Anda pada layanan Kartu Kendali SPIP KPU Provinsi "
        f"Jambi telah diubah oleh admin: kini {roles_text(a.roles)}, {a.unit.name} "
        f"(sebelumnya {roles_text(b.roles)}, {b.unit.name})."
    )
    handed = _handed_text(done.successor, done.drafts, done.forwarded)
    if handed:
        text += f" {handed.replace('tindakannya', 'tindakan Anda')}"
    return text + " Ketik /bantuan untuk melihat perintah sesuai peran baru Anda."


PERSON_REFUSED: dict[str, str] = {
    "self": "Perubahan atas akses atau peran Anda sendiri tidak dapat dilakukan melalui chat; "
    "mintalah admin lain atau pengelola server.",
    "already_inactive": "{name} sudah nonaktif.",
    "already_active": "{name} sudah aktif.",
    "inactive": "{name} nonaktif; aktifkan kembali terlebih dahulu sebelum memindahkannya.",
    "unchanged": "Tidak ada yang berubah: {name} sudah memegang peran itu di unit itu.",
    "same_person": "Pengganti tidak boleh orang yang sama.",
    "successor_inactive": "Pengganti yang dipilih nonaktif; aktifkan kembali terlebih dahulu.",
    "other_unit": "Pengganti harus berada di unit yang sama ({unit}); pindahkan dahulu ia ke "
    "unit itu dengan Pindah unit/peran.",
    "no_roles": "{name} tidak memegang peran apa pun untuk diserahkan.",
    "stale": PEOPLE_EXPIRED,
    "duties": "Mohon maaf, perubahan ini ditolak: {who} akan memegang peran {first} dan "
    "{second} sekaligus, sehingga memberi dua persetujuan pada kartu kendali yang sama "
    "(pemisahan tugas). Pilih orang lain.",
}


PERSON_ERRORS: dict[str, str] = {  # a rule's refusal of a change, by its code
    "unknown_person": "Pengguna tersebut tidak ditemukan; silakan buka kembali /pengguna.",
    "unknown_unit": "Unit tersebut tidak dikenal; silakan buka kembali /pengguna.",
    "unknown_role": "Peran tersebut tidak dikenal; silakan buka kembali /pengguna.",
    "role_not_for_unit": "Peran itu tidak sesuai dengan jenis unitnya; pilih peran lain.",
    "not_your_role": NOT_ALLOWED,
}


def person_refused(exc: DomainError, person: Person | None) -> str:
    reason = exc.detail
    fallback = PERSON_ERRORS.get(
        exc.code, "Mohon maaf, perubahan pengguna ini tidak dapat dilakukan."
    )
    template = (
        PERSON_REFUSED.get(reason, fallback) if exc.code == "person_change_refused" else fallback
    )
    roles = exc.context.get("roles")
    who = exc.context.get("person")
    first, second = roles if isinstance(roles, tuple) else (None, None)
    return template.format(
        name=person.name if person is not None else "Pengguna ini",
        unit=person.unit.name if person is not None else "",
        reason=reason,
        who=who.name if isinstance(who, Person) else "",
        first=ROLE_LABEL[first] if isinstance(first, Role) else "",
        second=ROLE_LABEL[second] if isinstance(second, Role) else "",
    )


def person_history_line(event: Event, names: Mapping[int, str], tz: ZoneInfo) -> str:
    """A change of a person as their card and ``spip-bot person history`` say it."""
    by = names.get(event.actor_id, "admin") if event.actor_id is not None else "pengelola server"
    d = event.detail
    taker = names.get(int(d["dialihkan_ke"]), "?") if "dialihkan_ke" in d else ""
    if event.kind is EventKind.ANGGOTA_DIGANTIKAN:
        what = f"digantikan oleh {taker}"
    elif event.kind is EventKind.ANGGOTA_MENGGANTIKAN:
        left = names.get(int(d["menggantikan"]), "?") if "menggantikan" in d else "?"
        what = f"menggantikan {left}"
    elif event.kind is EventKind.ANGGOTA_DIPINDAHKAN:
        roles = ", ".join(ROLE_LABEL[Role(r)] for r in d.get("peran_baru", "").split(",") if r)
        what = f"dipindahkan ke unit {d.get('unit_baru', '?')} sebagai {roles}"
        if taker:
            what += f"; pekerjaannya dialihkan kepada {taker}"
    else:
        what = EVENT_LABEL.get(event.kind, event.kind.value)
        if taker:
            what += f"; pekerjaannya dialihkan kepada {taker}"
    if event.actor_id is None and d.get("pengelola"):
        by += f" {d['pengelola']}"
    return f"{waktu(event.at, tz)}: {what} (dicatat oleh {by})"


def move_unit(person: Person) -> str:
    return (
        f"Pindahkan {person.name} (kini {roles_text(person.roles)}, {person.unit.name}) ke unit "
        "mana? Pilih unitnya; perannya dipilih sesudahnya bila ada lebih dari satu."
    )


def move_role(person: Person, unit: Unit) -> str:
    return f"Pilih peran {person.name} di {unit.name}."


UNIT_NOW = "unit saat ini"


def replace_who(person: Person) -> str:
    return (
        f"Siapa yang menggantikan {person.name} sebagai {roles_text(person.roles)}, "
        f"{person.unit.name}? Penggantinya harus sudah bergabung di unit yang sama; bila "
        "belum, buat undangan dengan perintah /undang."
    )


def replace_nobody(person: Person) -> str:
    return (
        f"Belum ada pengguna aktif lain di {person.unit.name} yang dapat menggantikan "
        f"{person.name}. Buat undangan untuk penggantinya dengan perintah /undang, lalu ulangi."
    )
