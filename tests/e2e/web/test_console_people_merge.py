"""Merging duplicate persons in the console: the survivor chosen, what moves shown first, then audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.policy.models import PolicyVersion
from mamori.security.rules import Role
from mamori.subjects.models import Subject
from mamori.subjects.service import find_subject
from tests.e2e.web.staff_client import csrf_of, sign_in
from tests.factories.decisions import create_subject

EARLY = datetime.now(UTC) - timedelta(days=300)
LATE = datetime.now(UTC) - timedelta(days=3)


def _twins(session: Session, settings: Settings) -> tuple[Subject, Subject]:
    """The same person twice: a shop customer with an e-mail, then a member with a phone."""
    shop = create_subject(
        session, settings, categories={"customers": EARLY}, identifiers=[("email", "twin@example.jp")]
    )
    member = create_subject(
        session, settings, categories={"customers": LATE, "members": LATE},
        identifiers=[("phone", "090-1111-2222")],
    )  # fmt: skip
    return shop, member


class TestMerge:
    def test_preview_then_merge_into_the_chosen_survivor(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        shop, member = _twins(session, settings)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        profile = client.get(f"/console/people/{shop.id}?lang=en")
        preview = client.post(
            f"/console/people/{shop.id}/merge/preview?lang=en",
            data={"csrf_token": csrf_of(profile.text), "other": str(member.id), "survivor": "other"},
        )
        assert f'<code id="merge-source">{shop.id}</code>' in preview.text
        assert f'<code id="merge-target">{member.id}</code>' in preview.text
        assert "email × 1" in preview.text
        assert "<code>customers</code>" in preview.text  # the shop's earlier collection date is kept
        session.refresh(shop)
        assert shop.status == "active"  # a preview writes nothing
        assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "subject.merged")).all()
        done = client.post(
            "/console/people/merge?lang=en",
            data={
                "csrf_token": csrf_of(preview.text),
                "source_id": str(shop.id),
                "target_id": str(member.id),
            },
        )
        assert "The duplicate was merged into this person" in done.text
        session.refresh(shop)
        assert (shop.status, shop.merged_into_id) == ("merged", member.id)
        assert find_subject(session, settings, kind="email", value="twin@example.jp").id == member.id
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "subject.merged")).one()
        assert event.target_id == str(shop.id)
        assert client.get(f"/console/people/{shop.id}", follow_redirects=False).headers["location"] == (
            f"/console/people/{member.id}"
        )

    def test_a_person_is_not_merged_into_themselves(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        shop, _ = _twins(session, settings)
        sign_in(client, session, Role.PRIVACY_OFFICER)
        profile = client.get(f"/console/people/{shop.id}?lang=en")
        refused = client.post(
            f"/console/people/{shop.id}/merge/preview?lang=en",
            data={"csrf_token": csrf_of(profile.text), "other": str(shop.id)},
        )
        assert "cannot be merged into itself" in refused.text

    def test_an_auditor_cannot_merge(
        self, client: TestClient, session: Session, settings: Settings, published: PolicyVersion
    ) -> None:
        del published
        shop, member = _twins(session, settings)
        sign_in(client, session, Role.AUDITOR)
        profile = client.get(f"/console/people/{shop.id}?lang=en")
        assert "merge/preview" not in profile.text
        answer = client.post(
            "/console/people/merge",
            data={
                "csrf_token": csrf_of(profile.text),
                "source_id": str(shop.id),
                "target_id": str(member.id),
            },
        )
        assert answer.status_code == 403
