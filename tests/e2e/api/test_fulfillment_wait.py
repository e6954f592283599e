"""``Prefer: wait=N`` on POST /fulfillment/runs: the finished run in the answer, or the usual 202."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from mamori.api.app import create_app
from mamori.api.prefer import MAX_WAIT, preferred_wait
from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.fulfillment.runner import close_connectors
from mamori.policy.service import publish_bundle
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.fulfillment import load_crm, load_shop, set_kind, shop_bundle, write_calls

EMAIL = "user1@example.jp"
REASON = "a court order of 2026-12-01 asks for this person's records at once"
BODY = {
    "action": "access",
    "break_glass": True,
    "reason": REASON,
    "identities": [{"kind": "email", "value": EMAIL}],
}


def _served(url: str, tmp_path: Path, *, worker: bool) -> TestClient:
    settings = Settings(
        database_url=url, mail_backend="null", files_dir=tmp_path / "files", worker_embedded=worker,
        _env_file=None,
    )  # fmt: skip
    return TestClient(create_app(settings))


@pytest.fixture
def officer_token(fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shop's data map published over SQLite systems, and the privacy officer's token."""
    for name in ("shop", "crm"):
        engine = create_engine(f"sqlite:///{tmp_path / name}.db")
        if name == "shop":
            load_shop(engine, 4)
        else:
            load_crm(engine, [EMAIL])
        engine.dispose()
    write_calls(tmp_path / "calls", 2)
    monkeypatch.setenv("SHOP_DB_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("CRM_DB_URL", f"sqlite:///{tmp_path / 'crm.db'}")
    monkeypatch.setenv("CALLCENTRE_DIR", str(tmp_path / "calls"))
    bundle = shop_bundle(tmp_path)
    set_kind(bundle, "shop", "sqlite")
    set_kind(bundle, "crm", "sqlite")
    engine = make_engine(fresh_database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_bundle(session, actor="user:officer", directory=bundle)
        add_user(
            session, actor="t", username="po", display_name="po", role=Role.PRIVACY_OFFICER, password="x" * 12
        )
        token = create_token(session, actor="t", username="po", name="t").secret
    engine.dispose()
    yield token
    close_connectors()


def _actions(url: str) -> list[str]:
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    engine.dispose()
    return actions


def test_the_embedded_worker_answers_within_the_wait_with_the_package(
    officer_token: str, fresh_database_url: str, tmp_path: Path
) -> None:
    with _served(fresh_database_url, tmp_path, worker=True) as client:
        answer = client.post(
            "/api/v1/fulfillment/runs",
            json=BODY,
            headers={"Authorization": f"Bearer {officer_token}", "Prefer": "wait=10"},
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["Preference-Applied"] == "wait=10"
    assert answer.json()["status"] == "completed"
    assert "山田 太郎1" in answer.text  # the package, in the answer
    assert _actions(fresh_database_url).count("fulfillment.package_read") == 1


def test_without_a_worker_the_wait_ends_in_the_usual_202(
    officer_token: str, fresh_database_url: str, tmp_path: Path
) -> None:
    with _served(fresh_database_url, tmp_path, worker=False) as client:
        started = time.monotonic()
        answer = client.post(
            "/api/v1/fulfillment/runs",
            json=BODY,
            headers={"Authorization": f"Bearer {officer_token}", "Prefer": "respond-async, wait=1"},
        )
        waited = time.monotonic() - started
    assert answer.status_code == 202, answer.text
    assert "Preference-Applied" not in answer.headers
    assert answer.json()["status"] == "pending"
    assert answer.json()["package"] is None
    assert waited >= 1  # it did wait the second asked for
    assert "fulfillment.package_read" not in _actions(fresh_database_url)


def test_without_the_preference_the_answer_does_not_wait(
    officer_token: str, fresh_database_url: str, tmp_path: Path
) -> None:
    with _served(fresh_database_url, tmp_path, worker=False) as client:
        answer = client.post(
            "/api/v1/fulfillment/runs", json=BODY, headers={"Authorization": f"Bearer {officer_token}"}
        )
    assert answer.status_code == 202
    assert "Preference-Applied" not in answer.headers


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("wait=5", 5),
        ("respond-async, wait=3", 3),
        ("WAIT = 2 ; x=y", 2),
        ('wait="4"', 4),
        (f"wait={MAX_WAIT * 100}", MAX_WAIT),
        ("wait=0", None),
        ("wait=-1", None),
        ("wait=abc", None),
        ("wait=１", None),  # a full-width digit is not a number of seconds
        ("return=minimal", None),
        ("", None),
        (None, None),
    ],
)
def test_the_wait_preference_is_read_as_rfc_7240_says(header: str | None, seconds: int | None) -> None:
    assert preferred_wait(header) == seconds
