"""A PDF's first page as a picture, and its page count, for the reviewer's desk: evidence read
on a phone without opening the file. PDFium (``pypdfium2``) renders it; the picture is kept
beside the evidence (``previews/<sha256>.jpg``, the page count in its name's sidecar), so a
file is rendered once whoever opens it. Rendering is heavy: ``Previews.get`` runs it in a
worker thread, a few at a time, never on the event loop."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from chatbot.export.inspect import PDFIUM
from chatbot.workers import Workers

log = logging.getLogger(__name__)

WIDTH = 1000  # pixels: a phone's screen width and then some, a page's text readable
QUALITY = 80  # JPEG
MAX_SIDE = 4000  # a page of odd proportions is not rendered into a giant bitmap


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

    async def get(self, sha256: str, source: Path) -> Preview:
        known = self.cached(sha256)
        if known is not None:
            return known
        return await self.workers.run(self.make, sha256, source)
