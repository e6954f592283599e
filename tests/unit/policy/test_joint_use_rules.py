"""Classification of joint-use changes between two policy versions (APPI Art. 27(5)(iii), (6))."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.loader import load_bundle
from mamori.policy.rules import JointUseClass, advance_notice_problem, classify_joint_use


@pytest.fixture(scope="module")
def joint() -> dict[str, Any]:
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    content = bundle.model_dump(mode="json", by_alias=True)["joint_use"]
    assert isinstance(content, dict)
    return content


def _classes(old: dict[str, Any], new: dict[str, Any]) -> list[JointUseClass]:
    return [change.kind for change in classify_joint_use(old, new)]


class TestClassifyJointUse:
    def test_no_change(self, joint: dict[str, Any]) -> None:
        assert classify_joint_use(joint, copy.deepcopy(joint)) == []

    def test_new_item_needs_consent(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["items"].append("purchase_history")
        [change] = classify_joint_use(joint, new)
        assert (change.kind, change.detail) == (JointUseClass.NEEDS_CONSENT, "new item 'purchase_history'")

    def test_new_joint_user_needs_consent(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["companies"].append({**new["companies"][0], "id": "aoki_new_co"})
        assert _classes(joint, new) == [JointUseClass.NEEDS_CONSENT]

    def test_new_purposes_need_advance_notice(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["purposes"]["en"] += " And for group-wide statistics."
        assert _classes(joint, new) == [JointUseClass.ADVANCE_NOTICE]

    def test_another_responsible_entity_needs_advance_notice(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["responsible"] = {**new["responsible"], "id": "aoki"}
        assert _classes(joint, new) == [JointUseClass.ADVANCE_NOTICE]

    @pytest.mark.parametrize("field", ["name", "address", "representative"])
    def test_responsible_details_are_notified_without_delay(self, joint: dict[str, Any], field: str) -> None:
        new = copy.deepcopy(joint)
        new["responsible"][field] = {"changed": True}
        [change] = classify_joint_use(joint, new)
        assert (change.kind, change.path) == (
            JointUseClass.NOTIFY_WITHOUT_DELAY,
            f"joint_use.responsible.{field}",
        )

    def test_removing_an_item_is_only_published(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["items"].remove("gender")
        assert _classes(joint, new) == [JointUseClass.PUBLISH_ONLY]

    def test_starting_joint_use_needs_consent(self, joint: dict[str, Any]) -> None:
        assert set(_classes({}, joint)) >= {JointUseClass.NEEDS_CONSENT}


class TestAdvanceNotice:
    def test_refuses_today_and_the_past_allows_the_future(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["purposes"]["ja"] += "追加"
        changes = classify_joint_use(joint, new)
        today = date(2026, 12, 1)
        assert advance_notice_problem(changes, date(2026, 11, 30), today) is not None
        assert advance_notice_problem(changes, today, today) is not None
        assert advance_notice_problem(changes, date(2026, 12, 2), today) is None

    def test_other_classes_may_take_effect_today(self, joint: dict[str, Any]) -> None:
        new = copy.deepcopy(joint)
        new["items"].append("email_2")
        today = date(2026, 12, 1)
        assert advance_notice_problem(classify_joint_use(joint, new), today, today) is None
