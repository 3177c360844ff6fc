"""Leave cover as people say it: who covers whom in which role, from when until when. The
typed form ``wakil Hendra sekretaris Sekar 12-11-2026 14-11-2026`` (names or ids, a role by
its code or a short word, dates as dd-mm-yyyy or ISO) and the presets offered as buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chatbot.domain.people import Person
from chatbot.domain.roles import PROVINCIAL_ROLES, Role
from chatbot.domain.units import UnitKind

COVERABLE_ROLES = PROVINCIAL_ROLES  # the chain and the provincial satgas
# who may cover: people of the provincial secretariat (its own unit and its departments)
COVERING_UNITS = (UnitKind.PROVINSI, UnitKind.BAGIAN)
ROLE_WORDS: dict[str, Role] = {
    **{r.value: r for r in Role},
    "satgas": Role.SATGAS_PROV,
    "subbag": Role.SUBBAG_HUKUM,
    "kabag": Role.KABAG_HSDM,
    "hsdm": Role.KABAG_HSDM,
    "divisi": Role.DIVISI_HUKUM,
}
DAY_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")
FRIDAY = 4


def parse_day(text: str) -> date | None:
    """12-11-2026, 12/11/2026, 12.11.2026 or 2026-11-12; None otherwise."""
    for fmt in DAY_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def find_people(people: Sequence[Person], text: str) -> list[Person]:
    """Who ``text`` names: an id, the whole name, else the people whose name starts with
    those words (``Hendra`` for Hendra Saputra), active people only."""
    active = [p for p in people if p.active]
    text = text.strip()
    if text.isdigit():
        return [p for p in active if p.id == int(text)]
    wanted = _words(text)
    if not wanted:
        return []
    exact = [p for p in active if _words(p.name) == wanted]
    if exact:
        return exact
    return [p for p in active if _words(p.name)[: len(wanted)] == wanted]


@dataclass(frozen=True, slots=True)
class Typed:
    """A typed leave cover, resolved: or ``problem`` says which part did not."""

    delegate: Person | None = None
    role: Role | None = None
    covered: Person | None = None
    start: date | None = None
    end: date | None = None
    problem: str = ""  # "tanggal", "peran", "wakil", "diwakili"
    ambiguous: tuple[Person, ...] = ()  # the people a name could mean
    said: str = ""  # the part that did not resolve, as typed


def parse_typed(args: Sequence[str], people: Sequence[Person]) -> Typed:
    """``WAKIL PERAN YANG_DIWAKILI MULAI SELESAI``: names may have several words, so every
    place of a role word is tried until both names name one person each."""
    if len(args) < 5:
        return Typed(problem="bentuk")
    start, end = parse_day(args[-2]), parse_day(args[-1])
    if start is None or end is None:
        return Typed(problem="tanggal", said=args[-2] if start is None else args[-1])
    words = list(args[:-2])
    best = Typed(problem="peran", said=" ".join(words))
    for i, word in enumerate(words):
        role = ROLE_WORDS.get(word.lower())
        if role is None or i == 0 or i == len(words) - 1:
            continue
        delegates = find_people(people, " ".join(words[:i]))
        covered = find_people(people, " ".join(words[i + 1 :]))
        if len(delegates) == 1 and len(covered) == 1:
            return Typed(delegates[0], role, covered[0], start, end)
        if len(delegates) != 1:
            best = Typed(problem="wakil", ambiguous=tuple(delegates), said=" ".join(words[:i]))
        else:
            best = Typed(
                problem="diwakili", ambiguous=tuple(covered), said=" ".join(words[i + 1 :])
            )
    return best


@dataclass(frozen=True, slots=True)
class Preset:
    key: str  # the label's key (``texts.LEAVE_PRESET``)
    start: date
    end: date


def presets(today: date) -> list[Preset]:
    """The spans people usually mean, from ``today``: today, today until Friday, tomorrow,
    tomorrow until Friday, next week (Monday to Friday), seven days."""
    friday = today + timedelta(days=(FRIDAY - today.weekday()) % 7)
    tomorrow = today + timedelta(days=1)
    monday = today + timedelta(days=7 - today.weekday())
    found = [Preset("hari_ini", today, today)]
    if today.weekday() < FRIDAY:
        found.append(Preset("sd_jumat", today, friday))
    found.append(Preset("besok", tomorrow, tomorrow))
    if tomorrow.weekday() < FRIDAY:
        found.append(Preset("besok_sd_jumat", tomorrow, friday))
    found.append(Preset("minggu_depan", monday, monday + timedelta(days=4)))
    found.append(Preset("tujuh_hari", today, today + timedelta(days=6)))
    return found
