"""Units and the checklist catalogue, with a short-lived cache of the reference data."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from sqlmodel import Session, col, select

from chatbot.domain.checklist import CardType, Catalogue, ChecklistItem
from chatbot.domain.units import Unit, UnitKind
from chatbot.services.ports import (
    LoadResult,
)
from storage.models import (
    CardTypeRow,
    ChecklistItemRow,
    UnitRow,
)

T = TypeVar("T")


class ReferenceCache:
    """Units and the checklist change only when ``spip-bot init`` loads them (at set-up, often
    from another process), yet nearly every update reads them: read once, kept ``ttl`` seconds,
    dropped at once when this process loads new ones."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str, load: Callable[[], T]) -> T:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is None or now - entry[0] > self.ttl:
            entry = (now, load())
            self._entries[key] = entry
        return cast(T, entry[1])

    def clear(self) -> None:
        self._entries.clear()


NO_CACHE = ReferenceCache(ttl=-1)


def _unit(row: UnitRow) -> Unit:
    return Unit(code=row.code, name=row.name, kind=UnitKind(row.kind))


class SqlUnits:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def by_code(self) -> dict[str, Unit]:
        """Every unit, the deactivated too (people of a unit closed since keep it)."""
        return self.cache.get(
            "units", lambda: {u.code: _unit(u) for u in self.session.exec(select(UnitRow))}
        )

    def get(self, code: str) -> Unit | None:
        row = self.session.get(UnitRow, code)
        return _unit(row) if row and row.active else None

    def all(self) -> list[Unit]:
        rows = self.session.exec(
            select(UnitRow).where(col(UnitRow.active)).order_by(col(UnitRow.position))
        )
        return [_unit(r) for r in rows]

    def replace_all(self, units: Sequence[Unit]) -> LoadResult:
        self.cache.clear()
        existing = {r.code: r for r in self.session.exec(select(UnitRow))}
        added = updated = 0
        for position, unit in enumerate(units):
            row = existing.pop(unit.code, None)
            if row is None:
                added += 1
                row = UnitRow(code=unit.code, name=unit.name, kind=unit.kind.value)
            elif (row.name, row.kind, row.position, row.active) != (
                unit.name,
                unit.kind.value,
                position,
                True,
            ):
                updated += 1
            row.name, row.kind = unit.name, unit.kind.value
            row.position, row.active = position, True
            self.session.add(row)
        deactivated = 0
        for row in existing.values():  # never deleted: people and history point at them
            if row.active:
                row.active = False
                deactivated += 1
                self.session.add(row)
        self.session.flush()
        return LoadResult(added=added, updated=updated, deactivated=deactivated)


class SqlCatalogue:
    def __init__(self, session: Session, cache: ReferenceCache = NO_CACHE) -> None:
        self.session = session
        self.cache = cache

    def load(self) -> Catalogue:
        return self.cache.get("catalogue", self._load)

    def _load(self) -> Catalogue:
        cards = self.session.exec(
            select(CardTypeRow).where(col(CardTypeRow.active)).order_by(col(CardTypeRow.position))
        ).all()
        items = self.session.exec(
            select(ChecklistItemRow)
            .where(col(ChecklistItemRow.active))
            .order_by(col(ChecklistItemRow.position))
        ).all()
        return Catalogue(
            card_types=tuple(CardType(c.code, c.name) for c in cards),
            items=tuple(
                ChecklistItem(
                    code=i.code,
                    name=i.name,
                    card_type=i.card_type,
                    owed_by=frozenset(filter(None, i.owed_by.split(","))),
                    required=i.required,
                    description=i.description,
                )
                for i in items
            ),
        )

    def replace(self, catalogue: Catalogue) -> LoadResult:
        self.cache.clear()
        added = updated = deactivated = 0
        cards = {r.code: r for r in self.session.exec(select(CardTypeRow))}
        for position, card in enumerate(catalogue.card_types):
            card_row = cards.pop(card.code, None) or CardTypeRow(code=card.code, name=card.name)
            card_row.name, card_row.position, card_row.active = card.name, position, True
            self.session.add(card_row)
        for card_row in cards.values():
            card_row.active = False
            self.session.add(card_row)
        self.session.flush()
        items = {r.code: r for r in self.session.exec(select(ChecklistItemRow))}
        for position, item in enumerate(catalogue.items):
            values: dict[str, object] = dict(
                name=item.name,
                card_type=item.card_type,
                owed_by=",".join(sorted(item.owed_by)),
                required=item.required,
                description=item.description,
                position=position,
                active=True,
            )
            row = items.pop(item.code, None)
            if row is None:
                added += 1
                row = ChecklistItemRow.model_validate({"code": item.code, **values})
            elif any(getattr(row, k) != v for k, v in values.items()):
                updated += 1
                for key, value in values.items():
                    setattr(row, key, value)
            self.session.add(row)
        for row in items.values():  # kept for the history of earlier periods
            if row.active:
                row.active = False
                deactivated += 1
                self.session.add(row)
        self.session.flush()
        return LoadResult(added=added, updated=updated, deactivated=deactivated)
