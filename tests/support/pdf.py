"""Real PDFs for the tests (the desk renders their first page): blank pages of A4, the
``note`` kept in the document's metadata so that different notes make different files."""

from __future__ import annotations

import io

import pypdfium2 as pdfium


def real_pdf(pages: int = 1, note: str = "") -> bytes:
    document = pdfium.PdfDocument.new()
    for _ in range(pages):
        document.new_page(595, 842)
    out = io.BytesIO()
    document.save(out)
    document.close()
    data = out.getvalue()
    return data + f"\n% {note}\n".encode() if note else data
