"""Backup and restore as the admin runs them (`spip-bot backup`, `spip-bot restore`), on SQLite
and PostgreSQL: a month's data (deliveries with real PDFs, approvals, a return, a nihil, a
draft, a blank form) is backed up while another connection keeps writing, restored into a
fresh place, and the period's status, the recap workbook's cells and every evidence file are
the same there. Refused: a target that is not empty, a damaged archive, a missing folder;
PostgreSQL without pg_dump; the password never goes on a command line."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from chatbot import cli
from chatbot.app import Core, build_core
from chatbot.config import load_settings
from chatbot.domain.calendar import Period
from chatbot.domain.workflow import UNIT_CARD_ITEM
from chatbot.services.ports import EvidenceFile
from storage import backup
from storage.db import make_engine
from tests.conftest import CHECKLIST_2024, Clock
from tests.support.db import PG_URL, PostgresSchema
from tests.support.pdf import real_pdf

P = Period(2026, 10)
needs_pg = pytest.mark.skipif(PG_URL is None, reason="DATABASE_URL_TEST is not set")


# ---------------------------------------------------------------------------- the month


def play_month(core: Core) -> None:
    """Three units deliver six items each (PDFs; KUL one nihil); the satgas approves Kerinci's
    and KUL's but returns one of Kerinci's, Merangin's wait; Kerinci keeps a draft of the
    returned item; the admin registers a blank form."""
    svc, reg = core.services, core.services.registration

    def join(unit: str, role: str, telegram_id: int, name: str) -> Any:
        return reg.redeem(reg.create_invite(unit, role).code, telegram_id, telegram_id, name).person

    satgas = join("15", "satgas_prov", 31, "Sari Satgas")
    people = {
        "1501": join("1501", "satgas_kabkota", 41, "Budi Kerinci"),
        "1502": join("1502", "satgas_kabkota", 42, "Mira Merangin"),
        "KUL": join("KUL", "bagian", 43, "Dewi KUL"),
    }
    svc.submission.open_period(P)
    with core.uow() as uow:
        catalogue = uow.catalogue.load()
        units = {u.code: u for u in uow.units.all()}
    for code, person in people.items():
        items = [i for i in catalogue.items_for(units[code]) if i.code != UNIT_CARD_ITEM][:6]
        for n, item in enumerate(items):
            if code == "KUL" and n == 2:
                svc.submission.deliver(person, P, item.code, 0, note="Tidak ada kegiatan")
                continue
            stored = core.evidence.put_bytes(real_pdf(1, f"{code} {item.code}"))
            evidence = EvidenceFile(
                stored.sha256, f"{item.code}.pdf", "application/pdf", stored.size
            )
            svc.submission.deliver(person, P, item.code, 0, [evidence])
    returned = None
    for unit, targets in svc.review.queue(satgas):
        if unit.code == "1502":
            continue
        for t in targets:
            back = returned is None and unit.code == "1501"
            svc.review.decide_item(
                satgas, t.state_id, t.state.version, not back, "Belum ditandatangani"
            )
            returned = t.state.item_code if back else returned
    assert returned is not None
    stored = core.evidence.put_bytes(real_pdf(1, "perbaikan, belum dikirim"))
    draft = EvidenceFile(stored.sha256, "perbaikan.pdf", "application/pdf", stored.size)
    svc.submission.keep_draft(people["1501"], P, returned, [draft])
    svc.submission.register_template(b"%PDF-1.4 formulir kosong", "Formulir kosong")


# ---------------------------------------------------------------------------- places


def source_url(engine: Engine, pg_schema: PostgresSchema | None) -> str:
    if engine.dialect.name == "sqlite":
        return engine.url.render_as_string(hide_password=False)
    assert pg_schema is not None and PG_URL is not None
    url = make_url(PG_URL).set(query={"options": f"-csearch_path={pg_schema.schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def databases() -> Iterator[list[str]]:
    """Names of the PostgreSQL databases a test creates; each dropped after it."""
    made: list[str] = []
    yield made
    if made:
        assert PG_URL is not None
        admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def new_database(databases: list[str], schema: str | None = None) -> str:
    """A new, empty PostgreSQL database; its URL (with ``schema`` as the search path)."""
    assert PG_URL is not None
    name = f"spip_backup_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    databases.append(name)
    url = make_url(PG_URL).set(database=name)
    if schema is not None:
        url = url.set(query={"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def use(monkeypatch: pytest.MonkeyPatch, data: Path, url: str | None) -> None:
    """The environment of an admin's shell on this place (and nothing else of this one's)."""
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("SPIP_DATA_DIR", str(data))
    monkeypatch.setenv("SPIP_CHECKLIST_FILE", str(CHECKLIST_2024))
    if url is not None:
        monkeypatch.setenv("DATABASE_URL", url)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def evidence_files(folder: Path) -> dict[str, str]:
    """Path inside the evidence folder -> sha256 of its content (previews/ and tmp/ too)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def cells(workbook: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(workbook))
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book
    }


def referenced(core: Core) -> set[str]:
    """Every file the database names: the stored contents and the drafts' files."""
    with core.engine.connect() as conn:
        found = {str(r[0]) for r in conn.execute(text("SELECT sha256 FROM evidence_file"))}
        for (files,) in conn.execute(text("SELECT files FROM draft")):
            found.update(f["sha256"] for f in json.loads(files))
    return found


class Writer:
    """Another connection writing all along: the admin registering blank forms (a file into
    the store, then its rows), as the bot writes while a backup runs."""

    def __init__(self, core: Core) -> None:
        self.core, self.written = core, 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        while not self.stop.is_set():
            form = f"%PDF-1.4 formulir {self.written}".encode() * 50
            self.core.services.submission.register_template(form, f"Formulir {self.written}")
            self.written += 1

    def __enter__(self) -> Writer:
        self.thread.start()
        while self.written < 3:  # writing for sure before the backup starts
            time.sleep(0.01)  # not Event.wait(timeout): under faketime it never returns
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


# ---------------------------------------------------------------------------- round trip


def test_a_months_backup_restores_identically(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    databases: list[str],
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    play_month(core)
    source = core.settings.evidence_dir
    (source / "previews").mkdir(exist_ok=True)
    (source / "previews" / "abc.jpg").write_bytes(b"a picture made again when needed")
    (source / "tmp" / "half-received").write_bytes(b"a file being received")
    use(monkeypatch, core.settings.spip_data_dir, source_url(engine, pg_schema))
    archive = tmp_path / "cadangan" / "spip.zip"
    archive.parent.mkdir()
    with Writer(core) as writer:
        before = writer.written
        code, out, err = run(capsys, "backup", "--out", str(archive))
        during = writer.written - before
    assert code == 0, err
    assert before >= 3 and during > 0  # it wrote before the backup and while it ran
    lines = out.splitlines()
    assert lines[0].startswith(f"Cadangan tersimpan di {archive} (")
    assert "berkas bukti" in lines[1] and "sha256 dan ukuran setiap isi" in lines[1]
    assert lines[2] == backup.LEFT_OUT_SAID and len(lines) == 3  # nothing missing

    target = tmp_path / "pulih"
    if engine.dialect.name == "sqlite":
        target_url = f"sqlite:///{target / 'data' / 'spip.db'}"
        use(monkeypatch, target / "data", None)  # the default place: data/spip.db
    else:
        assert pg_schema is not None
        target_url = new_database(databases, pg_schema.schema)
        use(monkeypatch, target / "data", target_url)
    code, out, err = run(capsys, "restore", str(archive))
    assert code == 0, err
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    members = len(manifest["members"])
    kind = "SQLite" if engine.dialect.name == "sqlite" else "PostgreSQL"
    assert out.splitlines()[0].startswith(
        f"Cadangan diperiksa: {members} isi cocok dengan sha256 dan ukurannya di manifest.json"
    )
    assert f"basis data {kind} ke " in out.splitlines()[1]
    assert f"{manifest['evidence']['files']} berkas bukti ke {target / 'data' / 'evidence'}" in out

    restored = build_core(load_settings(), clock=clock, engine=make_engine(target_url))
    try:
        # the period's status and the recap workbook, on the fixed clock of the test
        mine = core.services.status.period_status(P, with_events=False).as_json()
        theirs = restored.services.status.period_status(P, with_events=False).as_json()
        assert theirs == mine
        assert {i["status"] for u in mine["units"] for i in u["items"]} >= {
            "disetujui",
            "dikembalikan",
            "dikirim",
            "tidak_ada_kegiatan",
        }
        book = cells(restored.services.recap.workbook(P))
        assert book == cells(core.services.recap.workbook(P))
        assert any(
            "Belum ditandatangani" in str(v) for rows in book.values() for r in rows for v in r
        )
        # every evidence file: the same content under the same name, and each one the
        # restored database names is there (a form written after the snapshot may be too)
        before = evidence_files(source)
        after = evidence_files(restored.settings.evidence_dir)
        assert after and all(before[name] == sha for name, sha in after.items())
        assert all(name.rsplit("/", 1)[-1] == sha for name, sha in after.items())
        assert not [n for n in after if n.startswith(("previews/", "tmp/"))]
        names = referenced(restored)
        assert names <= set(after.values())
        assert referenced(core) >= names  # the source named them all too
        with restored.uow() as uow:
            forms = uow.templates.all()
        assert 3 <= len(forms) - 1 <= writer.written  # the snapshot's forms, each with its file
        assert {f.sha256 for f in forms} <= set(after.values())
        people = restored.services.registration.people()
        assert [p.name for p in people] == [p.name for p in core.services.registration.people()]
        assert list(restored.services.history.lines(P)) == list(core.services.history.lines(P))
    finally:
        restored.engine.dispose()


# ---------------------------------------------------------------------------- refusals


def test_restore_refuses_a_target_that_is_not_empty(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    play_month(core)
    url = source_url(engine, pg_schema)
    use(monkeypatch, core.settings.spip_data_dir, url)
    archive = tmp_path / "spip.zip"
    assert run(capsys, "backup", "--out", str(archive))[0] == 0
    before = evidence_files(core.settings.evidence_dir)
    # back into the place it came from: its database has tables (and its folder files)
    code, out, err = run(capsys, "restore", str(archive))
    assert code == 2 and out == ""
    assert "Galat: Basis data tujuan " in err and "sudah berisi" in err and "tidak menimpa" in err
    assert len(err.strip().splitlines()) == 1
    assert evidence_files(core.settings.evidence_dir) == before
    if engine.dialect.name != "sqlite":
        return
    # an empty database, but an evidence folder holding a file
    fresh = tmp_path / "baru" / "data"
    (fresh / "evidence" / "ab").mkdir(parents=True)
    (fresh / "evidence" / "ab" / "sisa.pdf").write_bytes(b"left over")
    use(monkeypatch, fresh, None)
    code, _, err = run(capsys, "restore", str(archive))
    assert code == 2
    assert f"Galat: Folder bukti {fresh / 'evidence'} sudah berisi berkas" in err
    assert not (fresh / "spip.db").exists()
    assert [p.name for p in (fresh / "evidence").rglob("*") if p.is_file()] == ["sisa.pdf"]


def _rewrite(archive: Path, target: Path, change: dict[str, bytes | None], extra: str = "") -> None:
    """A copy of ``archive`` with members replaced (None: left out), the manifest kept."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                data = change[info.filename]
                if data is not None:
                    dst.writestr(info, data)
            else:
                dst.writestr(info, src.read(info))
        if extra:
            dst.writestr(extra, b"something else")


def test_restore_refuses_a_damaged_archive_naming_the_member(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    databases: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    play_month(core)
    use(monkeypatch, core.settings.spip_data_dir, source_url(engine, pg_schema))
    archive = tmp_path / "spip.zip"
    assert run(capsys, "backup", "--out", str(archive))[0] == 0
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        evidence = [m["name"] for m in manifest["members"] if m["name"].startswith("evidence/")]
        database = manifest["database"]["member"]
        last = evidence[-1]
        info = zf.getinfo(last)
    header = archive.read_bytes()[info.header_offset : info.header_offset + 30]
    name_length, extra_length = (
        int.from_bytes(header[26:28], "little"),
        int.from_bytes(header[28:30], "little"),
    )
    offset = info.header_offset + 30 + name_length + extra_length + info.file_size // 2
    swapped = tmp_path / "ditukar.zip"  # one file's content replaced: its hash differs
    _rewrite(archive, swapped, {last: real_pdf(1, "dipalsukan")})
    missing = tmp_path / "hilang.zip"
    _rewrite(archive, missing, {evidence[0]: None})
    added = tmp_path / "tambahan.zip"
    _rewrite(archive, added, {}, extra="evidence/00/00/tambahan")
    flipped = tmp_path / "terbalik.zip"  # one byte of the last file changed on the disk
    raw = bytearray(archive.read_bytes())
    raw[offset] ^= 0xFF
    flipped.write_bytes(bytes(raw))
    cut = tmp_path / "terpotong.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    no_db = tmp_path / "tanpa-db.zip"
    _rewrite(archive, no_db, {database: None})
    future = tmp_path / "masa-depan.zip"  # made by a newer release: a revision unknown here
    newer = {**manifest, "database": {**manifest["database"], "schema_revision": "0099"}}
    _rewrite(archive, future, {"manifest.json": json.dumps(newer).encode()})

    target = tmp_path / "pulih" / "data"
    if engine.dialect.name == "sqlite":
        use(monkeypatch, target, None)
    else:
        assert pg_schema is not None
        target_url = new_database(databases, pg_schema.schema)
        use(monkeypatch, target, target_url)
    cases = [
        (swapped, f"Cadangan rusak: isi «{last}» tidak cocok dengan sha256 dan ukurannya"),
        (missing, f"Cadangan rusak: isi «{evidence[0]}» hilang dari arsip"),
        (added, "Cadangan rusak: isi «evidence/00/00/tambahan» tidak tercantum di manifest"),
        (flipped, f"Cadangan rusak: isi «{last}» tidak terbaca"),
        (cut, f"Berkas {cut} bukan cadangan spip-bot: bukan arsip ZIP yang utuh."),
        (no_db, f"Cadangan rusak: isi «{database}» hilang dari arsip"),
        (future, "dengan skema basis data 0099, yang tidak dikenal spip-bot"),
    ]
    for damaged, said in cases:
        code, out, err = run(capsys, "restore", str(damaged))
        assert code == 2 and out == "", damaged
        assert said in err, (damaged, err)
        assert "Cadangan rusak" not in said or "tidak ada yang dipulihkan" in err
    # nothing was written anywhere
    assert not (target / "spip.db").exists()
    assert [p for p in (target / "evidence").rglob("*") if p.is_file()] == []
    if engine.dialect.name != "sqlite":
        target_engine = make_engine(target_url)
        with target_engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT count(*) FROM information_schema.tables WHERE table_schema LIKE 'spip%'"
                )
            ).scalar_one()
        target_engine.dispose()
        assert tables == 0
    # and the archive itself restores
    assert run(capsys, "restore", str(archive))[0] == 0


def test_backup_refuses_a_missing_folder_and_an_existing_file(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, core.settings.spip_data_dir, source_url(engine, pg_schema))
    nowhere = tmp_path / "tidak-ada"
    code, out, err = run(capsys, "backup", "--out", str(nowhere / "spip.zip"))
    assert code == 2 and out == ""
    assert err.strip() == (
        f"Galat: Folder tujuan {nowhere} tidak ada: buat foldernya dahulu (mis. `mkdir -p "
        f"{nowhere}`), lalu ulangi."
    )
    code, _, err = run(capsys, "backup", "--out-dir", str(nowhere), "--keep", "3")
    assert code == 2 and f"Folder tujuan {nowhere} tidak ada" in err
    assert not nowhere.exists()
    existing = tmp_path / "ada.zip"
    existing.write_bytes(b"an earlier file")
    code, _, err = run(capsys, "backup", "--out", str(existing))
    assert code == 2 and "sudah ada: cadangan tidak menimpa berkas" in err
    assert existing.read_bytes() == b"an earlier file"
    code, _, err = run(capsys, "backup", "--out", str(tmp_path / "a.zip"), "--keep", "2")
    assert code == 2 and "--keep hanya bersama --out-dir" in err
    assert [p.name for p in tmp_path.iterdir() if ".zip" in p.name] == ["ada.zip"]


def test_backup_keeps_the_newest_copies(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use(monkeypatch, core.settings.spip_data_dir, source_url(engine, pg_schema))
    folder = tmp_path / "cadangan"
    folder.mkdir()
    (folder / "catatan.txt").write_text("not a backup: never deleted")
    days = iter(datetime(2026, 11, d, 18, 0, tzinfo=UTC) for d in (1, 2, 3, 4))
    monkeypatch.setattr(backup, "utc_now", lambda: next(days))
    outputs = []
    for _ in range(4):
        code, out, err = run(capsys, "backup", "--out-dir", str(folder), "--keep", "2")
        assert code == 0, err
        outputs.append(out)
    assert sorted(p.name for p in folder.iterdir()) == [
        "catatan.txt",
        "spip-cadangan-20261103-180000.zip",
        "spip-cadangan-20261104-180000.zip",
    ]
    assert "Cadangan lama dihapus" not in outputs[0] + outputs[1]
    assert outputs[2].splitlines()[-1] == (
        "Cadangan lama dihapus (disimpan 2 terbaru): spip-cadangan-20261101-180000.zip."
    )
    assert (
        outputs[0]
        .splitlines()[0]
        .startswith(f"Cadangan tersimpan di {folder / 'spip-cadangan-20261101-180000.zip'} (")
    )


# ---------------------------------------------------------------------------- PostgreSQL


@needs_pg
def test_postgresql_in_its_public_schema_round_trip(
    databases: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The usual layout: a database of its own, tables in "public" (which a new database
    already has), restored into another new database."""
    source = new_database(databases)
    use(monkeypatch, tmp_path / "a", source)
    assert run(capsys, "init")[0] == 0
    form = tmp_path / "formulir.pdf"
    form.write_bytes(real_pdf(1, "formulir kosong"))
    assert run(capsys, "template", "add", str(form), "--name", "Formulir LRA")[0] == 0
    archive = tmp_path / "spip.zip"
    assert run(capsys, "backup", "--out", str(archive))[0] == 0
    listed = run(capsys, "template", "list")[1]
    target = new_database(databases)
    use(monkeypatch, tmp_path / "b", target)
    code, out, err = run(capsys, "restore", str(archive))
    assert code == 0, err
    assert "1 berkas bukti" in out
    assert run(capsys, "template", "list")[1] == listed and "Formulir LRA" in listed
    assert run(capsys, "units")[1].count("\n") == 15
    assert evidence_files(tmp_path / "b" / "evidence") == {
        k: v for k, v in evidence_files(tmp_path / "a" / "evidence").items()
    }


@needs_pg
def test_postgresql_refusals_and_the_password(
    databases: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = new_database(databases)
    with_password = make_url(source).set(password="rahasia-sekali")
    use(monkeypatch, tmp_path / "a", with_password.render_as_string(hide_password=False))
    assert run(capsys, "init")[0] == 0
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_run = subprocess.run

    def spy(argv: list[str], **kwargs: Any) -> Any:
        calls.append((list(argv), dict(kwargs.get("env") or {})))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy)
    archive = tmp_path / "spip.zip"
    code, out, err = run(capsys, "backup", "--out", str(archive))
    assert code == 0, err
    target = make_url(new_database(databases)).set(password="rahasia-sekali")
    use(monkeypatch, tmp_path / "b", target.render_as_string(hide_password=False))
    code, out2, err = run(capsys, "restore", str(archive))
    assert code == 0, err
    assert {Path(argv[0]).name for argv, _ in calls} == {"pg_dump", "pg_restore"}
    assert all("rahasia-sekali" not in " ".join(argv) for argv, _ in calls)
    assert all(env.get("PGPASSWORD") == "rahasia-sekali" for _, env in calls)
    assert "rahasia-sekali" not in out + out2

    # a database that does not answer (here: one that does not exist)
    gone = make_url(source).set(database="spip_tidak_ada").render_as_string(hide_password=False)
    use(monkeypatch, tmp_path / "d", gone)
    code, _, err = run(capsys, "restore", str(archive))
    assert code == 2 and "/spip_tidak_ada tidak dapat dihubungi" in err
    assert "Traceback" not in err and not (tmp_path / "d" / "evidence").exists()

    # a SQLite archive is not restored into PostgreSQL
    sqlite_dir = tmp_path / "lite"
    use(monkeypatch, sqlite_dir, None)
    assert run(capsys, "init")[0] == 0
    lite = tmp_path / "lite.zip"
    assert run(capsys, "backup", "--out", str(lite))[0] == 0
    use(monkeypatch, tmp_path / "c", new_database(databases))
    code, _, err = run(capsys, "restore", str(lite))
    assert (
        code == 2 and "Cadangan ini dari basis data SQLite, sedangkan tujuannya PostgreSQL" in err
    )

    # without pg_dump on the PATH: refused, nothing written
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    use(monkeypatch, tmp_path / "a", source)
    code, out, err = run(capsys, "backup", "--out", str(tmp_path / "tanpa.zip"))
    assert code == 2 and out == ""
    assert "Galat: pg_dump tidak ditemukan: pasang klien PostgreSQL" in err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".tanpa", "tanpa"))]


def test_the_manifest_says_what_the_archive_holds(
    core: Core,
    engine: Engine,
    pg_schema: PostgresSchema | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    play_month(core)
    monkeypatch.setattr(backup, "utc_now", lambda: datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    use(monkeypatch, core.settings.spip_data_dir, source_url(engine, pg_schema))
    archive = tmp_path / "spip.zip"
    assert run(capsys, "backup", "--out", str(archive))[0] == 0
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        contents = {
            i.filename: hashlib.sha256(zf.read(i)).hexdigest()
            for i in zf.infolist()
            if i.filename != "manifest.json"
        }
    assert manifest["format"] == "spip-bot-cadangan" and manifest["format_version"] == 1
    assert manifest["created_at"] == "2026-11-02T01:00:00+00:00"
    assert manifest["app_version"] == backup.app_version() != "tidak diketahui"
    with core.engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db = manifest["database"]
    assert db["schema_revision"] == revision
    if engine.dialect.name == "sqlite":
        assert (db["kind"], db["member"], db["pg_schema"]) == ("sqlite", "database/spip.db", None)
    else:
        assert pg_schema is not None
        assert (db["kind"], db["member"]) == ("postgresql", "database/spip.pgdump")
        assert db["pg_schema"] == pg_schema.schema
    assert {m["name"]: m["sha256"] for m in manifest["members"]} == contents
    on_disk = {
        f"evidence/{name}": sha for name, sha in evidence_files(core.settings.evidence_dir).items()
    }
    evidence = {n: h for n, h in contents.items() if n.startswith("evidence/")}
    assert evidence == on_disk and len(evidence) == manifest["evidence"]["files"] == 17 + 2
    assert manifest["evidence"]["not_included"] == ["evidence/previews/", "evidence/tmp/"]
    assert manifest["evidence"]["missing"] == []


def test_the_commands_help_and_usage_errors_are_indonesian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.handlers.test_words import offences

    for args in (["backup", "--help"], ["restore", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(args)
        out = capsys.readouterr().out
        assert "penggunaan:" in out and [o for o in offences(out) if "snake_case" not in o] == []
    with pytest.raises(SystemExit) as stop:
        cli.main(["backup"])
    err = capsys.readouterr().err
    assert stop.value.code == 2
    assert "salah satu argumen berikut wajib diisi: --out --out-dir" in err
    assert [o for o in offences(err) if "snake_case" not in o] == []
