"""Refusal reasons of the provision gate read in each of the four languages."""

from __future__ import annotations

import pytest

from mamori.consents.decisions.messages import LANGS
from mamori.consents.decisions.rules import Reason
from mamori.provisions import rules
from mamori.provisions.messages import reason_dict

REASONS = [
    Reason(rules.SUSPENDED, {"scopes": ["all"]}),
    Reason(rules.CROSS_BORDER_MISSING, {"scope": "cross_border:SG", "country": "SG"}),
    Reason(
        rules.CROSS_BORDER_MISSING,
        {"scope": "cross_border:US", "country": "US", "measures_due": "2027-06-01"},
    ),
    Reason(rules.JOINT_USE_CONSENT_MISSING, {"beyond": ["item:member_number"], "accepted": ["sharing"]}),
]


@pytest.mark.parametrize(
    "reason", REASONS, ids=lambda r: r.code + ("-overdue" if "measures_due" in r.details else "")
)
def test_each_reason_in_four_languages_with_its_details(reason: Reason) -> None:
    messages = [reason_dict(reason, lang)["message"] for lang in LANGS]
    assert len(set(messages)) == len(LANGS) == 4
    detail = next(iter(reason.details.values()))[0]
    assert all(detail in message for message in messages)


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_route_abroad_names_the_country_and_the_due_day_of_overdue_measures(lang: str) -> None:
    plain = reason_dict(REASONS[1], lang)["message"]
    overdue = reason_dict(REASONS[2], lang)["message"]
    assert plain.startswith("SG")
    assert "cross_border:SG" in plain
    assert overdue.startswith("US")
    assert "2027-06-01" in overdue
    assert "cross_border:US" in overdue
