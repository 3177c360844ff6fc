"""Backup and restore: one ZIP archive holding a consistent snapshot of the database and the
evidence store, with a manifest of every member's sha256 and size.

Backup takes the database first, then the evidence files. SQLite: the online backup API in
one step (one read transaction: under WAL the bot keeps writing meanwhile). PostgreSQL:
``pg_dump`` (custom format) of the application's schema inside a snapshot this module
exports, in which it also reads the schema revision and the files the database names. The
evidence store writes a file before the row naming it is committed (``storage.files``), so
every file the snapshot names is on disk when the copy starts; a file written after the
snapshot may be in the archive too, which harms nothing. ``previews/`` (first-page pictures,
made again when needed) and ``tmp/`` (files being received) are left out.

Restore goes into an empty database and an empty evidence folder only, of the same kind as
the backup's (SQLite to SQLite, PostgreSQL to PostgreSQL, the same schema name); the manifest
and every member's sha256 are checked before anything is written; then the evidence files,
the database last. Every refusal is one sentence for the admin, in Indonesian; big members
are streamed in 1 MiB chunks, never held in memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError

from storage import migrate
from storage.db import make_engine

log = logging.getLogger(__name__)

CHUNK = 1 << 20
FORMAT = "spip-bot-cadangan"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database/spip.db", "postgresql": "database/spip.pgdump"}
KIND_NAME = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
EVIDENCE = "evidence/"
LEFT_OUT = ("previews", "tmp")  # folders of the evidence store a backup leaves out
LEFT_OUT_SAID = (
    "Tidak disertakan: evidence/previews/ (gambar halaman pertama, dibuat ulang saat "
    "diperlukan) dan evidence/tmp/ (berkas yang sedang diterima)."
)
ROTATED = re.compile(r"^spip-cadangan-\d{8}-\d{6}\.zip$")  # what --keep may delete
# libpq keywords passed on from DATABASE_URL's query (the password goes by PGPASSWORD)
LIBPQ_KEYS = frozenset(
    {
        "host",
        "hostaddr",
        "port",
        "options",
        "application_name",
        "connect_timeout",
        "sslmode",
        "sslcert",
        "sslkey",
        "sslrootcert",
        "sslcrl",
        "gssencmode",
        "target_session_attrs",
        "service",
        "passfile",
    }
)
# the archive's schema entry (and its comment): created by restore itself when missing, so
# a dump of "public" restores into a new database, whose "public" exists already
SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )")


class BackupError(Exception):
    """A refusal or a failure, in one sentence for the admin (Indonesian)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def app_version() -> str:
    try:
        return metadata.version("spip-bot")
    except metadata.PackageNotFoundError:
        return "tidak diketahui"


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    created_at: datetime
    app_version: str
    database: str  # "sqlite" or "postgresql"
    schema_revision: str
    pg_schema: str | None  # PostgreSQL: the schema dumped (restored under the same name)
    members: tuple[Member, ...]
    missing: tuple[str, ...]  # files the snapshot names that the evidence folder lacked

    @property
    def database_member(self) -> Member:
        return next(m for m in self.members if m.name == DATABASE_MEMBER[self.database])

    @property
    def evidence(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.name.startswith(EVIDENCE))

    def as_json(self) -> dict[str, Any]:
        evidence = self.evidence
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at.isoformat(),
            "app_version": self.app_version,
            "database": {
                "kind": self.database,
                "schema_revision": self.schema_revision,
                "pg_schema": self.pg_schema,
                "member": DATABASE_MEMBER[self.database],
            },
            "evidence": {
                "files": len(evidence),
                "bytes": sum(m.size for m in evidence),
                "not_included": [f"{EVIDENCE}{name}/" for name in LEFT_OUT],
                "missing": list(self.missing),
            },
            "members": [{"name": m.name, "sha256": m.sha256, "size": m.size} for m in self.members],
        }

    @classmethod
    def from_json(cls, data: Any, archive: Path) -> Manifest:
        bad = BackupError(
            f"Berkas {archive} bukan cadangan spip-bot yang utuh: {MANIFEST} tidak terbaca."
        )
        try:
            if data["format"] != FORMAT:
                raise bad
            if data["format_version"] != FORMAT_VERSION:
                raise BackupError(
                    f"Cadangan {archive} berformat versi {data['format_version']}, yang tidak "
                    f"dikenal spip-bot {app_version()}: pulihkan dengan versi yang membuatnya "
                    f"({data.get('app_version', '?')}) atau yang lebih baru."
                )
            database = data["database"]
            members = tuple(
                Member(str(m["name"]), str(m["sha256"]), int(m["size"])) for m in data["members"]
            )
            manifest = cls(
                created_at=datetime.fromisoformat(data["created_at"]),
                app_version=str(data["app_version"]),
                database=str(database["kind"]),
                schema_revision=str(database["schema_revision"]),
                pg_schema=database["pg_schema"],
                members=members,
                missing=tuple(data["evidence"]["missing"]),
            )
        except (KeyError, TypeError, ValueError):
            raise bad from None
        if manifest.database not in DATABASE_MEMBER or not any(
            m.name == DATABASE_MEMBER[manifest.database] for m in members
        ):
            raise bad
        names = [m.name for m in members]
        if len(set(names)) != len(names):
            raise bad
        for member in members:
            if member.name != DATABASE_MEMBER[manifest.database]:
                _evidence_path(member.name)  # refuses a name that would leave the folder
            if not re.fullmatch(r"[0-9a-f]{64}", member.sha256) or member.size < 0:
                raise bad
        return manifest


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: Manifest
    size: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RestoreResult:
    manifest: Manifest
    database: str  # where it went, without credentials
    evidence_dir: Path
    seconds: float
    behind: bool  # the schema is older than this version's: init/run upgrades it


@dataclass(frozen=True, slots=True)
class _Snapshot:
    path: Path
    revision: str
    pg_schema: str | None
    referenced: frozenset[str]


# ---------------------------------------------------------------------------- helpers


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in DATABASE_MEMBER:
        raise BackupError(
            f"Basis data {backend} tidak didukung untuk cadangan: hanya SQLite dan PostgreSQL."
        )
    return backend


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan atau dipulihkan.")
    return Path(url.database)


def _where(url: URL) -> str:
    """Where the database is, for the admin, never with its password."""
    if _kind(url) == "sqlite":
        return str(_sqlite_path(url))
    host = url.host or "soket lokal"
    return f"{host}{f':{url.port}' if url.port else ''}/{url.database or ''}"


def _copy(source: IO[bytes], target: IO[bytes] | None) -> tuple[str, int]:
    """Stream ``source`` into ``target`` (None: read only), returning (sha256, size)."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest(), size


def _evidence_member(sha256: str) -> str:
    return f"{EVIDENCE}{sha256[:2]}/{sha256[2:4]}/{sha256}"  # storage.files' layout


def _evidence_path(name: str) -> PurePosixPath:
    """The member's path inside the evidence folder; refuses one that would leave it."""
    parts = name.split("/")
    if (
        not name.startswith(EVIDENCE)
        or len(parts) < 2
        or any(p in ("", ".", "..") for p in parts)
        or "\\" in name
        or "\x00" in name
        or parts[1] in LEFT_OUT
    ):
        raise BackupError(
            f"Cadangan rusak: nama isi tidak sah «{name}»; tidak ada yang dipulihkan."
        )
    return PurePosixPath(*parts[1:])


def _referenced(query: Callable[[str], Sequence[Any]], tables: set[str]) -> frozenset[str]:
    """The evidence files the database names: the registry of stored contents, the drafts'
    files and the outbox's attachments (those of ``tables``: an older schema lacks some)."""
    found: set[str] = set()
    if "evidence_file" in tables:
        found.update(str(row[0]) for row in query("SELECT sha256 FROM evidence_file"))
    for table, column in (("draft", "files"), ("outbox", "attachments")):
        if table not in tables:
            continue
        for (value,) in query(f"SELECT {column} FROM {table}"):
            try:
                found.update(str(f["sha256"]) for f in json.loads(value or "[]"))
            except (ValueError, KeyError, TypeError):
                log.warning("unreadable file list in %s.%s, left out of the check", table, column)
    return frozenset(found)


@contextmanager
def _connected(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url``; a database that does not answer is one sentence."""
    engine = make_engine(db_url)
    try:
        yield engine
    except OperationalError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        log.error("database %s unreachable: %s", _where(make_url(db_url)), first)
        raise BackupError(
            f"Basis data {_where(make_url(db_url))} tidak dapat dihubungi: {first}"
        ) from None
    finally:
        engine.dispose()


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} tidak ditemukan: pasang klien PostgreSQL (mis. `apt-get install "
            f"postgresql-client`, versi yang sama dengan servernya atau lebih baru), lalu ulangi."
        )
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying the
    password (PGPASSWORD): nothing secret on a command line, where `ps` shows it."""
    params: dict[str, str] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database
    for key, value in url.query.items():
        if key in LIBPQ_KEYS:
            params[key] = value if isinstance(value, str) else value[-1]

    def quoted(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return " ".join(f"{k}={quoted(v)}" for k, v in params.items()), env


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        log.error("%s failed (exit %s): %s", what, done.returncode, done.stderr.strip())
        detail = lines[0] if lines else f"kode keluar {done.returncode}"
        raise BackupError(f"{what} gagal: {detail}")
    return done.stdout


def _info(name: str, at: datetime, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=at.astimezone(UTC).timetuple()[:6])
    info.compress_type = compress
    info.external_attr = 0o600 << 16
    return info


def _add(
    archive: zipfile.ZipFile, name: str, source: IO[bytes], at: datetime, compress: int
) -> Member:
    with archive.open(_info(name, at, compress), "w", force_zip64=True) as target:
        sha, size = _copy(source, target)
    return Member(name, sha, size)


def _evidence_files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file of the evidence folder but previews/ and tmp/, in a stable order."""
    if not root.is_dir():
        return
    for folder, subfolders, files in os.walk(root):
        here = Path(folder)
        if here == root:
            subfolders[:] = [d for d in subfolders if d not in LEFT_OUT]
        subfolders.sort()
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield EVIDENCE + path.relative_to(root).as_posix(), path


# ---------------------------------------------------------------------------- snapshots


def _sqlite_snapshot(source: Path, target: Path) -> _Snapshot:
    if not source.is_file():
        raise BackupError(
            f"Basis data {source} tidak ditemukan: periksa SPIP_DATA_DIR atau DATABASE_URL."
        )
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # every page in one step: one read transaction, one instant
            if not dst.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).fetchone():
                raise BackupError(
                    f"Basis data {source} belum disiapkan: jalankan `spip-bot init` dahulu."
                )
            row = dst.execute("SELECT version_num FROM alembic_version").fetchone()
            tables = dst.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            names = {str(t[0]) for t in tables.fetchall()}
            referenced = _referenced(lambda sql: dst.execute(sql).fetchall(), names)
        finally:
            dst.close()
    finally:
        src.close()
    return _Snapshot(target, str(row[0]) if row else "", None, referenced)


def _pg_snapshot(db_url: str, target: Path) -> _Snapshot:
    pg_dump = _tool("pg_dump")
    url = make_url(db_url)
    with _connected(db_url) as engine, engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads this very snapshot: what is read here is what it dumps
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            schema = conn.execute(text("SELECT current_schema()")).scalar()
            ready = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if schema is None or ready is None:
                raise BackupError(
                    f"Basis data {_where(url)} belum disiapkan: jalankan `spip-bot init` dahulu."
                )
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            names = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            ).scalars()
            referenced = _referenced(
                lambda sql: conn.execute(text(sql)).all(), {str(n) for n in names}
            )
            conninfo, env = _libpq(url)
            quoted = '"' + str(schema).replace('"', '""') + '"'
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--schema={quoted}",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={conninfo}",
                ],
                env,
                "pg_dump",
            )
    return _Snapshot(target, str(revision or ""), str(schema), referenced)


# ---------------------------------------------------------------------------- backup


def backup(db_url: str, evidence_dir: Path, out: Path, now: datetime) -> BackupResult:
    """Write the archive ``out`` (never over an existing file): the database's snapshot, then
    the evidence files, then the manifest; written under a temporary name and renamed when
    complete, so ``out`` is either a whole archive or absent."""
    started = time.perf_counter()
    url = make_url(db_url)
    kind = _kind(url)
    folder = out.parent
    if not folder.is_dir():
        raise BackupError(
            f"Folder tujuan {folder} tidak ada: buat foldernya dahulu (mis. `mkdir -p "
            f"{folder}`), lalu ulangi."
        )
    if out.exists():
        raise BackupError(
            f"Berkas {out} sudah ada: cadangan tidak menimpa berkas; pilih nama lain."
        )
    if kind == "postgresql":
        _tool("pg_dump")  # refused before anything is written
    fd, partial_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".sebagian", dir=folder)
    partial = Path(partial_name)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            tempfile.TemporaryDirectory(prefix=".spip-cadangan-", dir=folder) as work,
        ):
            with zipfile.ZipFile(raw, "w", allowZip64=True) as archive:
                member = DATABASE_MEMBER[kind]
                if kind == "sqlite":
                    snap = _sqlite_snapshot(_sqlite_path(url), Path(work) / "spip.db")
                    compress = zipfile.ZIP_DEFLATED
                else:
                    snap = _pg_snapshot(db_url, Path(work) / "spip.pgdump")
                    compress = zipfile.ZIP_STORED  # pg_dump's custom format is compressed
                with snap.path.open("rb") as source:
                    members = [_add(archive, member, source, now, compress)]
                snap.path.unlink()
                for name, path in _evidence_files(evidence_dir):
                    try:
                        source = path.open("rb")
                    except FileNotFoundError:  # gone meanwhile (the store deletes nothing)
                        log.warning("evidence file %s vanished during the backup", path)
                        continue
                    with source:  # already compressed (PDF, JPEG, Office files): stored
                        members.append(_add(archive, name, source, now, zipfile.ZIP_STORED))
                have = {m.name for m in members}
                missing = tuple(
                    sorted(sha for sha in snap.referenced if _evidence_member(sha) not in have)
                )
                manifest = Manifest(
                    created_at=now,
                    app_version=app_version(),
                    database=kind,
                    schema_revision=snap.revision,
                    pg_schema=snap.pg_schema,
                    members=tuple(members),
                    missing=missing,
                )
                archive.writestr(
                    _info(MANIFEST, now, zipfile.ZIP_DEFLATED),
                    json.dumps(manifest.as_json(), ensure_ascii=False, indent=1),
                )
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    size = out.stat().st_size
    seconds = time.perf_counter() - started
    if missing:
        log.warning("%d evidence files named by the database are missing on disk", len(missing))
    log.info("backup %s: %d members, %d bytes in %.2f s", out, len(members), size, seconds)
    return BackupResult(out, manifest, size, seconds)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives named by ``--out-dir``
    (spip-cadangan-YYYYMMDD-HHMMSS.zip); no other file is touched."""
    archives = sorted(p for p in folder.iterdir() if ROTATED.match(p.name) and p.is_file())
    removed = archives[:-keep] if keep > 0 else archives
    for path in removed:
        path.unlink()
        log.info("old backup %s deleted (keeping %d)", path, keep)
    return removed


# ---------------------------------------------------------------------------- restore


@contextmanager
def _open(archive: Path) -> Iterator[tuple[zipfile.ZipFile, Manifest]]:
    if not archive.is_file():
        raise BackupError(f"Berkas cadangan {archive} tidak ditemukan.")
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise BackupError(
            f"Berkas {archive} bukan cadangan spip-bot: bukan arsip ZIP yang utuh."
        ) from None
    with zf:
        try:
            data = json.loads(zf.read(MANIFEST))
        except KeyError:
            raise BackupError(
                f"Berkas {archive} bukan cadangan spip-bot: {MANIFEST} tidak ada di dalamnya."
            ) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError):
            raise BackupError(
                f"Berkas {archive} bukan cadangan spip-bot yang utuh: {MANIFEST} tidak terbaca."
            ) from None
        yield zf, Manifest.from_json(data, archive)


def read_manifest(archive: Path) -> Manifest:
    """The archive's manifest (its members not checked: ``restore`` checks them)."""
    with _open(archive) as (_, manifest):
        return manifest


def _damaged(name: str, why: str) -> BackupError:
    return BackupError(f"Cadangan rusak: isi «{name}» {why}; tidak ada yang dipulihkan.")


def _read_member(zf: zipfile.ZipFile, member: Member, target: IO[bytes] | None) -> None:
    """Stream one member (into ``target``, or only hashed) and check it against the
    manifest; ZIP's own CRC check is caught here too."""
    try:
        with zf.open(member.name) as source:
            sha, size = _copy(source, target)
    except KeyError:
        raise _damaged(member.name, "hilang dari arsip") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _damaged(member.name, "tidak terbaca (arsip terpotong atau berubah)") from None
    if (sha, size) != (member.sha256, member.size):
        raise _damaged(member.name, "tidak cocok dengan sha256 dan ukurannya di manifest")


def verify(zf: zipfile.ZipFile, manifest: Manifest) -> None:
    """Every member named in the manifest is there, whole, and nothing else is."""
    names = [i.filename for i in zf.infolist() if i.filename != MANIFEST]
    listed = {m.name for m in manifest.members}
    for name in names:
        if name not in listed:
            raise _damaged(name, "tidak tercantum di manifest")
    if len(set(names)) != len(names):
        raise BackupError("Cadangan rusak: ada isi yang namanya ganda; tidak ada yang dipulihkan.")
    for member in manifest.members:
        _read_member(zf, member, None)


def _files_in(folder: Path) -> Iterable[Path]:
    if not folder.is_dir():
        return []
    return (p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def _check_revision(manifest: Manifest) -> bool:
    """Whether the archive's schema is older than this version's (the next start upgrades
    it); refuses one this version does not know (made by a newer version)."""
    if manifest.schema_revision not in migrate.known_revisions():
        raise BackupError(
            f"Cadangan ini dibuat oleh spip-bot {manifest.app_version} dengan skema basis data "
            f"{manifest.schema_revision or '(kosong)'}, yang tidak dikenal spip-bot "
            f"{app_version()}: pasang versi yang sama atau lebih baru, lalu ulangi."
        )
    return manifest.schema_revision != migrate.head_revision()


def _sqlite_empty(path: Path) -> bool:
    if not path.exists():
        return True
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            count = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False  # not a database: not ours to overwrite either
    return int(count) == 0


def _pg_target_schema(conn: Connection) -> str:
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    if schema is not None:
        return str(schema)
    # the schema the search path names first does not exist yet: the restore creates it
    first = str(conn.execute(text("SHOW search_path")).scalar() or "").split(",")[0].strip()
    if first == '"$user"' or first == "$user":
        return str(conn.execute(text("SELECT current_user")).scalar())
    return first.strip('"')


def _pg_restore(db_url: str, dump: Path, schema: str, work: Path) -> None:
    pg_restore = _tool("pg_restore")
    conninfo, env = _libpq(make_url(db_url))
    listing = _run([pg_restore, "--list", str(dump)], env, "pg_restore")
    entries = work / "isi.list"
    entries.write_text(
        "\n".join(line for line in listing.splitlines() if not SCHEMA_ENTRY.match(line)) + "\n"
    )
    with _connected(db_url) as engine, engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema.replace(chr(34), 2 * chr(34))}"'))
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--use-list={entries}",
            f"--dbname={conninfo}",
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _extract(zf: zipfile.ZipFile, member: Member, target: Path) -> None:
    """Write one member to ``target`` through a temporary file beside it, checked again
    against the manifest as it is written (the archive might have changed since)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".pemulihan-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            _read_member(zf, member, out)
        os.replace(temp_name, target)
    finally:
        Path(temp_name).unlink(missing_ok=True)


def restore(archive: Path, db_url: str, evidence_dir: Path) -> RestoreResult:
    started = time.perf_counter()
    url = make_url(db_url)
    kind = _kind(url)
    with _open(archive) as (zf, manifest):
        if manifest.database != kind:
            raise BackupError(
                f"Cadangan ini dari basis data {KIND_NAME[manifest.database]}, sedangkan "
                f"tujuannya {KIND_NAME[kind]}: pemulihan hanya ke jenis basis data yang sama "
                "(SQLite ke SQLite, PostgreSQL ke PostgreSQL)."
            )
        where = _where(url)
        if kind == "sqlite":
            if not _sqlite_empty(_sqlite_path(url)):
                raise BackupError(
                    f"Basis data tujuan {where} sudah berisi tabel: pemulihan hanya ke basis "
                    "data kosong, tidak menimpa; pindahkan berkas itu atau pakai SPIP_DATA_DIR/"
                    "DATABASE_URL yang baru."
                )
        else:
            _tool("pg_restore")
            with _connected(db_url) as engine, engine.connect() as conn:
                schema = _pg_target_schema(conn)
                tables = conn.execute(
                    text(
                        "SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = :schema"
                    ),
                    {"schema": schema},
                ).scalar_one()
            if schema != manifest.pg_schema:
                raise BackupError(
                    f"Cadangan ini memuat skema PostgreSQL «{manifest.pg_schema}», sedangkan "
                    f"DATABASE_URL tujuan memakai skema «{schema}»: pulihkan ke skema yang "
                    "bernama sama (search_path)."
                )
            if tables:
                raise BackupError(
                    f"Basis data tujuan {where} sudah berisi {tables} tabel di skema «{schema}»: "
                    "pemulihan hanya ke basis data kosong, tidak menimpa; buat basis data baru "
                    "(CREATE DATABASE) dan arahkan DATABASE_URL ke sana."
                )
        if next(iter(_files_in(evidence_dir)), None) is not None:
            raise BackupError(
                f"Folder bukti {evidence_dir} sudah berisi berkas: pemulihan hanya ke folder "
                "kosong, tidak menimpa; pakai SPIP_DATA_DIR yang baru."
            )
        behind = _check_revision(manifest)
        verify(zf, manifest)  # every hash, before anything is written
        # the files go to a folder beside the evidence folder first, and into it only once
        # the database is in: a restore that fails half-way leaves the evidence folder empty,
        # so it can be tried again
        evidence_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(
            tempfile.mkdtemp(prefix=f".{evidence_dir.name}-pemulihan-", dir=evidence_dir.parent)
        )
        try:
            for member in manifest.evidence:
                _extract(zf, member, staging.joinpath(*_evidence_path(member.name).parts))
            os.sync()  # the files are on disk before the database that names them
            database = manifest.database_member
            if kind == "sqlite":
                path = _sqlite_path(url)
                path.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(
                    prefix=".spip-pemulihan-", dir=path.parent
                ) as work:
                    snapshot = Path(work) / "spip.db"
                    _extract(zf, database, snapshot)
                    src, dst = sqlite3.connect(snapshot), sqlite3.connect(path)
                    try:
                        src.backup(dst)
                    finally:
                        src.close()
                        dst.close()
            else:
                assert manifest.pg_schema is not None
                with tempfile.TemporaryDirectory(prefix="spip-pemulihan-") as work:
                    dump = Path(work) / "spip.pgdump"
                    _extract(zf, database, dump)
                    _pg_restore(db_url, dump, manifest.pg_schema, Path(work))
            evidence_dir.mkdir(parents=True, exist_ok=True)
            for entry in staging.iterdir():
                os.replace(entry, evidence_dir / entry.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    engine = make_engine(db_url)
    try:
        restored = migrate.current_revision(engine)
    finally:
        engine.dispose()
    if restored != manifest.schema_revision:
        raise BackupError(
            f"Pemulihan tidak lengkap: revisi skema basis data {restored}, bukan "
            f"{manifest.schema_revision} seperti di manifest."
        )
    seconds = time.perf_counter() - started
    log.info("restored %s into %s and %s in %.2f s", archive, where, evidence_dir, seconds)
    return RestoreResult(manifest, where, evidence_dir, seconds, behind)


# ---------------------------------------------------------------------------- the command


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{-(-size // 1024)} KB"  # rounded up: 0 KB only when empty


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} detik".replace(".", ",")


def run_backup(
    db_url: str, evidence_dir: Path, out: Path | None, out_dir: Path | None, keep: int | None
) -> str:
    """``spip-bot backup``: what the admin reads."""
    if keep is not None and out_dir is None:
        raise BackupError("--keep hanya bersama --out-dir (nama berkasnya memuat waktunya).")
    if keep is not None and keep < 1:
        raise BackupError("--keep harus 1 atau lebih.")
    now = utc_now()
    if out is None:
        assert out_dir is not None
        out = out_dir / f"spip-cadangan-{now:%Y%m%d-%H%M%S}.zip"
    result = backup(db_url, evidence_dir, out, now)
    manifest = result.manifest
    evidence = manifest.evidence
    lines = [
        f"Cadangan tersimpan di {result.path} ({_size(result.size)}, {_seconds(result.seconds)}).",
        f"Isi: basis data {KIND_NAME[manifest.database]} (revisi skema "
        f"{manifest.schema_revision}) dan {len(evidence)} berkas bukti "
        f"({_size(sum(m.size for m in evidence))}); sha256 dan ukuran setiap isi tercatat "
        f"di {MANIFEST}.",
        LEFT_OUT_SAID,
    ]
    if manifest.missing:
        shown = ", ".join(sha[:12] for sha in manifest.missing[:5])
        lines.append(
            f"Peringatan: {len(manifest.missing)} berkas yang dirujuk basis data tidak ada di "
            f"folder bukti {evidence_dir} ({shown}{', …' if len(manifest.missing) > 5 else ''})."
        )
    if keep is not None and out_dir is not None:
        removed = prune(out_dir, keep)
        if removed:
            lines.append(
                f"Cadangan lama dihapus (disimpan {keep} terbaru): "
                + ", ".join(p.name for p in removed)
                + "."
            )
    return "\n".join(lines)


def run_restore(archive: Path, db_url: str, evidence_dir: Path) -> str:
    """``spip-bot restore``: what the admin reads."""
    result = restore(archive, db_url, evidence_dir)
    manifest = result.manifest
    lines = [
        f"Cadangan diperiksa: {len(manifest.members)} isi cocok dengan sha256 dan ukurannya "
        f"di {MANIFEST} (dibuat {manifest.created_at.astimezone(UTC):%Y-%m-%d %H.%M.%S} UTC "
        f"oleh spip-bot {manifest.app_version}).",
        f"Dipulihkan dalam {_seconds(result.seconds)}: basis data "
        f"{KIND_NAME[manifest.database]} ke {result.database} (revisi skema "
        f"{manifest.schema_revision}) dan {len(manifest.evidence)} berkas bukti ke "
        f"{result.evidence_dir}.",
    ]
    if result.behind:
        lines.append(
            "Skema basis data ini lebih lama dari versi spip-bot ini: `spip-bot init` (atau "
            "`spip-bot run`) memperbaruinya."
        )
    return "\n".join(lines)
