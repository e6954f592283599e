"""Two writers at once cannot both give the same identifier to different subjects."""

from __future__ import annotations

import threading
import time

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import Conflict
from tests.factories.subjects import create_subject, ensure_policy


def test_the_second_creator_waits_and_gets_a_conflict(fresh_database_url: str) -> None:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        ensure_policy(session)
    outcome: list[str] = []

    def second_creator() -> None:
        try:
            with unit_of_work(factory) as other:
                create_subject(other, settings, identifiers=[("email", "race@example.jp")])
            outcome.append("created")
        except Conflict:
            outcome.append("conflict")

    first = factory()
    try:
        create_subject(first, settings, identifiers=[("email", "RACE@example.jp")])
        thread = threading.Thread(target=second_creator)
        thread.start()
        time.sleep(0.5)  # let the second one reach its check while the first is uncommitted
        first.commit()
    finally:
        first.close()
    thread.join(timeout=30)
    engine.dispose()
    assert outcome == ["conflict"]
