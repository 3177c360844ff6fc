"""The ``spip-bot`` command: set up, invite, list, run."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from chatbot import commands, doctor, texts
from chatbot.app import Core, build_core, make_clock, prepare_database, schema_revision
from chatbot.config import ConfigError, Settings, load_settings
from chatbot.domain.calendar import Period
from chatbot.domain.checklist import SignedCard
from chatbot.domain.errors import (
    DomainError,
    InvalidData,
    LeavesRoleVacant,
    PersonChangeRefused,
)
from chatbot.domain.roles import Role
from chatbot.domain.scorecard import Summary
from chatbot.services.scorecard import Scorecard
from chatbot.services.views import ChangeKind
from handlers.app import WebhookOptions, run
from storage import backup, migrate
from storage.db import make_engine

log = logging.getLogger("spip-bot")

CLI_ERRORS: dict[str, str] = {
    "unknown_unit": "kode unit tidak dikenal: {detail} (lihat `spip-bot units`)",
    "unknown_role": "peran tidak dikenal: {detail}; pilihan: " + ", ".join(r.value for r in Role),
    "role_not_for_unit": "peran tidak sesuai dengan jenis unit: {detail}",
    "invalid_data": "data tidak valid: {detail}",
    "invalid_delegation": "penunjukan wakil tidak valid: {detail}",
    "unknown_period": "periode tidak dikenal atau belum dibuka: {detail}",
    "unknown_person": "pengguna dengan ID {detail} tidak ada (lihat `spip-bot person list`)",
}


class CliError(Exception):
    pass


# argparse's own words (its help, usage and errors), in the language the admins read; argparse
# looks them up through gettext at the moment it writes them
ARGPARSE_WORDS: dict[str, str] = {
    "usage: ": "penggunaan: ",
    "positional arguments": "argumen",
    "options": "pilihan",
    "show this help message and exit": "menampilkan bantuan ini lalu keluar",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak dikenal: %(value)r (pilih salah satu: %(choices)s)"
    ),
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "expected one argument": "membutuhkan satu nilai",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak valid: %(value)r",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
    "one of the arguments %s is required": "salah satu argumen berikut wajib diisi: %s",
}


def _indonesian(message: str) -> str:
    return ARGPARSE_WORDS.get(message, message)


METAVAR = {  # what each value is, in the help's usage lines
    "archive": "BERKAS",
    "checklist": "BERKAS",
    "covered": "ID",
    "date": "TTTT-BB-HH",
    "end": "TTTT-BB-HH",
    "keep": "N",
    "listen": "ALAMAT",
    "name": "NAMA",
    "org": "BERKAS",
    "out": "BERKAS",
    "out_dir": "FOLDER",
    "path": "JALUR",
    "period": "TTTT-BB",
    "port": "PORT",
    "role": "PERAN",
    "secret_token": "TOKEN",
    "start": "TTTT-BB-HH",
    "to": "ID",
    "unit": "KODE_UNIT",
    "successor": "ID",
    "id": "ID",
    "webhook_url": "URL",
}


def _name_values(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            action.metavar = "PERINTAH"
            for sub in action.choices.values():
                _name_values(sub)
        elif action.metavar is None and action.dest in METAVAR and action.nargs != 0:
            action.metavar = METAVAR[action.dest]


def _parser() -> argparse.ArgumentParser:
    setattr(argparse, "_", _indonesian)  # noqa: B010 (argparse's gettext hook, by its name)
    parser = argparse.ArgumentParser(
        prog="spip-bot", description="Bot Kartu Kendali SPIP KPU Provinsi Jambi"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="membuat/memperbarui basis data, memuat unit dan ceklis")
    init.add_argument("--org", type=Path, help="berkas organisasi (TOML)")
    init.add_argument(
        "--checklist", type=Path, help="berkas katalog ceklis (TOML, atau form ceklis Excel .xlsx)"
    )
    init.add_argument(
        "--kartu-bertanda-tangan",
        dest="signed_card",
        choices=[s.value for s in SignedCard],
        help="kartu kendali bertanda tangan kabupaten/kota: satu per bulan, atau formulir "
        "setiap kartu dikirim bertanda tangan",
    )
    invite = sub.add_parser("invite", help="membuat kode undangan sekali pakai")
    invite.add_argument("--unit", required=True, help="kode unit, mis. 1501")
    invite.add_argument("--role", required=True, help="peran, mis. satgas_kabkota")
    invite.add_argument("--name", help="nama lengkap yang diundang")
    period = sub.add_parser("period", help="periode pelaporan")
    period_sub = period.add_subparsers(dest="period_command", required=True)
    period_open = period_sub.add_parser("open", help="membuka periode dan mengirim pemberitahuan")
    period_open.add_argument("period", help="bulan yang dilaporkan, TTTT-BB (mis. 2026-10)")
    period_open.add_argument(
        "--ya",
        action="store_true",
        help="membuka juga periode di luar jadwalnya (sebelum bulan pelaporannya atau setelah "
        "batas penyerahannya) tanpa ditanya",
    )
    period_sub.add_parser("list", help="daftar periode yang terbuka")
    template = sub.add_parser(
        "template", help="formulir kosong: kiriman yang sama persis dengannya belum diisi"
    )
    template_sub = template.add_subparsers(dest="template_command", required=True)
    template_add = template_sub.add_parser("add", help="mendaftarkan formulir kosong")
    template_add.add_argument("file", type=Path, help="berkas formulir kosong (PDF, Word, Excel)")
    template_add.add_argument("--name", help="nama formulir (bawaan: nama berkasnya)")
    template_sub.add_parser("list", help="daftar formulir kosong yang terdaftar")
    delegate = sub.add_parser("delegate", help="menunjuk wakil untuk suatu peran (cuti)")
    delegate.add_argument("--to", type=int, required=True, help="ID pengguna wakil")
    delegate.add_argument("--role", required=True, help="peran yang diwakilkan")
    delegate.add_argument(
        "--for", dest="covered", type=int, required=True, help="ID pengguna yang diwakili"
    )
    delegate.add_argument(
        "--from",
        dest="start",
        type=date.fromisoformat,
        required=True,
        help="tanggal mulai TTTT-BB-HH",
    )
    delegate.add_argument(
        "--until",
        dest="end",
        type=date.fromisoformat,
        required=True,
        help="tanggal selesai TTTT-BB-HH",
    )
    status = sub.add_parser("status", help="kelengkapan per unit untuk satu periode")
    status.add_argument("--period", help="TTTT-BB (bawaan: periode terbuka terakhir)")
    status.add_argument("--json", action="store_true", help="keluaran JSON")
    rapor = sub.add_parser("rapor", help="rapor kepatuhan: tepat waktu, lengkap, sesuai")
    rapor.add_argument("--year", type=int, help="tahun (bawaan: tahun bulan terakhir yang dinilai)")
    rapor.add_argument("--json", action="store_true", help="keluaran JSON")
    rapor.add_argument("--out", type=Path, help="juga simpan buku kerja .xlsx ke berkas ini")
    export = sub.add_parser("export", help="rekap Excel satu periode")
    export.add_argument("--period", required=True, help="TTTT-BB")
    export.add_argument("--out", type=Path, required=True, help="berkas .xlsx tujuan")
    package = sub.add_parser("package", help="paket ZIP e-SPIP satu periode")
    package.add_argument("--period", required=True, help="TTTT-BB")
    package.add_argument("--out", type=Path, required=True, help="berkas .zip tujuan")
    remind = sub.add_parser("remind", help="pengingat suatu hari: tampilkan, atau kirim")
    remind.add_argument("--date", type=date.fromisoformat, help="TTTT-BB-HH (bawaan: hari ini)")
    remind.add_argument(
        "--send",
        action="store_true",
        help="masukkan ke antrean kirim (bot yang berjalan mengirimnya)",
    )
    audit = sub.add_parser("audit", help="riwayat (log audit) satu periode")
    audit.add_argument("--period", required=True, help="TTTT-BB")
    sub.add_parser("users", help="daftar pengguna (sama dengan `person list`)")
    person = sub.add_parser(
        "person", help="pengguna: daftar, nonaktifkan, aktifkan, pindah unit/peran, ganti (mutasi)"
    )
    person_sub = person.add_subparsers(dest="person_command", required=True)
    person_list = person_sub.add_parser(
        "list", help="daftar pengguna: peran, unit, saluran, aktivitas terakhir"
    )
    person_list.add_argument("--json", action="store_true", help="keluaran JSON")
    vacant_help = "tetap lakukan walaupun sebuah peran tidak lagi dipegang siapa pun"
    person_off = person_sub.add_parser(
        "deactivate", help="mengakhiri akses; pekerjaannya dialihkan ke pemegang perannya"
    )
    person_off.add_argument("id", type=int, help="ID pengguna (lihat `spip-bot person list`)")
    person_off.add_argument("--ya", action="store_true", help=vacant_help)
    person_on = person_sub.add_parser("reactivate", help="mengaktifkan kembali akses")
    person_on.add_argument("id", type=int, help="ID pengguna")
    person_move = person_sub.add_parser(
        "move", help="mengubah unit dan/atau peran (mutasi); pekerjaan lamanya dialihkan"
    )
    person_move.add_argument("id", type=int, help="ID pengguna")
    person_move.add_argument("--unit", help="kode unit baru (bawaan: unitnya sekarang)")
    person_move.add_argument(
        "--role", required=True, help="peran baru; beberapa dipisah koma, mis. satgas_prov,admin"
    )
    person_move.add_argument("--ya", action="store_true", help=vacant_help)
    person_replace = person_sub.add_parser(
        "replace", help="mengganti pengguna dengan orang lain di unit yang sama"
    )
    person_replace.add_argument("id", type=int, help="ID pengguna yang digantikan")
    person_replace.add_argument(
        "--with", dest="successor", type=int, required=True, help="ID penggantinya"
    )
    person_history = person_sub.add_parser("history", help="riwayat perubahan seorang pengguna")
    person_history.add_argument("id", type=int, help="ID pengguna")
    sub.add_parser("units", help="daftar unit")
    run_p = sub.add_parser("run", help="menjalankan bot (polling, atau webhook)")
    run_p.add_argument("--webhook-url", help="URL HTTPS publik untuk mode webhook")
    run_p.add_argument("--listen", default="0.0.0.0", help="alamat dengar webhook")
    run_p.add_argument("--port", type=int, default=8443, help="port dengar webhook")
    run_p.add_argument(
        "--secret-token",
        help="token rahasia webhook; lebih aman lewat TELEGRAM_WEBHOOK_SECRET (tidak terlihat "
        "di daftar proses)",
    )
    sub.add_parser("wa-templates", help="teks templat WhatsApp yang diajukan ke Meta")
    wa_p = sub.add_parser("run-whatsapp", help="menjalankan kanal WhatsApp (webhook Cloud API)")
    wa_p.add_argument("--listen", default="0.0.0.0", help="alamat dengar webhook")
    wa_p.add_argument("--port", type=int, default=8444, help="port dengar webhook")
    wa_p.add_argument("--path", default="/whatsapp", help="jalur webhook (sama dengan di Meta)")
    doctor_p = sub.add_parser(
        "doctor",
        help="memeriksa kesehatan bot: setelan, basis data, folder bukti, token, antrean "
        "kirim, langkah harian",
    )
    doctor_p.add_argument("--json", action="store_true", help="keluaran JSON")
    doctor_p.add_argument(
        "--local",
        action="store_true",
        help="tanpa pemeriksaan jaringan (Telegram, WhatsApp), mis. untuk healthcheck kontainer",
    )
    backup_p = sub.add_parser(
        "backup", help="mencadangkan basis data dan berkas bukti ke satu arsip (bot boleh berjalan)"
    )
    backup_to = backup_p.add_mutually_exclusive_group(required=True)
    backup_to.add_argument("--out", type=Path, help="berkas arsip tujuan (.zip)")
    backup_to.add_argument(
        "--out-dir", type=Path, help="folder tujuan; nama berkasnya spip-cadangan-<waktu>.zip"
    )
    backup_p.add_argument(
        "--keep", type=int, help="bersama --out-dir: simpan N cadangan terbaru, hapus yang lama"
    )
    restore_p = sub.add_parser(
        "restore", help="memulihkan cadangan ke basis data dan folder bukti yang masih kosong"
    )
    restore_p.add_argument("archive", type=Path, help="berkas cadangan (.zip)")
    _name_values(parser)
    return parser


def _wa_templates(settings: Settings) -> None:
    """What to submit in WhatsApp Manager > Message templates."""
    print(f"Nama: {settings.whatsapp_template_name}")
    print("Kategori: Utility")
    print(f"Bahasa: {settings.whatsapp_template_language}")
    print(f"Isi (body): {texts.WA_TEMPLATE_BODY}")
    print(f"Contoh untuk {{{{1}}}}: {texts.WA_TEMPLATE_EXAMPLE}")


def _secret(args: argparse.Namespace, settings: Settings) -> str | None:
    if args.secret_token:
        log.warning(
            "--secret-token is visible to every user of this server (ps); "
            "set TELEGRAM_WEBHOOK_SECRET instead"
        )
        return str(args.secret_token)
    secret = settings.telegram_webhook_secret
    return secret.get_secret_value() if secret is not None else None


def _require_schema(core: Core) -> None:
    """A database at this version's schema; a newer one's is refused (ConfigError)."""
    revision, head = schema_revision(core.engine), migrate.head_revision()
    if revision is None:
        raise CliError("basis data belum siap: jalankan `spip-bot init` terlebih dahulu")
    if revision != head:
        raise CliError(
            f"basis data masih versi {revision}, versi spip-bot ini memakai {head}: jalankan "
            "`spip-bot init` untuk memperbaruinya"
        )


def schema_line(schema: migrate.Upgraded) -> str:
    if schema.created:
        return f"Basis data baru dibuat (versi {schema.after})."
    if schema.changed:
        return f"Basis data diperbarui dari versi {schema.before} ke {schema.after}."
    return f"Basis data sudah versi terbaru ({schema.after})."


def _init(core: Core, args: argparse.Namespace) -> None:
    signed = SignedCard(args.signed_card) if args.signed_card else None
    result = prepare_database(core, args.org, args.checklist, signed)
    print(schema_line(result.schema))
    print(
        f"Basis data siap ({core.settings.db_url.split('@')[-1]}).\n"
        f"Unit: {result.units.added} baru, {result.units.updated} diperbarui, "
        f"{result.units.deactivated} dinonaktifkan.\n"
        f"Butir ceklis: {result.checklist.added} baru, {result.checklist.updated} diperbarui, "
        f"{result.checklist.deactivated} dinonaktifkan."
        + (
            f"\nCeklis tetap yang dimuat sebelumnya dengan --checklist: {result.kept}."
            if result.kept
            else ""
        )
    )


def _template(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    svc = core.services.submission
    if args.template_command == "add":
        path: Path = args.file
        if not path.is_file():
            raise CliError(f"berkas tidak ditemukan: {path}")
        name = args.name or path.stem
        print(texts.template_registered(name, svc.register_template(path.read_bytes(), name)))
        return
    listed = svc.templates()
    if not listed:
        print("Belum ada formulir kosong yang terdaftar.")
    for t in listed:
        print(f"{t.name}\t{t.sha256[:12]}\t{t.registered_at:%Y-%m-%d}")


def _bot_username(settings: Settings) -> str | None:
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if settings.telegram_bot_token is None:
        return None
    from telegram import Bot

    async def get_me() -> str | None:
        bot = Bot(
            settings.require_token(),
            base_url=settings.telegram_base_url,
            base_file_url=settings.telegram_base_file_url,
        )
        async with bot:
            return bot.username

    try:
        return asyncio.run(get_me())
    except Exception as exc:  # offline: the code still works without the link
        log.warning("could not ask Telegram for the bot's username: %s", exc)
        return None


def _invite(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    issued = core.services.registration.create_invite(args.unit, args.role, args.name)
    username = _bot_username(core.settings)
    link = f"https://t.me/{username}?start={issued.code}" if username else None
    print(
        texts.invite_created(
            issued.unit,
            issued.role,
            issued.display,
            link,
            texts.waktu(issued.expires_at, core.settings.timezone),
            issued.name,
        )
    )
    if link is None:
        print("(Tautan tidak dapat dibuat: setel TELEGRAM_BOT_USERNAME atau TELEGRAM_BOT_TOKEN.)")


def _period(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    svc = core.services.submission
    if args.period_command == "list":
        for period in svc.open_periods():
            print(f"{period.code}  {texts.bulan(period)}")
        return
    period = Period.parse(args.period)
    question = commands.open_question(core.services, period)
    if question is not None and not args.ya:
        raise CliError(f"{question}\nUlangi dengan --ya untuk tetap membukanya.")
    opened, said = commands.opening(core.services, period, None)
    print(said)
    if opened:
        print("(Pemberitahuan terkirim melalui bot saat `spip-bot run` berjalan.)")


def _audit(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    period = Period.parse(args.period)
    for line in core.services.history.lines(period):
        print(line)


def _status(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    svc = core.services.status
    period = Period.parse(args.period) if args.period else svc.default_period()
    if period is None:
        raise CliError("belum ada periode yang dibuka")
    status = svc.period_status(period, with_events=False)
    if args.json:
        print(json.dumps(status.as_json(), ensure_ascii=False, indent=2))
        return
    print(texts.status_overview(status).replace("⚠️ ", "! ").replace("✅ ", "* "))


def _rapor(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    svc = core.services.scorecard
    card = svc.year(args.year or svc.default_year())
    if args.out:
        args.out.write_bytes(core.services.recap.scorecard_workbook(card))
    if args.json:
        print(json.dumps(scorecard_json(card), ensure_ascii=False, indent=2))
    else:
        print(f"Rapor kepatuhan pelaporan kartu kendali SPIP {card.year}")
        print("kode\tunit\tbulan dinilai\ttepat waktu\tlengkap\tsesuai %\tindeks %\ttren")
        for e in card.ranked():
            s = e.year
            print(
                f"{e.unit.code}\t{e.unit.name}\t{s.months}\t{s.on_time}\t{s.complete}\t"
                f"{100 * s.correct:.1f}\t{100 * s.index:.1f}\t{texts.TREND[e.trend]}"
            )
        if not card.months:
            print("(belum ada bulan yang dinilai)")
    if args.out:
        print(f"Buku kerja rapor {card.year} tersimpan di {args.out}", file=sys.stderr)


def scorecard_json(card: Scorecard) -> dict[str, object]:
    def summary(s: Summary) -> dict[str, object]:
        return {
            "bulan_dinilai": s.months,
            "tepat_waktu": s.on_time,
            "lengkap": s.complete,
            "sesuai": round(s.correct, 4),
            "indeks": round(s.index, 4),
        }

    return {
        "tahun": card.year,
        "bulan_dinilai": [p.code for p in card.months],
        "bulan_berjalan": [p.code for p in card.running],
        "unit": [
            {
                "kode": e.unit.code,
                "nama": e.unit.name,
                "bulan": {
                    p.code: {
                        "butir_wajib": m.required,
                        "tepat_waktu": m.on_time,
                        "lengkap": m.complete,
                        "lengkap_pada": m.complete_at.isoformat() if m.complete_at else None,
                        "sesuai": round(m.correct, 4),
                    }
                    for p, m in sorted(e.months.items())
                },
                "triwulan": {str(q): summary(s) for q, s in e.quarters.items()},
                "tahun": summary(e.year),
                "tren": e.trend,
            }
            for e in card.units
        ],
    }


def _export(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    period = Period.parse(args.period)
    args.out.write_bytes(core.services.recap.workbook(period))
    print(f"Rekap {texts.bulan(period)} tersimpan di {args.out}")


def _package(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    period = Period.parse(args.period)
    package = core.services.recap.package(period, args.out)
    print(
        f"Paket e-SPIP {texts.bulan(period)} tersimpan di {args.out} "
        f"({len(package.entries)} berkas, {texts.ukuran(args.out.stat().st_size)})"
    )


def _remind(core: Core, args: argparse.Namespace) -> None:
    _require_schema(core)
    svc = core.services.reminders
    day = args.date or svc.today()
    planned = svc.plan(day)
    if not planned:
        print(f"Tidak ada pengingat untuk {texts.hari_tanggal(day)}.")
    for message in planned:
        print(f"--- kepada {message.person.name} (ID {message.person.id})")
        print(message.text)
    if args.send:
        report = svc.send(day)
        print(f"\nDiantrekan: {report.queued}; sudah pernah dikirim: {report.already_sent}.")


def _users(core: Core, as_json: bool = False) -> None:
    _require_schema(core)
    entries = core.services.staffing.directory()
    tz = core.settings.timezone
    if as_json:
        listed = [
            {
                "id": e.person.id,
                "nama": e.person.name,
                "unit": e.person.unit.code,
                "peran": sorted(r.value for r in e.person.roles),
                "aktif": e.person.active,
                "saluran": texts.channels_text(e.person),
                "aktivitas_terakhir": e.last_seen.isoformat() if e.last_seen else None,
            }
            for e in entries
        ]
        print(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    if not entries:
        print("Belum ada pengguna. Buat undangan dengan `spip-bot invite`.")
    for e in entries:
        p = e.person
        roles = ",".join(sorted(r.value for r in p.roles)) or "-"
        status = "aktif" if p.active else "nonaktif"
        print(
            f"{p.id:>4}  {p.unit.code:<9} {roles:<28} {status:<8} {p.name}  "
            f"[{texts.channels_text(p)}; aktivitas terakhir "
            f"{texts.last_seen_text(e.last_seen, tz)}]"
        )


def _person(core: Core, args: argparse.Namespace) -> None:
    """``spip-bot person``: the operator of the server changes people (``by`` None)."""
    _require_schema(core)
    svc = core.services.staffing
    command = args.person_command
    if command == "list":
        _users(core, args.json)
        return
    if command == "history":
        person = svc.get(args.id)
        names = {p.id: p.name for p in core.services.registration.people()}
        events = svc.history(person.id)
        print(f"Riwayat perubahan {person.name} (ID {person.id}):")
        for event in events:
            print(texts.person_history_line(event, names, core.settings.timezone))
        if not events:
            print("(belum ada perubahan)")
        return
    kind = {
        "deactivate": ChangeKind.DEACTIVATE,
        "reactivate": ChangeKind.REACTIVATE,
        "move": ChangeKind.MOVE,
        "replace": ChangeKind.REPLACE,
    }[command]
    roles = [r for r in (getattr(args, "role", "") or "").split(",") if r.strip()]
    try:
        done = svc.change(
            kind,
            args.id,
            getattr(args, "unit", None),
            roles,
            successor_id=getattr(args, "successor", None),
            confirm_vacant=getattr(args, "ya", False),
            operator=getpass.getuser(),
        )
    except LeavesRoleVacant as exc:
        raise CliError(
            f"{texts.vacancy_text(exc.context['vacant'])}\n"  # type: ignore[arg-type]
            "Ulangi dengan --ya untuk tetap melakukannya."
        ) from None
    except PersonChangeRefused as exc:
        raise CliError(texts.person_refused(exc, svc.get(args.id))) from None
    print(texts.change_done(done).replace("⚠️ ", "! "))


def _units(core: Core) -> None:
    _require_schema(core)
    for unit in core.services.registration.units():
        print(f"{unit.code:<9} {unit.kind.value:<9} {unit.name}")


def _backup(settings: Settings, args: argparse.Namespace) -> str:
    if args.command == "restore":
        return backup.run_restore(args.archive, settings.db_url, settings.evidence_dir)
    return backup.run_backup(
        settings.db_url, settings.evidence_dir, args.out, args.out_dir, args.keep
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "doctor":  # before the settings: a bad setting is one of its answers
        return doctor.run(args.json, args.local)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.spip_log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("alembic").setLevel(logging.WARNING)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        if args.command in ("backup", "restore"):  # before the core: the target stays untouched
            print(_backup(settings, args))
            return 0
        engine = make_engine(settings.db_url)
        core = build_core(settings, make_clock(settings, engine), engine)
        if args.command == "init":
            _init(core, args)
        elif args.command == "invite":
            _invite(core, args)
        elif args.command == "period":
            _period(core, args)
        elif args.command == "template":
            _template(core, args)
        elif args.command == "delegate":
            _require_schema(core)
            done = core.services.delegation.delegate(
                args.role, args.covered, args.to, args.start, args.end
            )
            print(texts.delegation_done(done))
        elif args.command == "status":
            _status(core, args)
        elif args.command == "export":
            _export(core, args)
        elif args.command == "rapor":
            _rapor(core, args)
        elif args.command == "package":
            _package(core, args)
        elif args.command == "remind":
            _remind(core, args)
        elif args.command == "audit":
            _audit(core, args)
        elif args.command == "users":
            _users(core)
        elif args.command == "person":
            _person(core, args)
        elif args.command == "units":
            _units(core)
        elif args.command == "run":
            settings.require_token()
            webhook = (
                WebhookOptions(args.webhook_url, args.listen, args.port, _secret(args, settings))
                if args.webhook_url
                else None
            )
            run(core, webhook)
        elif args.command == "wa-templates":
            _wa_templates(settings)
        elif args.command == "run-whatsapp":
            settings.require_whatsapp()
            from whatsapp.app import run_whatsapp  # pywa and aiohttp: not in the Telegram process

            run_whatsapp(core, args.listen, args.port, args.path)
    except (ConfigError, CliError, backup.BackupError) as exc:
        print(f"Galat: {exc}", file=sys.stderr)
        return 2
    except InvalidData as exc:
        print(f"Galat: data tidak valid: {exc.detail}", file=sys.stderr)
        return 2
    except DomainError as exc:
        if exc.code == "cover_conflict":  # the chat's sentence says it whole
            print(f"Galat: {texts.delegation_error(exc)}", file=sys.stderr)
            return 1
        template = CLI_ERRORS.get(exc.code, "{detail}")
        print(f"Galat: {template.format(detail=exc.detail)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
