from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatbot.domain import invites
from chatbot.domain.errors import InviteExpired, InviteInvalid, InviteUsed
from chatbot.domain.roles import Role


def test_code_typed_with_spaces_hyphens_and_lower_case_is_the_same_code() -> None:
    code = invites.new_code()
    shown = invites.display(code)
    assert "-" in shown
    typed = " " + shown.lower().replace("-", " - ") + " "
    assert invites.normalize(typed) == code
    assert invites.code_hash(typed) == invites.code_hash(code)


@given(st.text(max_size=30))
def test_normalize_accepts_only_well_formed_codes(text: str) -> None:
    try:
        code = invites.normalize(text)
    except InviteInvalid:
        return
    assert len(code) == invites.CODE_LENGTH and set(code) <= set(invites.ALPHABET)


@pytest.mark.parametrize("text", ["", "ABC", "ABCDEFGHJ0", "ABCDEFGHJKL", "IIIIIIIIII"])
def test_malformed_codes_are_refused(text: str) -> None:
    with pytest.raises(InviteInvalid):
        invites.normalize(text)


def test_codes_are_random_and_hashes_differ() -> None:
    codes = {invites.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert len({invites.code_hash(c) for c in codes}) == 200


def test_used_and_expired_invites_cannot_be_redeemed() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    fresh = invites.Invite(1, "1501", Role.SATGAS_KABKOTA, None, now + timedelta(hours=1), None)
    fresh.check_redeemable(now)
    with pytest.raises(InviteExpired):
        fresh.check_redeemable(now + timedelta(hours=1))
    used = invites.Invite(1, "1501", Role.SATGAS_KABKOTA, None, now + timedelta(hours=1), now)
    with pytest.raises(InviteUsed):
        used.check_redeemable(now)
