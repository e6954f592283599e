from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mamori.policy.models import PolicyVersion
from tests.factories.decisions import publish_policy


@pytest.fixture
def policy(session: Session) -> PolicyVersion:
    return publish_policy(session)
