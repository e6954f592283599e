from __future__ import annotations

import pytest

from mamori.notify.rules import (
    MAX_ERROR,
    MessageStatus,
    clip_error,
    is_address,
    message_problems,
    status_after_failure,
)

VALID = {"to": "taro@example.jp", "subject": "開示請求の受付", "language": "ja", "purpose": "dsr.response"}


class TestIsAddress:
    @pytest.mark.parametrize("address", ["taro@example.jp", "a.b+tag@mail.example.co.jp", "x@y.cn"])
    def test_accepts_mailboxes(self, address: str) -> None:
        assert is_address(address)

    @pytest.mark.parametrize(
        "address",
        [
            "",
            "taro",
            "@example.jp",
            "taro@",
            "taro@localhost",
            "taro @example.jp",
            "taro@example.jp\r\nBcc: all@example.jp",
            "taro\u3000@example.jp",
            "taro@example.jp\x00",
            "a" * 250 + "@example.jp",
        ],
    )
    def test_refuses_anything_else(self, address: str) -> None:
        assert not is_address(address)


class TestMessageProblems:
    def test_a_good_message_has_none(self) -> None:
        assert message_problems(**VALID) == []

    def test_full_width_space_in_a_subject_is_fine(self) -> None:
        assert message_problems(**{**VALID, "subject": "ご請求について\u3000受付番号 123"}) == []

    @pytest.mark.parametrize(
        ("field", "value", "prefix"),
        [
            ("to", "not-an-address", "to:"),
            ("subject", "", "subject:"),
            ("subject", "件名\r\nBcc: all@example.jp", "subject:"),
            ("subject", "件名\u2028二行目", "subject:"),
            ("subject", "x" * 501, "subject:"),
            ("language", "fr", "language:"),
            ("purpose", " ", "purpose:"),
            ("purpose", "p" * 81, "purpose:"),
        ],
    )
    def test_each_problem_is_named(self, field: str, value: str, prefix: str) -> None:
        problems = message_problems(**{**VALID, field: value})
        assert len(problems) == 1
        assert problems[0].startswith(prefix)

    def test_the_address_is_not_echoed(self) -> None:
        problems = message_problems(**{**VALID, "to": "secret-person@nowhere"})
        assert not any("secret-person" in p for p in problems)


class TestStatusAfterFailure:
    def test_retries_until_the_limit(self) -> None:
        assert status_after_failure(1, max_attempts=5, permanent=False) is MessageStatus.PENDING
        assert status_after_failure(4, max_attempts=5, permanent=False) is MessageStatus.PENDING
        assert status_after_failure(5, max_attempts=5, permanent=False) is MessageStatus.FAILED

    def test_permanent_failure_gives_up_at_once(self) -> None:
        assert status_after_failure(1, max_attempts=5, permanent=True) is MessageStatus.FAILED


class TestClipError:
    def test_short_text_is_kept_and_long_text_fits(self) -> None:
        assert clip_error("SMTP 451") == "SMTP 451"
        clipped = clip_error("x" * 1000)
        assert len(clipped) == MAX_ERROR
        assert clipped.endswith("…")
