"""staff free text on a person's records stored encrypted: suspension reasons and references,
consent and relationship evidence references

Revision ID: 0016_keys
Revises: 0016_web
Create Date: 2026-12-07 20:20:00

The values already stored in clear are encrypted here with the keys of the process, so run
``mamori db upgrade`` with the production ``MAMORI_ENCRYPTION_KEYS`` set. The columns become TEXT
(a ciphertext is longer than its text). SQLite: new column, copy, drop, rename (native ALTERs),
because rebuilding ``consent_events`` would trip the foreign keys that point at it.
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mamori.config import get_settings
from mamori.security.crypto import cipher_from_settings

revision: str = "0016_keys"
down_revision: str | None = "0016_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table, column, length before, nullable
COLUMNS = (
    ("usage_suspensions", "reason", 500, False),
    ("usage_suspensions", "source_ref", 200, True),
    ("consent_events", "evidence_ref", 500, True),
    ("subject_relationships", "evidence_ref", 500, False),
)


def _convert(table: str, column: str, *, encrypt: bool) -> None:
    cipher = cipher_from_settings(get_settings())
    context = f"{table}.{column}"
    conn = op.get_bind()
    rows = conn.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} <> ''")).all()
    update = sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
    for row_id, value in rows:
        done = cipher.encrypt(value, context=context) if encrypt else cipher.decrypt(value, context=context)
        conn.execute(update, {"value": done, "id": row_id})


def _sqlite_retype(table: str, column: str, new_type: str, nullable: bool) -> None:
    not_null = "" if nullable else " NOT NULL DEFAULT ''"
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column}_new {new_type}{not_null}")
    op.execute(f"UPDATE {table} SET {column}_new = {column}")
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    op.execute(f"ALTER TABLE {table} RENAME COLUMN {column}_new TO {column}")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, _, nullable in COLUMNS:
        if sqlite:
            _sqlite_retype(table, column, "TEXT", nullable)
        else:
            op.alter_column(table, column, type_=sa.Text(), existing_nullable=nullable)
        _convert(table, column, encrypt=True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, length, nullable in COLUMNS:
        _convert(table, column, encrypt=False)
        if sqlite:
            _sqlite_retype(table, column, f"VARCHAR({length})", nullable)
        else:
            op.alter_column(table, column, type_=sa.String(length), existing_nullable=nullable)
