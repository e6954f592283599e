"""The data map's check from the console: run against the systems, recorded, the last one read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from mamori.datamap.checks import last_check, run_check
from mamori.policy.service import publish_bundle
from tests.factories.fulfillment import shop_bundle


class TestRunCheck:
    def test_an_unreachable_system_is_a_finding_and_the_last_check_is_kept(
        self, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("SHOP_DB_URL", raising=False)
        publish_bundle(session, actor="test", directory=shop_bundle(tmp_path, only=("shop",)))
        assert last_check(session) is None
        result = run_check(session, actor="user:officer")
        assert result.systems == 1
        assert [f.kind for f in result.findings] == ["unreachable"]
        kept = last_check(session)
        assert kept is not None
        assert (kept.actor, kept.systems, kept.findings) == ("user:officer", 1, result.findings)
