"""The training clock (``SPIP_CLOCK_START``): a chosen instant, then real time passes; kept in
the training database so every process shares one timeline; refused on a database that was
used with the real clock; and loudly logged."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from chatbot import cli
from chatbot.clock import SimulatedClock
from chatbot.config import load_settings
from storage import training
from storage.models import InviteRow, PeriodRow

START = datetime(2026, 11, 2, 0, 56, tzinfo=UTC)  # Monday 2 November 2026, 07:56 WIB


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("SPIP_", "TELEGRAM_")) or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SPIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "spip_jambi_bot")
    return tmp_path


def test_the_clock_starts_at_the_instant_then_runs_at_the_real_pace() -> None:
    real = [datetime(2030, 5, 17, 3, 0, tzinfo=UTC)]
    clock = SimulatedClock(START, real[0], real=lambda: real[0])
    assert clock() == START
    real[0] += timedelta(minutes=90, seconds=5)
    assert clock() == START + timedelta(minutes=90, seconds=5)
    with pytest.raises(ValueError):
        SimulatedClock(datetime(2026, 11, 2), real[0])


def test_a_time_without_offset_is_read_in_the_office_time_zone(
    monkeypatch: pytest.MonkeyPatch, env: Path
) -> None:
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02 07:56")
    assert load_settings().spip_clock_start == START


def test_one_timeline_per_training_database(env: Path) -> None:
    (env / "data").mkdir()
    engine = create_engine(f"sqlite:///{env / 'data' / 'spip.db'}")
    first = datetime(2031, 1, 1, tzinfo=UTC)
    mark, new = training.training_mark(engine, START, first)
    assert new and mark == training.TrainingMark(START, first)
    # a second process (the CLI while the bot runs, a restart) goes on on the same timeline
    again, new = training.training_mark(engine, START, first + timedelta(hours=2))
    assert not new and again.anchor == first
    # a new start (the trainer jumps to the 10th) begins a new timeline
    tenth = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    moved, new = training.training_mark(engine, tenth, first + timedelta(hours=3))
    assert new and moved == training.TrainingMark(tenth, first + timedelta(hours=3))
    assert training.read_mark(engine) == moved


def test_the_cli_runs_as_of_the_training_instant_and_says_so(
    env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02T07:56:00+07:00")
    with caplog.at_level(logging.WARNING):
        assert cli.main(["init"]) == 0
        assert cli.main(["invite", "--unit", "1501", "--role", "satgas_kabkota"]) == 0
        assert cli.main(["period", "open", "2026-10"]) == 0
    assert "JAM LATIHAN, BUKAN JAM SEBENARNYA" in caplog.text
    engine = create_engine(f"sqlite:///{env / 'data' / 'spip.db'}")
    with Session(engine) as session:
        [invite] = session.exec(select(InviteRow)).all()
        [period] = session.exec(select(PeriodRow)).all()
    for at in (invite.created_at, period.opened_at):
        assert START <= at < START + timedelta(minutes=5)
    assert invite.expires_at - invite.created_at == timedelta(days=7)  # 5 working days


def test_a_database_used_with_the_real_clock_refuses_the_training_clock(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["init"]) == 0
    assert cli.main(["period", "open", "2026-10", "--ya"]) == 0  # whatever today is
    capsys.readouterr()
    monkeypatch.setenv("SPIP_CLOCK_START", "2026-11-02T07:56:00+07:00")
    assert cli.main(["status"]) == 2
    err = capsys.readouterr().err
    assert "SPIP_CLOCK_START hanya untuk basis data latihan" in err
