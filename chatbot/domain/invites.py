"""One-time invite codes: made by an admin, redeemed once through ``/start <code>``.

Codes use an alphabet without look-alike characters, are shown grouped (``ABCD-EFGH``), accept
any case, spaces and hyphens when typed, and are stored only as a hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from chatbot.domain.errors import InviteExpired, InviteInvalid, InviteUsed
from chatbot.domain.roles import Role

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
CODE_LENGTH = 10  # 50 bits


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(text: str) -> str:
    """What the person typed or the deep link carried, reduced to the bare code."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        raise InviteInvalid("format")
    return cleaned


def looks_like_code(text: str) -> bool:
    """A message that is nothing but a code (spaces and hyphens aside)."""
    try:
        normalize(text)
    except InviteInvalid:
        return False
    return len(text) <= 2 * CODE_LENGTH


def link_hash(code: str) -> str:
    """Link codes share the invite codes' alphabet, in a hash namespace of their own."""
    return hashlib.sha256(f"spip-link:{normalize(code)}".encode()).hexdigest()


def display(code: str) -> str:
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def code_hash(code: str) -> str:
    return hashlib.sha256(f"spip-invite:{normalize(code)}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Invite:
    id: int
    unit_code: str
    role: Role
    name: str | None
    expires_at: datetime
    used_at: datetime | None

    def check_redeemable(self, now: datetime) -> None:
        if self.used_at is not None:
            raise InviteUsed()
        if now >= self.expires_at:
            raise InviteExpired()
