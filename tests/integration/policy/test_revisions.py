"""Revisions of the default bundle: classes, justifications, dates against the version in force."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import ValidationFailed
from mamori.policy import service
from mamori.policy.service import TOKYO
from tests.bundles import copy_default_bundle, edit

JUSTIFICATION = """
change_justifications:
  - purpose: customer.mailings
    kind: {kind}
    text:
      ja: お届け先の確認のため支払情報を用いることは、商品をお届けするという目的と合理的に関連します。
      en: "Using payment details to confirm where to deliver is reasonably related to delivering products."
      zh-Hans: 为确认配送地址而使用支付信息，与配送商品的目的具有合理关联。
      zh-Hant: 為確認配送地址而使用支付資訊，與配送商品的目的具有合理關聯。
"""


def widened(tmp_path: Path, name: str, kind: str | None = None) -> Path:
    """The default bundle with payment_info added to customer.mailings (and a justification)."""
    bundle = copy_default_bundle(tmp_path / name)
    tail = "member_number, purchase_history]\n        consent_required: true\n        retention: P5Y\n"
    edit(
        bundle,
        "purposes.yaml",
        "sns_account, " + tail,
        "sns_account, " + tail.replace("]", ", payment_info]"),
    )
    if kind is not None:
        with (bundle / "bundle.yaml").open("a", encoding="utf-8") as handle:
            handle.write(JUSTIFICATION.format(kind=kind))
    return bundle


def joint_purposes_changed(tmp_path: Path, name: str) -> Path:
    bundle = copy_default_bundle(tmp_path / name)
    edit(
        bundle,
        "joint_use.yaml",
        "published in the purposes-of-use section of this policy.",
        "published in this policy, and credit checks.",
    )
    return bundle


def today() -> datetime:
    return datetime.now(TOKYO)


class TestWidenedPurpose:
    def test_refused_without_the_authors_word_and_nothing_stored(
        self, session: Session, tmp_path: Path
    ) -> None:
        first = service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        with pytest.raises(ValidationFailed) as caught:
            service.publish_bundle(session, actor="t", directory=widened(tmp_path, "a"))
        [error] = caught.value.details["errors"]
        assert error["field"] == "subject_categories[customers].purposes[customer.mailings].items"
        assert "purpose.items_added (needs_consent)" in error["message"]
        assert service.latest_version(session) is first

    def test_published_as_related_with_a_justification(self, session: Session, tmp_path: Path) -> None:
        service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        version = service.publish_bundle(
            session, actor="t", directory=widened(tmp_path, "a", "reasonably_related")
        )
        [change] = [
            c
            for c in service.classify_versions(service.get_version(session, "1"), version)
            if c.target == "customer.mailings"
        ]
        assert change.change_class == "related_change"
        assert change.justification is not None
        assert change.justification["en"].startswith("Using payment details")
        event = session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(version.id))).one()
        details = json.loads(event.details)
        assert (details["class"], details["against"], details["needs_consent"]) == ("related_change", 1, [])

    def test_published_as_needing_consent(self, session: Session, tmp_path: Path) -> None:
        service.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR)
        version = service.publish_bundle(
            session, actor="t", directory=widened(tmp_path, "a", "needs_consent")
        )
        event = session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(version.id))).one()
        assert json.loads(event.details)["needs_consent"] == ["customer.mailings"]


class TestDatesAgainstTheVersionInForce:
    def test_advance_notice_boundary(self, session: Session, tmp_path: Path) -> None:
        day = today().date()
        service.publish_bundle(
            session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=day - timedelta(days=10)
        )
        bundle = joint_purposes_changed(tmp_path, "j")
        with pytest.raises(ValidationFailed, match="announced in advance"):
            service.publish_bundle(session, actor="t", directory=bundle, effective_date=day)
        version = service.publish_bundle(
            session, actor="t", directory=bundle, effective_date=day + timedelta(days=1)
        )
        assert version.number == 2

    def test_a_later_unrelated_revision_does_not_bring_a_pending_change_forward(
        self, session: Session, tmp_path: Path
    ) -> None:
        """The issue's case: v2 announces joint-use purposes for next month; v3 changes the hours."""
        day = today().date()
        service.publish_bundle(
            session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=day - timedelta(days=10)
        )
        bundle = joint_purposes_changed(tmp_path, "j")
        pending = service.publish_bundle(
            session, actor="t", directory=bundle, effective_date=day + timedelta(days=30)
        )
        edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
        with pytest.raises(ValidationFailed) as caught:
            service.publish_bundle(session, actor="t", directory=bundle, effective_date=day)
        messages = [e["message"] for e in caught.value.details["errors"]]
        assert any("announced in advance" in m for m in messages)
        assert any(f"version {pending.number} takes effect" in m for m in messages)
        assert service.current_version(session).number == 1  # type: ignore[union-attr]
        later = service.publish_bundle(
            session, actor="t", directory=bundle, effective_date=day + timedelta(days=30)
        )
        assert later.number == 3

    def test_announced_change_cannot_be_backdated(self, session: Session, tmp_path: Path) -> None:
        day = today().date()
        service.publish_bundle(
            session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=day - timedelta(days=10)
        )
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "closes: '17:00'", "closes: '18:00'")
        with pytest.raises(ValidationFailed, match="before they are published"):
            service.publish_bundle(
                session, actor="t", directory=bundle, effective_date=day - timedelta(days=1)
            )
        assert service.publish_bundle(session, actor="t", directory=bundle, effective_date=day).number == 2
