"""The recap workbook (openpyxl): Sampul, Ringkasan, Belum Lengkap, Kartu Kendali, Riwayat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from io import BytesIO
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from chatbot import texts
from chatbot.domain.roles import Role
from chatbot.domain.text import printable
from chatbot.domain.workflow import ItemStatus
from chatbot.export.rapor import add_scorecard_sheets
from chatbot.services.scorecard import Scorecard
from chatbot.services.status import PeriodStatus, count_statuses

DATE_FORMAT = "dd/mm/yyyy hh:mm"
FILLS: dict[ItemStatus, str] = {
    ItemStatus.KOSONG: "E7E6E6",
    ItemStatus.DIKIRIM: "BDD7EE",
    ItemStatus.DIKEMBALIKAN: "F8CBAD",
    ItemStatus.DISETUJUI: "C6EFCE",
    ItemStatus.TIDAK_ADA_KEGIATAN: "D9EAD3",
}
NOT_OWED = "—"
HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
STATUS_TEXT: dict[ItemStatus, str] = {
    ItemStatus.KOSONG: "kosong",
    ItemStatus.DIKIRIM: "dikirim",
    ItemStatus.DIKEMBALIKAN: "dikembalikan",
    ItemStatus.DISETUJUI: "disetujui",
    ItemStatus.TIDAK_ADA_KEGIATAN: "nihil",
}


def _register_styles(wb: Workbook) -> None:
    """Named styles, registered once: assigning one by name is far cheaper per cell than
    building fills and borders for each of the ~16,000 cells of a national summary."""
    for status, colour in FILLS.items():
        style = NamedStyle(name=f"status-{status.value}")
        style.fill = PatternFill("solid", fgColor=colour)
        style.border = BOX
        style.alignment = Alignment(horizontal="center")
        wb.add_named_style(style)
    not_owed = NamedStyle(name="status-none", border=BOX, alignment=Alignment(horizontal="center"))
    wb.add_named_style(not_owed)
    wb.add_named_style(NamedStyle(name="tanggal", number_format=DATE_FORMAT))


def _status_style(status: ItemStatus | None) -> str:
    return f"status-{status.value}" if status is not None else "status-none"


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz).replace(tzinfo=None) if moment else None


def _cell(ws: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """Every value goes through here: stored text may hold control characters (a note typed
    with Word's manual line break), which openpyxl refuses for the whole workbook."""
    if isinstance(value, str):
        value = printable(value)
    return cast(Cell, ws.cell(row=row, column=column, value=value))


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = _cell(ws, row=row, column=col, value=value)
        cell.font, cell.fill, cell.border = HEADER, HEADER_FILL, BOX
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _a4_landscape(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"


def _cover(wb: Workbook, status: PeriodStatus, tz: ZoneInfo) -> None:
    ws = wb.active
    assert ws is not None
    ws.title = "Sampul"
    counts = count_statuses(status)
    complete = sum(1 for u in status.units if u.progress.complete)
    rows: list[tuple[str, str | int | datetime | None]] = [
        ("Rekapitulasi Kartu Kendali SPIP", ""),
        ("Sekretariat KPU Provinsi Jambi", ""),
        ("", ""),
        ("Periode (bulan yang dilaporkan)", texts.bulan(status.period)),
        ("Kode periode", status.period.code),
        ("Dibuat", _local(status.made_at, tz)),
        ("Status periode", "ditutup (diserahkan)" if status.closed else "terbuka"),
        ("Jumlah unit", len(status.units)),
        ("Unit lengkap (100%)", complete),
        ("Kartu kendali provinsi", texts.card_status_text(status.card, status.chain)),
        ("", ""),
        ("Jumlah butir per status", ""),
    ]
    rows += [(f"  {STATUS_TEXT[s]}", counts.get(s, 0)) for s in ItemStatus]
    for r, (label, value) in enumerate(rows, start=1):
        _cell(ws, row=r, column=1, value=label)
        cell = _cell(ws, row=r, column=2, value=value)
        if isinstance(value, datetime):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(horizontal="left")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"].font = Font(bold=True)
    _widths(ws, [34, 60])


def _summary(wb: Workbook, status: PeriodStatus) -> None:
    ws = wb.create_sheet("Ringkasan")
    headers = ["Kode", "Unit", "Kelengkapan (%)"]
    headers += [f"{i.code}\n{i.name}" for i in status.items]
    headers.append("Kartu kendali bertanda tangan")
    _header(ws, 1, headers)
    ws.row_dimensions[1].height = 75
    for r, unit_status in enumerate(status.units, start=2):
        _cell(ws, row=r, column=1, value=unit_status.unit.code)
        _cell(ws, row=r, column=2, value=unit_status.unit.name)
        _cell(ws, row=r, column=3, value=unit_status.progress.percent)
        lines = {line.item.code: line for line in unit_status.lines}
        cells = [lines.get(item.code) for item in status.items] + [unit_status.card]
        for c, line in enumerate(cells, start=4):
            cell = _cell(ws, row=r, column=c, value=STATUS_TEXT[line.status] if line else NOT_OWED)
            cell.style = _status_style(line.status if line else None)
    _widths(ws, [10, 38, 14] + [15] * len(status.items) + [18])
    ws.freeze_panes = "D2"
    last = get_column_letter(len(headers))
    ws.auto_filter.ref = f"A1:{last}{len(status.units) + 1}"
    _a4_landscape(ws)


def _missing(wb: Workbook, status: PeriodStatus) -> None:
    ws = wb.create_sheet("Belum Lengkap")
    _header(ws, 1, ["Kode", "Unit", "Butir", "Nama butir", "Status", "Versi", "Alasan"])
    r = 2
    for unit_status in status.units:
        rows = [*unit_status.lines, *([unit_status.card] if unit_status.card else [])]
        for line in rows:
            if line.status in (ItemStatus.DISETUJUI, ItemStatus.TIDAK_ADA_KEGIATAN):
                continue
            if not line.item.required and line.status is ItemStatus.KOSONG:
                continue
            values = [
                unit_status.unit.code,
                unit_status.unit.name,
                line.item.code,
                line.item.name,
                STATUS_TEXT[line.status],
                line.version or None,
                line.reason if line.status is ItemStatus.DIKEMBALIKAN else None,
            ]
            for c, value in enumerate(values, start=1):
                _cell(ws, row=r, column=c, value=value)
            _cell(ws, row=r, column=5).style = _status_style(line.status)
            r += 1
    _widths(ws, [10, 38, 12, 50, 16, 8, 60])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:G{max(r - 1, 1)}"
    _a4_landscape(ws)


def _cards(wb: Workbook, status: PeriodStatus, names: Mapping[int, str], tz: ZoneInfo) -> None:
    ws = wb.create_sheet("Kartu Kendali")
    _cell(ws, row=1, column=1, value="Kartu kendali provinsi").font = Font(bold=True, size=12)
    _cell(ws, row=2, column=1, value="Status")
    _cell(ws, row=2, column=2, value=texts.card_status_text(status.card, status.chain))
    _cell(ws, row=3, column=1, value="Versi")
    _cell(ws, row=3, column=2, value=status.card.version)
    # every version's record, kept after the signed card, e-SPIP and the hand-over
    _header(ws, 5, ["Versi", "Langkah", "Peran", "Nama", "Atas nama", "Waktu", "Alasan"])
    r = 6
    for event in status.card_record():
        behalf = event.detail.get("atas_nama")
        role = event.detail.get("peran")
        values: list[object] = [
            event.version,
            texts.card_record_step(event.kind, event.detail.get("tahap", "")),
            texts.ROLE_LABEL.get(Role(role), role) if role else None,
            names.get(event.actor_id or 0, "-"),
            names.get(int(behalf), behalf) if behalf else None,
            _local(event.at, tz),
            event.detail.get("alasan"),
        ]
        for c, value in enumerate(values, start=1):
            _cell(ws, row=r, column=c, value=value)
        _cell(ws, row=r, column=6).style = "tanggal"
        r += 1
    r += 1
    _cell(ws, row=r, column=1, value="Kartu kendali kabupaten/kota").font = Font(bold=True, size=12)
    r += 1
    _header(ws, r, ["Kode", "Unit", "Status", "Versi", "Perubahan terakhir"])
    for unit_status in status.units:
        if unit_status.card is None:
            continue
        r += 1
        card = unit_status.card
        values = [
            unit_status.unit.code,
            unit_status.unit.name,
            STATUS_TEXT[card.status],
            card.version or None,
            _local(card.updated_at, tz),
        ]
        for c, value in enumerate(values, start=1):
            _cell(ws, row=r, column=c, value=value)
        _cell(ws, row=r, column=3).style = _status_style(card.status)
        _cell(ws, row=r, column=5).style = "tanggal"
    _widths(ws, [16, 34, 34, 28, 22, 20, 50])
    _a4_landscape(ws)


def _history(wb: Workbook, status: PeriodStatus, names: Mapping[int, str], tz: ZoneInfo) -> None:
    ws = wb.create_sheet("Riwayat")
    _header(
        ws, 1, ["Waktu", "Kejadian", "Pelaku", "Atas nama", "Unit", "Butir", "Versi", "Keterangan"]
    )
    for r, event in enumerate(status.events, start=2):
        detail = dict(event.detail)
        behalf = detail.pop("atas_nama", None)
        values: list[object] = [
            _local(event.at, tz),
            texts.EVENT_LABEL.get(event.kind, event.kind.value),
            names.get(event.actor_id, "sistem") if event.actor_id else "sistem",
            names.get(int(behalf), behalf) if behalf else None,
            event.unit_code,
            texts.event_subject(event.subject),
            event.version,
            texts.event_detail(detail, names) or None,
        ]
        for c, value in enumerate(values, start=1):
            _cell(ws, row=r, column=c, value=value)
        _cell(ws, row=r, column=1).style = "tanggal"
    _widths(ws, [18, 26, 26, 22, 10, 16, 7, 60])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:H{len(status.events) + 1}"
    _a4_landscape(ws)


def build_workbook(
    status: PeriodStatus,
    names: Mapping[int, str],
    tz: ZoneInfo,
    card: Scorecard | None = None,
) -> Workbook:
    """The period's sheets, then (``card``) the year's scorecard: monthly, quarterly, yearly."""
    wb = Workbook()
    _register_styles(wb)
    _cover(wb, status, tz)
    _summary(wb, status)
    _missing(wb, status)
    _cards(wb, status, names, tz)
    _history(wb, status, names, tz)
    if card is not None:
        add_scorecard_sheets(wb, card, tz)
    return wb


def write_workbook(
    status: PeriodStatus,
    names: Mapping[int, str],
    tz: ZoneInfo,
    out: IO[bytes] | None = None,
    card: Scorecard | None = None,
) -> bytes | None:
    """To ``out`` (a file or stream), or returned as bytes when ``out`` is None."""
    wb = build_workbook(status, names, tz, card)
    if out is not None:
        wb.save(out)
        return None
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
