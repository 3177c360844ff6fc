"""The services one channel needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from chatbot.export.preview import Previews
from chatbot.services.calendar import CalendarSource
from chatbot.services.card import CardService
from chatbot.services.delegation import DelegationService
from chatbot.services.health import HealthService
from chatbot.services.history import HistoryService
from chatbot.services.outbox import OutboxService
from chatbot.services.ports import FileStore
from chatbot.services.recap import RecapService
from chatbot.services.registration import RegistrationService
from chatbot.services.reminders import ReminderService
from chatbot.services.review import ReviewService
from chatbot.services.scorecard import ScorecardService
from chatbot.services.staffing import StaffingService
from chatbot.services.status import StatusService
from chatbot.services.submission import SubmissionService
from chatbot.workers import Workers


@dataclass(frozen=True, slots=True)
class Services:
    registration: RegistrationService
    outbox: OutboxService
    submission: SubmissionService
    review: ReviewService
    card: CardService
    history: HistoryService
    delegation: DelegationService
    status: StatusService
    recap: RecapService
    reminders: ReminderService
    scorecard: ScorecardService
    staffing: StaffingService  # people who come and go
    calendar: CalendarSource
    timezone: ZoneInfo
    files: FileStore
    previews: Previews  # first pages of PDFs, for the reviewer's desk
    workers: Workers  # heavy work (PDFs, workbooks, packages) in bounded worker threads
    health: HealthService  # `spip-bot doctor`, the health URL, the admins' alerts
    conversation_timeout: timedelta = timedelta(minutes=30)
    # whether an exception is the database failing for a while (storage knows which)
    is_outage: Callable[[BaseException | None], bool] = lambda _: False
    whatsapp: bool = False  # the WhatsApp channel is set up (invites say how to join there)
