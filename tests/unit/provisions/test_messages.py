"""Refusal reasons of the provision gate read in each of the four languages."""

from __future__ import annotations

import pytest

from mamori.consents.decisions.messages import LANGS
from mamori.consents.decisions.rules import Reason
from mamori.provisions import rules
from mamori.provisions.messages import reason_dict

REASONS = [
    Reason(rules.SUSPENDED, {"scopes": ["all"]}),
    Reason(rules.CROSS_BORDER_MISSING, {"scope": "cross_border:SG"}),
    Reason(rules.JOINT_USE_CONSENT_MISSING, {"beyond": ["item:member_number"], "accepted": ["sharing"]}),
]


@pytest.mark.parametrize("reason", REASONS, ids=lambda r: r.code)
def test_each_reason_in_four_languages_with_its_details(reason: Reason) -> None:
    messages = [reason_dict(reason, lang)["message"] for lang in LANGS]
    assert len(set(messages)) == len(LANGS) == 4
    detail = next(iter(reason.details.values()))[0]
    assert all(detail in message for message in messages)
