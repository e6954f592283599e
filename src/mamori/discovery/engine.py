"""All detectors over one text: normalise, detect, keep the best of overlapping spans. Pure.

``detect`` is what scans, the API and the bench call. Company numbers (the organisation's own
phone numbers, from the bundle) are passed in and never reported.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from mamori.discovery import addresses, dates, names, numbers
from mamori.discovery.spans import Span
from mamori.discovery.text import cue_kinds, normalise

_DIGIT = re.compile("[0-9]")

THRESHOLD = 0.6


def detect(text: str, *, company_phones: Collection[str] = (), threshold: float = THRESHOLD) -> list[Span]:
    """Every span of personal data in ``text``, sorted by position; overlaps resolved."""
    if not text:
        return []
    norm = normalise(text)
    cues = cue_kinds(norm)
    found: list[Span] = []
    if "@" in norm:
        found += numbers.emails(norm)
    has_digit = _DIGIT.search(norm) is not None
    if has_digit:
        found += numbers.prc_ids(norm)
        found += numbers.cards(norm)
        found += numbers.twelve_digit(norm)
        found += numbers.phones(norm, company_phones)
        found += numbers.passports(norm) if "passport" in cues else ()
        found += numbers.licences(norm) if "drivers_licence" in cues else ()
        found += numbers.accounts(norm) if "bank_account" in cues else ()
        if "date_of_birth" in cues or "生" in norm or "born" in norm:
            found += dates.dates_of_birth(norm)
    found += names.person_names(norm)
    if has_digit:
        places = list(addresses.addresses(norm))
        found += places
        found += numbers.postal_codes(norm, address_starts={s.start for s in places})
    return resolve(s for s in found if s.confidence >= threshold)


def resolve(spans: Iterable[Span]) -> list[Span]:
    """Keep the most confident (then longest) span where spans overlap."""
    ranked = sorted(spans, key=lambda s: (-s.confidence, -s.length, s.start))
    kept: list[Span] = []
    for span in ranked:
        if all(span.end <= k.start or span.start >= k.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def company_numbers(phones: Iterable[str]) -> frozenset[str]:
    """The organisation's numbers as dialled at home, ready for :func:`detect`."""
    return frozenset(numbers.national("".join(c for c in normalise(p) if c.isdigit())) for p in phones)
