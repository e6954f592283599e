"""Text files from other systems: check the encoding before reading, and name the line that is wrong.

Japanese spreadsheets save CSV in Shift_JIS (Windows code page 932) unless told otherwise; read as
UTF-8 such a file fails on its first Japanese character. The operator is told which line and
which option reads it (``--encoding cp932``), and nothing is imported.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from mamori.errors import ValidationFailed

CHUNK = 1024 * 1024


def check_encoding(path: Path, encoding: str) -> None:
    """Raise ValidationFailed when ``path`` is not ``encoding`` text, naming the first bad line."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        _refuse(f"unknown encoding {encoding!r}; use utf-8 or cp932 (Shift_JIS)")
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line += chunk[: max(exc.start, 0)].count(b"\n")
                _refuse(f"line {line} is not {encoding} text; {_hint(encoding)}")
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _refuse(f"the file ends inside a character: it is not {encoding} text; {_hint(encoding)}")


def _hint(encoding: str) -> str:
    if codecs.lookup(encoding).name == "utf-8":
        return "a file saved by Excel in Japanese is Shift_JIS: give --encoding cp932"
    return "give the file's encoding with --encoding (utf-8 or cp932)"


def _refuse(message: str) -> None:
    raise ValidationFailed(message, details={"errors": [{"field": "file", "message": message}]})
