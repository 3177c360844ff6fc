"""`spip-bot person`: the server's operator lists people, ends and gives back access, moves
and replaces people (issue 19), on SQLite and PostgreSQL, as typed at the server."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatbot import cli
from chatbot.app import Core, build_core
from chatbot.config import load_settings
from chatbot.domain.calendar import Period
from chatbot.domain.events import EventKind
from chatbot.services.ports import EvidenceFile
from tests.support.db import BACKENDS, schema_url

OCTOBER = Period(2026, 10)


@pytest.fixture(params=BACKENDS)
def env(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "spip_jambi_bot")
    if request.param == "sqlite":
        yield tmp_path
        return
    with schema_url("spip_cli") as url:
        monkeypatch.setenv("DATABASE_URL", url)
        yield tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def join(core: Core, unit: str, role: str, name: str, telegram_id: int) -> int:
    reg = core.services.registration
    code = reg.create_invite(unit, role, name).code
    return reg.redeem(code, telegram_id, telegram_id, name).person.id


def test_people_come_and_go_at_the_command_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "init")[0] == 0
    core = build_core(load_settings())
    ketua = join(core, "15", "ketua", "Ketua Provinsi", 7001)
    budi = join(core, "1501", "satgas_kabkota", "Budi Kerinci", 7002)
    citra = join(core, "1501", "satgas_kabkota", "Citra Kerinci", 7003)
    core.services.submission.open_period(OCTOBER)
    stored = core.evidence.put_bytes(b"%PDF-1.4 neraca")
    with core.uow() as uow:  # a file Budi received and has not sent yet
        draft = EvidenceFile(stored.sha256, "Neraca.pdf", "application/pdf", stored.size)
        uow.drafts.put(budi, OCTOBER, "PEG-02", [draft], core.clock())
        uow.commit()

    code, out, _ = run(capsys, "person", "list")
    assert code == 0
    line = next(x for x in out.splitlines() if "Budi Kerinci" in x)
    assert "1501" in line and "satgas_kabkota" in line and "aktif" in line
    assert "[Telegram; aktivitas terakhir " in line
    code, out, _ = run(capsys, "users")  # the same list
    assert code == 0 and "Citra Kerinci" in out

    # the only Ketua: refused, said why, done only with --ya
    code, _, err = run(capsys, "person", "deactivate", str(ketua))
    assert code == 2
    assert "tidak ada lagi yang memegang peran Ketua" in err
    assert "Ulangi dengan --ya" in err
    code, out, _ = run(capsys, "person", "deactivate", str(ketua), "--ya")
    assert code == 0 and "! Peran Ketua kini tidak dipegang siapa pun." in out

    # Budi leaves: his draft goes to Citra, who holds the role in Kerinci
    code, out, _ = run(capsys, "person", "deactivate", str(budi))
    assert code == 0, out
    assert out.startswith(
        "Akses Budi Kerinci (Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Kerinci) telah diakhiri."
    )
    assert (
        "Draf PEG-02 Rekapitulasi daftar hadir pegawai (absensi) (Oktober 2026) dialihkan "
        "kepada Citra Kerinci."
    ) in out
    with core.uow() as uow:
        assert [f.file_name for f in uow.drafts.get(citra, OCTOBER, "PEG-02")] == ["Neraca.pdf"]
        assert uow.drafts.of_person(budi, OCTOBER) == {}
    code, _, err = run(capsys, "person", "deactivate", str(budi))
    assert code == 2 and err.strip() == "Galat: Budi Kerinci sudah nonaktif."

    # Citra moves to Merangin; Kerinci has no satgas left, so it is confirmed
    code, _, err = run(
        capsys, "person", "move", str(citra), "--unit", "1502", "--role", "satgas_kabkota"
    )
    assert code == 2 and "Satgas SPIP KPU Kabupaten/Kota di KPU Kabupaten Kerinci" in err
    code, _, err = run(capsys, "person", "move", str(citra), "--unit", "1502", "--role", "ketua")
    assert code == 1 and "peran tidak sesuai dengan jenis unit: ketua / 1502" in err
    code, out, _ = run(
        capsys, "person", "move", str(citra), "--unit", "1502", "--role", "satgas_kabkota", "--ya"
    )
    assert code == 0 and out.startswith(
        "Citra Kerinci kini Satgas SPIP KPU Kabupaten/Kota, KPU Kabupaten Merangin"
    )

    # Budi comes back; then Dedi replaces him, and inherits Budi's roles
    code, out, _ = run(capsys, "person", "reactivate", str(budi))
    assert code == 0 and "telah aktif kembali" in out
    dedi = join(core, "1501", "satgas_kabkota", "Dedi Kerinci", 7004)
    code, out, _ = run(capsys, "person", "replace", str(budi), "--with", str(citra))
    assert code == 2 and "Pengganti harus berada di unit yang sama" in out + _
    code, out, _ = run(capsys, "person", "replace", str(budi), "--with", str(dedi))
    assert code == 0 and out.startswith("Dedi Kerinci kini menggantikan Budi Kerinci")

    code, out, _ = run(capsys, "person", "history", str(budi))
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == f"Riwayat perubahan Budi Kerinci (ID {budi}):"
    by = f"pengelola server {getpass.getuser()}"  # the account that ran the command
    assert [x.split(": ", 1)[1] for x in lines[1:]] == [
        f"akses pengguna diakhiri; pekerjaannya dialihkan kepada Citra Kerinci (dicatat oleh {by})",
        f"akses pengguna diaktifkan kembali (dicatat oleh {by})",
        f"digantikan oleh Dedi Kerinci (dicatat oleh {by})",
    ]
    code, out, _ = run(capsys, "person", "history", str(dedi))
    assert out.strip().splitlines()[1].endswith(f": menggantikan Budi Kerinci (dicatat oleh {by})")
    kinds = [e.kind for e in core.services.staffing.history(citra)]
    assert kinds == [EventKind.ANGGOTA_DIPINDAHKAN]
    code, _, err = run(capsys, "person", "reactivate", "999")
    assert code == 1 and "pengguna dengan ID 999 tidak ada" in err
