"""The satgas' own form ceklis as an Excel workbook (openpyxl): one sheet whose header row
names the card ("Kartu Kendali"), the item ("Butir" or "Data Dukung"), who owes it ("Unit")
and whether it is required ("Wajib"), optionally "Kode" and "Keterangan". The rows become
the catalogue through ``chatbot.domain.checklist.parse_ceklis``."""

from __future__ import annotations

from pathlib import Path
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from chatbot.domain.checklist import Catalogue, SignedCard, ceklis_columns, parse_ceklis
from chatbot.domain.errors import InvalidData
from chatbot.domain.units import Unit

HEADER_ROWS = 15  # a title and the office's letterhead may stand above the header


def read_ceklis(path: Path, units: list[Unit], known: Catalogue | None) -> Catalogue:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InvalidData(
            f"{path.name}: bukan buku kerja Excel yang dapat dibaca ({exc})"
        ) from None
    try:
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            columns = None
            number = 0
            for number, header in enumerate(rows, start=1):
                columns = ceklis_columns(header)
                if columns is not None or number >= HEADER_ROWS:
                    break
            if columns is None:
                continue
            found = []
            for offset, values in enumerate(rows, start=number + 1):
                found.append(
                    {"row": offset} | {k: values[i] for k, i in columns.items() if i < len(values)}
                )
            signed = known.signed_card if known else SignedCard.PER_BULAN
            return parse_ceklis(found, units, known, signed)
    finally:
        book.close()
    raise InvalidData(
        f"{path.name}: tidak ada lembar dengan baris judul kolom \u201cKartu Kendali\u201d dan "
        "\u201cButir\u201d (atau \u201cData Dukung\u201d)"
    )
