"""Evidence checked when it arrives: what a file's own content says against the delivery it
is part of. Findings never block a delivery (an unreadable PDF is refused before, at
receipt); each is a sentence in the confirmation and a line on the reviewer's desk, and is
recorded with the submission. BPK found KPU travel claims submitted twice and evidence "tidak
sesuai kondisi senyatanya"; blank templates pass as evidence on dashboards that do not look."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from chatbot.domain.calendar import Period


class FindingKind(StrEnum):
    SAMA = "sama"  # the same content was delivered before (another item, month or unit)
    KOSONG = "kosong"  # no text and a blank first page: an empty scan
    TEMPLAT = "templat"  # identical to a blank form the admin registered
    BULAN = "bulan"  # the text names another month than the period's


@dataclass(frozen=True, slots=True)
class Finding:
    kind: FindingKind
    file_name: str
    unit: str = ""  # SAMA: the unit that delivered it (its name)
    item: str = ""  # SAMA: the item code; TEMPLAT: the form's name
    period: str = ""  # SAMA: that delivery's period (YYYY-MM); BULAN: the month named
    version: int = 0  # SAMA: that delivery's version
    same_item: bool = False  # SAMA: an earlier version of this very item
    returned: bool = False  # SAMA: that version was returned, and is sent again unchanged
    item_name: str = ""  # SAMA: the item's name
    photo: bool = False  # KOSONG: a photo, not a PDF

    def data(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", 0, False)}

    @classmethod
    def of(cls, data: dict[str, Any]) -> Finding:
        return cls(**{**data, "kind": FindingKind(data["kind"])})


MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "agus": 8, "september": 9, "sep": 9,
    "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11, "nopember": 11,
    "nop": 11, "desember": 12, "des": 12,
}  # fmt: skip
_MONTH = re.compile(
    r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+(?:tahun\s+)?(20\d\d)\b",
    re.IGNORECASE,
)


def months_named(text: str) -> Counter[Period]:
    """How often the text names each month with its year ("Oktober 2026", "Sept. 2026",
    "bulan September tahun 2026")."""
    return Counter(Period(int(y), MONTHS[m.lower()]) for m, y in _MONTH.findall(text))


def other_month(text: str, period: Period) -> Period | None:
    """The month a document is about when it is not ``period``: the month it names most, when
    named more often than ``period``. The month after the period is left out: a report on
    October is written and signed in November ("Jambi, 5 November 2026")."""
    named = months_named(text)
    others = [(n, p) for p, n in named.items() if p not in (period, period.shifted(1))]
    if not others:
        return None
    count, most = max(others, key=lambda pair: (pair[0], pair[1]))
    return most if count > named.get(period, 0) else None
