"""Identifier normalisation: the same person always gets the same canonical value."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.config import Settings
from mamori.subjects.rules import InvalidIdentifier, fold, normalise
from mamori.subjects.validation import FieldError, Identifier, check_identifier, repeated

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


class TestEmail:
    @pytest.mark.parametrize(
        "raw",
        [
            "Hanako@Example.JP",
            " hanako@example.jp ",
            "HANAKO@EXAMPLE.JP",
            "ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        ],
    )
    def test_case_space_and_width_fold(self, raw: str) -> None:
        assert normalise("email", raw) == "hanako@example.jp"

    @pytest.mark.parametrize(
        "raw", ["hanako", "hanako@", "@example.jp", "a b@example.jp", "a@example", "a@@b.jp"]
    )
    def test_malformed(self, raw: str) -> None:
        with pytest.raises(InvalidIdentifier, match="e-mail") as exc:
            normalise("email", raw)
        assert raw.strip() not in str(exc.value) or not raw.strip()

    @given(local=st.from_regex(r"[A-Za-z0-9._%+-]{1,20}", fullmatch=True))
    def test_idempotent_and_lower(self, local: str) -> None:
        once = normalise("email", f"{local}@Example.JP")
        assert once == once.lower()
        assert normalise("email", once) == once


class TestPhone:
    @pytest.mark.parametrize(
        "raw",
        [
            "０９０-１２３４-５６７８",
            "090-1234-5678",
            "09012345678",
            "+81 90 1234 5678",
            "(090) 1234 5678",
            "＋８１９０１２３４５６７８",
        ],
    )
    def test_japanese_forms_become_e164(self, raw: str) -> None:
        assert normalise("phone", raw) == "+819012345678"

    def test_foreign_number_keeps_its_country(self) -> None:
        assert normalise("phone", "+86 138 0013 8000") == "+8613800138000"

    @pytest.mark.parametrize("raw", ["abc", "12", "+", "０", "090-1234-5678-9999-0000-1"])
    def test_malformed(self, raw: str) -> None:
        with pytest.raises(InvalidIdentifier, match="phone"):
            normalise("phone", raw)

    @given(digits=st.from_regex(r"90[0-9]{8}", fullmatch=True))
    def test_full_width_and_ascii_agree(self, digits: str) -> None:
        ascii_form = f"0{digits[:2]}-{digits[2:6]}-{digits[6:]}"
        assert normalise("phone", ascii_form.translate(FULL_WIDTH)) == normalise("phone", ascii_form)
        assert normalise("phone", ascii_form) == f"+81{digits}"


class TestNumbers:
    @pytest.mark.parametrize("raw", ["m-0001", "M0001", " m 0001 ", "ｍ－０００１"])
    def test_member_numbers_fold(self, raw: str) -> None:
        assert normalise("member_number", raw) == "M0001"

    def test_organisation_defined_kind(self) -> None:
        assert normalise("loyalty_card", "ab-12") == "AB12"

    @pytest.mark.parametrize("kind", ["", "Email", "1abc", "x", "with space", "a" * 41])
    def test_bad_kind(self, kind: str) -> None:
        with pytest.raises(InvalidIdentifier, match="kind"):
            normalise(kind, "value")

    @pytest.mark.parametrize("raw", ["", "   ", "\u3000"])
    def test_empty(self, raw: str) -> None:
        with pytest.raises(InvalidIdentifier, match="empty"):
            normalise("member_number", raw)

    @given(st.text(max_size=30))
    def test_fold_is_idempotent(self, text: str) -> None:
        assert fold(fold(text)) == fold(text)


SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


class TestCheckIdentifier:
    def test_names_the_value_or_the_kind_field(self) -> None:
        bad_value = check_identifier(SETTINGS, "email", "nope", "identifiers[2].value")
        assert bad_value == FieldError("identifiers[2].value", "not an e-mail address")
        bad_kind = check_identifier(SETTINGS, "E-mail", "a@b.jp", "identifiers[2].value")
        assert isinstance(bad_kind, FieldError)
        assert bad_kind.field == "identifiers[2].kind"
        plain_field = check_identifier(SETTINGS, "E-mail", "a@b.jp", "email")
        assert isinstance(plain_field, FieldError)
        assert plain_field.field == "email"

    def test_index_is_keyed_and_stable(self) -> None:
        one = check_identifier(SETTINGS, "email", "A@B.jp", "f")
        two = check_identifier(SETTINGS, "email", "a@b.JP", "f")
        other_key = Settings(secret_key="another-secret-0123456789abcdef", _env_file=None)  # type: ignore[call-arg]
        three = check_identifier(other_key, "email", "a@b.jp", "f")
        assert isinstance(one, Identifier)
        assert isinstance(two, Identifier)
        assert isinstance(three, Identifier)
        assert one.index == two.index != three.index
        assert "a@b.jp" not in one.index

    def test_repeated_names_the_later_field(self) -> None:
        first = check_identifier(SETTINGS, "phone", "090-1234-5678", "phone")
        second = check_identifier(SETTINGS, "phone", "+81 90 1234 5678", "identifiers[1].value")
        assert isinstance(first, Identifier)
        assert isinstance(second, Identifier)
        assert repeated([first, second]) == [FieldError("identifiers[1].value", "repeats phone")]
