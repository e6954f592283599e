"""Record, list and verify audit events. Callers own the transaction (the event commits with the change)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from mamori.audit.keys import audit_key
from mamori.audit.models import AuditChainHead, AuditEvent
from mamori.audit.parallel import PARALLEL_THRESHOLD, verify_file_in_parallel
from mamori.audit.rules import (
    SEAL_ACTION,
    ChainSpec,
    VerifyResult,
    canonical_json,
    clean_field,
    format_instant,
    genesis_hash,
    intact_count,
    keyed_hash,
    keyed_mac,
    verify_links,
)
from mamori.db.base import utcnow

HEAD_ID = 1
# PostgreSQL writes this many chains at once: a transaction locks one free head until it commits,
# so audited transactions commit side by side instead of one fsync after another. SQLite has a
# single writer anyway and keeps one chain. (Migration 0013 creates the heads.)
POSTGRES_CHAINS = 16
_HEAD_KEY = "mamori.audit.head"


@dataclass(frozen=True, slots=True)
class EventInput:
    """What a room wants recorded. ``details`` must not carry personal data in clear."""

    action: str
    target_type: str
    target_id: str
    details: Mapping[str, Any] = field(default_factory=dict)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


_heads = cast("Table", AuditChainHead.__table__)
_HEAD_COLUMNS = (_heads.c.id, _heads.c.seq, _heads.c.hash)
# PostgreSQL: lock a head and draw the events' numbers in one statement. The numbers are drawn
# after the lock (the outer select runs on the locked row), so they rise along each chain, and
# they are known before the insert, so the MAC covers them.
_PG_LOCK = (
    "SELECT h.id, h.seq, h.hash, "
    "ARRAY(SELECT nextval('audit_event_seq') FROM generate_series(1, :n)) AS numbers "
    "FROM (SELECT id, seq, hash FROM audit_chain_heads {where} FOR UPDATE{skip}) AS h"
)
_PG_THIS_HEAD_IF_FREE = text(_PG_LOCK.format(where="WHERE id = :head_id", skip=" SKIP LOCKED"))
_PG_FIRST_FREE_HEAD = text(_PG_LOCK.format(where="ORDER BY id LIMIT 1", skip=" SKIP LOCKED"))
_PG_THIS_HEAD = text(_PG_LOCK.format(where="WHERE id = :head_id", skip=""))
_THIS_HEAD = select(*_HEAD_COLUMNS).where(_heads.c.id == bindparam("head_id")).with_for_update()


@dataclass(frozen=True, slots=True)
class _Head:
    chain: int
    link: int
    hash: str
    numbers: list[int] | None  # PostgreSQL: the events' numbers; SQLite numbers by position


def _lock_head(session: Session, count: int) -> _Head:
    """Lock a chain head until this transaction ends.

    On PostgreSQL: the head used last if it is free (or already ours), else the first free one;
    only when every head is busy wait for one. (Core statements: this runs in every audited
    transaction, and the heads are never kept as ORM objects that could go stale.)
    """
    connection = session.connection()
    if not _postgres(session):
        row = connection.execute(_THIS_HEAD, {"head_id": HEAD_ID}).first()
        if row is None:
            connection.execute(insert(_heads).values(id=HEAD_ID, seq=0, hash=genesis_hash(HEAD_ID)))
            return _Head(HEAD_ID, 0, genesis_hash(HEAD_ID), None)
        return _Head(row.id, row.seq, row.hash, None)
    last = session.info.get(_HEAD_KEY)
    row = None
    if last is not None:
        row = connection.execute(_PG_THIS_HEAD_IF_FREE, {"head_id": last, "n": count}).first()
    if row is None:
        row = connection.execute(_PG_FIRST_FREE_HEAD, {"n": count}).first()
    if row is None:  # every head is busy (or none exists): wait for one
        chain = 1 + secrets.randbelow(POSTGRES_CHAINS)
        row = connection.execute(_PG_THIS_HEAD, {"head_id": chain, "n": count}).first()
        if row is None:
            connection.execute(insert(_heads).values(id=chain, seq=0, hash=genesis_hash(chain)))
            row = connection.execute(_PG_THIS_HEAD, {"head_id": chain, "n": count}).one()
    session.info[_HEAD_KEY] = row.id
    return _Head(row.id, row.seq, row.hash, sorted(int(n) for n in row.numbers))


def record_event(  # noqa: PLR0913 - the audit vocabulary
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    details: Mapping[str, Any] | None = None,
) -> Recorded:
    """Append one event to a chain inside the caller's transaction."""
    return record_events(
        session, actor=actor, events=[EventInput(action, target_type, target_id, details or {})]
    )[0]


@dataclass(frozen=True, slots=True)
class Recorded:
    seq: int
    hash: str


_events = cast("Table", AuditEvent.__table__)
_ROWS_PER_INSERT = 2000  # x 11 columns: well under PostgreSQL's 65,535 parameters per statement
_MOVE_HEAD = (
    update(_heads)
    .where(_heads.c.id == bindparam("head_id"))
    .values(seq=bindparam("head_link"), hash=bindparam("head_hash"))
)
_INSERT_ONE = insert(_events).add_cte(_MOVE_HEAD.cte("moved_head"))


def _insert_many(connection: Connection, rows: list[dict[str, Any]], head: dict[str, Any]) -> None:
    """PostgreSQL: multi-row inserts in chunks; the last chunk carries the head's move.

    A statement takes at most 65,535 parameters.
    """
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        chunk = rows[start : start + _ROWS_PER_INSERT]
        stmt = insert(_events).values(chunk)
        last = start + _ROWS_PER_INSERT >= len(rows)
        if last:
            stmt = stmt.add_cte(_MOVE_HEAD.cte("moved_head"))
        connection.execute(stmt, head if last else {})


def record_events(session: Session, *, actor: str, events: Sequence[EventInput]) -> list[Recorded]:
    """Append several events at once: one lock on a chain head, one multi-row insert.

    Each event's hash is the keyed MAC of decision 0012. Event numbers come from
    ``audit_event_seq`` on PostgreSQL (no lock; a rolled-back transaction leaves a gap) and equal
    the position on SQLite.
    """
    if not events:
        return []
    session.flush()  # the caller's pending changes first, as an ORM write here would do
    head = _lock_head(session, len(events))
    chain, link, prev = head.chain, head.link, head.hash
    mac = keyed_mac(audit_key())
    now = utcnow()
    instant = format_instant(now)
    actor = clean_field(actor)
    rows: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        link += 1
        seq = link if head.numbers is None else head.numbers[index]
        fields = (clean_field(event.action), clean_field(event.target_type), clean_field(event.target_id))
        details = canonical_json(dict(event.details))
        digest = keyed_hash(mac, chain, (link, seq, instant, actor, *fields, details, prev))
        rows.append(
            {
                "seq": seq, "chain": chain, "link": link, "occurred_at": now, "actor": actor,
                "action": fields[0], "target_type": fields[1], "target_id": fields[2],
                "details": details, "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
        prev = digest
    moved = {"head_id": chain, "head_link": link, "head_hash": prev}
    connection = session.connection()
    if not _postgres(session):
        connection.execute(insert(_events), rows)
        connection.execute(_MOVE_HEAD, moved)
    elif len(rows) == 1:
        # One round trip: the row and the head's move in one statement (a data-modifying CTE).
        connection.execute(_INSERT_ONE, {**rows[0], **moved})
    else:
        _insert_many(connection, rows, moved)
    return [Recorded(row["seq"], row["hash"]) for row in rows]


def list_events(
    session: Session, *, after_seq: int = 0, limit: int = 100, action: str | None = None
) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


_COLUMNS = "link, seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash"
_FAST_COLUMNS = "seq, occurred_at, actor, action, target_type, target_id, details, prev_hash, hash"


def _raw_rows(session: Session, columns: str, batch: int, chain: int = HEAD_ID) -> Iterator[tuple[Any, ...]]:
    """One chain's rows straight from the driver (no ORM or type processing: verification reads millions)."""
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    marker = "%s" if _postgres(session) else "?"
    try:
        cursor.execute(
            f"SELECT {columns} FROM audit_events WHERE chain = {marker} ORDER BY link",  # noqa: S608 - fixed text
            (chain,),
        )
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _links(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    # SQLite returns the instant as the very text that was hashed; other drivers a datetime, which
    # is formatted once per instant (the events of one transaction share theirs).
    last, formatted = None, ""
    for row in rows:
        instant = row[2]
        if isinstance(instant, str):
            yield row
            continue
        if instant != last:
            last, formatted = instant, format_instant(instant)
        yield (*row[:2], formatted, *row[3:])


def chain_heads(session: Session) -> dict[int, tuple[int, str]]:
    """Each chain's head: its last position and hash, as the heads table says."""
    session.flush()
    return {row.id: (row.seq, row.hash) for row in session.execute(select(*_HEAD_COLUMNS))}


def _specs(session: Session, chains: set[int], key: bytes) -> dict[int, ChainSpec]:
    """How to check each chain: keyed from position 1, or from its seal after a legacy prefix."""
    rows = session.execute(
        select(AuditEvent.chain, func.min(AuditEvent.link))
        .where(AuditEvent.action == SEAL_ACTION)
        .group_by(AuditEvent.chain)
    )
    seals = {int(chain): int(link) for chain, link in rows}
    mac, numbered = keyed_mac(key), not _postgres(session)
    return {c: ChainSpec(c, mac, keyed_from=seals.get(c, 1), numbered=numbered) for c in chains}


def _missing_head(session: Session, heads: dict[int, Any], chains: set[int]) -> VerifyResult | None:
    """A chain whose head row is gone (the head is what tells a lost tail)."""
    expected = set(range(1, POSTGRES_CHAINS + 1)) if _postgres(session) else set()
    lost = (chains | expected) - set(heads)
    if not lost:
        return None
    chain = min(lost)
    return VerifyResult(ok=False, checked=0, problem="headless", chain=chain)


def verify_chain(session: Session, *, batch: int = 10_000, key: bytes | None = None) -> VerifyResult:
    """Recompute every MAC of every chain; the first altered, deleted or reordered event is reported.

    Each chain is checked link by link against its head (which catches a lost tail); a chain
    whose head is gone is reported too. ``checked`` counts the events verified. ``key``: the
    audit key (default: from the settings).
    """
    heads = chain_heads(session)
    chains = set(session.scalars(select(AuditEvent.chain).distinct()))
    lost = _missing_head(session, heads, chains)
    if lost is not None:
        return lost
    key = key or audit_key()
    specs = _specs(session, set(heads), key)
    checked = 0
    for chain in sorted(heads):
        head_seq, head_hash = heads[chain]
        spec = specs[chain]
        if (
            len(heads) == 1
            and spec.numbered
            and _fast_sqlite_check(session, (head_seq, head_hash), spec, key, batch)
        ):
            return VerifyResult(ok=True, checked=head_seq)
        result = verify_links(
            _links(_raw_rows(session, _COLUMNS, batch, chain)), spec, head_seq=head_seq, head_hash=head_hash
        )
        if not result.ok:
            return _placed(session, result, chain, checked)
        checked += result.checked
    return VerifyResult(ok=True, checked=checked)


def _placed(session: Session, result: VerifyResult, chain: int, checked: int) -> VerifyResult:
    """The chain's finding with the event's number (the chain reports positions)."""
    link = result.seq
    number = None
    if result.problem != "missing" and link is not None:
        stmt = select(AuditEvent.seq).where(AuditEvent.chain == chain, AuditEvent.link == link)
        number = session.scalar(stmt)
    return replace(result, checked=checked + result.checked, chain=chain, link=link, seq=number)


def _fast_sqlite_check(
    session: Session, head: tuple[int, str], spec: ChainSpec, key: bytes, batch: int
) -> bool:
    """True only when the whole chain is certainly intact; False means "look closer"."""
    head_seq, head_hash = head
    last = session.scalar(
        select(AuditEvent.hash).where(AuditEvent.chain == HEAD_ID).order_by(AuditEvent.link.desc()).limit(1)
    )
    if last != head_hash and head_seq:
        return False
    path = session.connection().engine.url.database
    if head_seq >= PARALLEL_THRESHOLD and path and path != ":memory:" and not session.in_nested_transaction():
        # Other processes see committed rows only; the head compared above came from this session,
        # so any uncommitted difference fails the check and falls back to the full path.
        return verify_file_in_parallel(path, head_seq, key, keyed_from=spec.keyed_from)
    return intact_count(_raw_rows(session, _FAST_COLUMNS, batch), spec) == head_seq
