"""Anchors: the chains' heads written down outside the database, to detect a shortened or emptied log.

A chain proves that nothing inside it was changed, but someone who can write the database can
delete its tail (and move the head back) or empty it. An anchor, kept where that person cannot
write (decision 0012), records how long each chain was and how it ended; a later log must still
contain exactly that prefix.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.keys import audit_key
from mamori.audit.models import AuditEvent
from mamori.audit.rules import canonical_json
from mamori.audit.service import chain_heads

ANCHOR_FORMAT = "mamori-audit-anchor/1"


def _mac(key: bytes, body: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in body.items() if k != "mac"}
    payload = f"{ANCHOR_FORMAT}\x1f{canonical_json(unsigned)}"
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def make_anchor(session: Session, *, key: bytes | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Per chain its length, last event number and last hash; the event count; a MAC over it all."""
    chains = []
    for chain, (links, digest) in sorted(chain_heads(session).items()):
        if links == 0:
            continue
        stmt = select(AuditEvent.seq).where(AuditEvent.chain == chain, AuditEvent.link == links)
        chains.append({"chain": chain, "links": links, "seq": session.scalar(stmt), "hash": digest})
    body: dict[str, Any] = {
        "format": ANCHOR_FORMAT,
        "made_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "events": session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        "chains": chains,
    }
    body["mac"] = _mac(key or audit_key(), body)
    return body


def check_anchor(session: Session, anchor: dict[str, Any], *, key: bytes | None = None) -> list[str]:
    """What differs between the log and an anchor made earlier; empty when the log still extends it.

    Run after :func:`mamori.audit.service.verify_chain` has found every chain intact: then a
    chain that still holds the anchored hash at the anchored position holds the anchored prefix.
    """
    if anchor.get("format") != ANCHOR_FORMAT:
        return [f"the anchor is not a {ANCHOR_FORMAT} file"]
    if not hmac.compare_digest(str(anchor.get("mac", "")), _mac(key or audit_key(), anchor)):
        return ["the anchor's MAC does not match: it was edited, or made with another audit key"]
    problems = [p for entry in anchor["chains"] if (p := _chain_problem(session, entry))]
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if total < int(anchor["events"]):
        problems.append(f"the log holds {total} events, fewer than the {anchor['events']} the anchor records")
    return problems


def _chain_problem(session: Session, entry: dict[str, Any]) -> str | None:
    chain, links = int(entry["chain"]), int(entry["links"])
    where = (AuditEvent.chain == chain, AuditEvent.link == links)
    row = session.execute(select(AuditEvent.seq, AuditEvent.hash).where(*where)).first()
    if row is None:
        length = session.scalar(select(func.max(AuditEvent.link)).where(AuditEvent.chain == chain)) or 0
        return f"chain {chain} is shorter than the anchor: {length} events, the anchor records {links}"
    if (row.seq, row.hash) != (entry["seq"], entry["hash"]):
        return f"chain {chain} diverges from the anchor at position {links} (event {entry['seq']})"
    return None
