"""Normalising identifiers before they are indexed: the same person always finds the same index."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

from mamori.security.mynumber import names_my_number

STANDARD_KINDS = ("email", "phone", "member_number", "employee_number", "shareholder_number")
_KIND = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
MY_NUMBER_REFUSED = (
    "the Individual Number (My Number) may not be kept by this organisation (My Number Act Art. 20);"
    " record another identifier"
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidIdentifier(ValueError):  # noqa: N818 - reads as a verdict on the input
    """The value cannot be an identifier of that kind; the message says why (without the value)."""


def fold(value: str) -> str:
    """NFKC: full-width digits and letters become ASCII, then surrounding space goes."""
    return unicodedata.normalize("NFKC", value).strip()


def normalise(kind: str, value: str, *, default_region: str = "JP") -> str:
    """The canonical form of an identifier of ``kind``.

    Raises:
        InvalidIdentifier: unknown kind syntax, an empty value, a malformed e-mail or phone.
    """
    if not _KIND.match(kind):
        raise InvalidIdentifier("identifier kind must be lower-case letters, digits and _")
    if names_my_number(kind):
        raise InvalidIdentifier(MY_NUMBER_REFUSED)
    text = fold(value)
    if not text:
        raise InvalidIdentifier(f"empty {kind}")
    if kind == "email":
        return _email(text)
    if kind == "phone":
        return _phone(text, default_region)
    return re.sub(r"[\s-]", "", text).upper()


def _email(text: str) -> str:
    email = text.lower()
    if not _EMAIL.match(email):
        raise InvalidIdentifier("not an e-mail address")
    return email


def _phone(text: str, region: str) -> str:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidIdentifier("not a phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidIdentifier("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
