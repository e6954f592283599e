"""Labels, periods and dates in the four languages."""

from __future__ import annotations

from datetime import date

import pytest

from mamori.notices import messages
from mamori.policy.schema import LANGUAGES


class TestLabels:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_every_label_exists_and_is_not_empty(self, lang: str) -> None:
        labels = messages.labels(lang)
        assert all(text.strip() for text in labels.values())

    def test_languages_differ(self) -> None:
        assert messages.label("purposes", "ja") == "個人情報の利用目的"
        assert messages.label("purposes", "en") == "Usage purposes"
        assert messages.label("requests", "zh-Hans") == "披露等请求"
        assert messages.label("requests", "zh-Hant") == "揭露等請求"

    def test_unknown_language_falls_back_to_japanese(self) -> None:
        assert messages.label("fees", "fr") == messages.label("fees", "ja")


class TestPeriod:
    @pytest.mark.parametrize(
        ("value", "lang", "expected"),
        [
            ("P5Y", "ja", "5年"),
            ("P5Y", "en", "5 years"),
            ("P5Y", "zh-Hans", "5年"),
            ("P5Y", "zh-Hant", "5年"),
            ("P1Y", "en", "1 year"),
            ("P30D", "ja", "30日"),
            ("P30D", "en", "30 days"),
            ("P30D", "zh-Hans", "30天"),
            ("P1D", "en", "1 day"),
            ("P18M", "ja", "18か月"),
            ("P18M", "zh-Hans", "18个月"),
            ("P18M", "zh-Hant", "18個月"),
            ("P1Y6M", "en", "1 year and 6 months"),
            ("P1Y6M", "ja", "1年6か月"),
            ("P1M", "en", "1 month"),
        ],
    )
    def test_in_words(self, value: str, lang: str, expected: str) -> None:
        assert messages.period(value, lang) == expected


class TestDates:
    @pytest.mark.parametrize(
        ("lang", "expected"),
        [
            ("ja", "2025年1月1日"),
            ("en", "1 January 2025"),
            ("zh-Hans", "2025年1月1日"),
            ("zh-Hant", "2025年1月1日"),
        ],
    )
    def test_long_date(self, lang: str, expected: str) -> None:
        assert messages.long_date(date(2025, 1, 1), lang) == expected

    def test_closure_range_wraps_the_year(self) -> None:
        assert messages.day_range("12-29", "01-03", "ja") == "12月29日～1月3日"
        assert messages.day_range("12-29", "01-03", "en") == "29 December – 3 January"
        assert messages.day_range("12-29", "01-03", "zh-Hant") == "12月29日至1月3日"

    def test_country_names_fall_back_to_the_code(self) -> None:
        assert messages.country_name("JP", "en") == "Japan"
        assert messages.country_name("CN", "zh-Hant") == "中國"
        assert messages.country_name("SG", "ja") == "SG"
