"""Status as a picture: a heat map of units × items, coloured by status, readable on a phone."""

from __future__ import annotations

from io import BytesIO
from zoneinfo import ZoneInfo

import matplotlib

matplotlib.use("Agg")  # no screen: draw to memory

from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from chatbot import texts
from chatbot.domain.workflow import UNIT_CARD_ITEM, ItemStatus
from chatbot.services.status import PeriodStatus

MAX_ROWS = 40  # beyond this the picture is no longer readable on a phone: see /rekap
WIDTH_PX = 1600
DPI = 100
HEADER_PX = 260
ROW_PX = 44
ORDER = [None, *ItemStatus]  # None: not owed by the unit
COLOURS = ["#FFFFFF", "#D0CECE", "#5B9BD5", "#ED7D31", "#70AD47", "#A9D18E"]
LABELS = ["tidak wajib", "kosong", "dikirim", "dikembalikan", "disetujui", "nihil"]


def picture_size(units: int) -> tuple[int, int]:
    """Width and height in pixels for a status of ``units`` units."""
    rows = min(units, MAX_ROWS)
    return WIDTH_PX, HEADER_PX + ROW_PX * max(rows, 1)


def heatmap_png(status: PeriodStatus, tz: ZoneInfo) -> bytes:
    units = list(status.units[:MAX_ROWS])
    codes = [i.code for i in status.items] + [UNIT_CARD_ITEM]
    grid: list[list[int]] = []
    for unit_status in units:
        lines = {line.item.code: line.status for line in unit_status.lines}
        if unit_status.card is not None:
            lines[UNIT_CARD_ITEM] = unit_status.card.status
        grid.append([ORDER.index(lines.get(code)) for code in codes])
    width, height = picture_size(len(status.units))
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    top = 1 - 150 / height
    bottom = 110 / height
    ax = fig.add_axes((0.24, bottom, 0.68, top - bottom))
    ax.imshow(
        grid or [[0] * len(codes)],
        cmap=ListedColormap(COLOURS),
        vmin=0,
        vmax=len(COLOURS) - 1,
        aspect="auto",
        interpolation="nearest",
    )
    labels = [texts.item_short(code) for code in codes]  # the card by its name, not its code
    ax.set_xticks(range(len(codes)), labels, rotation=90, fontsize=9)
    ax.xaxis.tick_top()
    names = [f"{u.unit.code} {u.unit.name}"[:34] for u in units]
    ax.set_yticks(range(len(units)), names, fontsize=10)
    ax.set_xticks([x - 0.5 for x in range(1, len(codes))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(units))], minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    for row, unit_status in enumerate(units):
        ax.text(
            len(codes) - 0.4,
            row,
            f" {unit_status.progress.percent}%",
            va="center",
            ha="left",
            fontsize=11,
            fontweight="bold",
            color="#C00000" if unit_status.overdue else "#000000",
        )
    fig.suptitle(
        f"Status data dukung SPIP — {texts.bulan(status.period)}",
        fontsize=16,
        y=1 - 20 / height,
    )
    fig.text(
        0.5,
        1 - 55 / height,
        f"dibuat {texts.waktu(status.made_at, tz)}",
        ha="center",
        fontsize=10,
        color="#595959",
    )
    if len(status.units) > MAX_ROWS:
        fig.text(
            0.5,
            60 / height,
            f"(+{len(status.units) - MAX_ROWS} unit lainnya: lihat /rekap)",
            ha="center",
            fontsize=10,
        )
    handles = [
        Patch(facecolor=c, edgecolor="#A6A6A6", label=label)
        for c, label in zip(COLOURS, LABELS, strict=True)
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=10, frameon=False)
    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
