"""subject reach: the audiences' projection of subjects, kept by triggers; consent index covers audiences

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00

One row per category of every active subject that was not merged into another, with the facts
an audience needs that do not change with time (jurisdiction, language, date of birth, whether
the subject has an e-mail address or a phone number, whether others were merged into it).
Triggers on subjects, subject_categories and subject_identifiers keep it, so every write path
(services, imports, plain SQL) keeps it right. On PostgreSQL each recomputation first locks the
subject's row, so two transactions writing for one person take turns.
"""

# ruff: noqa: S608 - the SQL below is built from this file's constants only
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mamori.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "category, subject_id, collected_at, jurisdiction, language, date_of_birth,"
    " has_email, has_phone, has_members"
)


def _rows(subject: str) -> str:
    """The reach rows of ``subject`` (an SQL expression), or of everyone when it is None."""
    where = f"s.id = {subject} AND " if subject else ""
    return f"""
        INSERT INTO subject_reach ({COLUMNS})
        SELECT c.category, s.id, c.collected_at, s.jurisdiction, s.language, s.date_of_birth,
               EXISTS (SELECT 1 FROM subject_identifiers i WHERE i.subject_id = s.id AND i.kind = 'email'),
               EXISTS (SELECT 1 FROM subject_identifiers i WHERE i.subject_id = s.id AND i.kind = 'phone'),
               EXISTS (SELECT 1 FROM subjects m WHERE m.merged_into_id = s.id)
        FROM subjects s JOIN subject_categories c ON c.subject_id = s.id
        WHERE {where}s.status = 'active' AND s.merged_into_id IS NULL"""


def _refresh(subject: str) -> str:
    return f"DELETE FROM subject_reach WHERE subject_id = {subject};{_rows(subject)};"


def _flags(subject: str) -> str:
    has = "EXISTS (SELECT 1 FROM subject_identifiers i WHERE i.subject_id = {} AND i.kind = '{}')"
    return f"""UPDATE subject_reach SET
        has_email = {has.format(subject, "email")}, has_phone = {has.format(subject, "phone")}
        WHERE subject_id = {subject};"""


def _members(subject: str) -> str:
    return f"""UPDATE subject_reach
        SET has_members = EXISTS (SELECT 1 FROM subjects m WHERE m.merged_into_id = {subject})
        WHERE subject_id = {subject};"""


SUBJECT_COLUMNS = "status, merged_into_id, jurisdiction, language, date_of_birth"
KINDS = "('email', 'phone')"

SQLITE_TRIGGERS = {
    "subject_reach_subject_insert": f"""
        AFTER INSERT ON subjects WHEN NEW.merged_into_id IS NOT NULL
        BEGIN {_members("NEW.merged_into_id")} END""",
    "subject_reach_subject_update": f"""
        AFTER UPDATE OF {SUBJECT_COLUMNS} ON subjects
        BEGIN {_refresh("NEW.id")} {_members("OLD.merged_into_id")} {_members("NEW.merged_into_id")} END""",
    "subject_reach_subject_delete": f"""
        AFTER DELETE ON subjects
        BEGIN DELETE FROM subject_reach WHERE subject_id = OLD.id; {_members("OLD.merged_into_id")} END""",
    "subject_reach_category_insert": f"""
        AFTER INSERT ON subject_categories BEGIN {_refresh("NEW.subject_id")} END""",
    "subject_reach_category_update": f"""
        AFTER UPDATE ON subject_categories
        BEGIN {_refresh("OLD.subject_id")} {_refresh("NEW.subject_id")} END""",
    "subject_reach_category_delete": f"""
        AFTER DELETE ON subject_categories BEGIN {_refresh("OLD.subject_id")} END""",
    "subject_reach_identifier_insert": f"""
        AFTER INSERT ON subject_identifiers WHEN NEW.kind IN {KINDS}
        BEGIN {_flags("NEW.subject_id")} END""",
    "subject_reach_identifier_update": f"""
        AFTER UPDATE OF subject_id, kind ON subject_identifiers
        BEGIN {_flags("OLD.subject_id")} {_flags("NEW.subject_id")} END""",
    "subject_reach_identifier_delete": f"""
        AFTER DELETE ON subject_identifiers WHEN OLD.kind IN {KINDS}
        BEGIN {_flags("OLD.subject_id")} END""",
}


def _locked(body: str) -> str:
    """A PostgreSQL function of one subject id that locks the subject's row, then runs ``body``."""
    return f"""(sid uuid) RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            IF sid IS NULL THEN RETURN; END IF;
            PERFORM 1 FROM subjects WHERE id = sid FOR NO KEY UPDATE;
            {body}
        END $$"""


POSTGRES_FUNCTIONS = {
    "mamori_reach_refresh": _locked(_refresh("sid")),
    "mamori_reach_flags": _locked(_flags("sid")),
    "mamori_reach_members": _locked(_members("sid")),
    "mamori_reach_on_subjects": """() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                DELETE FROM subject_reach WHERE subject_id = OLD.id;
                PERFORM mamori_reach_members(OLD.merged_into_id);
                RETURN NULL;
            END IF;
            IF TG_OP = 'UPDATE' THEN
                PERFORM mamori_reach_refresh(NEW.id);
                IF OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id THEN
                    PERFORM mamori_reach_members(OLD.merged_into_id);
                    PERFORM mamori_reach_members(NEW.merged_into_id);
                END IF;
            ELSE
                PERFORM mamori_reach_members(NEW.merged_into_id);
            END IF;
            RETURN NULL;
        END $$""",
    "mamori_reach_on_categories": """() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM mamori_reach_refresh(OLD.subject_id); END IF;
            IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.subject_id <> OLD.subject_id) THEN
                PERFORM mamori_reach_refresh(NEW.subject_id);
            END IF;
            RETURN NULL;
        END $$""",
    "mamori_reach_on_identifiers": f"""() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' AND OLD.kind IN {KINDS} THEN
                PERFORM mamori_reach_flags(OLD.subject_id);
            END IF;
            IF TG_OP <> 'DELETE' AND NEW.kind IN {KINDS} THEN
                PERFORM mamori_reach_flags(NEW.subject_id);
            END IF;
            RETURN NULL;
        END $$""",
}
POSTGRES_TRIGGERS = {
    "subject_reach_subjects": (
        f"AFTER INSERT OR DELETE OR UPDATE OF {SUBJECT_COLUMNS} ON subjects",
        "mamori_reach_on_subjects",
    ),
    "subject_reach_categories": (
        "AFTER INSERT OR DELETE OR UPDATE ON subject_categories",
        "mamori_reach_on_categories",
    ),
    "subject_reach_identifiers": (
        "AFTER INSERT OR DELETE OR UPDATE OF subject_id, kind ON subject_identifiers",
        "mamori_reach_on_identifiers",
    ),
}


def _consent_index(columns: list[str], **kwargs: list[str]) -> None:
    with op.batch_alter_table("consent_states") as batch_op:
        batch_op.drop_index("ix_consent_states_scope_action")
        batch_op.create_index("ix_consent_states_scope_action", columns, **kwargs)


def upgrade() -> None:
    _consent_index(
        ["scope", "action", "subject_id", "occurred_at", "expires_at", "separate", "on_behalf_by_id"]
    )
    op.create_table(
        "subject_reach",
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("collected_at", mamori.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("jurisdiction", sa.String(length=2), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("has_email", sa.Boolean(), nullable=False),
        sa.Column("has_phone", sa.Boolean(), nullable=False),
        sa.Column("has_members", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("category", "subject_id", name=op.f("pk_subject_reach")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_subject_reach_subject", "subject_reach", ["subject_id"])
    op.execute(_rows(""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ANALYZE subject_reach")  # the planner's first audiences need its statistics
        for name, definition in POSTGRES_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {name}{definition}")
        for name, (when, function) in POSTGRES_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH ROW EXECUTE FUNCTION {function}()")
    else:
        for name, definition in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, (when, _) in POSTGRES_TRIGGERS.items():
            table = when.rsplit(" ON ", 1)[1]
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for name in reversed(list(POSTGRES_FUNCTIONS)):
            op.execute(f"DROP FUNCTION {name}")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_subject_reach_subject", table_name="subject_reach")
    op.drop_table("subject_reach")
    _consent_index(
        ["scope", "action", "subject_id"],
        postgresql_include=["separate", "occurred_at", "expires_at", "on_behalf_by_id"],
    )
