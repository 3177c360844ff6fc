"""Which channel reaches a person: the preferred one while open, else any open one."""

from __future__ import annotations

import itertools

import pytest

from chatbot.domain.channels import Channel, Reach, route

TG, WA = Channel.TELEGRAM, Channel.WHATSAPP


@pytest.mark.parametrize(
    ("reach", "expected"),
    [
        (Reach(telegram=True), TG),
        (Reach(whatsapp=True), WA),
        (Reach(telegram=True, whatsapp=True), TG),  # joined on Telegram, WhatsApp not chosen
        (Reach(telegram=True, whatsapp=True, preferred=WA), WA),
        (Reach(telegram=True, whatsapp=True, telegram_blocked=True), WA),
        (Reach(telegram=True, whatsapp=True, preferred=WA, whatsapp_blocked=True), TG),
        (Reach(telegram=True, telegram_blocked=True), None),
        (Reach(whatsapp=True, whatsapp_blocked=True, preferred=WA), None),
        (Reach(), None),
    ],
)
def test_route(reach: Reach, expected: Channel | None) -> None:
    assert route(reach) is expected


def test_route_never_picks_a_closed_channel() -> None:
    for flags in itertools.product([False, True], repeat=4):
        for preferred in (None, TG, WA):
            reach = Reach(*flags, preferred=preferred)
            chosen = route(reach)
            assert chosen is None or reach.open(chosen)
            assert (chosen is None) == (not reach.open(TG) and not reach.open(WA))
