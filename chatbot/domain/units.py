"""Units that report: regency/city KPUs, provincial departments and the province itself."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from chatbot.domain.errors import InvalidData


class UnitKind(StrEnum):
    KABKOTA = "kabkota"
    BAGIAN = "bagian"
    PROVINSI = "provinsi"


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    kind: UnitKind


def parse_org(data: Mapping[str, Any]) -> list[Unit]:
    """Units from the org file's mapping: ``[[unit]]`` tables with code, name and kind."""
    rows = data.get("unit")
    if not isinstance(rows, list) or not rows:
        raise InvalidData("berkas organisasi harus memuat minimal satu [[unit]]")
    units: list[Unit] = []
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        try:
            code = str(row["code"]).strip()
            name = str(row["name"]).strip()
            kind = UnitKind(str(row["kind"]).strip())
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidData(f"unit ke-{index}: {exc!s}") from None
        if not code or not name:
            raise InvalidData(f"unit ke-{index}: kode dan nama wajib diisi")
        if code in seen:
            raise InvalidData(f"unit ke-{index}: kode {code} ganda")
        seen.add(code)
        units.append(Unit(code=code, name=name, kind=kind))
    if sum(1 for u in units if u.kind is UnitKind.PROVINSI) != 1:
        raise InvalidData("berkas organisasi harus memuat tepat satu unit provinsi")
    return units


def load_org(path: Path) -> list[Unit]:
    with path.open("rb") as handle:
        try:
            return parse_org(tomllib.load(handle))
        except tomllib.TOMLDecodeError as exc:
            raise InvalidData(f"{path}: {exc}") from None


def province_of(units: Iterable[Unit]) -> Unit:
    return next(u for u in units if u.kind is UnitKind.PROVINSI)
