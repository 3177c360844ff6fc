"""The scorecard (rapor) as workbook sheets (monthly, quarterly, yearly) and as a picture for
a phone: units × months, each cell coloured by tepat waktu and lengkap, with sesuai."""

from __future__ import annotations

from io import BytesIO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from chatbot import texts
from chatbot.domain.scorecard import trend
from chatbot.services.scorecard import Scorecard

YES, NO = "Ya", "Tidak"
GOOD, BAD = "C6EFCE", "F8CBAD"


def _percent(value: float) -> float:
    return round(100 * value, 1)


def _head(ws: object, headers: list[str]) -> None:
    ws.append(headers)  # type: ignore[attr-defined]
    for cell in ws[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "C2"  # type: ignore[attr-defined]


def add_scorecard_sheets(wb: Workbook, card: Scorecard, tz: ZoneInfo) -> None:
    monthly = wb.create_sheet("Rapor Bulanan")
    _head(
        monthly,
        [
            "Kode", "Unit", "Bulan", "Butir wajib", "Disetujui", "Disetujui tanpa dikembalikan",
            "Sesuai (%)", "Tepat waktu", "Lengkap", "Lengkap pada",
        ],
    )  # fmt: skip
    names = {p: texts.bulan(p) for p in card.months}
    good, bad = PatternFill("solid", fgColor=GOOD), PatternFill("solid", fgColor=BAD)
    row = 1
    for entry in card.units:
        for period, score in sorted(entry.months.items()):
            row += 1  # counted: asking the sheet its max_row costs a scan of every cell
            monthly.append(
                [
                    entry.unit.code,
                    entry.unit.name,
                    names[period],
                    score.required,
                    score.accepted,
                    score.accepted_first_time,
                    _percent(score.correct),
                    YES if score.on_time else NO,
                    YES if score.complete else NO,
                    score.complete_at.astimezone(tz).replace(tzinfo=None)
                    if score.complete_at
                    else None,
                ]
            )
            monthly.cell(row, 8).fill = good if score.on_time else bad
            monthly.cell(row, 9).fill = good if score.complete else bad
            monthly.cell(row, 10).number_format = "dd/mm/yyyy hh:mm"
    quarterly = wb.create_sheet("Rapor Triwulan")
    _head(
        quarterly,
        [
            "Kode", "Unit", "Triwulan", "Bulan dinilai", "Bulan tepat waktu", "Bulan lengkap",
            "Sesuai (%)", "Indeks (%)", "Tren",
        ],
    )  # fmt: skip
    for entry in card.units:
        previous = None
        for q, summary in sorted(entry.quarters.items()):
            change = trend(previous, summary)
            quarterly.append(
                [
                    entry.unit.code,
                    entry.unit.name,
                    texts.triwulan(q, card.year),
                    summary.months,
                    summary.on_time,
                    summary.complete,
                    _percent(summary.correct),
                    _percent(summary.index),
                    texts.TREND[change] if previous is not None else "",
                ]
            )
            previous = summary
    yearly = wb.create_sheet("Rapor Tahunan")
    _head(
        yearly,
        [
            "Peringkat", "Kode", "Unit", "Tahun", "Bulan dinilai", "Bulan tepat waktu",
            "Bulan lengkap", "Sesuai (%)", "Indeks (%)",
        ],
    )  # fmt: skip
    for rank, entry in enumerate(card.ranked(), start=1):
        s = entry.year
        yearly.append(
            [
                rank, entry.unit.code, entry.unit.name, card.year, s.months, s.on_time,
                s.complete, _percent(s.correct), _percent(s.index),
            ]
        )  # fmt: skip
    for ws, widths in (
        (monthly, [10, 36, 16, 10, 10, 14, 10, 12, 10, 16]),
        (quarterly, [10, 36, 18, 10, 12, 12, 10, 10, 10]),
        (yearly, [10, 10, 36, 8, 10, 12, 12, 10, 10]),
    ):
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[chr(64 + index)].width = width


def scorecard_workbook(card: Scorecard, tz: ZoneInfo) -> bytes:
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Sampul"
    cover.append(["Rapor Kepatuhan Pelaporan Kartu Kendali SPIP", str(card.year)])
    cover.append(["Bulan dinilai", ", ".join(texts.bulan(p) for p in card.months) or "-"])
    cover.append(["Dibuat", card.made_at.astimezone(tz).replace(tzinfo=None)])
    cover.column_dimensions["A"].width = 44
    cover.column_dimensions["B"].width = 60
    add_scorecard_sheets(wb, card, tz)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def scorecard_png(card: Scorecard, tz: ZoneInfo) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    units = card.ranked()[:40]  # ranked as the text is; beyond 40 a phone cannot read it
    months = list(card.months)
    colours = ["#FFFFFF", "#70AD47", "#FFD966", "#ED7D31", "#C00000"]
    grid = []
    for entry in units:
        row = []
        for period in months:
            s = entry.months.get(period)
            if s is None:
                row.append(0)
            else:
                row.append(
                    1 if s.on_time and s.complete else 2 if s.complete else 3 if s.on_time else 4
                )
        grid.append(row)
    width, height = 1400, 260 + 46 * max(len(units), 1)
    dpi = 100
    fig = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    top, bottom = 1 - 150 / height, 110 / height
    ax = fig.add_axes((0.3, bottom, 0.55, top - bottom))
    ax.imshow(
        grid or [[0]],
        cmap=ListedColormap(colours),
        vmin=0,
        vmax=len(colours) - 1,
        aspect="auto",
        interpolation="nearest",
    )
    ax.set_xticks(range(len(months)), [texts.bulan_singkat(p) for p in months], fontsize=10)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(units)), [e.unit.name[:36] for e in units], fontsize=10)
    for r, entry in enumerate(units):
        for c, period in enumerate(months):
            s = entry.months.get(period)
            if s is not None:
                ax.text(c, r, f"{round(100 * s.correct)}", ha="center", va="center", fontsize=9)
        ax.text(
            len(months) - 0.4,
            r,
            f" {round(100 * entry.year.index)}%",
            va="center",
            ha="left",
            fontsize=11,
            fontweight="bold",
        )
    fig.suptitle(f"Rapor kepatuhan kartu kendali SPIP {card.year}", fontsize=16, y=1 - 20 / height)
    fig.text(
        0.5,
        1 - 55 / height,
        "angka di kotak: sesuai (%); di kanan: indeks tahunan · dibuat "
        f"{texts.waktu(card.made_at, tz)}",
        ha="center",
        fontsize=10,
        color="#595959",
    )
    labels = [
        "tepat waktu dan lengkap",
        "lengkap, terlambat",
        "tepat waktu, belum lengkap",
        "terlambat dan belum lengkap",
    ]
    fig.legend(
        handles=[Patch(facecolor=colours[i + 1], label=label) for i, label in enumerate(labels)],
        loc="lower center",
        ncol=2,
        fontsize=10,
        frameon=False,
    )
    out = BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
