"""Repositories over SQLModel tables. They speak domain objects, never rows, to the services."""

from __future__ import annotations

from storage.repositories.audit import SqlAudit
from storage.repositories.days_off import SqlDaysOff
from storage.repositories.delegations import SqlDelegations
from storage.repositories.drafts import SqlDrafts
from storage.repositories.health import SqlHealth
from storage.repositories.invites import SqlInvites
from storage.repositories.items import SqlItems
from storage.repositories.links import SqlInbound, SqlLinkCodes
from storage.repositories.outbox import SqlOutbox
from storage.repositories.people import SqlPeople
from storage.repositories.periods import SqlPeriods
from storage.repositories.placed import SqlPlaced, SqlReviewLog
from storage.repositories.reference import NO_CACHE, ReferenceCache, SqlCatalogue, SqlUnits
from storage.repositories.reminders import SqlReminderLog
from storage.repositories.templates import SqlTemplates

__all__ = [
    "NO_CACHE",
    "ReferenceCache",
    "SqlAudit",
    "SqlCatalogue",
    "SqlDaysOff",
    "SqlDelegations",
    "SqlDrafts",
    "SqlHealth",
    "SqlInbound",
    "SqlInvites",
    "SqlItems",
    "SqlLinkCodes",
    "SqlOutbox",
    "SqlPeople",
    "SqlPeriods",
    "SqlPlaced",
    "SqlReminderLog",
    "SqlReviewLog",
    "SqlTemplates",
    "SqlUnits",
]
