from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.service import list_events
from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import Conflict, ValidationFailed
from mamori.policy import service
from mamori.policy.models import PolicyVersion
from tests.bundles import copy_default_bundle, edit


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PolicyVersion)) or 0


class TestPublishBundle:
    def test_publishes_an_immutable_hashed_version(self, session: Session) -> None:
        version = service.publish_bundle(session, actor="user:officer", directory=DEFAULT_POLICY_DIR)
        assert len(version.content_hash) == 64
        assert version.published_by == "user:officer"
        assert service.current_version(session) is version
        assert service.bundle_of(version).id == "aoki"
        assert any(e.action == "policy.published" for e in list_events(session, limit=1000))
        version.note = "changed"
        with pytest.raises(Conflict, match="immutable"):
            session.flush()

    def test_unchanged_bundle_is_refused(self, session: Session) -> None:
        service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        before = _count(session)
        with pytest.raises(Conflict, match="unchanged"):
            service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        assert _count(session) == before

    def test_invalid_bundle_is_refused_and_nothing_stored(self, session: Session, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "  opens:", "  typo_field: 1\n  opens:")
        before = _count(session)
        with pytest.raises(ValidationFailed) as caught:
            service.publish_bundle(session, actor="t", directory=bundle)
        assert any("contact.yaml" in e and "typo_field" in e for e in caught.value.details["errors"])
        assert _count(session) == before


class TestDiff:
    def test_version_against_changed_directory(self, session: Session, tmp_path: Path) -> None:
        first = service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
        changes = service.diff_version_and_directory(first, bundle)
        assert [(c.path, c.old, c.new) for c in changes] == [("contact_centre.closes", "17:00", "18:00")]
        second = service.publish_bundle(session, actor="t", directory=bundle)
        assert second.number == first.number + 1
        assert [c.path for c in service.diff_versions(first, second)] == ["contact_centre.closes"]
        assert service.get_version(session, str(first.number)) is first
        assert service.get_version(session, "current") is second


class TestCurrentVersion:
    def test_a_future_version_is_not_current_until_its_date(self, session: Session, tmp_path: Path) -> None:
        today = date(2026, 11, 25)
        first = service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=today)
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
        later = service.publish_bundle(
            session, actor="t", directory=bundle, effective_date=today + timedelta(days=30)
        )
        assert service.current_version(session, on=today) is first
        assert service.current_version(session, on=today + timedelta(days=30)) is later
        assert service.latest_version(session) is later
        assert service.get_version(session, "latest") is later
