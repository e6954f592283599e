"""Check digits and characters: the arithmetic that tells a real number from a look-alike. Pure."""

from __future__ import annotations

from mamori.security.mynumber import check_digit as _my_number_check

_PRC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_PRC_CHECK = "10X98765432"
_MY_NUMBER = 12
_PRC_ID = 18
_EAN = 13


def luhn(digits: str) -> bool:
    """The Luhn (mod 10) check of payment cards."""
    if not digits.isdigit() or not digits.isascii():
        return False
    total = 0
    for n, char in enumerate(reversed(digits)):
        value = int(char)
        if n % 2:
            value = value * 2 - 9 if value > 4 else value * 2  # noqa: PLR2004 - doubled digit above 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str | None:
    """The brand whose prefix and length fit (Visa, Mastercard, Amex, JCB, Diners, UnionPay, Discover)."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    brands = (
        ("visa", digits[0] == "4", (16, 19)),
        ("mastercard", 51 <= two <= 55 or 2221 <= four <= 2720, (16,)),  # noqa: PLR2004
        ("amex", two in {34, 37}, (15,)),
        ("jcb", 3528 <= four <= 3589, (16, 17, 18, 19)),  # noqa: PLR2004
        ("diners", two in {36, 38, 39} or 300 <= int(digits[:3]) <= 305, (14, 16)),  # noqa: PLR2004
        ("unionpay", two == 62, (16, 17, 18, 19)),  # noqa: PLR2004
        ("discover", digits.startswith(("6011", "65", "644", "645", "646", "647", "648", "649")), (16, 19)),
    )
    return next((name for name, prefix, lengths in brands if prefix and n in lengths), None)


def is_card(digits: str) -> bool:
    return 14 <= len(digits) <= 19 and card_brand(digits) is not None and luhn(digits)  # noqa: PLR2004


def is_my_number(digits: str) -> bool:
    """Twelve ASCII digits whose last is the check digit of the Individual Number."""
    if len(digits) != _MY_NUMBER or not digits.isdigit():
        return False
    return _my_number_check(digits[:11]) == int(digits[-1])


def prc_check_character(first17: str) -> str:
    """The check character of a PRC resident identity card number (ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(first17, _PRC_WEIGHTS, strict=True))
    return _PRC_CHECK[total % 11]


def is_prc_id(text: str) -> bool:
    """Eighteen characters: region, birth date (checked by the caller's pattern), sequence, check."""
    if len(text) != _PRC_ID or not text[:17].isdigit() or not text.isascii():
        return False
    return prc_check_character(text[:17]) == text[17].upper()


def is_ean13(digits: str) -> bool:
    """A JAN/EAN-13 code (product barcodes: never personal)."""
    if len(digits) != _EAN or not digits.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def is_corporate_number(digits: str) -> bool:
    """A Japanese corporate number (13 digits, leading check digit): public, never personal."""
    if len(digits) != _EAN or not digits.isdigit():
        return False
    body = digits[1:]
    total = sum(int(d) * (2 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return 9 - total % 9 == int(digits[0])
