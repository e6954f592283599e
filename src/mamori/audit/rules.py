"""Pure rules of the chain: canonical form, hashing and verification of a sequence of links."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
_SEP = "\x1f"


def canonical_json(data: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, characters kept (no \\u escapes)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def format_instant(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class Link:
    seq: int
    occurred_at: datetime
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
    occurred_at: datetime,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: str,
) -> str:
    payload = _SEP.join(
        (prev_hash, str(seq), format_instant(occurred_at), actor, action, target_type, target_id, details)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None


def verify_links(links: Iterable[Link], *, head_seq: int | None, head_hash: str | None) -> VerifyResult:
    """Check every link in ``seq`` order; report the first altered, missing or reordered one."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for link in links:
        if link.seq != expected_seq:
            problem = "missing" if link.seq > expected_seq else "reordered"
            return VerifyResult(ok=False, checked=checked, problem=problem, seq=expected_seq)
        if link.prev_hash != expected_prev:
            return VerifyResult(ok=False, checked=checked, problem="reordered", seq=link.seq)
        recomputed = link_hash(
            link.prev_hash,
            link.seq,
            link.occurred_at,
            link.actor,
            link.action,
            link.target_type,
            link.target_id,
            link.details,
        )
        if recomputed != link.hash:
            return VerifyResult(ok=False, checked=checked, problem="altered", seq=link.seq)
        expected_prev, expected_seq, checked = link.hash, expected_seq + 1, checked + 1
    if head_seq is not None and head_seq != checked:
        return VerifyResult(ok=False, checked=checked, problem="missing", seq=checked + 1)
    if head_hash is not None and head_hash != expected_prev:
        return VerifyResult(ok=False, checked=checked, problem="altered", seq=checked)
    return VerifyResult(ok=True, checked=checked)
