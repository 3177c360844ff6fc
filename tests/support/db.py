"""Test databases: SQLite always; PostgreSQL too when DATABASE_URL_TEST is set.

SQLite: migrated once per session into a template file, copied per test.
PostgreSQL: migrated once per session into a schema of its own, truncated per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from storage import migrate
from storage.db import make_engine

PG_URL = os.environ.get("DATABASE_URL_TEST") or None
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


class SqliteTemplate:
    def __init__(self, folder: Path) -> None:
        self.path = folder / "template.db"
        engine = make_engine(f"sqlite:///{self.path}")
        migrate.upgrade(engine)
        engine.dispose()  # checkpoints the WAL into the main file

    def fresh(self, folder: Path) -> tuple[str, Engine]:
        target = folder / "spip.db"
        shutil.copyfile(self.path, target)
        url = f"sqlite:///{target}"
        return url, make_engine(url)


class PostgresSchema:
    def __init__(self, url: str) -> None:
        self.url = url
        self.schema = f"spip_test_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        self.engine = self.make()
        migrate.upgrade(self.engine)

    def make(self) -> Engine:
        return make_engine(self.url, connect_args={"options": f"-csearch_path={self.schema}"})

    def fresh(self) -> Engine:
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with self.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        return self.engine

    def drop(self) -> None:
        self.engine.dispose()
        admin = make_engine(self.url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        admin.dispose()


@contextmanager
def schema_url(prefix: str) -> Iterator[str]:
    """A schema of its own on the PostgreSQL test server, as the URL a process is given
    (``search_path`` in the connection options); dropped with everything in it afterwards."""
    assert PG_URL is not None
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
