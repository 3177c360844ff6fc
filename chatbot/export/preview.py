"""A PDF's first page as a picture, and its page count, for the reviewer's desk: evidence read
on a phone without opening the file. PDFium (``pypdfium2``) renders it; the picture is kept
beside the evidence (``previews/<sha256>.jpg``, the page count in its name's sidecar), so a
file is rendered once whoever opens it. Rendering is heavy: ``Previews.get`` runs it in a
worker thread, a few at a time, never on the event loop; ``Previews.ahead`` renders a delivery's
PDFs as soon as it is confirmed, in a thread of its own one page at a time, so the reviewer's
desk finds them ready (and shows them without waiting)."""

from __future__ import annotations

import json
import logging
import os
import queue
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from chatbot.export.inspect import PDFIUM
from chatbot.workers import Workers

log = logging.getLogger(__name__)

WIDTH = 1000  # pixels: a phone's screen width and then some, a page's text readable
QUALITY = 80  # JPEG
MAX_SIDE = 4000  # a page of odd proportions is not rendered into a giant bitmap
# first pages waiting to be rendered ahead; beyond these (a day-10 rush) the desk renders the
# rest when they are opened, as it would without the lane
AHEAD = 2000


@dataclass(frozen=True, slots=True)
class Preview:
    pages: int  # 0 when the PDF cannot be read
    picture: Path | None  # the first page as a JPEG
    unreadable: str = ""  # why it could not be read (damaged, password), for the log


def render(source: Path, picture: Path) -> Preview:
    """The first page of ``source`` into ``picture`` (JPEG); blocking, one PDFium call of
    the process at a time (``inspect.PDFIUM``)."""
    with PDFIUM:
        return _render(source, picture)


def _render(source: Path, picture: Path) -> Preview:
    try:
        document = pdfium.PdfDocument(source)
    except pdfium.PdfiumError as exc:
        return Preview(0, None, str(exc))
    try:
        pages = len(document)
        if pages == 0:
            return Preview(0, None, "no pages")
        page = document[0]
        width, height = page.get_size()
        scale = min(WIDTH / max(width, 1), MAX_SIDE / max(height, 1))
        # in RGB order from PDFium itself: no converted copy of the bitmap (a third of the
        # render's CPU), the same picture
        image = page.render(scale=scale, rev_byteorder=True).to_pil()
        if image.mode != "RGB":
            image = image.convert("RGB")
        picture.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=picture.parent, suffix=".jpg")
        with os.fdopen(fd, "wb") as out:
            image.save(out, "JPEG", quality=QUALITY, optimize=True)
        os.replace(tmp, picture)
        return Preview(pages, picture)
    except pdfium.PdfiumError as exc:
        return Preview(0, None, str(exc))
    finally:
        document.close()


class Previews:
    """First pages, rendered once per content and kept under ``root``."""

    def __init__(self, root: Path, workers: Workers | None = None) -> None:
        self.root = root
        self.workers = workers or Workers()
        self._ahead: queue.Queue[tuple[str, Path]] = queue.Queue(AHEAD)
        self._queued: set[str] = set()  # in the lane now (each content once)
        self._lock = threading.Lock()
        self._lane: threading.Thread | None = None

    def _paths(self, sha256: str) -> tuple[Path, Path]:
        folder = self.root / sha256[:2]
        return folder / f"{sha256}.jpg", folder / f"{sha256}.json"

    def cached(self, sha256: str) -> Preview | None:
        picture, facts = self._paths(sha256)
        try:
            known = json.loads(facts.read_text())
        except (OSError, ValueError):
            return None
        pages = int(known.get("pages", 0))
        return Preview(pages, picture if pages and picture.is_file() else None)

    def make(self, sha256: str, source: Path) -> Preview:
        """Blocking: the cached preview, else rendered now and kept."""
        known = self.cached(sha256)
        if known is not None:
            return known
        picture, facts = self._paths(sha256)
        made = render(source, picture)
        if made.unreadable:
            log.info("PDF %s cannot be read: %s", sha256, made.unreadable)
        facts.parent.mkdir(parents=True, exist_ok=True)
        facts.write_text(json.dumps({"pages": made.pages}))
        return made

    def ahead(self, files: Iterable[tuple[str, Path]]) -> int:
        """Render these PDFs' first pages (sha256, path) in the background, in the order
        given, those not rendered yet; returns how many were queued. Never blocks: a full
        lane leaves the rest to be rendered when the desk opens them."""
        queued = 0
        with self._lock:
            for sha256, source in files:
                if sha256 in self._queued or self.cached(sha256) is not None:
                    continue
                try:
                    self._ahead.put_nowait((sha256, source))
                except queue.Full:
                    log.info("previews lane full: %s rendered when opened", sha256)
                    break
                self._queued.add(sha256)
                queued += 1
            if queued and (self._lane is None or not self._lane.is_alive()):
                self._lane = threading.Thread(target=self._render_ahead, daemon=True)
                self._lane.name = "previews-ahead"
                self._lane.start()
        return queued

    def _render_ahead(self) -> None:
        """The lane: one first page at a time (PDFium itself renders one at a time in the
        process), for the life of the process. An error is logged; the desk tries again."""
        while True:
            sha256, source = self._ahead.get()
            try:
                self.make(sha256, source)
            except Exception:
                log.exception("preview of %s could not be rendered ahead", sha256)
            finally:
                with self._lock:
                    self._queued.discard(sha256)
                self._ahead.task_done()

    def settle(self) -> None:
        """Blocking: until the lane has rendered what was queued (for tests)."""
        self._ahead.join()

    async def get(self, sha256: str, source: Path) -> Preview:
        known = self.cached(sha256)
        if known is not None:
            return known
        return await self.workers.run(self.make, sha256, source)
