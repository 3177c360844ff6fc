"""The unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Engine
from sqlmodel import Session

from storage.repositories import (
    NO_CACHE,
    ReferenceCache,
    SqlAudit,
    SqlCatalogue,
    SqlDaysOff,
    SqlDelegations,
    SqlDrafts,
    SqlHealth,
    SqlInbound,
    SqlInvites,
    SqlItems,
    SqlLinkCodes,
    SqlOutbox,
    SqlPeople,
    SqlPeriods,
    SqlPlaced,
    SqlReminderLog,
    SqlReviewLog,
    SqlTemplates,
    SqlUnits,
)


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()``. Leaving the block without commit rolls back."""

    def __init__(self, engine: Engine, reference: ReferenceCache = NO_CACHE) -> None:
        self._engine = engine
        self._reference = reference

    def __enter__(self) -> SqlUnitOfWork:
        self.session = Session(self._engine, expire_on_commit=False)
        self.units = SqlUnits(self.session, self._reference)
        self.catalogue = SqlCatalogue(self.session, self._reference)
        self.people = SqlPeople(self.session, self.units)
        self.invites = SqlInvites(self.session)
        self.audit = SqlAudit(self.session)
        self.outbox = SqlOutbox(self.session)
        self.days_off = SqlDaysOff(self.session)
        self.periods = SqlPeriods(self.session)
        self.items = SqlItems(self.session)
        self.delegations = SqlDelegations(self.session)
        self.reminders = SqlReminderLog(self.session)
        self.inbound = SqlInbound(self.session)
        self.link_codes = SqlLinkCodes(self.session)
        self.drafts = SqlDrafts(self.session)
        self.placed = SqlPlaced(self.session)
        self.reviews = SqlReviewLog(self.session)
        self.templates = SqlTemplates(self.session)
        self.health = SqlHealth(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
