"""Reason texts in four languages and the choice of language."""

from __future__ import annotations

import pytest

from mamori.consents.decisions.messages import LANGS, message, pick_language, reason_dict
from mamori.consents.decisions.rules import REASON_CODES, Reason

DETAILS = {
    "purpose": "customer.mailings",
    "category": "customers",
    "item": "salary",
    "scope": "sharing",
    "scopes": ["all"],
    "retention": "P5Y",
}


class TestMessage:
    @pytest.mark.parametrize("code", REASON_CODES)
    def test_every_code_in_every_language(self, code: str) -> None:
        texts = [message(code, DETAILS, lang) for lang in LANGS]
        assert len(set(texts)) == len(LANGS)
        assert all("{" not in text and text != "-" for text in texts)

    def test_details_fill_the_text(self) -> None:
        text = message("item_not_in_purpose", DETAILS, "en")
        assert text == "The item salary is not among the items of the purpose customer.mailings."

    def test_missing_detail_shows_a_dash(self) -> None:
        assert "-" in message("consent_missing", {}, "en")

    def test_unknown_language_falls_back_to_japanese(self) -> None:
        assert message("subject_erased", {}, "fr") == message("subject_erased", {}, "ja")

    def test_reason_dict(self) -> None:
        got = reason_dict(Reason("suspended", {"scopes": ["all", "third_party_provision"]}), "zh-Hans")
        assert got["code"] == "suspended"
        assert "all, third_party_provision" in got["message"]


class TestPickLanguage:
    @pytest.mark.parametrize(
        ("lang", "header", "expected"),
        [
            (None, None, "ja"),
            ("en", "zh-TW", "en"),
            ("zh-hant", None, "zh-Hant"),
            (None, "zh-TW,en;q=0.5", "zh-Hant"),
            (None, "zh-CN", "zh-Hans"),
            (None, "fr-FR, en-GB;q=0.8, ja;q=0.9", "ja"),
            (None, "fr, *;q=0.5", "ja"),
            (None, "en-US;q=0, zh-HK", "zh-Hant"),
            (None, "de;q=x, en", "en"),
            ("xx", None, "ja"),
        ],
    )
    def test_choice(self, lang: str | None, header: str | None, expected: str) -> None:
        assert pick_language(lang, header) == expected
