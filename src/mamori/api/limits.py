"""Rate limits of public (unauthenticated) posts, for the pages and the API alike.

The counting is :mod:`mamori.security.ratelimit`; this module finds the client's address (the peer,
or what a trusted proxy says in X-Forwarded-For) and the recipient, and counts both.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.security import ratelimit

UNKNOWN_CLIENT = "unknown"  # no peer address (a Unix socket): such clients share one budget


def client_address(request: Request, settings: Settings) -> str:
    """The address the request came from, believing X-Forwarded-For only from a trusted proxy."""
    peer = request.client.host if request.client else None
    networks = ratelimit.trusted_networks(settings.trusted_proxies)
    return (
        ratelimit.client_address(peer, request.headers.getlist("x-forwarded-for"), networks) or UNKNOWN_CLIENT
    )


def limit_public_post(
    request: Request, session: Session, settings: Settings, *, action: str, recipient: str | None = None
) -> None:
    """Count this post per client address and, when it would mail someone, per recipient address.

    Call it before the post stores or sends anything: the RateLimited it raises rolls the unit of
    work back, and the error handler answers 429 with Retry-After.
    """
    ratelimit.hit(
        session, settings, ratelimit.address_limit(settings, action), client_address(request, settings)
    )
    if recipient and recipient.strip():
        ratelimit.hit(session, settings, ratelimit.recipient_limit(settings), recipient.strip().lower())
