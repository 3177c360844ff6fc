"""The scorecard (rapor) of a generated year (the benchmark's generator, smaller) against
figures computed here straight from what was generated: tepat waktu, lengkap and sesuai per
unit and month, per quarter and per year; and who may see which units."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from bench.scorecard import Generated, generate_months
from chatbot.app import Core
from chatbot.domain.calendar import Period
from chatbot.domain.scorecard import quarter_of
from chatbot.domain.workflow import UNIT_CARD_ITEM

YEAR = 2026
COMPLETE = ("disetujui", "tidak_ada_kegiatan")


def expected(rows: list[Generated]) -> dict[tuple[Period, str], tuple[bool, bool, int, int]]:
    """(on time, complete, accepted without a return, required) per month and unit."""
    by: dict[tuple[Period, str], list[Generated]] = defaultdict(list)
    for row in rows:
        by[(row.period, row.unit_code)].append(row)
    figures = {}
    for (period, unit), items in by.items():
        report = period.shifted(1)

        def due(code: str, report: Period = report) -> date:
            return date(report.year, report.month, 15 if code == UNIT_CARD_ITEM else 10)

        on_time = all(
            r.delivered_on is not None and r.delivered_on <= due(r.item_code) for r in items
        )
        complete = all(r.status in COMPLETE for r in items)
        evidence = [r for r in items if r.item_code != UNIT_CARD_ITEM]
        first_time = sum(r.status in COMPLETE and not r.returned for r in evidence)
        figures[(period, unit)] = (on_time, complete, first_time, len(evidence))
    return figures


def test_the_years_scorecard_matches_the_record(core: Core) -> None:
    months = [Period(YEAR, m) for m in range(1, 13)]
    cal = core.services.calendar()
    assert {cal.schedule(p).submission_deadline.day for p in months} == {10}  # the premise
    rows = generate_months(core, months, seed=3)
    want = expected(rows)
    card = core.services.scorecard.year(YEAR)
    assert card.months == tuple(months) and not card.running
    assert len(card.units) == 15  # every unit owes something (the province its pleno)
    seen = 0
    for entry in card.units:
        for period, score in entry.months.items():
            on_time, complete, first_time, required = want[(period, entry.unit.code)]
            assert (score.on_time, score.complete, score.accepted_first_time, score.required) == (
                on_time,
                complete,
                first_time,
                required,
            ), (period, entry.unit.code)
            seen += 1
        for q, summary in entry.quarters.items():
            mine = [want[(p, entry.unit.code)] for p in months if quarter_of(p) == q]
            assert summary.months == 3
            assert summary.on_time == sum(m[0] for m in mine)
            assert summary.complete == sum(m[1] for m in mine)
            assert summary.correct == pytest.approx(
                sum(m[2] for m in mine) / sum(m[3] for m in mine)
            )
        year = [want[(p, entry.unit.code)] for p in months]
        assert entry.year.on_time == sum(m[0] for m in year)
        assert entry.year.correct == pytest.approx(
            sum(m[2] for m in year) / sum(m[3] for m in year)
        )
    assert seen == len(want) == 15 * 12
    # a signed card sent from the 11th to the 15th is on time (its own deadline): such months
    # exist in the generated year and are scored on time
    card_late_evidence_in_time = [
        (r.period, r.unit_code)
        for r in rows
        if r.item_code == UNIT_CARD_ITEM and r.delivered_on and 10 < r.delivered_on.day <= 15
    ]
    on_time_by_card = [key for key in card_late_evidence_in_time if want[key][0]]
    assert on_time_by_card
    for period, unit in on_time_by_card:
        entry = card.unit(unit)
        assert entry is not None and entry.months[period].on_time
    # the generator makes some months late and some incomplete: the figures are not trivial
    assert 0 < sum(m[0] for m in want.values()) < len(want)
    assert 0 < sum(m[1] for m in want.values()) < len(want)


def test_a_unit_sees_its_own_and_the_satgas_every_unit(core: Core) -> None:
    generate_months(core, [Period(YEAR, 9), Period(YEAR, 10)])
    reg = core.services.registration
    kerinci = reg.redeem(reg.create_invite("1501", "satgas_kabkota").code, 41, 41, "Budi").person
    satgas = reg.redeem(reg.create_invite("15", "satgas_prov").code, 31, 31, "Sari").person
    own = core.services.scorecard.for_person(kerinci, YEAR)
    assert [u.unit.code for u in own.units] == ["1501"]
    assert len(core.services.scorecard.for_person(satgas, YEAR).units) == 15
    ketua = reg.redeem(reg.create_invite("15", "ketua").code, 61, 61, "Ketua").person
    assert len(core.services.scorecard.for_person(ketua, YEAR).units) == 15
