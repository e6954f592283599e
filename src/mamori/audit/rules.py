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
    """One stored event as the chain sees it; ``occurred_at`` is already in :data:`INSTANT_FORMAT`.

    ``link`` is the position in its chain, ``seq`` the event's number (equal on SQLite).
    """

    link: int
    seq: int
    occurred_at: str
    actor: str
    action: str
    target_type: str
    target_id: str
    details: str
    prev_hash: str
    hash: str


# Events written before keyed chaining (decision 0012) keep their plain SHA-256 hashes. Such a
# legacy prefix of a chain is accepted only when a keyed SEAL_ACTION link right after it vouches
# for it; a chain without a seal must be keyed from its first link.
SEAL_ACTION = "audit.chain_keyed"
KEYED_TAG = "mamori-audit/2"


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
    """The plain (legacy) hash of decision 0002: anyone can recompute it, so it proves little."""
    payload = SEPARATOR.join(
        (prev_hash, str(seq), occurred_at, actor, action, target_type, target_id, details)
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_BLOCK = 64  # SHA-256's block size in bytes
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


class KeyedMac(NamedTuple):
    """HMAC-SHA256 (RFC 2104) with its two keyed hash states computed once.

    Per link only the states are copied: about half the cost of copying an ``hmac.HMAC`` on
    OpenSSL 3, which matters to a verification of millions of links. Same result as
    ``hmac.new(key, message, "sha256")`` (the unit tests compare them).
    """

    inner: Any  # hashlib's SHA-256 object, already fed the inner padded key
    outer: Any

    def hexdigest(self, message: bytes) -> str:
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return str(outer.hexdigest())


def keyed_mac(key: bytes) -> KeyedMac:
    """The audit key made ready for :func:`keyed_hash` and the verification loops."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    block = key.ljust(_BLOCK, b"\0")
    return KeyedMac(hashlib.sha256(block.translate(_IPAD)), hashlib.sha256(block.translate(_OPAD)))


def clean_field(text: str) -> str:
    """A free-text field as stored: the unit separator cannot appear, so the hashed form is unambiguous.

    (With no separator inside any field, two different sets of fields never join to the same text,
    so no one can move text from one field to the next and keep the MAC.)
    """
    return text.replace(SEPARATOR, "\u241f") if SEPARATOR in text else text


def keyed_hash(mac: KeyedMac, chain: int, link: Link | tuple[Any, ...]) -> str:
    """HMAC-SHA256 over the chain, position, number, previous hash and every field of one event."""
    _, seq, occurred_at, actor, action, target_type, target_id, details, prev_hash = link[:9]
    payload = SEPARATOR.join(
        (KEYED_TAG, str(chain), str(link[0]), str(seq), prev_hash, occurred_at, actor, action,
         target_type, target_id, details)
    )  # fmt: skip
    return mac.hexdigest(payload.encode())


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


@dataclass(frozen=True, slots=True)
class ChainSpec:
    """What the verifier knows of one chain before reading it.

    ``keyed_from``: the first keyed position (1, or the position of the seal after a legacy
    prefix). ``numbered``: the event number must equal the position (SQLite).
    """

    chain: int
    mac: KeyedMac
    keyed_from: int = 1
    numbered: bool = False

    @property
    def genesis(self) -> str:
        return genesis_hash(self.chain)


def verify_links(
    links: Iterable[Link] | Iterable[tuple[Any, ...]],
    spec: ChainSpec,
    *,
    head_seq: int | None,
    head_hash: str | None,
) -> VerifyResult:
    """Check every link of one chain in position order; report the first bad one.

    Each row is a :class:`Link`. A link is altered (a field, its number, its stored previous
    hash or its MAC), missing, or reordered. Event numbers rise along the chain (and equal the
    position where ``spec.numbered``). The loop runs over millions of rows: plain tuples, local names.
    """
    sha256, join, chain, keyed_from = hashlib.sha256, SEPARATOR.join, spec.chain, spec.keyed_from
    expected_prev, expected_link, last_seq = spec.genesis, 1, 0
    for row in links:
        link, seq, digest = row[0], row[1], row[9]
        if link != expected_link:
            problem = "missing" if link > expected_link else "reordered"
            return VerifyResult(ok=False, checked=expected_link - 1, problem=problem, seq=expected_link)
        bad_number = seq <= last_seq or (spec.numbered and seq != link)
        if bad_number or row[8] != expected_prev:
            return VerifyResult(ok=False, checked=link - 1, problem="altered", seq=link)
        if link < keyed_from:
            payload = join((expected_prev, str(link), *row[2:8]))
            good = sha256(payload.encode()).hexdigest() == digest
        else:
            good = keyed_hash(spec.mac, chain, row) == digest
        if not good:
            return VerifyResult(ok=False, checked=link - 1, problem="altered", seq=link)
        expected_prev, expected_link, last_seq = digest, expected_link + 1, seq
    checked = expected_link - 1
    if head_seq is not None and head_seq != checked:
        return VerifyResult(ok=False, checked=checked, problem="missing", seq=checked + 1)
    if head_hash is not None and head_hash != expected_prev:
        return VerifyResult(ok=False, checked=checked, problem="altered", seq=checked)
    return VerifyResult(ok=True, checked=checked)


def intact_count(
    rows: Iterable[tuple[Any, ...]], spec: ChainSpec, *, after: int = 0, prev_hash: str | None = None
) -> int | None:
    """Fast check of an unbroken run of a numbered chain (SQLite); how many links, or None at a doubt.

    Each row is ``(seq, occurred_at, actor, action, target_type, target_id, details, prev_hash,
    hash)`` in position order, starting right after position ``after`` whose hash is
    ``prev_hash``. Positions are recomputed; the stored number and previous hash must match them,
    so a deleted, inserted, renumbered, reordered or altered row fails. On None,
    :func:`verify_links` over full rows says what and where.
    """
    sha256, join, chain, keyed_from = hashlib.sha256, SEPARATOR.join, spec.chain, spec.keyed_from
    prev, link = prev_hash or spec.genesis, after
    inner, outer = spec.mac
    tag, chain_text = KEYED_TAG, str(chain)
    for seq, occurred_at, actor, action, target_type, target_id, details, stored_prev, digest in rows:
        link += 1
        if seq != link or stored_prev != prev:
            return None
        text = str(link)
        if link < keyed_from:
            payload = join((prev, text, occurred_at, actor, action, target_type, target_id, details))
            computed = sha256(payload.encode()).hexdigest()
        else:
            h = inner.copy()
            h.update(
                join((tag, chain_text, text, text, prev, occurred_at, actor, action, target_type,
                      target_id, details)).encode()
            )  # fmt: skip
            o = outer.copy()
            o.update(h.digest())
            computed = o.hexdigest()
        if computed != digest:
            return None
        prev = digest
    return link - after


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
