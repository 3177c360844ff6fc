"""Create or upgrade the database schema with Alembic (no alembic.ini needed).

Alembic is loaded only when a migration runs (or a tool asks it): a bot starting on a schema
at this code's head, and its health checks, read the revisions from the migrations' file names
(``0014_audit_indexes.py`` is revision ``0014``, each after the one before; a test holds
Alembic's own view to it) and the database's from ``alembic_version``. Alembic's modules cost
each bot process 11 MB that it would carry for nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"


class NewerSchema(Exception):
    """The database is at a revision this code does not know: a newer release migrated it.
    Nothing was changed; running this older code on it could lose or garble data."""

    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


@dataclass(frozen=True, slots=True)
class Upgraded:
    """What an upgrade did: the revision before (None: the database was empty) and after."""

    before: str | None
    after: str | None

    @property
    def created(self) -> bool:
        return self.before is None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def scripts() -> ScriptDirectory:
    """Alembic's view of the migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def known_revisions() -> set[str]:
    """This code's revisions, from the migrations' file names (without loading Alembic)."""
    return {
        path.name.split("_", 1)[0]
        for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    }


def _revision_of(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(found) > 1:  # branches: never made here; Alembic refused them too
        raise RuntimeError(f"{VERSION_TABLE} holds several revisions: {sorted(found)}")
    return str(found[0]) if found else None


def _refuse_unknown(revision: str | None) -> None:
    if revision is not None and revision not in known_revisions():
        raise NewerSchema(revision)


@contextmanager
def _one_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection whose work is one transaction, DDL included. PostgreSQL's DDL is
    transactional as it is. SQLite's is too, but Python's driver opens a transaction only before
    INSERT, UPDATE or DELETE, so each CREATE or ALTER before those would be committed at once
    and a migration failing half-way would leave half a schema (and fail again on the next
    start): here the driver leaves transactions alone and BEGIN IMMEDIATE ... COMMIT holds all."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        legacy = driver.isolation_level
        driver.isolation_level = None
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
        finally:
            driver.isolation_level = legacy


LOCK_KEY = 0x5F1B_0001  # the advisory lock of spip-bot's migrations (PostgreSQL)


def upgrade(engine: Engine, revision: str = "head") -> Upgraded:
    """Migrate to ``revision`` in one transaction: a migration that fails leaves the database
    as it was. Refuses (NewerSchema, before touching anything) a database whose revision this
    code does not know."""
    with _one_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":  # two processes starting at once: the
            # second waits here, then finds the schema migrated (SQLite's BEGIN IMMEDIATE
            # already holds the write lock)
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        before = _revision_of(connection)
        _refuse_unknown(before)
        if before is not None and before == (head_revision() if revision == "head" else revision):
            return Upgraded(before, before)  # at the head already: Alembic is not loaded
        from alembic import command

        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        after = _revision_of(connection)
    return Upgraded(before, after)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return _revision_of(connection)


def check(engine: Engine) -> str | None:
    """The database's revision (None: no schema yet); NewerSchema when this code does not
    know it."""
    revision = current_revision(engine)
    _refuse_unknown(revision)
    return revision


def head_revision() -> str | None:
    """This code's newest revision (the migrations are one line, ``0001`` to the newest)."""
    return max(known_revisions(), default=None)
