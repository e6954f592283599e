"""The real default bundle (with its example shop data map) published for the registers' tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.policy.models import PolicyVersion
from mamori.policy.service import publish_bundle
from tests.conftest import REAL_DEFAULT_POLICY_DIR


@pytest.fixture
def policy(session: Session) -> PolicyVersion:
    return publish_bundle(session, actor="test", directory=REAL_DEFAULT_POLICY_DIR)


@pytest.fixture
def files_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )
