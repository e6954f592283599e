"""Face data leaves only where the camera register declares it: the gate refuses it otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.errors import PolicyViolation
from mamori.policy.service import publish_bundle
from mamori.provisions.models import Provision
from tests.bundles import copy_default_bundle, edit
from tests.factories.consents import create_plain_subject, ensure_policy, record_consent
from tests.factories.provisions import make_provision

BUREAU = "recipient:sample_credit_bureau"


class TestFaceDataGate:
    def test_provision_of_face_templates_is_refused_with_its_reason(
        self, session: Session, settings: Settings
    ) -> None:
        ensure_policy(session)
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        with pytest.raises(PolicyViolation) as caught:
            make_provision(session, settings, [subject.id], items=["name", "face_template"])
        assert caught.value.details["reason"] == "face-data-not-declared"
        assert "face_template" in caught.value.details["errors"][0]["message"]
        assert session.scalar(select(func.count()).select_from(Provision)) == 0

    def test_joint_use_of_face_templates_is_refused(self, session: Session, settings: Settings) -> None:
        ensure_policy(session)
        subject = create_plain_subject(session)
        with pytest.raises(PolicyViolation) as caught:
            make_provision(
                session, settings, [subject.id], recipient="aoki", basis="joint_use", items=["face_template"]
            )
        assert caught.value.details["reason"] == "face-data-not-declared"
        assert "joint use" in caught.value.message

    def test_a_declared_provision_passes_the_face_data_rule(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        bundle = copy_default_bundle(tmp_path / "aoki")
        edit(bundle, "cameras.yaml", "provision: false", "provision: true")
        publish_bundle(session, actor="user:officer", directory=bundle)
        subject = create_plain_subject(session)
        record_consent(session, subject, scope=BUREAU)
        outcome = make_provision(session, settings, [subject.id], items=["name", "face_template"])
        assert outcome.provided == [subject.id]
