"""No name or identifier is ever stored in clear: not in the tables, the audit log or the files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, make_url, text

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.subjects.service import add_identifier, reveal_subject
from tests.factories.subjects import create_subject

EMAIL = "Hanako.Yamada@Example.JP"
PHONE_RAW = "090-1234-5678"
PHONE_E164 = "+819012345678"
MEMBER = "MB-7788-9911"
NAME = "山田花子ヤマダハナコ"
EMPLOYEE = "EMP-555123"

SECRETS = {
    "email": EMAIL.encode(),
    "email (normalised)": EMAIL.lower().encode(),
    "phone": PHONE_RAW.encode(),
    "phone (digits)": b"09012345678",
    "phone (E.164)": PHONE_E164.encode(),
    "member number": MEMBER.encode(),
    "member number (normalised)": MEMBER.replace("-", "").encode(),
    "employee number (normalised)": EMPLOYEE.replace("-", "").encode(),
    "name": NAME.encode(),
    "family name": "山田花子".encode(),
}


def _store_people(url: str) -> Settings:
    settings = Settings(database_url=url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        subject = create_subject(
            session,
            settings,
            name=NAME,
            identifiers=[("email", EMAIL), ("phone", PHONE_RAW), ("member_number", MEMBER)],
        )
        add_identifier(session, settings, "test", subject.id, kind="employee_number", value=EMPLOYEE)
        view = reveal_subject(session, settings, "test", subject.id, "customer.sales")
        assert view.name == NAME  # the values really went in
    engine.dispose()
    return settings


def test_no_clear_text_in_the_database(fresh_database_url: str) -> None:
    _store_people(fresh_database_url)
    if fresh_database_url.startswith("sqlite"):
        database = Path(make_url(fresh_database_url).database or "")
        files = [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-journal")) if p.exists()]
        content = b"".join(p.read_bytes() for p in files)
        assert b"customer.sales" in content  # the reveal's audit event: the files are the right ones
    else:
        content = _all_text_columns(fresh_database_url).encode()
        assert b"customer.sales" in content
    found = [label for label, secret in SECRETS.items() if secret.lower() in content.lower()]
    assert found == []


def _all_text_columns(url: str) -> str:
    """Every column of every Mamori table, cast to text, as one string."""
    engine = make_engine(url)
    parts = []
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            columns = [c["name"] for c in inspector.get_columns(table)]
            select_list = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
            rows = conn.execute(text(f'SELECT {select_list} FROM "{table}"'))  # noqa: S608 - catalogue names
            parts.extend(str(value) for row in rows for value in row)
    engine.dispose()
    return "\n".join(parts)
