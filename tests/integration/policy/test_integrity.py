"""A published version edited in the database is refused when loaded and reported by the check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mamori.errors import Tampered
from mamori.policy import service
from mamori.policy.integrity import verify_versions
from mamori.policy.models import PolicyVersion
from mamori.policy.rules import content_hash


def _publish(session: Session, directory: Path) -> PolicyVersion:
    return service.publish_bundle(session, actor="officer", directory=directory)


def _edit(session: Session, number: int, *, rehash: bool) -> None:
    content: dict[str, Any] = session.scalar(
        select(PolicyVersion.content).where(PolicyVersion.number == number)
    )
    content = {**content, "contact_centre": {**content["contact_centre"], "closes": "23:59"}}
    values: dict[str, Any] = {"content": content}
    if rehash:
        values["content_hash"] = content_hash(content)
    session.execute(update(PolicyVersion).where(PolicyVersion.number == number).values(**values))
    session.expunge_all()  # as a new process would: nothing of the version in memory
    service._rows.clear()


class TestLoad:
    def test_an_intact_version_loads(self, session: Session, default_bundle_dir: Path) -> None:
        version = _publish(session, default_bundle_dir)
        session.expunge_all()
        assert service.get_version(session, str(version.number)).content_hash == version.content_hash

    def test_an_edited_version_is_refused_wherever_it_is_read(
        self, session: Session, default_bundle_dir: Path
    ) -> None:
        number = _publish(session, default_bundle_dir).number
        _edit(session, number, rehash=False)
        with pytest.raises(Tampered, match=f"policy version {number} was changed in the database"):
            service.get_version(session, str(number))
        session.expunge_all()
        with pytest.raises(Tampered):
            service.list_versions(session)
        session.expunge_all()
        with pytest.raises(Tampered):
            service.require_current_version(session)


class TestVerifyVersions:
    def test_intact(self, session: Session, default_bundle_dir: Path) -> None:
        _publish(session, default_bundle_dir)
        assert verify_versions(session) == []

    @pytest.mark.parametrize(
        ("rehash", "words"),
        [(False, "its content no longer matches its hash"), (True, "differs from the one recorded")],
    )
    def test_an_edited_version_is_reported(
        self, session: Session, default_bundle_dir: Path, rehash: bool, words: str
    ) -> None:
        number = _publish(session, default_bundle_dir).number
        _edit(session, number, rehash=rehash)
        problems = verify_versions(session)
        assert any(p.startswith(f"policy version {number}:") and words in p for p in problems), problems
