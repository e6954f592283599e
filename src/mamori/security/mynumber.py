"""The Individual Number (My Number) kept out of Mamori: detection and masking, pure.

A retailer may not collect or keep the Individual Number of its customers (My Number Act Art. 19,
20). People still write it into forms and letters, so every free text is searched before it is
stored: twelve digits (half- or full-width, with or without separators) whose last digit is the
check digit of the first eleven are replaced by a fixed mask, and the person or staff member who
typed it is told why.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

MASK = "************"
LENGTH = 12
_ELEVEN = 11
_DIGIT = "[0-9０-９]"
_SEP = "[ \u3000\\-‐‑‒–—―－ー.．]"
# Twelve digits, at most one separator between two of them, not part of a longer run of digits.
_PATTERN = re.compile(
    rf"(?<!{_DIGIT})(?<!{_DIGIT}{_SEP})(?:{_DIGIT}{_SEP}?){{11}}{_DIGIT}(?!{_SEP}?{_DIGIT})"
)

# Identifier kinds, data items and fields that would hold the number (compared lower-case, with
# spaces, hyphens and underscores removed).
NAMES = frozenset({"mynumber", "individualnumber", "kojinbango", "kojinbangou", "個人番号", "マイナンバー"})

NOTE: dict[str, str] = {
    "ja": "入力された文章に個人番号（マイナンバー）が含まれていたため、番号を伏せて保存しました。"
    "当社は法律により個人番号をお預かりできません。",
    "en": "Your text contained an Individual Number (My Number); it was masked before saving, because"
    " we may not keep that number by law.",
    "zh-Hans": "您输入的文字中包含个人编号（My Number），已在保存前隐去。依照法律，本公司不得保存该编号。",
    "zh-Hant": "您輸入的文字中包含個人編號（My Number），已在儲存前隱去。依照法律，本公司不得保存該編號。",
}


def check_digit(first_eleven: str) -> int:
    """The check digit of an Individual Number from its first eleven digits (ASCII)."""
    if len(first_eleven) != _ELEVEN or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("eleven ASCII digits are needed")
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5  # noqa: PLR2004 - the law's two weight ranges
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(text: str) -> bool:
    """Whether ``text`` is twelve digits (any width, separators allowed) with a valid check digit."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isdigit())
    if len(digits) != LENGTH or not digits.isascii():
        return False
    return check_digit(digits[:_ELEVEN]) == int(digits[-1])


@dataclass(frozen=True, slots=True)
class Masked:
    text: str
    count: int


def mask(text: str) -> Masked:
    """``text`` with every Individual Number replaced by :data:`MASK`; the rest is kept as typed."""
    count = 0

    def _swap(match: re.Match[str]) -> str:
        nonlocal count
        if not is_my_number(match.group(0)):
            return match.group(0)
        count += 1
        return MASK

    masked = _PATTERN.sub(_swap, text)
    return Masked(masked, count)


def names_my_number(name: str) -> bool:
    """Whether an identifier kind, data item or field name says it holds the Individual Number."""
    key = re.sub(r"[\s_\-]", "", unicodedata.normalize("NFKC", name)).lower()
    return key in NAMES


NOTES_KEY = "mamori.my_number_masked"


def scrub(text: str, info: MutableMapping[str, Any]) -> str:
    """``text`` masked; the count is added to ``info`` (the unit of work's ``Session.info``).

    Entry points read the count back (:func:`masked_count`) and tell the person who typed the text.
    """
    result = mask(text)
    if result.count:
        info[NOTES_KEY] = int(info.get(NOTES_KEY, 0)) + result.count
    return result.text


def scrub_optional(text: str | None, info: MutableMapping[str, Any]) -> str | None:
    return None if text is None else scrub(text, info)


def masked_count(info: Mapping[str, Any]) -> int:
    """How many Individual Numbers the unit of work masked."""
    return int(info.get(NOTES_KEY, 0))
