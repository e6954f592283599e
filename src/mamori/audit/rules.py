"""Pure rules of the chain: canonical form, hashing and verification of a sequence of links."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

GENESIS_HASH = "0" * 64  # the previous hash of chain 1's first link


def genesis_hash(chain: int) -> str:
    """The previous hash of a chain's first link.

    Each chain starts from its own, so a link moved to another chain breaks it. Chain 1 keeps the
    all-zero genesis of the single-chain log.
    """
    if chain == 1:
        return GENESIS_HASH
    return hashlib.sha256(f"mamori-audit-chain{SEPARATOR}{chain}".encode()).hexdigest()


SEPARATOR = "\x1f"
# The instant is hashed in the text form SQLite stores it in, so verification reads it as is.
INSTANT_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


def canonical_json(data: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, characters kept (no \\u escapes)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime(INSTANT_FORMAT)


class Link(NamedTuple):
    """One stored event as the chain sees it; ``occurred_at`` is already in :data:`INSTANT_FORMAT`."""

    seq: int
    occurred_at: str
    actor: str
    action: str
    target_type: str
    target_id: str
    details: str
    prev_hash: str
    hash: str


def link_hash(  # noqa: PLR0913 - the hash covers exactly these fields
    prev_hash: str,
    seq: int,
    occurred_at: str,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: str,
) -> str:
    payload = SEPARATOR.join(
        (prev_hash, str(seq), occurred_at, actor, action, target_type, target_id, details)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of a check.

    From :func:`verify_links`, ``seq`` is the position of the first bad link in its chain. From
    the service, ``chain`` and ``link`` place it and ``seq`` is the event's number (None when the
    event is missing); SQLite keeps one chain, where the two numbers are the same.
    """

    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None
    chain: int | None = None
    link: int | None = None


def verify_links(
    links: Iterable[Link] | Iterable[tuple[Any, ...]],
    *,
    head_seq: int | None,
    head_hash: str | None,
    genesis: str = GENESIS_HASH,
) -> VerifyResult:
    """Check every link of one chain in position order; report the first bad one.

    A link is altered, missing or reordered. Each link's first field is its position (1, 2, …).

    The loop is written for speed (it runs over millions of rows): plain tuples, local names.
    """
    sha256, join = hashlib.sha256, SEPARATOR.join
    expected_prev, expected_seq = genesis, 1
    for seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, digest in links:
        if seq != expected_seq:
            problem = "missing" if seq > expected_seq else "reordered"
            return VerifyResult(ok=False, checked=expected_seq - 1, problem=problem, seq=expected_seq)
        if prev_hash != expected_prev:
            return VerifyResult(ok=False, checked=seq - 1, problem="reordered", seq=seq)
        payload = join((prev_hash, str(seq), occurred_at, actor, action, target_type, target_id, details))
        if sha256(payload.encode()).hexdigest() != digest:
            return VerifyResult(ok=False, checked=seq - 1, problem="altered", seq=seq)
        expected_prev, expected_seq = digest, expected_seq + 1
    checked = expected_seq - 1
    if head_seq is not None and head_seq != checked:
        return VerifyResult(ok=False, checked=checked, problem="missing", seq=checked + 1)
    if head_hash is not None and head_hash != expected_prev:
        return VerifyResult(ok=False, checked=checked, problem="altered", seq=checked)
    return VerifyResult(ok=True, checked=checked)


def intact_count(
    rows: Iterable[tuple[str, ...]], *, after_seq: int = 0, prev_hash: str = GENESIS_HASH
) -> int | None:
    """Fast check of an unbroken run of links; how many there are, or None at the first doubt.

    Each row is ``(occurred_at, actor, action, target_type, target_id, details, hash)`` in ``seq``
    order, starting right after ``after_seq`` whose hash is ``prev_hash``. The sequence numbers and
    previous hashes are not read but recomputed, so a deleted, inserted, reordered or altered row
    changes some hash. On None, :func:`verify_links` over full rows says what and where.
    """
    sha256, join = hashlib.sha256, SEPARATOR.join
    prev, seq = prev_hash, after_seq
    for occurred_at, actor, action, target_type, target_id, details, digest in rows:
        seq += 1
        payload = join((prev, str(seq), occurred_at, actor, action, target_type, target_id, details))
        if sha256(payload.encode()).hexdigest() != digest:
            return None
        prev = digest
    return seq - after_seq


def split_ranges(total: int, parts: int) -> list[tuple[int, int]]:
    """``1..total`` cut into at most ``parts`` contiguous inclusive ranges of near-equal size."""
    parts = max(1, min(parts, total))
    size, extra = divmod(total, parts)
    ranges, start = [], 1
    for index in range(parts):
        end = start + size - 1 + (1 if index < extra else 0)
        ranges.append((start, end))
        start = end + 1
    return [r for r in ranges if r[0] <= r[1]]
