"""The ``Prefer`` request header (RFC 7240): the ``wait`` preference."""

from __future__ import annotations

MAX_WAIT = 10  # seconds a request may hold a server thread for its result


def preferred_wait(header: str | None) -> int | None:
    """Seconds asked for by ``wait=N`` (capped at :data:`MAX_WAIT`); None when not asked or unreadable.

    ``Prefer: respond-async, wait=5`` gives 5; parameters after ``;`` and unknown preferences are
    ignored, as RFC 7240 asks.
    """
    if not header:
        return None
    for preference in header.split(","):
        name, _, value = preference.split(";", 1)[0].partition("=")
        if name.strip().lower() != "wait":
            continue
        digits = value.strip().strip('"')
        if digits.isascii() and digits.isdigit() and len(digits) <= 6:  # noqa: PLR2004 - a sane number
            return min(int(digits), MAX_WAIT) or None
    return None
