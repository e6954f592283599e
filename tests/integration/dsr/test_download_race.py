"""The one-time download code under concurrent wrong tries: the counter cannot be raced."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.dsr.models import Delivery
from mamori.dsr.service import decide
from mamori.dsr.service.delivery import open_download, send_electronically
from mamori.notify.backends import Email
from mamori.notify.models import OutboundMessage
from mamori.notify.service import BODY_CONTEXT, Outbox
from mamori.policy.service import publish_bundle
from mamori.security.crypto import cipher_from_settings
from tests.factories.dsr import case_in_progress, held_nowhere_else

WRONG_TRIES = 30
LIMIT = 5  # request_handling.download_code_attempts of the default bundle


@dataclass
class _Recorder:
    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email) -> None:
        self.sent.append(email)


@pytest.fixture
def fresh_engine(fresh_database_url: str) -> Iterator[Engine]:
    engine = (
        make_engine(fresh_database_url, pool_size=WRONG_TRIES + 2)
        if not (fresh_database_url.startswith("sqlite"))
        else make_engine(fresh_database_url)
    )
    yield engine
    engine.dispose()


def _link_and_code(factory: sessionmaker[Session], settings: Settings) -> tuple[str, str]:
    """A sent electronic answer, committed; the link's token and the code from the two mails."""
    with unit_of_work(factory) as session:
        publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        case = case_in_progress(session, settings, response_method="electronic")
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)  # the default bundle has no data map to search
        outbox = Outbox(
            session_factory=factory,
            backend=_Recorder(),
            cipher=cipher_from_settings(settings),
            sender="privacy@example.jp",
            dispatch_on_commit=False,
        )
        send_electronically(session, actor="a", case_id=case.id, outbox=outbox, settings=settings)
    cipher = cipher_from_settings(settings)
    with unit_of_work(factory) as session:
        bodies = [
            cipher.decrypt(m.body_encrypted, context=BODY_CONTEXT)
            for m in session.scalars(select(OutboundMessage))
        ]
    link = next(b for b in bodies if "/requests/download/" in b)
    token = link.split("/requests/download/")[1].split("?")[0].split()[0]
    code_mail = next(b for b in bodies if "/requests/download/" not in b)
    code = next(w.strip(".:：。") for w in code_mail.split() if w.strip(".:：。").isdigit())
    return token, code


def test_thirty_concurrent_wrong_codes_lock_the_link_and_the_right_code_no_longer_opens_it(
    fresh_engine: Engine, fresh_database_url: str
) -> None:
    settings = Settings(database_url=fresh_database_url, mail_backend="null", _env_file=None)  # type: ignore[call-arg]
    factory = make_session_factory(fresh_engine)
    token, code = _link_and_code(factory, settings)
    start = threading.Barrier(WRONG_TRIES)
    errors: list[BaseException] = []
    wrong = "000000" if code != "000000" else "000001"

    def wrong_try() -> None:
        try:
            start.wait()
            with unit_of_work(factory) as session:
                open_download(session, token=token, code=wrong, settings=settings)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=wrong_try) for _ in range(WRONG_TRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work(factory) as session:
        row = session.scalars(select(Delivery)).one()
        assert (row.attempts, row.status) == (LIMIT, "locked")
        attempt = open_download(session, token=token, code=code, settings=settings)
    assert attempt.pdf is None
    assert attempt.locked
