"""The checklist catalogue (form ceklis kelengkapan data dukung), loaded from an editable file.

Each item belongs to a control-card type and names who owes it: unit kinds (``kabkota``,
``bagian``, ``provinsi``) and/or unit codes (``HSDM``). KPU changes its forms (Kpts 1356/2023 was
replaced by Kpts 855/2025), so nothing of the list is in code. The first item of a card may be
the filled card form itself (``form = true``); whether a regency signs one card per month (a
separate upload once its evidence is complete) or each card's form is the signed card is the
catalogue's ``kartu_bertanda_tangan`` ("per_bulan" or "per_kartu").
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from chatbot.domain.errors import InvalidData
from chatbot.domain.units import Unit, UnitKind


class SignedCard(StrEnum):
    """What a regency signs each month (the SOP leaves it open; KPU's formats changed)."""

    PER_BULAN = "per_bulan"  # one signed card, uploaded once the evidence is all accepted
    PER_KARTU = "per_kartu"  # each card's own form item is delivered signed; nothing more


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
    form: bool = False  # the filled card form itself ("Kartu Kendali Kepegawaian")

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
    signed_card: SignedCard = SignedCard.PER_BULAN

    def owes_signed_card(self, unit: Unit) -> bool:
        """Whether the unit uploads a signed card of the month once its evidence is complete
        (SOP step 7: regencies only; with "per_kartu" each card's form item is the signed card)."""
        return unit.kind is UnitKind.KABKOTA and self.signed_card is SignedCard.PER_BULAN

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


def _flag(row: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
    value = row.get(key, default)
    if not isinstance(value, bool):
        raise InvalidData(f"{where}: '{key}' harus true atau false")
    return value


def parse_catalogue(data: Mapping[str, Any]) -> Catalogue:
    signed = data.get("kartu_bertanda_tangan", SignedCard.PER_BULAN.value)
    try:
        signed_card = SignedCard(str(signed).strip())
    except ValueError:
        raise InvalidData(
            f'\'kartu_bertanda_tangan\' harus "per_bulan" atau "per_kartu", bukan {signed!r}'
        ) from None
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
            required = _flag(item_row, "required", True, where_item)
            form = _flag(item_row, "form", False, where_item)
            if form and any(i.form and i.card_type == card.code for i in items):
                raise InvalidData(f"{where_item}: jenis kartu {card.code} sudah memiliki formulir")
            if form and not required:
                raise InvalidData(f"{where_item}: formulir kartu selalu wajib ('required')")
            item_codes.add(code)
            items.append(
                ChecklistItem(
                    code=code,
                    name=_text(item_row, "name", where_item),
                    card_type=card.code,
                    owed_by=frozenset(str(o).strip() for o in owed),
                    required=required,
                    description=str(item_row.get("description", "")).strip(),
                    form=form,
                )
            )
    if not items:
        raise InvalidData("katalog tidak memuat satu butir pun")
    return Catalogue(card_types=tuple(card_types), items=tuple(items), signed_card=signed_card)


def catalogue_data(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as the mapping ``parse_catalogue`` reads (a closed period's snapshot)."""
    return {
        "kartu_bertanda_tangan": catalogue.signed_card.value,
        "card_type": [
            {
                "code": card.code,
                "name": card.name,
                "item": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "owed_by": sorted(i.owed_by),
                        "required": i.required,
                        "description": i.description,
                        "form": i.form,
                    }
                    for i in catalogue.items
                    if i.card_type == card.code
                ],
            }
            for card in catalogue.card_types
        ],
    }


def load_catalogue(path: Path) -> Catalogue:
    with path.open("rb") as handle:
        try:
            return parse_catalogue(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidData(f"{path}: {exc}") from None


# ---------------------------------------------------------------- the satgas' own form ceklis

_HEADERS: dict[str, frozenset[str]] = {
    "card": frozenset({"kartu", "kartu kendali", "jenis kartu", "jenis kartu kendali"}),
    "item": frozenset(
        {"butir", "data dukung", "bukti dukung", "uraian", "dokumen", "nama butir", "butir ceklis"}
    ),
    "owed": frozenset(
        {"unit", "unit kerja", "wajib oleh", "disampaikan oleh", "penanggung jawab", "pj"}
    ),
    "required": frozenset({"wajib", "wajib?", "wajib diisi"}),
    "code": frozenset({"kode", "kode butir"}),
    "card_code": frozenset({"kode kartu"}),
    "description": frozenset({"keterangan", "deskripsi", "penjelasan"}),
}
_KINDS: dict[str, UnitKind] = {
    "kabkota": UnitKind.KABKOTA,
    "kab/kota": UnitKind.KABKOTA,
    "kabupaten/kota": UnitKind.KABKOTA,
    "kpu kabupaten/kota": UnitKind.KABKOTA,
    "kpu kab/kota": UnitKind.KABKOTA,
    "semua kabupaten/kota": UnitKind.KABKOTA,
    "seluruh kabupaten/kota": UnitKind.KABKOTA,
    "bagian": UnitKind.BAGIAN,
    "semua bagian": UnitKind.BAGIAN,
    "provinsi": UnitKind.PROVINSI,
    "kpu provinsi": UnitKind.PROVINSI,
}
_YES = frozenset({"ya", "y", "wajib", "true", "1", "v", "✓", "√", "x"})
_NO = frozenset({"tidak", "t", "no", "false", "0", "opsional", "bila ada", "bila ada kegiatan"})
_SMALL_WORDS = frozenset({"dan", "atau", "serta", "dari", "ke", "untuk", "kartu", "kendali"})


def _norm(value: object) -> str:
    return " ".join(str(value if value is not None else "").split()).strip()


def ceklis_columns(header: Sequence[object]) -> dict[str, int] | None:
    """Which column holds what, from a header row; None when it is not the header (the
    card's and the item's columns are both needed)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = _norm(cell).lower().rstrip(":*").strip()
        for key, names in _HEADERS.items():
            if name in names and key not in found:
                found[key] = index
    return found if {"card", "item"} <= found.keys() else None


def _card_code(name: str, taken: set[str]) -> str:
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _SMALL_WORDS]
    base = "".join(w[0] for w in words[:3]).upper() or "K"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def parse_ceklis(
    rows: Sequence[Mapping[str, object]],
    units: Sequence[Unit],
    known: Catalogue | None = None,
    signed_card: SignedCard = SignedCard.PER_BULAN,
) -> Catalogue:
    """The catalogue from the rows of a form ceklis (keys as ``ceklis_columns``; ``row`` is the
    sheet's row number, for the messages). A card's name left blank repeats the one above
    (merged cells), as does who owes the item; "wajib" is Ya unless it says Tidak. An item
    whose name starts with "Kartu Kendali" is its card's form. Without a "Kode" column, an
    item keeps the code it had (same card, same name) in ``known`` (every item ever loaded,
    so a reload never renames history) and a new one takes the next free number."""
    by_name = {u.name.lower(): u.code for u in units}
    codes = {u.code.lower(): u.code for u in units}
    known_cards = {_card_key(c.name): c.code for c in known.card_types} if known else {}
    known_items: dict[tuple[str, str, int], str] = {}
    for i in known.items if known else ():
        key = (i.card_type, i.name.lower())
        n = sum(1 for k in known_items if k[:2] == key)
        known_items[(*key, n)] = i.code  # the n-th item of that name in its card
    taken_items = {i.code for i in known.items} if known else set()
    taken_cards = {c.code for c in known.card_types} if known else set()
    card_types: list[CardType] = []
    items: list[ChecklistItem] = []
    card_name = owed_text = ""
    for row in rows:
        where = f"baris {row.get('row', '?')}"
        item_name = _norm(row.get("item"))
        if _norm(row.get("card")):
            if _norm(row.get("card")) != card_name:
                owed_text = ""
            card_name = _norm(row.get("card"))
        if not item_name:
            continue
        if not card_name:
            raise InvalidData(f"{where}: nama kartu kendali belum diisi")
        card = next((c for c in card_types if c.name.lower() == card_name.lower()), None)
        if card is None:
            code = _norm(row.get("card_code")) or known_cards.get(_card_key(card_name))
            code = code or _card_code(card_name, taken_cards)
            if any(c.code == code for c in card_types):
                raise InvalidData(f"{where}: kode kartu {code} ganda")
            taken_cards.add(code)
            card = CardType(code=code, name=card_name)
            card_types.append(card)
        owed_text = _norm(row.get("owed")) or owed_text
        if not owed_text.strip(" ,;"):
            raise InvalidData(f"{where}: unit yang wajib menyampaikan butir belum diisi")
        owed: set[str] = set()
        for token in filter(None, (t.strip() for t in re.split(r"[,;\n]", owed_text))):
            key = token.lower()
            kind = _KINDS.get(key)
            if kind is not None:
                owed.add(kind.value)
            elif key in codes or key in by_name:
                owed.add(codes.get(key) or by_name[key])
            else:
                raise InvalidData(
                    f"{where}: unit \u201c{token}\u201d tidak dikenal (tulis kabupaten/kota, "
                    "bagian, provinsi, atau kode atau nama unit, dipisahkan koma)"
                )
        wajib = _norm(row.get("required")).lower()
        if wajib and wajib not in _YES | _NO:
            raise InvalidData(
                f"{where}: kolom wajib berisi \u201c{wajib}\u201d; tulis Ya atau Tidak"
            )
        form = item_name.lower().startswith("kartu kendali") and not any(
            i.form and i.card_type == card.code for i in items
        )
        same = sum(
            1 for i in items if i.card_type == card.code and i.name.lower() == item_name.lower()
        )
        code = _norm(row.get("code")) or known_items.get((card.code, item_name.lower(), same), "")
        if not code:
            n = 1
            while f"{card.code}-{n:02d}" in taken_items:
                n += 1
            code = f"{card.code}-{n:02d}"
        if any(i.code == code for i in items):
            raise InvalidData(f"{where}: kode butir {code} ganda")
        taken_items.add(code)
        items.append(
            ChecklistItem(
                code=code,
                name=item_name,
                card_type=card.code,
                owed_by=frozenset(owed),
                required=form or wajib not in _NO,
                description=_norm(row.get("description")),
                form=form,
            )
        )
    if not items:
        raise InvalidData("form ceklis tidak memuat satu butir pun")
    # checked as a TOML catalogue is (what a closed month's snapshot is read back with)
    found = Catalogue(card_types=tuple(card_types), items=tuple(items), signed_card=signed_card)
    return parse_catalogue(catalogue_data(found))


def _card_key(name: str) -> str:
    """A card's name to match it by: "Kartu Kendali Kepegawaian" is "Kepegawaian"."""
    key = " ".join(name.lower().split())
    return key.removeprefix("kartu kendali ").strip()
