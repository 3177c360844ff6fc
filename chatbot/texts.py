"""Every word the users read, in formal Bahasa Indonesia, in one place.

Plain text (no markup), so the same words serve Telegram and WhatsApp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from chatbot.domain.people import Person
from chatbot.domain.roles import Permission, Role
from chatbot.domain.units import Unit

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
    permission: Permission | None = None  # None: everyone who has joined


COMMANDS: tuple[Command, ...] = (
    Command("start", "🏠 Menu", "menampilkan menu sesuai peran Anda."),
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
)


def commands_for(person: Person) -> list[Command]:
    return [c for c in COMMANDS if c.permission is None or person.may(c.permission)]


def greeting(person: Person) -> str:
    return (
        f"Yth. Bapak/Ibu {person.name},\n"
        f"selamat datang di layanan Kartu Kendali SPIP KPU Provinsi Jambi.\n\n"
        f"Anda terdaftar sebagai {roles_text(person.roles)} pada {person.unit.name}."
    )


def menu(person: Person) -> str:
    lines = [
        f"Yth. Bapak/Ibu {person.name} ({person.unit.name}),",
        "silakan pilih layanan berikut:",
        "",
    ]
    lines += [f"/{c.name} — {c.help}" for c in commands_for(person)]
    return "\n".join(lines)


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


def joined(person: Person, role: Role, new_person: bool) -> str:
    head = greeting(person) if new_person else (
        f"Yth. Bapak/Ibu {person.name},\nperan {ROLE_LABEL[role]} telah ditambahkan "
        f"pada akun Anda ({person.unit.name})."
    )
    return f"{head}\n\nKetik /bantuan untuk melihat perintah yang dapat Anda gunakan."


def joined_notice(person: Person, role: Role) -> str:
    return (
        f"Pemberitahuan: {person.name} telah bergabung sebagai {ROLE_LABEL[role]} "
        f"pada {person.unit.name} menggunakan kode undangan yang Anda buat."
    )


INVITE_ERRORS: dict[str, str] = {
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
    unit: Unit, role: Role, display_code: str, link: str | None, expires: str, name: str | None
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
        f"Atau minta yang bersangkutan mengirim /start {display_code} kepada bot. "
        "Kode hanya berlaku satu kali."
    )
    return "\n".join(lines)


INVITE_FORM_ERRORS: dict[str, str] = {
    "unknown_unit": "Mohon maaf, kode unit {value} tidak dikenal.",
    "unknown_role": "Mohon maaf, peran {value} tidak dikenal. Peran yang tersedia: {roles}.",
    "role_not_for_unit": "Mohon maaf, peran tersebut tidak sesuai dengan jenis unitnya ({value}).",
}
