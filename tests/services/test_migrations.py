"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from chatbot.config import DATA
from chatbot.domain.calendar import Period
from chatbot.domain.channels import Channel
from chatbot.domain.checklist import load_catalogue
from chatbot.services.outbox import OutboxService, Outcome, SendResult
from chatbot.services.ports import Attachment, QueuedMessage
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWork
from tests.support.db import BACKENDS, PG_URL


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no schema yet) on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'lama.db'}")
        yield engine
        engine.dispose()
        return
    assert PG_URL is not None
    schema = f"spip_old_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_the_previous_release_upgrades_with_nothing_lost(empty_engine: Engine) -> None:
    """A database of the release before channel reach (revision 0009): its people keep their
    channels and their Telegram block, and a notice queued in the old shape goes out once,
    to the channel the new rule picks."""
    engine = empty_engine
    migrate.upgrade(engine, "0009")
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO unit (code, name, kind, position, active) VALUES "
                "('1501', 'KPU Kabupaten Kerinci', 'kabkota', 1, :yes)"
            ),
            {"yes": True},
        )
        db.execute(
            text(
                "INSERT INTO person (id, name, unit_code, telegram_user_id, telegram_chat_id, "
                "whatsapp_id, notify_via, active, blocked_at, created_at) VALUES "
                "(1, 'Budi', '1501', 41, 41, '6281200000001', 'telegram', :yes, :now, :now), "
                "(2, 'Ani', '1501', 42, 42, NULL, NULL, :yes, NULL, :now)"
            ),
            {"now": now, "yes": True},
        )
        db.execute(
            text(
                "INSERT INTO person_role (person_id, role) VALUES "
                "(1, 'satgas_kabkota'), (2, 'satgas_kabkota')"
            )
        )
        for person_id in (1, 2):
            db.execute(
                text(
                    "INSERT INTO outbox (person_id, text, buttons, attachments, attempts, "
                    "parts_sent, created_at, next_attempt_at) VALUES "
                    "(:p, 'Pemberitahuan lama.', '[]', '[]', 0, 0, :now, :now)"
                ),
                {"p": person_id, "now": now},
            )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    with uow() as u:
        budi, ani = u.people.get(1), u.people.get(2)
    assert budi is not None and ani is not None
    assert (budi.telegram_chat_id, budi.whatsapp_id, budi.notify_via) == (
        41,
        "6281200000001",
        Channel.TELEGRAM,
    )
    assert budi.telegram_blocked and not budi.whatsapp_blocked and not budi.blocked
    outbox = OutboxService(uow, lambda: now + timedelta(minutes=1))
    with uow() as u:
        telegram = u.outbox.due(now + timedelta(minutes=1), 10, "telegram")
        whatsapp = u.outbox.due(now + timedelta(minutes=1), 10, "whatsapp")
    assert [m.person_id for m in telegram] == [2]  # Budi blocked Telegram: WhatsApp reaches him
    assert [m.person_id for m in whatsapp] == [1] and whatsapp[0].text == "Pemberitahuan lama."
    sent: list[int] = []

    async def send(message: QueuedMessage, part: Attachment | None) -> SendResult:
        sent.append(message.person_id)
        return SendResult(Outcome.SENT)

    for channel in ("telegram", "whatsapp", "telegram", "whatsapp"):
        asyncio.run(outbox.drain(send, channel=channel))
    assert sorted(sent) == [1, 2]  # each once


def test_the_previous_release_keeps_what_its_closed_months_owed(empty_engine: Engine) -> None:
    """A database of the release before the eight cards (revision 0012), with a month handed
    over and one open: upgraded, the closed month keeps the checklist it was reported on
    whatever is loaded later; the open one takes the new list."""
    engine = empty_engine
    migrate.upgrade(engine, "0012")
    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO card_type (code, name, position, active) VALUES "
                "('KEU', 'Keuangan Negara dan Hibah', 0, :yes)"
            ),
            {"yes": True},
        )
        db.execute(
            text(
                "INSERT INTO checklist_item (code, name, card_type, owed_by, required, "
                "description, position, active) VALUES "
                "('KEU-01', 'Laporan realisasi anggaran (LRA)', 'KEU', 'kabkota', :yes, '', 0, "
                ":yes)"
            ),
            {"yes": True},
        )
        db.execute(
            text(
                "INSERT INTO period (code, opened_at, closed_at) VALUES "
                "('2026-09', :now, :now), ('2026-10', :now, NULL)"
            ),
            {"now": now},
        )
    migrate.upgrade(engine)
    uow = lambda: SqlUnitOfWork(engine)  # noqa: E731
    with uow() as u:
        u.catalogue.replace(load_catalogue(DATA / "checklist.toml"), now)
        u.commit()
    with uow() as u:
        september = u.catalogue.load(Period(2026, 9))
        october = u.catalogue.load(Period(2026, 10))
    assert [i.code for i in september.items] == ["KEU-01"]
    assert len(october.items) == 46 and october.items[0].code == "PEG-01"


def test_the_revisions_read_from_the_file_names_are_alembics() -> None:
    """The running bot reads this code's revisions from the migrations' names (Alembic is not
    loaded): they must be Alembic's own, one line from 0001 to the head."""
    scripts = migrate.scripts()
    assert migrate.known_revisions() == {s.revision for s in scripts.walk_revisions()}
    assert migrate.head_revision() == scripts.get_current_head()
    line = sorted(migrate.known_revisions())
    for before, after in zip([None, *line], line, strict=False):
        script = scripts.get_revision(after)
        assert script is not None and script.down_revision == before


def test_a_database_at_the_head_starts_without_alembic(empty_engine: Engine) -> None:
    """Created once (Alembic runs), then at every later start only read: the same revision,
    in a process that never loads Alembic's modules (11 MB of each bot's memory)."""
    created = migrate.upgrade(empty_engine)
    assert created.created and created.after == migrate.head_revision()
    url = empty_engine.url.render_as_string(hide_password=False)
    args = (
        {"connect_args": {"options": _search_path(empty_engine)}}
        if empty_engine.dialect.name == "postgresql"
        else {}
    )
    probe = (
        "import sys\n"
        "from storage import migrate\n"
        "from storage.db import make_engine\n"
        "from storage.repositories.health import schema_state\n"
        f"args = {args!r}\n"
        f"engine = make_engine({url!r}, **args)\n"
        "again = migrate.upgrade(engine)\n"
        "state = schema_state(engine)\n"
        "print(again.before, again.after, again.changed, state.current, state.known)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    head = migrate.head_revision()
    assert done.stdout.splitlines() == [f"{head} {head} False {head} True", "[]"]
    assert migrate.check(empty_engine) == head  # and Alembic's own reading agrees


def _search_path(engine: Engine) -> str:
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    return f"-csearch_path={schema}"
