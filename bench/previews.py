"""Heavy work off the event loop, measured: the reviewer's desk's first-page picture of a
20-page scanned PDF (image-only pages, as a phone's scanner app makes them), the reading of
that PDF at its arrival (page count, text, blank pages), and how long the event loop stays
blocked meanwhile (it should not: both run in the bot's workers).

    python -m bench.previews [--runs 5] [--pages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

from chatbot.export.inspect import Inspector
from chatbot.export.preview import Previews
from chatbot.workers import Workers

A4_200_DPI = (1654, 2339)


def scanned_pdf(pages: int, seed: int = 1) -> bytes:
    """``pages`` A4 pages at 200 dpi, each a greyish photo of a page with lines of "text"
    and scanner noise: no text layer, as a scanned card is."""
    rng = random.Random(seed)
    images = []
    for n in range(pages):
        page = Image.new("L", A4_200_DPI, 235)
        draw = ImageDraw.Draw(page)
        for line in range(60):
            y = 150 + line * 35
            x = 120
            while x < A4_200_DPI[0] - 200:
                word = rng.randint(30, 140)
                draw.rectangle((x, y, x + word, y + 14), fill=rng.randint(20, 80))
                x += word + rng.randint(15, 30)
        draw.text((120, 60), f"Halaman {n + 1}", fill=0)
        noise = Image.effect_noise(A4_200_DPI, 12).point(lambda v: v // 8)
        images.append(Image.merge("RGB", [Image.blend(page, noise, 0.15)] * 3))
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=200)
    return out.getvalue()


async def blocked_while(work: asyncio.Future[object]) -> float:
    """The longest the event loop went without running this ticker while ``work`` ran, ms."""
    longest, last = 0.0, time.perf_counter()
    while not work.done():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest, last = max(longest, now - last - 0.005), now
    await work
    return longest * 1000


async def one_run(data: bytes, folder: Path) -> dict[str, float]:
    source = folder / "scan.pdf"
    source.write_bytes(data)
    previews = Previews(folder / "previews", Workers(2))
    begin = time.perf_counter()
    job = asyncio.ensure_future(previews.get("a" * 64, source))
    preview_blocked = await blocked_while(job)
    preview_ms = (time.perf_counter() - begin) * 1000
    made = job.result()
    assert made.pages > 0 and made.picture is not None, made
    workers = Workers(2)
    begin = time.perf_counter()
    job2 = asyncio.ensure_future(workers.run(Inspector.read, data, "pdf"))
    read_blocked = await blocked_while(job2)
    read_ms = (time.perf_counter() - begin) * 1000
    return {
        "first page ready, ms": preview_ms,
        "loop blocked meanwhile, ms": preview_blocked,
        "PDF read at arrival, ms": read_ms,
        "loop blocked meanwhile (read), ms": read_blocked,
        "picture, KB": made.picture.stat().st_size / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    data = scanned_pdf(args.pages)
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            runs.append(asyncio.run(one_run(data, Path(folder))))
    print(f"\nA {args.pages}-page scanned PDF ({len(data) / 1e6:.1f} MB), medians of {args.runs}")
    for key in runs[0]:
        print(f"  {key:<36}{statistics.median(r[key] for r in runs):>10.1f}")


if __name__ == "__main__":
    main()
