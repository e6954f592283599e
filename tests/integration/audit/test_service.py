from __future__ import annotations

import itertools
import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.audit.service import EventInput, list_events, record_event, record_events, verify_chain


def _record_three(session: Session) -> None:
    for n in range(3):
        record_event(
            session, actor="user:test", action="thing.done", target_type="thing", target_id=f"t{n}",
            details={"n": n, "note": "日本語"},
        )  # fmt: skip


class TestRecordEvent:
    def test_links_each_event_to_the_previous(self, session: Session) -> None:
        _record_three(session)
        events = list_events(session, limit=1000)
        mine = [e for e in events if e.actor == "user:test"]
        assert len(mine) == 3
        for before, after in itertools.pairwise(mine):
            assert after.prev_hash == before.hash
            assert after.seq == before.seq + 1
        assert json.loads(mine[0].details) == {"n": 0, "note": "日本語"}
        assert "日本語" in mine[0].details  # stored as characters, not \\u escapes

    def test_batch_append(self, session: Session) -> None:
        rows = record_events(
            session,
            actor="user:batch",
            events=[EventInput("thing.done", "thing", str(i), {"i": i}) for i in range(50)],
        )
        assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 50))
        assert verify_chain(session).ok

    def test_batch_larger_than_one_statement_takes(self, session: Session) -> None:
        # PostgreSQL takes at most 65,535 parameters per statement: the rows go in several parts.
        rows = record_events(
            session,
            actor="user:batch",
            events=[EventInput("thing.done", "thing", str(i), {"i": i}) for i in range(4_500)],
        )
        assert len({r.seq for r in rows}) == 4_500
        assert [r.seq for r in rows] == sorted(r.seq for r in rows)
        stored = session.scalars(
            text("SELECT target_id FROM audit_events WHERE actor = 'user:batch' ORDER BY seq")
        ).all()
        assert stored == [str(i) for i in range(4_500)]
        assert verify_chain(session).ok


class TestVerifyChain:
    def test_intact(self, session: Session) -> None:
        _record_three(session)
        result = verify_chain(session)
        assert result.ok
        assert result.checked >= 3

    def test_row_altered_in_the_database_is_caught(self, session: Session) -> None:
        _record_three(session)
        target = list_events(session, limit=1000)[-2]
        session.execute(
            text("UPDATE audit_events SET details = :d WHERE seq = :s"), {"d": '{"n":99}', "s": target.seq}
        )
        session.expire_all()
        result = verify_chain(session)
        assert (result.ok, result.problem, result.seq) == (False, "altered", target.seq)
        assert (result.chain, result.link) == (target.chain, target.link)

    def test_row_deleted_in_the_database_is_caught(self, session: Session) -> None:
        _record_three(session)
        target = list_events(session, limit=1000)[-2]
        place = (target.chain, target.link)
        session.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": target.seq})
        session.expire_all()
        result = verify_chain(session)
        assert (result.ok, result.problem, result.chain, result.link) == (False, "missing", *place)
