"""Addresses of Japan, the PRC, Taiwan and Hong Kong, and Latin-script addresses. Pure.

Japan: a prefecture or known city, chōme and house numbers in any numerals; Latin script: US
style and romanised Japanese.

An address starts at a place from the dictionary and must end in a house number; a place name
alone ("東京都の店舗") is not an address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from mamori.discovery.lexicon import lexicon, trie_pattern
from mamori.discovery.spans import Span

_NUM = "[0-9一二三四五六七八九十〇百]+"
_JA_CHARS = "\u4e00-\u9fff々ヶぁ-んァ-ヺー"
_HOUSE_JA = (
    rf"{_NUM}(?:丁目|番地|番|号|-|の)(?:{_NUM}(?:丁目|番地|番|号|-|の)?)*"
    rf"(?: ?(?!電話|携帯|連絡|TEL|Tel|tel)[{_JA_CHARS}A-Za-z]{{0,16}}? ?{_NUM}(?:号室|階|F))?"
)
_HOUSE_ZH = (
    rf"{_NUM}(?:号|號)(?:之{_NUM})?(?:[A-Za-z\u4e00-\u9fff]{{0,8}}?{_NUM}(?:号楼|號樓|楼|樓|层|層|室|F|座))*"
)
_STREET = r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl)"
_WORD = r"[A-Z][a-z]+"
LATIN = re.compile(
    rf"(?<![\w-])(?:(?:Flat|Room|Unit|Apt\.?) \w{{1,4}}, (?:\d{{1,2}}/F, )?)?"
    rf"\d{{1,5}} (?:{_WORD} ){{1,3}}{_STREET}\.?"
    rf"(?:,? (?:Apt|Suite|Unit|#)\.? ?\w{{1,5}})?(?:, {_WORD}(?: {_WORD}){{0,2}}){{0,3}}"
    r"(?:,? [A-Z]{2}(?: \d{5}(?:-\d{4})?)?)?"
)
ROMAJI = re.compile(
    rf"(?<![\w-])\d{{1,4}}-\d{{1,4}}(?:-\d{{1,4}})?,? {_WORD}(?:-\w+)?,"
    rf"(?: {_WORD}-(?:ku|shi|cho|machi|gun|ken),)*"
    rf" {_WORD}(?:-(?:to|fu|ken))?(?: \d{{3}}-\d{{4}})?"
)


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    lex = lexicon()
    pref = trie_pattern(lex.prefectures)
    city = trie_pattern(lex.ja_cities)
    zh = trie_pattern(lex.zh_places)
    ja_start = rf"(?:{pref}(?:[{_JA_CHARS}]{{1,8}}?[市区町村郡])?|{city})"
    return {
        "ja": re.compile(rf"{ja_start}(?:[{_JA_CHARS}]{{1,8}}?[区町村])?[{_JA_CHARS}]{{0,12}}?{_HOUSE_JA}"),
        "zh": re.compile(rf"(?:{zh})[0-9A-Za-z\u4e00-\u9fff]{{1,30}}?{_HOUSE_ZH}"),
    }


def addresses(text: str) -> Iterator[Span]:
    pats = _patterns()
    if _CJK.search(text):
        for m in pats["ja"].finditer(text):
            yield Span("address", m.start(), m.end(), 0.9, "Japanese place and house number")
        for m in pats["zh"].finditer(text):
            yield Span("address", m.start(), m.end(), 0.88, "Chinese-language place and house number")
    for pattern, why in ((LATIN, "street address"), (ROMAJI, "romanised Japanese address")):
        for m in pattern.finditer(text):
            yield Span("address", m.start(), m.end(), 0.85, why)


_CJK = re.compile("[\u4e00-\u9fff]")
