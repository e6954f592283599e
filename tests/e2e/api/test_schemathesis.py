"""The whole API against its own OpenAPI document, with generated requests (Schemathesis).

Every operation gets a bounded number of generated requests, as an administrator (every scope) and
once more without a token. The checks are those a generated client relies on: no server error, the
status code is one the document declares, the content type and the body match what it declares.
Data is seeded (a published policy, subjects, a request case, an incident, an inquiry) so that
requests reach past "not found" into the code behind.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mamori.api.app import create_app
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.security.rules import Role
from mamori.security.service import add_user, create_token
from tests.factories.databases import migrated_database
from tests.factories.decisions import create_subject, publish_policy
from tests.factories.dsr import create_case
from tests.factories.incidents import create_incident
from tests.factories.inquiries import create_inquiry

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)
# Bounded: a few examples per operation keeps the run within a couple of minutes on two cores.
EXAMPLES = int(os.environ.get("MAMORI_SCHEMATHESIS_EXAMPLES", "6"))


@pytest.fixture(scope="module")
def api_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for the whole module (a fresh one per operation would be too slow)."""
    with migrated_database(database_url, tmp_path_factory.mktemp("mamori_st"), "mamori_st") as url:
        yield url


def _seed(settings: Settings) -> str:
    """Policy, people, a case, an incident and an inquiry; returns an administrator's token."""
    engine = make_engine(settings.database_url)
    with unit_of_work(make_session_factory(engine)) as session:
        publish_policy(session)
        create_subject(session, settings, identifiers=[("email", "taro@example.jp")], jurisdiction="JP")
        create_subject(session, settings, identifiers=[("email", "li@example.cn")], jurisdiction="CN")
        create_case(session, settings)
        create_incident(session, settings)
        create_inquiry(session, settings)
        add_user(session, actor="t", username="root", display_name="root", role=Role.ADMIN, password="x" * 12)
        token = create_token(session, actor="t", username="root", name="schemathesis").secret
    engine.dispose()
    return token


@pytest.fixture(scope="module")
def api(api_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    folder: Path = tmp_path_factory.mktemp("files")
    settings = Settings(  # type: ignore[call-arg]
        database_url=api_database, mail_backend="null", files_dir=folder, _env_file=None
    )
    token = _seed(settings)
    app = create_app(settings)
    yield app, token
    app.state.runtime.engine.dispose()


def _failures(app: FastAPI, headers: dict[str, str], seen: Counter[int] | None = None) -> list[str]:
    """Run every operation with valid and invalid generated requests; one line per failing operation.

    ``seen`` counts the answers by class (2 for 2xx...) and operations under the key 0.
    """
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    seen = Counter() if seen is None else seen
    for result in schema.get_all_operations():
        seen[0] += 1
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(mode) for mode in GenerationMode)

        @given(case=strategy)
        @_SETTINGS
        def run(case: Any) -> None:
            case.headers = {**(case.headers or {}), **headers}
            response = case.call_and_validate(checks=CHECKS)
            seen[response.status_code // 100] += 1

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - all collected, then reported
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    return failures


_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    deadline=None,
    derandomize=True,
    database=None,
)


def test_api_as_administrator(api: tuple[FastAPI, str]) -> None:
    app, token = api
    seen: Counter[int] = Counter()
    failures = _failures(app, {"Authorization": f"Bearer {token}"}, seen)
    assert not failures, "\n\n".join(failures)
    assert seen[0] >= 60, "the document lists fewer operations than the API has"
    assert seen[2] > 0, "no generated request succeeded: the run never got past validation"


def test_api_without_a_token(api: tuple[FastAPI, str]) -> None:
    failures = _failures(api[0], {})
    assert not failures, "\n\n".join(failures)
