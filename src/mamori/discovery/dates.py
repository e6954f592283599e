"""Dates of birth: any date form (Gregorian, Japanese eras with 元年, ROC years, English) with a birth cue.

A date without a cue is an ordinary date (an order, a delivery) and stays quiet. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mamori.discovery.spans import Span
from mamori.discovery.text import cue_before

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018, "M": 1867, "T": 1911,
         "S": 1925, "H": 1988, "R": 2018, "民國": 1911, "民国": 1911}  # fmt: skip
DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<era>明治|大正|昭和|平成|令和|民國|民国|[MTSHR]) ?(?P<ey>元|\d{1,3}) ?[年.\-/]"
    r" ?(?P<em>\d{1,2}) ?[月.\-/] ?(?P<ed>\d{1,2})日?"
    r"|(?P<y>(?:18|19|20)\d{2}) ?[年/\-.] ?(?P<m>\d{1,2}) ?[月/\-.] ?(?P<d>\d{1,2})[日号號]?"
    r"|(?P<am>\d{1,2})/(?P<ad>\d{1,2})/(?P<ay>(?:19|20)\d{2})"
    rf"|(?P<mn>{_MONTHS})\.? (?P<md>\d{{1,2}}),? (?P<my>(?:19|20)\d{{2}})"
    rf"|(?P<dd>\d{{1,2}}) (?P<dm>{_MONTHS})\.?,? (?P<dy>(?:19|20)\d{{2}})"
    r")(?![\d])"
)
_AFTER = re.compile(r" ?(?:生まれ|生|出生|出世|born)")


def _valid(m: re.Match[str]) -> bool:
    month = m.group("em") or m.group("m") or m.group("am")
    day = m.group("ed") or m.group("d") or m.group("ad")
    if month is None:
        return True  # month names: the pattern holds them
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31  # noqa: PLR2004


def dates_of_birth(text: str) -> Iterator[Span]:
    for m in DATE.finditer(text):
        if not _valid(m):
            continue
        before = cue_before(text, m.start(), 14) == "date_of_birth"
        after = _AFTER.match(text, m.end()) is not None
        if before or after:
            era = " (era year)" if m.group("era") else ""
            yield Span("date_of_birth", m.start(), m.end(), 0.93, f"date{era} with a birth cue")
