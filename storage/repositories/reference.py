"""Units and the checklist catalogue, with a short-lived cache of the reference data."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlmodel import Session, col, select

from chatbot.domain.calendar import Period
from chatbot.domain.checklist import (
    CardType,
    Catalogue,
    ChecklistItem,
    SignedCard,
    catalogue_data,
    parse_catalogue,
)
from chatbot.domain.units import Unit, UnitKind
from chatbot.services.ports import (
    LoadResult,
)
from storage.models import (
    CardTypeRow,
    ChecklistItemRow,
    MetaRow,
    PeriodRow,
    UnitRow,
)

SIGNED_CARD_KEY = "kartu_bertanda_tangan"
SOURCE_KEY = "ceklis_sumber"  # the file `spip-bot init --checklist` loaded, kept by later starts

T = TypeVar("T")


class ReferenceCache:
    """Units and the checklist change only when ``spip-bot init`` loads them (at set-up, often
    from another process), yet nearly every update reads them: read once, kept ``ttl`` seconds,
    dropped at once when this process loads new ones. So for up to ``ttl`` seconds after
    another process loads them, this one sees the units as they were (a unit just closed can
    still be invited to or moved into, one just added not yet)."""

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
        """An active unit (from the active units, read once for the cache's while)."""
        return next((u for u in self.all() if u.code == code), None)

    def all(self) -> list[Unit]:
        """The active units in their order (a copy: the cached list is not the caller's)."""
        return list(
            self.cache.get(
                "units:active",
                lambda: [
                    _unit(r)
                    for r in self.session.exec(
                        select(UnitRow).where(col(UnitRow.active)).order_by(col(UnitRow.position))
                    )
                ],
            )
        )

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

    def load(self, period: Period | None = None) -> Catalogue:
        """The catalogue loaded now, or the one ``period`` closed with (a closed month keeps
        what it owed whatever is loaded later)."""
        if period is not None:
            snapshot = self.cache.get(f"catalogue:{period.code}", lambda: self._snapshot(period))
            if snapshot is not None:
                return snapshot
        return self.cache.get("catalogue", self._load)

    def _snapshot(self, period: Period) -> Catalogue | None:
        row = self.session.get(PeriodRow, period.code)
        if row is None or row.closed_at is None or not row.catalogue:
            return None
        return parse_catalogue(json.loads(row.catalogue))

    def snapshot_into(self, period: Period) -> None:
        """Keep the catalogue loaded now as the one ``period`` was reported on (at its close)."""
        row = self.session.get(PeriodRow, period.code)
        assert row is not None
        row.catalogue = json.dumps(catalogue_data(self.load()))
        self.session.add(row)
        self.cache.clear()

    def everything(self) -> Catalogue:
        """Every card and item ever loaded, the deactivated too (codes are never reused)."""
        return self._load(active_only=False)

    def _load(self, active_only: bool = True) -> Catalogue:
        card_query = select(CardTypeRow).order_by(col(CardTypeRow.position))
        item_query = select(ChecklistItemRow).order_by(col(ChecklistItemRow.position))
        if active_only:
            card_query = card_query.where(col(CardTypeRow.active))
            item_query = item_query.where(col(ChecklistItemRow.active))
        cards = self.session.exec(card_query).all()
        items = self.session.exec(item_query).all()
        signed = self.session.get(MetaRow, SIGNED_CARD_KEY)
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
                    form=i.form,
                )
                for i in items
            ),
            signed_card=SignedCard(signed.value) if signed else SignedCard.PER_BULAN,
        )

    def loaded_from(self) -> str | None:
        """The file an admin loaded with ``spip-bot init --checklist``, if any."""
        row = self.session.get(MetaRow, SOURCE_KEY)
        return row.value if row and row.value else None

    def replace(self, catalogue: Catalogue, now: datetime, source: str | None = None) -> LoadResult:
        self.cache.clear()
        mark = self.session.get(MetaRow, SOURCE_KEY)
        if (mark.value if mark else None) != source:
            mark = mark or MetaRow(key=SOURCE_KEY, value="", updated_at=now)
            mark.value, mark.updated_at = source or "", now
            self.session.add(mark)
        added = updated = deactivated = 0
        signed = self.session.get(MetaRow, SIGNED_CARD_KEY)
        if (signed.value if signed else SignedCard.PER_BULAN.value) != catalogue.signed_card:
            updated += 1
            signed = signed or MetaRow(key=SIGNED_CARD_KEY, value="", updated_at=now)
            signed.value, signed.updated_at = catalogue.signed_card.value, now
            self.session.add(signed)
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
                form=item.form,
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
