"""The services one channel needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chatbot.services.outbox import OutboxService
from chatbot.services.registration import RegistrationService


@dataclass(frozen=True, slots=True)
class Services:
    registration: RegistrationService
    outbox: OutboxService
    timezone: ZoneInfo
