"""The scorecard Inspektorat KPU RI judges the monthly cards by: lengkap, sesuai, tepat waktu
(complete, correct, on time), per unit and month, then per quarter and year, with the trend.

- tepat waktu: every required item delivered by the submission deadline (the 10th), and the
  regency's signed card by its own (the 15th);
- lengkap: every required item accepted (100%), and when it became so;
- sesuai: the share of required items accepted without being returned once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from chatbot.domain.calendar import Period


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One item of one unit in one month, as the record has it."""

    item_code: str
    in_time: bool  # its first delivery still standing (not withdrawn) was by its deadline
    accepted: bool  # approved, or Nihil accepted
    returned: bool  # returned for revision at least once

    @staticmethod
    def missing(item_code: str) -> ItemFacts:
        return ItemFacts(item_code, False, False, False)


@dataclass(frozen=True, slots=True)
class MonthScore:
    unit_code: str
    period: Period
    required: int
    on_time: bool  # tepat waktu
    complete: bool  # lengkap
    complete_at: datetime | None
    accepted: int
    accepted_first_time: int  # accepted without a return

    @property
    def correct(self) -> float:
        """sesuai: accepted without a return over required (1.0 when nothing is owed)."""
        return 1.0 if self.required == 0 else self.accepted_first_time / self.required


def score_month(
    unit_code: str,
    period: Period,
    required: Sequence[str],
    facts: Mapping[str, ItemFacts],
    card: ItemFacts | None = None,
    last_accepted: datetime | None = None,
) -> MonthScore:
    """The month of one unit. Each item's ``in_time`` was judged against its own deadline (the
    evidence's submission deadline; the regency's signed card, ``card``, by the review
    deadline: SOP step 7). ``last_accepted``: when the last of its items was accepted."""
    owed = [facts.get(code) or ItemFacts.missing(code) for code in required]
    everything = owed if card is None else [*owed, card]
    accepted = [f for f in owed if f.accepted]
    complete = all(f.accepted for f in everything)
    return MonthScore(
        unit_code=unit_code,
        period=period,
        required=len(owed),
        on_time=all(f.in_time for f in everything),
        complete=complete,
        complete_at=last_accepted if complete else None,
        accepted=len(accepted),
        accepted_first_time=sum(1 for f in accepted if not f.returned),
    )


@dataclass(frozen=True, slots=True)
class Summary:
    """Several months of one unit (a quarter, a year): how many were on time and complete,
    and sesuai over all their required items."""

    unit_code: str
    months: int
    on_time: int
    complete: int
    required: int
    accepted_first_time: int

    @property
    def correct(self) -> float:
        return 1.0 if self.required == 0 else self.accepted_first_time / self.required

    @property
    def on_time_share(self) -> float:
        return 0.0 if self.months == 0 else self.on_time / self.months

    @property
    def complete_share(self) -> float:
        return 0.0 if self.months == 0 else self.complete / self.months

    @property
    def index(self) -> float:
        """One figure for a ranking: the mean of the three shares."""
        return (self.on_time_share + self.complete_share + self.correct) / 3


def summarise(unit_code: str, months: Iterable[MonthScore]) -> Summary:
    scores = list(months)
    return Summary(
        unit_code=unit_code,
        months=len(scores),
        on_time=sum(s.on_time for s in scores),
        complete=sum(s.complete for s in scores),
        required=sum(s.required for s in scores),
        accepted_first_time=sum(s.accepted_first_time for s in scores),
    )


ROMAN = ("I", "II", "III", "IV")


def quarter_of(period: Period) -> int:
    return (period.month - 1) // 3 + 1


def trend(previous: Summary | None, current: Summary) -> int:
    """+1 better, -1 worse, 0 the same or nothing to compare (by ``index``)."""
    if previous is None or previous.months == 0 or current.months == 0:
        return 0
    delta = current.index - previous.index
    return 0 if abs(delta) < 1e-9 else (1 if delta > 0 else -1)
