"""What a received file holds, read once when it arrives: a PDF's pages and the text of its
first pages (PDFium, ``pypdfium2``: it opens damaged and scanned PDFs pure-Python readers
refuse, and says when it cannot: damaged, password, no pages), whether its first page or a
photo is blank, and iPhone photos (HEIC) as JPEG (``pillow-heif``). Blocking: run it in a
worker thread."""

from __future__ import annotations

import io
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageStat

log = logging.getLogger(__name__)

TEXT_PAGES = 3  # the month a document is about is on its first pages
TEXT_LIMIT = 20_000  # characters kept for the checks
BLANK_SIDE = 200  # pixels: a blank page is told at a thumbnail's size
BLANK_STDDEV = 4.0  # grey levels: a scan of an empty sheet varies less than this
BLANK_MEAN = 235.0  # and is light


class Unreadable(Exception):
    """A PDF that cannot be opened: ``reason`` is rusak (damaged), sandi (password) or
    kosong (no pages)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Reading:
    pages: int = 0  # PDFs only
    text: str = ""
    blank: bool = False  # no text and a blank first page, or a blank photo


def _blank(image: Image.Image) -> bool:
    grey = image.convert("L")
    grey.thumbnail((BLANK_SIDE, BLANK_SIDE))
    stat = ImageStat.Stat(grey)
    return stat.stddev[0] < BLANK_STDDEV and stat.mean[0] > BLANK_MEAN


# PDFium must never be called from two threads at once, even on different documents
# (pypdfium2's documentation): every call of this process (these readings, the desk's
# previews) holds this lock
PDFIUM = threading.Lock()
ENCRYPTED = re.compile(rb"/Encrypt(?![A-Za-z])")
NO_PAGES = re.compile(rb"/Count\s*0(?![0-9])")


def read_pdf(data: bytes) -> Reading:
    with PDFIUM:
        return _read_pdf(data)


def _read_pdf(data: bytes) -> Reading:
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # PDFium's error text is its last error, which may be left from another file: the
        # file itself says whether it is encrypted, or has a page tree of no pages (which
        # PDFium refuses to open)
        if ENCRYPTED.search(data):
            reason = "sandi"
        elif NO_PAGES.search(data):
            reason = "kosong"
        else:
            reason = "rusak"
        raise Unreadable(reason, str(exc)) from None
    try:
        pages = len(document)
        if pages == 0:
            raise Unreadable("kosong")
        parts = []
        for index in range(min(pages, TEXT_PAGES)):
            page = document[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        text = "\n".join(parts)[:TEXT_LIMIT]
        blank = False
        if not text.strip():
            first = document[0]
            width, height = first.get_size()
            scale = BLANK_SIDE / max(width, height, 1)
            blank = _blank(first.render(scale=scale).to_pil())
            first.close()
        return Reading(pages=pages, text=text, blank=blank)
    except pdfium.PdfiumError as exc:
        raise Unreadable("rusak", str(exc)) from None
    finally:
        document.close()


def read_image(data: bytes) -> Reading:
    try:
        with Image.open(io.BytesIO(data)) as image:
            return Reading(blank=_blank(image))
    except (OSError, ValueError, Image.DecompressionBombError):
        return Reading()


def heic_to_jpeg(data: bytes) -> bytes:
    """An iPhone photo (HEIC/HEIF) as a JPEG every phone and reviewer can open."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    with Image.open(io.BytesIO(data)) as image:
        out = io.BytesIO()
        exif = image.info.get("exif")  # when and with what it was taken: kept as evidence
        extra = {"exif": exif} if exif else {}
        image.convert("RGB").save(out, "JPEG", quality=90, **extra)
        return out.getvalue()


class Inspector:
    """Readings of received files, by content, kept for the confirmation and the delivery
    that follow (a file is read once however often it is shown); a reading lost to a restart
    is made again from the evidence store."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._readings: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def read(data: bytes, extension: str) -> Reading:
        """Blocking; ``Unreadable`` for a PDF that cannot be opened."""
        if extension == "pdf":
            return read_pdf(data)
        if extension in ("jpg", "png"):
            return read_image(data)
        return Reading()

    def remember(self, sha256: str, reading: Reading) -> None:
        with self._lock:
            self._readings[sha256] = reading
            self._readings.move_to_end(sha256)
            while len(self._readings) > self.size:
                self._readings.popitem(last=False)

    def reading(self, sha256: str, extension: str, load: Callable[[], bytes]) -> Reading:
        with self._lock:
            known = self._readings.get(sha256)
        if known is not None:
            return known
        try:
            reading = self.read(load(), extension)
        except (Unreadable, OSError) as exc:
            log.warning("evidence %s could not be read again: %s", sha256[:12], exc)
            reading = Reading()
        self.remember(sha256, reading)
        return reading
