"""The channels a person is reached on, and the one rule for which channel a notice takes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class Reach:
    """Per channel: does the person have an address there, and have they blocked the bot
    there (a channel's refusal, cleared when the person writes on it again)."""

    telegram: bool = False  # a Telegram chat with the bot
    whatsapp: bool = False  # a WhatsApp account
    telegram_blocked: bool = False
    whatsapp_blocked: bool = False
    preferred: Channel | None = None  # chosen by the person (``notifikasi``) or at linking

    def open(self, channel: Channel) -> bool:
        if channel is Channel.TELEGRAM:
            return self.telegram and not self.telegram_blocked
        return self.whatsapp and not self.whatsapp_blocked


def route(reach: Reach) -> Channel | None:
    """The channel that reaches the person now: the preferred one while it is open, else
    any open one (Telegram first, the channel people join on); None when none is open."""
    if reach.preferred is not None and reach.open(reach.preferred):
        return reach.preferred
    return next((c for c in (Channel.TELEGRAM, Channel.WHATSAPP) if reach.open(c)), None)
