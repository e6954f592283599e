"""Rate limits of the public forms, per client address and per recipient address.

The counters live in the database, so that every API process of a deployment counts the same
attempts (a limit kept in one process's memory would be multiplied by the number of processes).
A counter is a fixed window: one row per key and window, incremented by an upsert, so two
processes that count at once never lose a hit. The key is an HMAC of the address with the secret
key: neither a client's IP address nor an e-mail address is ever stored. Windows that ended are
deleted as new hits arrive.

The client address is the TCP peer, unless the peer is one of the configured trusted proxies:
then the right-most address of X-Forwarded-For that is not itself a trusted proxy (the left part
of that header is whatever the client chose to send).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.config import Settings
from mamori.db.base import Base, utcnow
from mamori.errors import MamoriError
from mamori.security.crypto import blind_index

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RECIPIENT_SCOPE = "recipient"  # one budget per mailbox, whichever form would write to it


class RateCounter(Base):
    """Hits of one key (an HMAC of an address and what it did) in one window."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RateLimited(MamoriError):  # noqa: N818 - domain vocabulary, like the other errors
    """Too many attempts; ``retry_after`` seconds until the next one is accepted."""

    code = "rate-limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``hits`` attempts per ``seconds`` for one value of ``scope``."""

    scope: str
    hits: int
    seconds: int


def address_limit(settings: Settings, action: str) -> Limit:
    """The per-client-address limit of one public form (``action``: e.g. ``requests.new``)."""
    return Limit(f"address:{action}", settings.rate_limit_per_address, settings.rate_limit_address_seconds)


def recipient_limit(settings: Settings) -> Limit:
    """The per-recipient limit, shared by every form that would mail that address."""
    return Limit(RECIPIENT_SCOPE, settings.rate_limit_per_recipient, settings.rate_limit_recipient_seconds)


def window_start(now: datetime, seconds: int) -> datetime:
    """The start of the fixed window of ``seconds`` that holds ``now`` (windows count from the epoch)."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def hit(
    session: Session, settings: Settings, limit: Limit, value: str, *, now: datetime | None = None
) -> None:
    """Count one attempt of ``value`` (an address) under ``limit``; windows that ended are deleted.

    Raises:
        RateLimited: this attempt is past the limit (the caller's transaction should then roll back).
    """
    now = now or utcnow()
    start = window_start(now, limit.seconds)
    expires = start + timedelta(seconds=limit.seconds)
    key = blind_index(settings, f"ratelimit:{limit.scope}", value)
    hits = _increment(session, key, start, expires)
    session.execute(delete(RateCounter).where(RateCounter.expires_at < now))
    if hits > limit.hits:
        retry = max(1, math.ceil((expires - now).total_seconds()))
        raise RateLimited(f"too many attempts; try again in {retry} seconds", retry_after=retry)


def _increment(session: Session, key: str, start: datetime, expires: datetime) -> int:
    """Add one hit and return the window's count: a single upsert on SQLite and PostgreSQL."""
    table = RateCounter.__table__.c
    values = {"key": key, "window_start": start, "hits": 1, "expires_at": expires}
    dialect = session.get_bind().dialect.name
    if dialect in {"postgresql", "sqlite"}:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        upsert = (
            insert(RateCounter)
            .values(**values)
            .on_conflict_do_update(index_elements=["key", "window_start"], set_={"hits": table.hits + 1})
            .returning(table.hits)
        )
        return int(session.execute(upsert).scalar_one())
    where = (RateCounter.key == key) & (RateCounter.window_start == start)
    if session.execute(update(RateCounter).where(where).values(hits=RateCounter.hits + 1)).rowcount == 0:  # type: ignore[attr-defined]
        session.add(RateCounter(**values))
        session.flush()
    return int(session.scalars(select(RateCounter.hits).where(where)).one())


@lru_cache(maxsize=8)
def trusted_networks(spec: str) -> tuple[Network, ...]:
    """Parse ``MAMORI_TRUSTED_PROXIES`` (comma-separated addresses or networks; empty: none).

    Raises:
        ValueError: an entry is neither an address nor a network (named in the message).
    """
    found = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        try:
            found.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            msg = f"MAMORI_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            raise ValueError(msg) from None
    return tuple(found)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: list[str], networks: tuple[Network, ...]) -> str | None:
    """The client's address: the peer, or (from a trusted proxy) the right-most untrusted forwarded hop."""
    if peer is None or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
    client = peer
    for hop in reversed(hops):
        client = hop
        if not _trusted(hop, networks):
            break
    return client
