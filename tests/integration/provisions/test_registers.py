"""The console's registers: keyset pages over provisions, their records and persons cover each row once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.db.paging import Cursor
from mamori.errors import ValidationFailed
from mamori.provisions.registers import provision_page, record_page
from mamori.subjects.registers import subject_page
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import make_provision

BUREAU = "recipient:sample_credit_bureau"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _all_pages(fetch: Any) -> list[Any]:
    seen, before = [], None
    while True:
        page = fetch(before)
        seen += page.rows
        if page.next_before is None:
            return seen
        before = Cursor.parse(page.next_before.text())


class TestProvisionPage:
    def test_newest_first_each_once_and_by_recipient(self, session: Session, settings: Settings) -> None:
        person = create_plain_subject(session)
        record_consent(session, person, scope=BUREAU)
        start = utcnow()
        made = [
            make_provision(session, settings, [person.id], now=start + timedelta(minutes=n)) for n in range(5)
        ]
        rows = _all_pages(lambda before: provision_page(session, before=before, limit=2))
        assert [r.id for r in rows] == [o.provision.id for o in reversed(made)]
        assert rows[0].recipient == "sample_credit_bureau"
        assert (rows[0].provided, rows[0].refused) == (1, 0)
        assert provision_page(session, recipient="someone_else").rows == []


class TestRecordPage:
    def test_every_record_of_a_provision_once(self, session: Session, settings: Settings) -> None:
        people = [create_plain_subject(session) for _ in range(7)]
        for person in people[:5]:
            record_consent(session, person, scope=BUREAU)
        outcome = make_provision(session, settings, [p.id for p in people])
        rows = _all_pages(lambda before: record_page(session, outcome.provision.id, before=before, limit=3))
        assert sorted(str(r.subject_id) for r in rows) == sorted(str(p.id) for p in people[:5])
        assert all(r.retention_end > r.provided_at for r in rows)


class TestSubjectPage:
    def test_pages_by_category_newest_first(self, session: Session) -> None:
        mine = [create_plain_subject(session, categories=("shareholders",)) for _ in range(5)]
        create_plain_subject(session, categories=("customers",))
        rows = _all_pages(
            lambda before: subject_page(session, category="shareholders", before=before, limit=2)
        )
        assert sorted(str(r.id) for r in rows) == sorted(str(s.id) for s in mine)
        keys = [(r.created_at, r.id) for r in rows]
        assert keys == sorted(keys, reverse=True)

    def test_refuses_bad_cursors_and_sizes(self, session: Session) -> None:
        with pytest.raises(ValidationFailed):
            Cursor.parse("yesterday~nobody")
        with pytest.raises(ValidationFailed):
            subject_page(session, limit=1000)
