"""audit log in several hash chains (chain, link), event numbers from a sequence on PostgreSQL

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00

Existing events become chain 1 with ``link = seq`` (their hashes stay valid). On PostgreSQL the
heads of chains 2..16 are created and ``audit_event_seq`` continues the event numbers.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEQ_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
POSTGRES_CHAINS = 16  # keep equal to mamori.audit.service.POSTGRES_CHAINS


def genesis_hash(chain: int) -> str:
    """As mamori.audit.rules.genesis_hash (frozen here: a migration must not change with the code)."""
    if chain == 1:
        return "0" * 64
    return hashlib.sha256(f"mamori-audit-chain\x1f{chain}".encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.add_column(sa.Column("chain", sa.SmallInteger(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("link", SEQ_TYPE, nullable=True))
    op.execute("UPDATE audit_events SET link = seq")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.alter_column("link", existing_type=SEQ_TYPE, nullable=False)
        batch_op.create_unique_constraint("uq_audit_events_chain_link", ["chain", "link"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE audit_event_seq")
    op.execute(
        "SELECT setval('audit_event_seq', COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false)"
    )
    heads = sa.table("audit_chain_heads", sa.column("id"), sa.column("seq"), sa.column("hash"))
    present = {row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM audit_chain_heads"))}
    missing = [c for c in range(1, POSTGRES_CHAINS + 1) if c not in present]
    if missing:
        op.bulk_insert(heads, [{"id": c, "seq": 0, "hash": genesis_hash(c)} for c in missing])


def downgrade() -> None:
    """Only sound while every event is still in chain 1 (a log written by one chain)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS audit_event_seq")
        op.execute("DELETE FROM audit_chain_heads WHERE id > 1 AND seq = 0")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_constraint("uq_audit_events_chain_link", type_="unique")
        batch_op.drop_column("link")
        batch_op.drop_column("chain")
