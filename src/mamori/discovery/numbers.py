"""Detectors of numbers and codes: e-mail, phone, postal code, My Number, cards, IDs, accounts. Pure.

Each works on normalised text (:func:`mamori.discovery.text.normalise`): a candidate pattern, then
the arithmetic (check digits, brand lengths) and the nearest cue word before it decide. Numbers of
orders, parcels, products, members and employees carry their own cue words, so the nearest cue
being one of those silences a look-alike.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from mamori.discovery import checks
from mamori.discovery.spans import Span
from mamori.discovery.text import cue_before, cues_before

_B = r"(?<![0-9A-Za-z_\-+./@#])"  # not glued to a longer code
_E = r"(?![0-9A-Za-z_\-@]|[./]\d)"
EMAIL = re.compile(
    r"(?<![0-9A-Za-z_.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
PRC_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
)
CARD = re.compile(_B + r"\d(?:[ \-]?\d){13,18}" + _E)
TWELVE = re.compile(_B + r"\d{4}[ \-]?\d{4}[ \-]?\d{4}" + _E)
PHONE = re.compile(
    _B
    + r"(?:\+\d{1,3}[ \-]?(?:\(0?\d{1,4}\)[ \-]?)?\d{1,4}(?:[ \-.]?\d{1,4}){1,3}"
    + r"|\(0\d{1,4}\)[ \-]?\d{1,4}[ \-]?\d{3,4}"
    + r"|0\d{1,4}[ \-.(]?\d{1,4}[ \-.)]?\d{3,4}"
    + r"|\(\d{3}\)[ ]?\d{3}-\d{4}|[2-9]\d{2}[\-.]\d{3}[\-.]\d{4}"
    + r"|1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}"
    + r"|[2-9]\d{3}[ \-]?\d{4})"
    + r"(?![0-9A-Za-z_\-@]|[./]\d)"
)
POSTAL_JP = re.compile(r"(?<![0-9A-Za-z_\-〒])\d{3}-\d{4}(?![0-9A-Za-z_\-])")
POSTAL_MARKED = re.compile(r"〒 ?\d{3}-?\d{4}(?!\d)")
POSTAL_OTHER = re.compile(r"(?<![0-9A-Za-z_\-])\d{5,6}(?:-\d{4})?(?![0-9A-Za-z_\-])")
PASSPORT = re.compile(r"(?<![0-9A-Za-z_\-])(?:[A-Z]{1,2}\d{7,8}|\d{9})(?![0-9A-Za-z_\-])")
LICENCE_ALNUM = re.compile(r"(?<![0-9A-Za-z_\-])[A-Z]\d{7,12}(?![0-9A-Za-z_\-])")
ACCOUNT = re.compile(_B + r"\d(?:[ \-]?\d){6,18}" + _E)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def emails(text: str) -> Iterator[Span]:
    for m in EMAIL.finditer(text):
        yield Span("email", m.start(), m.end(), 0.97, "e-mail address pattern")


def prc_ids(text: str) -> Iterator[Span]:
    for m in PRC_ID.finditer(text):
        if checks.is_prc_id(m.group().upper()):
            yield Span("prc_id", m.start(), m.end(), 0.97, "18-character PRC ID with valid check character")


def cards(text: str) -> Iterator[Span]:
    for m in CARD.finditer(text):
        digits = _digits(m.group())
        if not checks.is_card(digits):
            continue
        cue = cues_before(text, m.start())
        if "bank_account" in cue and "payment_card" not in cue:
            continue  # a bank card number written as an account: the account detector reports it
        brand = checks.card_brand(digits)
        boost = 0.04 if "payment_card" in cue else 0.0
        yield Span("payment_card", m.start(), m.end(), 0.94 + boost, f"{brand} length and Luhn check")


def twelve_digit(text: str) -> Iterator[Span]:
    """My Number (check digit) or a driver's licence (cue); tracking numbers stay quiet."""
    for m in TWELVE.finditer(text):
        digits = _digits(m.group())
        cue = cue_before(text, m.start(), 24)
        if cue == "drivers_licence":
            yield Span("drivers_licence", m.start(), m.end(), 0.9, "12 digits after a licence cue")
        elif checks.is_my_number(digits) and cue == "my_number":
            yield Span("my_number", m.start(), m.end(), 0.99, "My Number check digit and cue word")
        elif checks.is_my_number(digits) and cue is None and _grouped(m.group()):
            yield Span("my_number", m.start(), m.end(), 0.7, "My Number check digit, 4-4-4 grouping")


def _grouped(raw: str) -> bool:
    """Written as 4-4-4, as the card shows it."""
    return raw.count(" ") + raw.count("-") == 2  # noqa: PLR2004


def _phone_shape(raw: str, digits: str) -> float:  # noqa: C901, PLR0911 - one rule per country
    """How much a candidate looks like a phone number of JP, CN, TW, HK or the US (0: not at all)."""
    separated = any(c in raw for c in " -().")
    if raw.startswith("+"):
        for code, lengths in (
            ("81", (9, 10)),
            ("86", (10, 11)),
            ("886", (8, 9)),
            ("852", (8,)),
            ("1", (10,)),
        ):
            if digits.startswith(code) and len(digits) - len(code) in lengths:
                return 0.95
        return 0.0
    if digits.startswith("0"):
        if len(digits) == 11 and digits[1] in "5789" and digits[2] == "0":  # noqa: PLR2004
            return 0.93  # JP mobile / IP phone
        if len(digits) == 10 and digits.startswith("09"):  # noqa: PLR2004
            return 0.9  # TW mobile
        if len(digits) in {10, 11, 12} and separated:
            return 0.9
        return 0.0
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":  # noqa: PLR2004
        return 0.85  # CN mobile
    if len(digits) == 10 and ("(" in raw or raw.count("-") + raw.count(".") == 2):  # noqa: PLR2004
        return 0.85  # US
    if len(digits) == 8:  # noqa: PLR2004
        return 0.5  # HK: only with a cue
    return 0.0


def national(digits: str) -> str:
    """A phone number's digits as dialled at home (+81 3… → 03…), for comparison with known numbers."""
    for code in ("886", "852", "81", "86"):
        if digits.startswith(code) and len(digits) > len(code) + 7:
            rest = digits[len(code) :]
            return rest if code == "852" else "0" + rest.removeprefix("0")
    return digits


def phones(text: str, company: Collection[str] = ()) -> Iterator[Span]:
    for m in PHONE.finditer(text):
        raw = m.group()
        digits = _digits(raw)
        score = _phone_shape(raw, digits)
        cue = cue_before(text, m.start())
        if score == 0.0 or cue == "negative" or national(digits) in company:
            continue
        if cue == "phone":
            score = min(0.99, score + 0.3)
        elif cue is not None and cue != "phone":
            score -= 0.3  # a number after a card, account or licence cue is that, not a phone
        if score >= 0.6:  # noqa: PLR2004
            yield Span("phone", m.start(), m.end(), score, "phone number shape" + (" and cue" if cue else ""))


def postal_codes(text: str, *, address_starts: Collection[int] = ()) -> Iterator[Span]:
    """〒123-4567 always; 123-4567 after a cue or before an address; 5-6 digits after a cue."""
    seen: set[int] = set()
    for m in POSTAL_MARKED.finditer(text):
        seen.add(m.start())
        start = m.start() + 1 + (text[m.start() + 1] == " ")  # the mark is not part of the code
        yield Span("postal_code", start, m.end(), 0.97, "〒 and seven digits")
    for m in POSTAL_JP.finditer(text):
        if m.start() in seen or text[m.start()] == "〒":
            continue
        cue = cue_before(text, m.start(), 12)
        near = any(0 < s - m.end() <= 2 for s in address_starts)  # noqa: PLR2004
        if cue == "postal_code" or near:
            yield Span(
                "postal_code", m.start(), m.end(), 0.9, "3-4 digits after a postal cue or before an address"
            )
    for m in POSTAL_OTHER.finditer(text):
        if cue_before(text, m.start(), 10) == "postal_code":
            yield Span("postal_code", m.start(), m.end(), 0.85, "5-6 digits after a postal cue")


def passports(text: str) -> Iterator[Span]:
    for m in PASSPORT.finditer(text):
        if cue_before(text, m.start(), 24) == "passport":
            yield Span("passport", m.start(), m.end(), 0.93, "passport number shape after a passport cue")


def licences(text: str) -> Iterator[Span]:
    for m in LICENCE_ALNUM.finditer(text):
        if cue_before(text, m.start(), 24) == "drivers_licence":
            yield Span("drivers_licence", m.start(), m.end(), 0.9, "licence number shape after a licence cue")


def accounts(text: str) -> Iterator[Span]:
    for m in ACCOUNT.finditer(text):
        cue = cue_before(text, m.start(), 24)
        if cue == "bank_account":
            yield Span("bank_account", m.start(), m.end(), 0.9, "7-19 digits after a bank-account cue")
