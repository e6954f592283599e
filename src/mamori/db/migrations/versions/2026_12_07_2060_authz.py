"""authorization: tokens issued before the fulfillment scopes get the ones their role now grants

Starting a fulfillment run moved from ``datamap:write`` (engineers) to ``fulfillment:run`` (the
roles that decide request cases: admin, privacy officer, agent); break-glass runs need
``fulfillment:break_glass`` (privacy officer). A token carries the scopes written at its issue,
so a token that could already decide cases (``requests:write``) gets ``fulfillment:run``, and a
privacy officer's token that held every scope of the role gets break-glass too. Engineers'
tokens lose nothing here: the role no longer grants starting a run, and tokens are capped by
their role when used.

Revision ID: 0016_authz
Revises: 0016_auth
Create Date: 2026-12-07 20:60:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_authz"
down_revision: str | None = "0016_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUN, BREAK_GLASS, DECIDE = "fulfillment:run", "fulfillment:break_glass", "requests:write"
DECIDING_ROLES = ("admin", "privacy_officer", "agent")
# every scope the privacy officer's role granted before this revision: a token issued "with all of it"
OFFICER_FULL = {"policy:write", "audit:read", "incidents:write", "processors:write", "jobs:retry", DECIDE}


def _tokens(conn: sa.Connection) -> list[tuple[object, str, list[str]]]:
    rows = conn.execute(
        sa.text("SELECT t.id, u.role, t.scopes FROM api_tokens t JOIN staff_users u ON u.id = t.user_id")
    )
    return [(r[0], r[1], r[2] if isinstance(r[2], list) else json.loads(r[2])) for r in rows]


def _write(conn: sa.Connection, token_id: object, scopes: list[str]) -> None:
    table = sa.table("api_tokens", sa.column("id"), sa.column("scopes", sa.JSON))
    conn.execute(sa.update(table).where(table.c.id == token_id).values(scopes=sorted(scopes)))


def upgrade() -> None:
    conn = op.get_bind()
    for token_id, role, scopes in _tokens(conn):
        added = set(scopes)
        if role in DECIDING_ROLES and DECIDE in added:
            added.add(RUN)
        if role == "privacy_officer" and added >= OFFICER_FULL:
            added.add(BREAK_GLASS)
        if added != set(scopes):
            _write(conn, token_id, list(added))


def downgrade() -> None:
    conn = op.get_bind()
    for token_id, _role, scopes in _tokens(conn):
        kept = [s for s in scopes if s not in {RUN, BREAK_GLASS}]
        if kept != scopes:
            _write(conn, token_id, kept)
