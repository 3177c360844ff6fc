"""What people type, made safe to keep and to show: control characters out, lengths bounded,
and a test for text that says nothing (only spaces, invisible characters or punctuation).
The same rules on every channel and every database (PostgreSQL refuses NUL; openpyxl refuses
most control characters)."""

from __future__ import annotations

import re
import unicodedata

# C0 controls except tab, line feed and carriage return; DEL and the C1 controls
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\x0b\x0c\r\u2028\u2029\x85]")  # Word's manual line break is \x0b
# characters of category "letter" that show nothing (Hangul fillers, the Braille blank)
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
MEANINGFUL_MINIMUM = 3  # letters or digits a reason or a note must hold


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
