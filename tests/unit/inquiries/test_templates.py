"""Reply templates: one per category, in the four languages, filled with the case."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.inquiries.replies import render_reply
from mamori.inquiries.rules import CATEGORIES
from mamori.inquiries.texts import local_instant
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.service import check_bundle

REFERENCE = "Q-261201-7KX3PA"
EXPECTED = {  # a phrase of the opening, the hours line and the closing, per language
    "ja": ("様", "受付時間：10:00～17:00", "受付番号 Q-261201-7KX3PA"),
    "en": ("Dear ", "Open 10:00–17:00", "reference Q-261201-7KX3PA"),
    "zh-Hans": ("您好", "服务时间：10:00～17:00", "受理编号 Q-261201-7KX3PA"),
    "zh-Hant": ("您好", "服務時間：10:00～17:00", "受理編號 Q-261201-7KX3PA"),
}


@pytest.fixture(scope="module")
def bundle() -> PolicyBundle:
    result = check_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None
    return result.bundle


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_and_language_is_filled(bundle: PolicyBundle, category: str, lang: str) -> None:
    reply = render_reply(
        bundle, category=category, language=lang, reference=REFERENCE, name="Mei", answer="ANSWER"
    )
    greeting, hours, closing = EXPECTED[lang]
    assert greeting in reply.body.splitlines()[0]
    assert "Mei" in reply.body.splitlines()[0]
    assert hours in reply.body
    assert closing in reply.body
    assert "\n\nANSWER\n\n" in reply.body
    assert REFERENCE in reply.subject
    assert bundle.contact_centre.name.get(lang) in reply.subject
    assert "{" not in reply.body + reply.subject  # nothing left unfilled


def test_the_categories_open_differently(bundle: PolicyBundle) -> None:
    for lang in LANGUAGES:
        openings = {
            render_reply(
                bundle, category=c, language=lang, reference=REFERENCE, name=None, answer="x"
            ).body.split("\n\n")[1]
            for c in CATEGORIES
        }
        assert len(openings) == len(CATEGORIES)


def test_without_a_name_the_greeting_is_generic(bundle: PolicyBundle) -> None:
    reply = render_reply(bundle, category="other", language="en", reference=REFERENCE, name=None, answer="x")
    assert reply.body.startswith("Dear customer,")


def test_asking_back_adds_the_request_to_reply(bundle: PolicyBundle) -> None:
    plain = render_reply(bundle, category="other", language="ja", reference=REFERENCE, name=None, answer="x")
    asking = render_reply(
        bundle, category="other", language="ja", reference=REFERENCE, name=None, answer="x", ask_back=True
    )
    assert "ご返信" in asking.body
    assert "ご返信" not in plain.body


def test_braces_in_the_answer_are_kept_as_written(bundle: PolicyBundle) -> None:
    reply = render_reply(
        bundle, category="other", language="en", reference=REFERENCE, name="{name}", answer="{reference}"
    )
    assert "\n\n{reference}\n\n" in reply.body
    assert reply.body.startswith("Dear {name},")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ja", "2027年1月12日（火）13:29（日本時間）"),
        ("en", "Tuesday 12 January 2027, 13:29 (Japan time)"),
        ("zh-Hans", "2027年1月12日（周二）13:29（日本时间）"),
        ("zh-Hant", "2027年1月12日（週二）13:29（日本時間）"),
    ],
)
def test_instants_are_written_in_japan_time(lang: str, expected: str) -> None:
    moment = datetime(2027, 1, 12, 4, 29, tzinfo=ZoneInfo("UTC"))
    assert local_instant(moment, lang, ZoneInfo("Asia/Tokyo")) == expected
