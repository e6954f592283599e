"""Pure rules of the data map: which column names look personal, and readable retention periods."""

from __future__ import annotations

import re

from mamori.policy.schema import parse_period

_TOKENS = frozenset(
    {
        "email",
        "mail",
        "phone",
        "tel",
        "mobile",
        "fax",
        "name",
        "kana",
        "birth",
        "birthday",
        "dob",
        "address",
        "addr",
        "street",
        "city",
        "zip",
        "postal",
        "postcode",
        "gender",
        "sex",
        "card",
        "account",
        "passport",
        "licence",
        "license",
        "ip",
        "mynumber",
        "note",
        "notes",
        "memo",
        "comment",
        "summary",
        "age",
        "nationality",
    }
)
_PARTS = ("mail", "phone", "birth", "kana", "addr", "passport")
_UNITS: dict[str, tuple[str, str, str]] = {
    # language: (years, months, days); {n} is the number
    "ja": ("{n}年", "{n}か月", "{n}日"),
    "en": ("{n} year{s}", "{n} month{s}", "{n} day{s}"),
    "zh-Hans": ("{n}年", "{n}个月", "{n}天"),
    "zh-Hant": ("{n}年", "{n}個月", "{n}天"),
}


def looks_personal(column: str) -> bool:
    """Whether a column's name suggests personal data (``customer_email``, ``tel_no``, ``birthDate``)."""
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", column).lower()
    tokens = [t for t in re.split(r"[^a-z0-9]+", words) if t]
    return any(t in _TOKENS for t in tokens) or any(part in words for part in _PARTS)


def period_text(period: str | None, language: str) -> str:
    """``P7Y`` → ``7年`` / ``7 years``; an empty text when no retention is declared."""
    if not period:
        return ""
    units = _UNITS.get(language, _UNITS["ja"])
    parts = [
        unit.format(n=n, s="s" if n > 1 else "")
        for n, unit in zip(parse_period(period), units, strict=True)
        if n
    ]
    return ("" if language.startswith("zh") or language == "ja" else " ").join(parts)
