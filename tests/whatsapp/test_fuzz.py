"""A fuzz of WhatsApp updates (hypothesis) posted, signed, to the real webhook: random texts,
command words, taps with button data of every namespace and hostile tails, documents with odd
names and types (some whose media cannot be fetched), from a regency, the satgas, the Ketua and
a stranger. After each: the webhook answered 200, no ERROR was logged, and the person who wrote
got an answer."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatbot.app import Core
from chatbot.domain.calendar import Period
from tests.handlers.test_fuzz import EDGES
from tests.support.fake_graph_api import (
    FakeGraphApi,
    choice_update,
    document_update,
    text_update,
)
from tests.support.pdf import real_pdf
from tests.whatsapp.conftest import BUDI, post

SARI, KETUA, STRANGER = "6281100000031", "6281100000061", "6289999999999"
PEOPLE = [BUDI, BUDI, SARI, SARI, KETUA, STRANGER]
EXAMPLES = 12  # × 100 updates
WORDS = [
    "kirim",
    "/kirim",
    "batal",
    "status",
    "status 2026-13",
    "antrian",
    "rekap",
    "rekap 1999-01",
    "bantuan",
    "menu",
    "notifikasi",
    "ABCDE-FGH23",
    "ya",
]
PREFIXES = [
    "rv:ok:",
    "rv:no:",
    "kc:ok:",
    "kc:no:",
    "kc:ok:2026-10:",
    "aq:t:",
    "kr:pg:",
    "kr:i:",
    "kr:i:KEU-01",
    "kr:i:KARTU_PROV",
    "kr:f",
    "kr:d",
    "kr:c",
    "kr:x",
    "kr:e",
    "kr:s",
    "kr:k",
    "kr:h",
    "kr:hy",
    "rt:y",
    "rt:n",
    "mn:kirim",
    "mn:antrian",
    "mn:status",
    "zz:",
]
TAILS = st.one_of(
    st.tuples(st.one_of(st.integers(0, 30), EDGES), st.one_of(st.integers(0, 3), EDGES)).map(
        lambda ids: f"{ids[0]}:{ids[1]}"
    ),
    st.one_of(st.integers(0, 30), EDGES).map(str),
    st.just(""),
    st.text(max_size=20),
)


@st.composite
def updates(draw: st.DrawFn) -> tuple[str, str, Any]:
    who = draw(st.sampled_from(PEOPLE))
    kind = draw(st.sampled_from(["text", "word", "choice", "choice", "document"]))
    if kind == "text":
        return kind, who, draw(st.text(max_size=300))
    if kind == "word":
        return kind, who, draw(st.sampled_from(WORDS))
    if kind == "choice":
        decisions = st.sampled_from(["rv:ok:", "rv:no:", "kc:ok:", "kc:no:", "aq:t:"])
        return kind, who, draw(st.one_of(decisions, st.sampled_from(PREFIXES))) + draw(TAILS)
    name = draw(st.one_of(st.sampled_from(["lra.pdf", "a.exe", ""]), st.text(max_size=200)))
    mime = draw(st.sampled_from(["application/pdf", "image/jpeg", "application/x-dosexec"]))
    return kind, who, (name, mime, draw(st.booleans()))


@pytest.fixture
def people(core: Core) -> None:
    """Joined through the bot's own service (the webhook's join is tested elsewhere)."""
    reg = core.services.registration
    for who, unit, role in ((BUDI, "1501", "satgas_kabkota"), (SARI, "15", "satgas_prov")):
        reg.redeem_whatsapp(reg.create_invite(unit, role).code, who, who)
    reg.redeem_whatsapp(reg.create_invite("15", "ketua").code, KETUA, "Ketua")
    core.services.submission.open_period(Period(2026, 10))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(updates(), min_size=100, max_size=100))
async def test_a_thousand_random_whatsapp_updates(
    batch: list[tuple[str, str, Any]],
    webhook: TestClient[Any, Any],
    graph: FakeGraphApi,
    core: Core,
    people: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for n, (kind, who, payload) in enumerate(batch):
        caplog.clear()
        before = len(graph.sent)
        if kind in ("text", "word"):
            update = text_update(who, "Orang", payload)
        elif kind == "choice":
            update = choice_update(who, "Orang", payload)
        else:
            name, mime, fetchable = payload
            media = f"media-fuzz-{n}-{len(graph.sent)}"
            if fetchable:
                graph.media[media] = (real_pdf(note="fuzz"), mime)
            update = document_update(who, "Orang", media, name, mime)
        assert await post(webhook, update) == 200
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], (kind, who, payload, errors[0].getMessage())
        answers = [p for p in graph.sent[before:] if str(p["to"]) == who]
        assert answers, (kind, who, payload)


async def test_odd_choices_and_a_long_message_id_are_answered(
    webhook: TestClient[Any, Any],
    graph: FakeGraphApi,
    core: Core,
    people: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    for data in ("aq:t:abc", "aq:t:1:x", "kr:pg:x", "kr:pg:99999999999", "rv:ok:2147483648:1"):
        before = len(graph.sent)
        assert await post(webhook, choice_update(SARI, "Sari", data)) == 200
        assert [p for p in graph.sent[before:] if str(p["to"]) == SARI], data
    long_id = "wamid." + "A" * 300  # over the column's 160 characters
    before = len(graph.sent)
    assert await post(webhook, text_update(BUDI, "Budi", "status", message_id=long_id)) == 200
    assert await post(webhook, text_update(BUDI, "Budi", "status", message_id=long_id)) == 200
    assert len([p for p in graph.sent[before:] if str(p["to"]) == BUDI]) == 1  # replay ignored
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
