"""Several hash chains on PostgreSQL: audited transactions do not wait for each other's commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.models import AuditChainHead, AuditEvent
from mamori.audit.rules import GENESIS_HASH, genesis_hash
from mamori.audit.service import POSTGRES_CHAINS, record_event, verify_chain
from mamori.db.session import make_engine, make_session_factory


def _event(session: Session, n: int) -> None:
    record_event(session, actor="user:test", action="thing.done", target_type="thing", target_id=f"t{n}")


class TestGenesis:
    def test_each_chain_starts_from_its_own_hash(self) -> None:
        starts = {genesis_hash(c) for c in range(1, POSTGRES_CHAINS + 1)}
        assert len(starts) == POSTGRES_CHAINS
        assert genesis_hash(1) == GENESIS_HASH  # the single-chain log of earlier versions stays valid


class TestChainsOnPostgres:
    @pytest.fixture
    def factory(self, fresh_database_url: str) -> Iterator[sessionmaker[Session]]:
        if not fresh_database_url.startswith("postgresql"):
            pytest.skip("SQLite keeps one chain (one writer at a time)")
        engine = make_engine(fresh_database_url)
        yield make_session_factory(engine)
        engine.dispose()

    def test_migration_creates_every_head(self, factory: sessionmaker[Session]) -> None:
        with factory() as session:
            heads = session.scalars(select(AuditChainHead).order_by(AuditChainHead.id)).all()
        assert [h.id for h in heads] == list(range(1, POSTGRES_CHAINS + 1))
        assert all(h.seq == 0 and h.hash == genesis_hash(h.id) for h in heads)

    def test_a_second_writer_takes_another_chain_without_waiting(
        self, factory: sessionmaker[Session]
    ) -> None:
        first = factory()
        _event(first, 1)  # holds a head until it commits
        done = threading.Event()

        def second() -> None:
            with factory() as session, session.begin():
                session.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail the test
                _event(session, 2)
                _event(session, 3)
            done.set()

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(10)
        assert done.is_set(), "the second transaction waited for the first one's commit"
        first.commit()
        first.close()
        with factory() as session:
            placed = session.execute(
                select(AuditEvent.target_id, AuditEvent.chain, AuditEvent.link).order_by(AuditEvent.seq)
            ).all()
            result = verify_chain(session)
        chains = {target: chain for target, chain, _ in placed}
        assert chains["t1"] != chains["t2"] == chains["t3"]  # one transaction stays on its chain
        assert result.ok
        assert result.checked == 3

    def test_an_event_moved_to_another_chain_is_caught(self, factory: sessionmaker[Session]) -> None:
        with factory() as session, session.begin():
            for n in range(3):
                _event(session, n)
        with factory() as session, session.begin():
            session.execute(text("UPDATE audit_events SET chain = 2, link = 1 WHERE link = 3 AND chain = 1"))
            session.execute(text("UPDATE audit_chain_heads SET seq = 1 WHERE id = 2"))
        with factory() as session:
            result = verify_chain(session)
            total = session.scalar(select(func.count()).select_from(AuditEvent))
        assert total == 3
        assert not result.ok
        assert result.chain in {1, 2}
