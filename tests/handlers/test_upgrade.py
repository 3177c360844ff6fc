"""Upgrades as an admin meets them: `spip-bot init` on a fresh install and on the previous
release's database (migrated, said so, nothing lost), and every start and command refusing a
database that a newer release has migrated, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from chatbot import cli
from storage import migrate
from storage.db import make_engine
from tests.conftest import TOKEN
from tests.support.db import BACKENDS, schema_url

# the schema of a release before this one (its last migration, storage/migrations/versions):
# 0012, before the eight cards, so that its upgrade runs every later migration (0013, 0014)
PREVIOUS_RELEASE = "0012"
# a revision no version of this code has: what a database migrated by a newer release holds
FUTURE = "9999"
NEWER = (
    "Galat: Basis data ini dibuat oleh versi spip-bot yang lebih baru (revisi 9999); pasang "
    "versi itu atau yang lebih baru, jangan menurunkan versi."
)
TABLES = ("unit", "person", "person_role", "period", "item_state", "submission", "submission_file")


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The environment of an admin's shell, and the database `spip-bot` will use: SQLite in
    the data folder (the default, no DATABASE_URL), or a schema of its own on PostgreSQL."""
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_", "WHATSAPP_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SPIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "spip_jambi_bot")
    if request.param == "sqlite":
        yield f"sqlite:///{(tmp_path / 'data' / 'spip.db').resolve()}"
        return
    with schema_url("spip_upgrade") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as db:
        return {t: db.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}


def previous_release(engine: Engine) -> None:
    """A database as the previous release left it: its schema, its checklist (the 2024 form),
    three people, September handed over complete and October open with a delivery waiting."""
    migrate.upgrade(engine, PREVIOUS_RELEASE)
    at = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)
    yes = {"yes": True, "no": False, "at": at}
    rows = [
        "INSERT INTO unit (code, name, kind, position, active) VALUES "
        "('15', 'KPU Provinsi Jambi', 'provinsi', 0, :yes), "
        "('1501', 'KPU Kabupaten Kerinci', 'kabkota', 1, :yes)",
        "INSERT INTO card_type (code, name, position, active) VALUES "
        "('KPG', 'Kepegawaian', 0, :yes), ('KEU', 'Keuangan Negara dan Hibah', 1, :yes)",
        "INSERT INTO checklist_item (code, name, card_type, owed_by, required, description, "
        "position, active) VALUES "
        "('KPG-01', 'Rekapitulasi daftar hadir pegawai', 'KPG', 'kabkota,HSDM', :yes, '', 0, :yes),"
        "('KPG-02', 'Penilaian kinerja pegawai (SKP)', 'KPG', 'kabkota,HSDM', :yes, '', 1, :yes),"
        "('KEU-01', 'Laporan realisasi anggaran (LRA)', 'KEU', 'kabkota,KUL', :no, '', 2, :yes)",
        "INSERT INTO person (id, name, unit_code, telegram_user_id, telegram_chat_id, active, "
        "created_at) VALUES (1, 'Admin Provinsi', '15', 31, 31, :yes, :at), "
        "(2, 'Budi Santoso', '1501', 41, 41, :yes, :at), "
        "(3, 'Sari Dewi', '15', 42, 42, :yes, :at)",
        "INSERT INTO person_role (person_id, role) VALUES (1, 'admin'), "
        "(2, 'satgas_kabkota'), (3, 'satgas_prov')",
        "INSERT INTO period (code, opened_at, opened_by, closed_at) VALUES "
        "('2026-09', :at, 1, :at), ('2026-10', :at, 1, NULL)",
        "INSERT INTO item_state (id, period, unit_code, item_code, status, version, delivery, "
        "rev, updated_at) VALUES "
        "(1, '2026-09', '1501', 'KPG-01', 'disetujui', 1, 'berkas', 2, :at), "
        "(2, '2026-09', '1501', 'KPG-02', 'disetujui', 1, 'berkas', 2, :at), "
        "(3, '2026-09', '1501', 'KEU-01', 'tidak_ada_kegiatan', 1, 'nihil', 2, :at), "
        "(4, '2026-10', '1501', 'KPG-01', 'dikirim', 1, 'berkas', 1, :at)",
        "INSERT INTO submission (id, item_state_id, version, kind, note, submitted_by, "
        "submitted_at, late) VALUES (1, 1, 1, 'berkas', '', 2, :at, :no), "
        "(2, 2, 1, 'berkas', '', 2, :at, :no), "
        "(3, 3, 1, 'nihil', 'Tidak ada kegiatan bulan ini.', 2, :at, :no), "
        "(4, 4, 1, 'berkas', '', 2, :at, :no)",
        "INSERT INTO evidence_file (sha256, size, first_seen_at) VALUES "
        f"('{'a' * 64}', 1200, :at), ('{'b' * 64}', 3400, :at)",
        "INSERT INTO submission_file (submission_id, position, sha256, file_name, mime_type, "
        f"size) VALUES (1, 0, '{'a' * 64}', 'absensi-september.pdf', 'application/pdf', 1200), "
        f"(2, 0, '{'b' * 64}', 'skp-september.pdf', 'application/pdf', 3400), "
        f"(4, 0, '{'a' * 64}', 'absensi-oktober.pdf', 'application/pdf', 1200)",
    ]
    with engine.begin() as db:
        for sql in rows:
            db.execute(text(sql), yes)
        db.execute(
            text(
                "INSERT INTO audit_log (at, kind, actor_id, period, unit_code, subject, version, "
                "detail) VALUES (:at, 'item_dikirim', 2, '2026-10', '1501', 'KPG-01', 1, :d)"
            ),
            {"at": at, "d": json.dumps({"berkas": 1})},
        )


def test_init_on_a_fresh_install_says_the_database_was_created(
    database_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    head = migrate.head_revision()
    caplog.set_level(logging.INFO, logger="chatbot.app")
    code, out, err = run(capsys, "init")
    assert code == 0, err
    assert out.splitlines()[0] == f"Basis data baru dibuat (versi {head})."
    assert "Unit: 15 baru" in out
    assert f"database created at revision {head}" in caplog.text
    assert migrate.current_revision(engine) == head
    code, out, _ = run(capsys, "init")
    assert code == 0 and out.splitlines()[0] == f"Basis data sudah versi terbaru ({head})."
    code, out, _ = run(capsys, "units")
    assert code == 0 and "1501" in out


def test_a_training_install_says_the_same(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training clock reads its mark from the schema, so it migrates first; `init` still
    says what was done to the database in this run."""
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02T07:00:00+07:00")
    head = migrate.head_revision()
    code, out, err = run(capsys, "init")
    assert code == 0, err
    assert out.splitlines()[0] == f"Basis data baru dibuat (versi {head})."
    code, out, _ = run(capsys, "init")
    assert code == 0 and out.splitlines()[0] == f"Basis data sudah versi terbaru ({head})."


def test_init_upgrades_the_previous_release_with_nothing_lost(
    database_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    head = migrate.head_revision()
    assert head != PREVIOUS_RELEASE
    previous_release(engine)
    before = counts(engine)
    # before the upgrade, the commands that read the data say what to do
    code, _, err = run(capsys, "users")
    assert (code, err.strip()) == (
        2,
        f"Galat: basis data masih versi {PREVIOUS_RELEASE}, versi spip-bot ini memakai {head}: "
        "jalankan `spip-bot init` untuk memperbaruinya",
    )
    caplog.set_level(logging.INFO, logger="chatbot.app")
    code, out, err = run(capsys, "init")
    assert code == 0, err
    assert out.splitlines()[0] == f"Basis data diperbarui dari versi {PREVIOUS_RELEASE} ke {head}."
    assert f"database upgraded from revision {PREVIOUS_RELEASE} to {head}" in caplog.text
    assert migrate.current_revision(engine) == head
    after = counts(engine)
    assert after["unit"] == 15  # the org file's other units came in with the default load
    assert {t: after[t] for t in TABLES if t != "unit"} == {
        t: before[t] for t in TABLES if t != "unit"
    }

    code, out, _ = run(capsys, "users")
    assert code == 0
    listed = {line.split()[0]: line for line in out.strip().splitlines()}
    assert sorted(listed) == ["1", "2", "3"]
    for person, words in {
        "1": ("15", "admin", "aktif", "Admin Provinsi"),
        "2": ("1501", "satgas_kabkota", "aktif", "Budi Santoso"),
        "3": ("15", "satgas_prov", "aktif", "Sari Dewi"),
    }.items():
        line = f" {listed[person]} "
        assert all(f" {word} " in line for word in words), line

    # September, handed over by the previous release, keeps what it was reported on
    code, out, err = run(capsys, "status", "--period", "2026-09", "--json")
    assert code == 0, err
    september = json.loads(out)
    kerinci = next(u for u in september["units"] if u["code"] == "1501")
    assert september["closed"] is True and kerinci["percent"] == 100
    assert {i["code"]: (i["status"], i["version"]) for i in kerinci["items"]} == {
        "KPG-01": ("disetujui", 1),
        "KPG-02": ("disetujui", 1),
        "KEU-01": ("tidak_ada_kegiatan", 1),
    }
    code, out, _ = run(capsys, "status", "--period", "2026-09")
    assert code == 0 and "KPU Kabupaten Kerinci" in out
    # October's delivery is in its history
    code, out, _ = run(capsys, "audit", "--period", "2026-10")
    assert code == 0
    assert "item_dikirim | Budi Santoso | 1501 | KPG-01 | v1 | berkas=1" in out
    code, out, _ = run(capsys, "init")
    assert code == 0 and out.splitlines()[0] == f"Basis data sudah versi terbaru ({head})."


def _newer_release(engine: Engine) -> None:
    assert FUTURE not in migrate.known_revisions()
    migrate.upgrade(engine)
    with engine.begin() as db:
        db.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": FUTURE})


def test_a_newer_releases_database_is_refused_and_left_alone(
    database_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`init`, both starts and the other commands refuse it before anything else happens; the
    bot never reaches Telegram or WhatsApp, and nothing in the database changes."""
    import handlers.app
    import whatsapp.app

    def no_network(*_: object) -> None:
        raise AssertionError("the channel was built: the start went on")

    monkeypatch.setattr(handlers.app, "build_application", no_network)
    monkeypatch.setattr(whatsapp.app, "build_whatsapp", no_network)
    _newer_release(engine)
    before = counts(engine)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    for name in ("WHATSAPP_PHONE_ID", "WHATSAPP_TOKEN", "WHATSAPP_APP_SECRET"):
        monkeypatch.setenv(name, "nilai-uji")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "token-verifikasi")
    for command in (
        ["init"],
        ["run"],
        ["run-whatsapp"],
        ["status"],
        ["users"],
        ["audit", "--period", "2026-10"],
    ):
        code, out, err = run(capsys, *command)
        assert (code, out, err.strip()) == (2, "", NEWER), command
    # the training clock reads the schema first: refused the same way
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02T07:00:00+07:00")
    code, _, err = run(capsys, "status")
    assert (code, err.strip()) == (2, NEWER)
    assert migrate.current_revision(engine) == FUTURE
    assert counts(engine) == before


def test_upgrade_refuses_an_unknown_revision_before_touching_anything(engine: Engine) -> None:
    _newer_release(engine)
    with pytest.raises(migrate.NewerSchema) as refused:
        migrate.upgrade(engine)
    assert refused.value.revision == FUTURE
    with pytest.raises(migrate.NewerSchema):
        migrate.check(engine)
    assert migrate.current_revision(engine) == FUTURE


@pytest.mark.parametrize("start", [None, PREVIOUS_RELEASE])
def test_a_migration_failing_half_way_leaves_the_database_as_it_was(
    start: str | None, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh install, or the previous release's database, whose upgrade fails after some of
    its tables or columns were made: nothing of it stays, so the next start migrates from where
    it was (on SQLite too, whose driver would commit each CREATE and ALTER at once)."""
    from alembic import op

    def full(*_: object, **__: object) -> None:
        raise RuntimeError("the disk is full")

    if start is None:  # the first migration makes its tables, then their indexes
        monkeypatch.setattr(op, "create_index", full)
    else:  # 0013 adds its columns (rebuilding tables on SQLite), then makes a new table
        previous_release(engine)
        monkeypatch.setattr(op, "create_table", full)
    before = counts(engine) if start else None
    with pytest.raises(RuntimeError, match="the disk is full"):
        migrate.upgrade(engine)
    monkeypatch.undo()
    assert migrate.current_revision(engine) == start
    with engine.connect() as db:
        assert db.dialect.has_table(db, "card_type") is (start is not None)
        if start is not None:
            columns = {c["name"] for c in inspect(db).get_columns("checklist_item")}
            assert "form" not in columns and counts(engine) == before
    assert migrate.upgrade(engine) == migrate.Upgraded(start, migrate.head_revision())
