"""Verification of a committed SQLite chain split across processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from mamori.audit import service
from mamori.audit.keys import audit_key
from mamori.audit.parallel import verify_file_in_parallel
from mamori.audit.service import EventInput, record_events
from mamori.db.migrate import upgrade
from mamori.db.session import make_engine, make_session_factory, unit_of_work


@pytest.fixture
def chain_file(tmp_path: Path) -> Path:
    path = tmp_path / "chain.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        record_events(
            session, actor="t", events=[EventInput("x.done", "x", str(n), {"n": n}) for n in range(300)]
        )
    engine.dispose()
    return path


def _tamper(path: Path, sql: str) -> None:
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


class TestVerifyFileInParallel:
    def test_intact_chain_in_three_processes(self, chain_file: Path) -> None:
        assert verify_file_in_parallel(str(chain_file), 300, audit_key(), workers=3)

    @pytest.mark.parametrize("seq", [5, 150, 299])
    def test_altered_row_in_any_range(self, chain_file: Path, seq: int) -> None:
        _tamper(chain_file, f"UPDATE audit_events SET target_id = 'forged' WHERE seq = {seq}")  # noqa: S608
        assert not verify_file_in_parallel(str(chain_file), 300, audit_key(), workers=3)

    def test_deleted_boundary_row(self, chain_file: Path) -> None:
        _tamper(chain_file, "DELETE FROM audit_events WHERE seq = 100")
        assert not verify_file_in_parallel(str(chain_file), 300, audit_key(), workers=3)


class TestVerifyChainLargeFile:
    def test_parallel_path_then_pinpoints_the_altered_event(
        self, chain_file: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(service, "PARALLEL_THRESHOLD", 100)
        engine = make_engine(f"sqlite:///{chain_file}")
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            assert service.verify_chain(session).ok
        _tamper(chain_file, "UPDATE audit_events SET details = '{}' WHERE seq = 222")
        with unit_of_work(factory) as session:
            result = service.verify_chain(session)
        engine.dispose()
        assert (result.ok, result.problem, result.seq) == (False, "altered", 222)
