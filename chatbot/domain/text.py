"""What people type, made safe to keep and to show: control characters out, lengths bounded,
and a test for text that says nothing (only spaces, invisible characters or punctuation).
The same rules on every channel and every database (PostgreSQL refuses NUL; openpyxl refuses
most control characters)."""

from __future__ import annotations

import re
import unicodedata

from chatbot.domain.errors import NoteRequired, ReasonRequired, TextTooLong

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\x0b\x0c\r\u2028\u2029\x85]")  # Word's manual line break is \x0b
# characters of category "letter" that show nothing (Hangul fillers, the Braille blank)
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
MEANINGFUL_MINIMUM = 3  # letters or digits a reason or a note must hold
# a return reason or a "tidak ada kegiatan" note: long enough for a paragraph, short enough
# that the notice quoting it stays within one Telegram message (4,096) and a WhatsApp one
MAX_REASON_LENGTH = 1000


def printable(text: str) -> str:
    """``text`` without control characters: line breaks of every kind become "\\n", the rest
    is dropped. For anything written to a workbook, a file name or a message."""
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n")))


def cleaned(text: str, max_length: int) -> str:
    """Typed text as it is kept: NFC, printable, format characters (zero-width and the like)
    dropped, trimmed, at most ``max_length`` characters."""
    text = printable(unicodedata.normalize("NFC", text))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.strip()[:max_length].strip()


def meaningful(text: str) -> bool:
    """Whether ``text`` says something: at least a few letters or digits that show."""
    count = 0
    for char in text:
        if char in _INVISIBLE_LETTERS:
            continue
        if unicodedata.category(char)[0] in "LN":
            count += 1
            if count >= MEANINGFUL_MINIMUM:
                return True
    return False


def one_line(text: str, max_length: int) -> str:
    """A name or a label: printable, on one line, at most ``max_length`` characters."""
    flat = " ".join(cleaned(text, 10 * max_length).split())
    return flat[:max_length].strip()


def reason_text(raw: str | None, *, note: bool = False) -> str:
    """A return reason (or, with ``note``, a no-activity note) as it is kept, or the typed
    refusal: nothing meaningful (``ReasonRequired`` / ``NoteRequired``) or too long."""
    text = cleaned(raw or "", MAX_REASON_LENGTH + 1)
    if not meaningful(text):
        raise NoteRequired() if note else ReasonRequired()
    if len(text) > MAX_REASON_LENGTH:
        raise TextTooLong(str(len(text)), limit=MAX_REASON_LENGTH)
    return text


MAX_MIME_TYPE = 120
MAX_NAME = 200  # a person's name, an invite's name
MAX_FILE_NAME = 200  # the stored name (the column holds 255; room for " (2)" and the like)


def file_name(raw: str | None) -> str:
    """A file name as it is kept and shown: printable, on one line, without path separators,
    at most ``MAX_FILE_NAME`` characters with its extension kept; "" when nothing is left."""
    name = one_line((raw or "").replace("/", "-").replace("\\", "-"), 10 * MAX_FILE_NAME)
    name = "".join(c for c in name if c not in _BIDI).strip(" .")
    if len(name) <= MAX_FILE_NAME:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and 0 < len(ext) <= 10:
        return stem[: MAX_FILE_NAME - len(ext) - 1].rstrip() + "." + ext
    return name[:MAX_FILE_NAME].rstrip()


# bidirectional overrides: "laporan\u202efdp.exe" shows as "laporanexe.pdf"
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")

# identifiers carried in button data are database integers: PostgreSQL's INTEGER
MAX_ID = 2**31 - 1


def small_int(text: str) -> int | None:
    """A non-negative id or version from a button's data, or None when it is not one (too
    long, signed, too large for the database)."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def pieces(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at a blank line, else a line
    break, else a space where one is near; for channels with a maximum message length."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts
