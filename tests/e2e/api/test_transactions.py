"""The request's transaction ends before the response: a commit that fails is the caller's error."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from mamori.api.deps import Runtime, SessionDep, get_runtime
from mamori.audit.models import AuditEvent
from mamori.audit.service import record_event
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory


@pytest.fixture
def app(fresh_database_url: str) -> Any:
    engine: Engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    app = FastAPI()
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    app.state.runtime = Runtime(settings, engine, factory, make_session_factory(engine, read_only=True))

    @app.post("/thing")
    def thing(session: SessionDep, fail: bool = False) -> dict[str, bool]:
        record_event(session, actor="user:test", action="thing.done", target_type="thing", target_id="t")
        if fail:
            event.listen(session, "before_commit", _refuse, once=True)
        return {"done": True}

    @app.get("/count")
    def count(runtime: Annotated[Runtime, Depends(get_runtime)]) -> dict[str, int]:
        with runtime.session_factory() as session:
            return {"events": session.scalar(select(func.count()).select_from(AuditEvent)) or 0}

    yield app
    engine.dispose()


def _refuse(session: Session) -> None:
    raise RuntimeError("the database refused the commit")


class TestCommitBeforeResponse:
    def test_a_committed_request_reports_success(self, app: Any) -> None:
        client = TestClient(app)
        assert client.post("/thing").status_code == 200
        assert client.get("/count").json() == {"events": 1}

    def test_a_failed_commit_is_reported_and_nothing_is_kept(self, app: Any) -> None:
        client = TestClient(app, raise_server_exceptions=False)
        answer = client.post("/thing", params={"fail": True})
        assert answer.status_code == 500  # not the 200 the endpoint returned before the commit
        assert client.get("/count").json() == {"events": 0}
