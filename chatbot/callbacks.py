"""Button data shared by the channels: short strings with ids and the version they were drawn
for (Telegram allows 64 bytes). Built and parsed here only."""

from __future__ import annotations

from dataclasses import dataclass

REVIEW_APPROVE = "rv:ok"
REVIEW_RETURN = "rv:no"


@dataclass(frozen=True, slots=True)
class ReviewChoice:
    approve: bool
    state_id: int
    version: int


def review(approve: bool, state_id: int, version: int) -> str:
    return f"{REVIEW_APPROVE if approve else REVIEW_RETURN}:{state_id}:{version}"


def parse_review(data: str) -> ReviewChoice | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "rv" or parts[1] not in ("ok", "no"):
        return None
    try:
        return ReviewChoice(parts[1] == "ok", int(parts[2]), int(parts[3]))
    except ValueError:
        return None


CARD_APPROVE = "kc:ok"
CARD_RETURN = "kc:no"


@dataclass(frozen=True, slots=True)
class CardChoice:
    approve: bool
    period: str
    version: int


def card(approve: bool, period: str, version: int) -> str:
    return f"{CARD_APPROVE if approve else CARD_RETURN}:{period}:{version}"


def parse_card(data: str) -> CardChoice | None:
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != "kc" or parts[1] not in ("ok", "no"):
        return None
    try:
        return CardChoice(parts[1] == "ok", parts[2], int(parts[3]))
    except ValueError:
        return None
