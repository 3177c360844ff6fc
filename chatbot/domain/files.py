"""Which files are accepted as evidence: types by extension, and a size limit."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from chatbot.domain.errors import DomainError

MB = 1024 * 1024
PDF = "application/pdf"

MIME_EXTENSIONS: dict[str, str] = {
    PDF: "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "image/heic": "heic",
    "image/heif": "heif",
}


class FileTooLarge(DomainError):
    code = "file_too_large"


class FileTypeNotAllowed(DomainError):
    code = "file_type_not_allowed"


class UnreadableFile(DomainError):
    """A PDF that cannot be opened: ``reason`` rusak (damaged), sandi (password-protected) or
    kosong (no pages). The only check that refuses a file."""

    code = "unreadable_file"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ContentMismatch(DomainError):
    """The file's bytes are not what its name says (an executable renamed laporan.pdf)."""

    code = "content_mismatch"


# what the bytes of each accepted extension may be detected as: Office's new formats and ZIP
# are zip containers; Word's and Excel's old formats are OLE2 files, which the detector
# leaves unnamed (recognised here by their signature)
CONTENT_OF: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "jpg": frozenset({"jpg"}),
    "png": frozenset({"png"}),
    "docx": frozenset({"docx", "zip"}),
    "xlsx": frozenset({"xlsx", "zip"}),
    "zip": frozenset({"zip", "docx", "xlsx", "pptx", "odt", "ods"}),
    "doc": frozenset({"ole2"}),
    "xls": frozenset({"ole2"}),
    "heic": frozenset({"heic"}),  # iPhone photos, converted to JPEG when they arrive
    "heif": frozenset({"heic"}),
}
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")


def check_content(extension: str, detected: str | None, head: bytes) -> None:
    """Refuse a file whose bytes are not of the type its name declares; a type this rule
    does not know (allowed by the settings) is let through as named."""
    expected = CONTENT_OF.get(extension)
    if expected is None:
        return
    found = "ole2" if detected is None and head.startswith(OLE2) else detected
    if found not in expected:
        raise ContentMismatch(f"{extension} != {found or '?'}")


@dataclass(frozen=True, slots=True)
class FilePolicy:
    allowed_extensions: frozenset[str]
    max_bytes: int

    @property
    def max_mb(self) -> int:
        return self.max_bytes // MB

    def extension(self, file_name: str | None, mime_type: str | None) -> str | None:
        suffix = PurePosixPath(file_name or "").suffix.lower().lstrip(".")
        if suffix:
            return "jpg" if suffix == "jpeg" else suffix
        return MIME_EXTENSIONS.get((mime_type or "").lower())

    def check(self, file_name: str | None, mime_type: str | None, size: int | None) -> str:
        """The file's extension if acceptable. An unknown size is checked again after download."""
        extension = self.extension(file_name, mime_type)
        if extension not in self.allowed_extensions:
            raise FileTypeNotAllowed(extension or "?")
        if size is not None and size > self.max_bytes:
            raise FileTooLarge(str(size))
        return extension
