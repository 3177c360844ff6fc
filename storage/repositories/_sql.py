"""What the repositories' writes share: ``INSERT … ON CONFLICT`` in the connection's dialect.

SQLite and PostgreSQL both have it, and it lets a "write unless it is there already" be one
statement instead of a read, a savepoint, the insert and its release (each a round trip and
SQLAlchemy's building of it, on the steps people take most)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Insert, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import EvidenceFileRow


def insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` (a table row class or its ``Table``) that can say what to do
    on a conflict; what the session wrote but has not sent yet goes first, in order."""
    session.flush()
    return dialect_insert(session.get_bind().dialect.name, table)


def dialect_insert(dialect: str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An ``INSERT`` into ``table`` that can say what to do on a conflict, in ``dialect``
    (for a statement built once per dialect)."""
    target: Table = getattr(table, "__table__", table)
    if dialect == "postgresql":
        return postgresql.insert(target)
    return sqlite.insert(target)


def prebuilt_insert(table: Any, columns: tuple[str, ...]) -> Insert:
    """A plain ``INSERT`` of ``columns``, built once at import (each row binds ``p_<column>``,
    of the column's own type): an ORM object added instead costs the session's bookkeeping and
    SQLAlchemy's building of the statement at each flush, several times the insert itself."""
    target: Table = getattr(table, "__table__", table)
    return target.insert().values({c: bindparam(f"p_{c}", type_=target.c[c].type) for c in columns})


def unsynchronized(statement: Any) -> Any:
    """An ORM-enabled ``UPDATE`` built once with ``bindparam``s, run without bringing the
    objects this session holds up to date: SQLAlchemy's evaluator reads a bound parameter as
    its value at build time (None), so it would match and change the wrong objects. Used where
    none of the session's objects of that table is read after the update."""
    return statement.execution_options(synchronize_session=False)


def bound(**values: Any) -> dict[str, Any]:
    """The values of a ``prebuilt_insert``, by column."""
    return {f"p_{k}": v for k, v in values.items()}


def known_file(session: Session, sha256: str, size: int, now: datetime) -> None:
    """The content ``sha256`` is recorded (``evidence_file``), the first sighting kept."""
    session.flush()
    session.execute(
        _known_file(session.get_bind().dialect.name),
        {"p_sha256": sha256, "p_size": size, "p_now": now},
    )


@functools.cache
def _known_file(dialect: str) -> Executable:
    table = EvidenceFileRow.__table__  # type: ignore[attr-defined]
    return (
        dialect_insert(dialect, table)
        .values(
            sha256=bindparam("p_sha256"),
            size=bindparam("p_size"),
            first_seen_at=bindparam("p_now", type_=table.c.first_seen_at.type),
        )
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
