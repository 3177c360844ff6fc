"""The e-SPIP package: a zip of the accepted evidence and the signed cards, organised as
``<unit code> <unit name>/<card type>/<item code> <item name>/<file>``, with the recap workbook
and a manifest of sha256 sums. Files are streamed into the zip one chunk at a time."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from chatbot.domain.units import Unit
from chatbot.domain.workflow import ItemState
from chatbot.services.ports import EvidenceFile

CHUNK = 1 << 20
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+')


def safe(name: str) -> str:
    """A path component that every zip tool and file system accepts."""
    cleaned = _UNSAFE.sub("-", name).strip(" .")
    return cleaned[:120] or "berkas"


@dataclass(frozen=True, slots=True)
class PackageEntry:
    path: str
    sha256: str
    size: int


def write_package(
    out: Path,
    files: Iterable[tuple[ItemState, EvidenceFile]],
    units: Mapping[str, Unit],
    folders: Mapping[str, tuple[str, str]],  # item code -> (card type name, item folder)
    open_file: Callable[[str], BinaryIO],
    workbook_name: str,
    workbook: bytes,
) -> list[PackageEntry]:
    entries: list[PackageEntry] = []
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for state, evidence in files:
            unit = units.get(state.unit_code)
            card_type, item_folder = folders.get(state.item_code, ("Lainnya", state.item_code))
            folder = "/".join(
                safe(part)
                for part in (
                    f"{state.unit_code} {unit.name if unit else ''}",
                    card_type,
                    item_folder,
                )
            )
            path = f"{folder}/{safe(evidence.file_name)}"
            stem, dot, ext = path.rpartition(".")
            n = 2
            while path in used:  # two files of one item with the same name
                path = f"{stem} ({n}).{ext}" if dot else f"{path} ({n})"
                n += 1
            used.add(path)
            info = zipfile.ZipInfo(path)
            info.compress_type = zipfile.ZIP_DEFLATED
            with open_file(evidence.sha256) as source, zf.open(info, "w", force_zip64=True) as dst:
                while chunk := source.read(CHUNK):
                    dst.write(chunk)
            entries.append(PackageEntry(path, evidence.sha256, evidence.size))
        zf.writestr(workbook_name, workbook)
        manifest = ["sha256  ukuran  berkas"]
        manifest += [f"{e.sha256}  {e.size}  {e.path}" for e in entries]
        zf.writestr("MANIFEST.txt", "\n".join(manifest) + "\n")
    return entries
