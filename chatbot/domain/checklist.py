"""The checklist catalogue (form ceklis kelengkapan data dukung), loaded from an editable file.

Each item belongs to a control-card type and names who owes it: unit kinds (``kabkota``,
``bagian``, ``provinsi``) and/or unit codes (``HSDM``). KPU changes its forms (Kpts 1356/2023 was
replaced by Kpts 855/2025), so nothing of the list is in code.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatbot.domain.errors import InvalidData
from chatbot.domain.units import Unit, UnitKind


@dataclass(frozen=True, slots=True)
class CardType:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    code: str
    name: str
    card_type: str
    owed_by: frozenset[str]
    required: bool = True
    description: str = ""

    def owed_by_unit(self, unit: Unit) -> bool:
        return unit.kind.value in self.owed_by or unit.code in self.owed_by

    def named_in(self, file_name: str) -> bool:
        """Whether a file's name points at this item: its number (``KEU-02``, ``keu02``) or
        the abbreviation in its name (``LRA``, ``SPJ``, ``SKP``), as a word of the name."""
        words = set(re.findall(r"[a-z0-9]+", file_name.lower()))
        joined = re.sub(r"[^a-z0-9]", "", file_name.lower())
        code = re.sub(r"[^a-z0-9]", "", self.code.lower())
        abbreviations = {a.lower() for a in re.findall(r"\(([A-Za-z]{2,8})\)", self.name)}
        return (len(code) >= 3 and code in joined) or bool(abbreviations & words)


@dataclass(frozen=True, slots=True)
class Catalogue:
    card_types: tuple[CardType, ...]
    items: tuple[ChecklistItem, ...]

    def items_for(self, unit: Unit) -> list[ChecklistItem]:
        return [item for item in self.items if item.owed_by_unit(unit)]

    def item(self, code: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.code == code), None)

    def card_type(self, code: str) -> CardType | None:
        return next((c for c in self.card_types if c.code == code), None)

    def check_units(self, units: Iterable[Unit]) -> None:
        """Every selector names a unit kind or a known unit code."""
        known = {u.code for u in units} | {k.value for k in UnitKind}
        for item in self.items:
            unknown = item.owed_by - known
            if unknown:
                raise InvalidData(
                    f"butir {item.code}: unit tidak dikenal: {', '.join(sorted(unknown))}"
                )


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidData(f"{where}: '{key}' wajib diisi")
    return value.strip()


def parse_catalogue(data: Mapping[str, Any]) -> Catalogue:
    card_rows = data.get("card_type")
    if not isinstance(card_rows, list) or not card_rows:
        raise InvalidData("katalog harus memuat minimal satu [[card_type]]")
    card_types: list[CardType] = []
    items: list[ChecklistItem] = []
    item_codes: set[str] = set()
    for c_index, row in enumerate(card_rows, start=1):
        where = f"jenis kartu ke-{c_index}"
        card = CardType(code=_text(row, "code", where), name=_text(row, "name", where))
        if any(c.code == card.code for c in card_types):
            raise InvalidData(f"{where}: kode {card.code} ganda")
        card_types.append(card)
        for i_index, item_row in enumerate(row.get("item", []), start=1):
            where_item = f"{where}, butir ke-{i_index}"
            code = _text(item_row, "code", where_item)
            if code in item_codes:
                raise InvalidData(f"{where_item}: kode {code} ganda")
            owed = item_row.get("owed_by")
            if not isinstance(owed, list) or not owed:
                raise InvalidData(f"{where_item}: 'owed_by' wajib berisi daftar unit")
            required = item_row.get("required", True)
            if not isinstance(required, bool):
                raise InvalidData(f"{where_item}: 'required' harus true atau false")
            item_codes.add(code)
            items.append(
                ChecklistItem(
                    code=code,
                    name=_text(item_row, "name", where_item),
                    card_type=card.code,
                    owed_by=frozenset(str(o).strip() for o in owed),
                    required=required,
                    description=str(item_row.get("description", "")).strip(),
                )
            )
    if not items:
        raise InvalidData("katalog tidak memuat satu butir pun")
    return Catalogue(card_types=tuple(card_types), items=tuple(items))


def load_catalogue(path: Path) -> Catalogue:
    with path.open("rb") as handle:
        try:
            return parse_catalogue(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidData(f"{path}: {exc}") from None
