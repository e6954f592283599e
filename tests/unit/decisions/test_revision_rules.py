"""Consent scoped to what was shown, as pure rules: baselines from history, and the decision."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.consents.decisions.rules import (
    ConsentFact,
    DecisionContext,
    PolicyFacts,
    SubjectFacts,
    decide,
)
from mamori.policy.changes.history import Baseline, PurposeBaselines, baselines, effective_instant
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle
from mamori.policy.service import bundle_content

SINCE = datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)
TEXT = {"ja": "理由", "en": "reason", "zh-Hans": "理由", "zh-Hant": "理由"}


@pytest.fixture(scope="module")
def bundle() -> PolicyBundle:
    loaded = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert loaded is not None
    return loaded


def widened(
    content: dict[str, Any], purpose: str, kind: str | None, item: str = "payment_info"
) -> dict[str, Any]:
    new = copy.deepcopy(content)
    target = next(p for c in new["subject_categories"] for p in c["purposes"] if p["id"] == purpose)
    if item:
        target["items"].append(item)
    if kind:
        new["change_justifications"] = [{"purpose": purpose, "kind": kind, "text": TEXT}]
    return new


class TestBaseline:
    def test_version_decides_when_known(self) -> None:
        baseline = Baseline(3, SINCE)
        assert baseline.covers(3, SINCE - timedelta(days=9)) is True
        assert baseline.covers(2, SINCE + timedelta(days=9)) is False

    def test_time_decides_when_the_version_is_unknown(self) -> None:
        baseline = Baseline(3, SINCE)
        assert baseline.covers(None, SINCE) is True
        assert baseline.covers(None, SINCE - TICK) is False

    def test_a_version_takes_effect_at_midnight_in_tokyo(self) -> None:
        assert effective_instant(date(2027, 4, 1)) == SINCE


class TestBaselinesFromHistory:
    def test_each_kind_of_widening(self, bundle: PolicyBundle) -> None:
        v1 = bundle_content(bundle)
        v2 = widened(v1, "customer.mailings", "needs_consent")
        v3 = widened(v2, "customer.sales", "reasonably_related", item="sns_account")
        v4 = copy.deepcopy(v3)  # an unrelated revision keeps the earlier justification unchanged
        v4["contact_centre"]["closes"] = "18:00"
        days = [date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1), date(2027, 4, 1)]
        found = baselines(list(zip(range(1, 5), days, [v1, v2, v3, v4], strict=True)))
        assert found.consent == {
            "customer.mailings": Baseline(2, effective_instant(days[1])),
            "customer.sales": Baseline(3, effective_instant(days[2])),
        }
        assert found.data == {"customer.mailings": Baseline(2, effective_instant(days[1]))}

    def test_narrowing_and_wording_set_no_baseline(self, bundle: PolicyBundle) -> None:
        v1 = bundle_content(bundle)
        v2 = copy.deepcopy(v1)
        target = v2["subject_categories"][0]["purposes"][0]
        target["items"].remove("payment_info")
        target["text"]["en"] = "Reworded."
        v2["change_justifications"] = [{"purpose": target["id"], "kind": "wording_only", "text": TEXT}]
        assert baselines([(1, date(2027, 1, 1), v1), (2, date(2027, 2, 1), v2)]) == PurposeBaselines({}, {})


def _policy(bundle: PolicyBundle, consent: dict[str, Baseline], data: dict[str, Baseline]) -> PolicyFacts:
    return PolicyFacts.of(bundle, 2, PurposeBaselines(consent, data))


def _codes(policy: PolicyFacts, subject: SubjectFacts, purpose: str) -> list[str]:
    decision = decide(DecisionContext(policy, subject, purpose, ("email",), SINCE + timedelta(days=5)))
    return [reason.code for reason in decision.reasons]


class TestDecision:
    def test_consent_under_an_earlier_version_is_refused_naming_the_version(
        self, bundle: PolicyBundle
    ) -> None:
        policy = _policy(bundle, {"customer.mailings": Baseline(2, SINCE)}, {})
        old = ConsentFact("purpose:customer.mailings", "given", SINCE - timedelta(days=3), version=1)
        subject = SubjectFacts(uuid.uuid4(), categories={"customers": SINCE - timedelta(days=30)},
                               consents={old.scope: old})  # fmt: skip
        decision = decide(
            DecisionContext(policy, subject, "customer.mailings", ("email",), SINCE + timedelta(days=5))
        )
        assert [(r.code, dict(r.details)) for r in decision.reasons] == [
            ("consent_predates_change", {"scope": "purpose:customer.mailings", "version": 2})
        ]
        again = ConsentFact(old.scope, "given", SINCE + timedelta(days=1), version=2)
        assert (
            _codes(
                policy,
                SubjectFacts(subject.id, categories=subject.categories, consents={old.scope: again}),
                "customer.mailings",
            )
            == []
        )

    def test_data_collected_before_a_needs_consent_change(self, bundle: PolicyBundle) -> None:
        baseline = Baseline(2, SINCE)
        policy = _policy(bundle, {"customer.sales": baseline}, {"customer.sales": baseline})
        assert _codes(
            policy, SubjectFacts(uuid.uuid4(), categories={"customers": SINCE - TICK}), "customer.sales"
        ) == ["collected_before_change"]
        assert (
            _codes(policy, SubjectFacts(uuid.uuid4(), categories={"customers": SINCE}), "customer.sales")
            == []
        )
        old = ConsentFact("purpose:customer.sales", "given", SINCE - timedelta(days=1))
        before = SubjectFacts(uuid.uuid4(), categories={"customers": SINCE - TICK}, consents={old.scope: old})
        assert _codes(policy, before, "customer.sales") == ["consent_predates_change"]

    def test_a_related_change_to_a_purpose_without_consent_does_not_refuse(
        self, bundle: PolicyBundle
    ) -> None:
        policy = _policy(bundle, {"customer.sales": Baseline(2, SINCE)}, {})
        subject = SubjectFacts(uuid.uuid4(), categories={"customers": SINCE - timedelta(days=30)})
        assert _codes(policy, subject, "customer.sales") == []
