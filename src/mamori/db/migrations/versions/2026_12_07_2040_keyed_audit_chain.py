"""keyed audit chain: seal each chain's plain-hash events with a keyed link (decision 0012)

Revision ID: 0016_audit
Revises: 0016_legal
Create Date: 2026-12-07 20:40:00

No schema change. Events written so far keep their plain SHA-256 hashes. For each chain that
has any, one ``audit.chain_keyed`` event is appended whose HMAC (with the audit key of this
process: ``MAMORI_AUDIT_KEY``, run the upgrade with the production key) covers the last plain
hash, so the plain prefix cannot later be rewritten, lengthened or moved without the key.
"""

import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from mamori.audit.keys import audit_key
from mamori.db.base import UTCDateTime

revision: str = "0016_audit"
down_revision: str | None = "0016_legal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEAL_ACTION = "audit.chain_keyed"  # keep equal to mamori.audit.rules.SEAL_ACTION

_events = sa.table(
    "audit_events",
    *(sa.column(name) for name in ("seq", "chain", "link", "actor", "action", "target_type", "target_id")),
    sa.column("occurred_at", UTCDateTime()),
    *(sa.column(name) for name in ("details", "prev_hash", "hash")),
)


def _keyed_hash(key: bytes, chain: int, fields: tuple[object, ...]) -> str:
    """As mamori.audit.rules.keyed_hash (frozen here: a migration must not change with the code)."""
    payload = "\x1f".join(("mamori-audit/2", str(chain), *map(str, fields)))
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    heads = bind.execute(
        sa.text("SELECT id, seq, hash FROM audit_chain_heads WHERE seq > 0 ORDER BY id")
    ).all()
    key = audit_key()
    now = datetime.now(UTC)
    instant = now.strftime("%Y-%m-%d %H:%M:%S.%f")
    for chain, last, prev in heads:
        link = last + 1
        seq = bind.execute(sa.text("SELECT nextval('audit_event_seq')")).scalar_one() if postgres else link
        details = json.dumps(
            {"legacy_head": prev, "legacy_links": last}, sort_keys=True, separators=(",", ":")
        )
        fields = ("mamori:migration", SEAL_ACTION, "audit_chain", str(chain), details)
        digest = _keyed_hash(key, chain, (link, seq, prev, instant, *fields))
        row = dict(zip(("actor", "action", "target_type", "target_id", "details"), fields, strict=True))
        bind.execute(
            sa.insert(_events).values(
                seq=seq, chain=chain, link=link, occurred_at=now, prev_hash=prev, hash=digest, **row
            )
        )
        bind.execute(
            sa.text("UPDATE audit_chain_heads SET seq = :link, hash = :hash WHERE id = :id"),
            {"link": link, "hash": digest, "id": chain},
        )


def downgrade() -> None:
    """Events written since keep their keyed MACs: the code before this revision cannot verify them."""
