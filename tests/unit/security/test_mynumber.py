"""The Individual Number (My Number) detector and mask, pure: check digit, widths, separators."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.security.mynumber import MASK, check_digit, is_my_number, mask, names_my_number

eleven = st.text(alphabet="0123456789", min_size=11, max_size=11)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _reference_check_digit(first_eleven: str) -> int:
    """The law's formula written out once more, independently: P_n from the right, Q_n weights."""
    p = [int(d) for d in reversed(first_eleven)]  # p[0] is P_1
    q = [n + 1 if n <= 6 else n - 5 for n in range(1, 12)]
    remainder = sum(pn * qn for pn, qn in zip(p, q, strict=True)) % 11
    return 0 if remainder <= 1 else 11 - remainder


def _valid(first_eleven: str) -> str:
    return first_eleven + str(_reference_check_digit(first_eleven))


class TestCheckDigit:
    # Worked by hand: 1·2+0·3+9·4+8·5+7·6+6·7+5·2+4·3+3·4+2·5+1·6 = 212; 212 mod 11 = 3; 11-3 = 8.
    @pytest.mark.parametrize(
        ("number", "valid"),
        [
            ("123456789018", True),
            ("123456789012", False),
            ("000000000000", True),
            ("111111111118", True),  # 1·(2+3+4+5+6+7+2+3+4+5+6) = 47; 47 mod 11 = 3 → 8
            ("111111111111", False),
            ("12345678901", False),  # eleven digits
            ("1234567890180", False),  # thirteen
        ],
    )
    def test_known_numbers(self, number: str, valid: bool) -> None:
        assert is_my_number(number) is valid

    @given(eleven)
    def test_the_formula_agrees_with_the_laws_wording(self, first: str) -> None:
        assert check_digit(first) == _reference_check_digit(first)

    @given(eleven, st.integers(min_value=0, max_value=9))
    def test_only_the_right_last_digit_passes(self, first: str, last: int) -> None:
        assert is_my_number(first + str(last)) is (last == _reference_check_digit(first))


class TestMask:
    @given(eleven, st.sampled_from(["", " ", "-", "－", "　"]), st.booleans())
    def test_a_valid_number_is_masked_in_any_width_and_with_separators(
        self, first: str, sep: str, full_width: bool
    ) -> None:
        digits = _valid(first)
        written = sep.join((digits[:4], digits[4:8], digits[8:]))
        if full_width:
            written = written.translate(FULL_WIDTH)
        masked = mask(f"個人番号は{written}です")
        assert masked.text == f"個人番号は{MASK}です"
        assert masked.count == 1

    @given(eleven)
    def test_a_number_with_a_wrong_check_digit_is_kept(self, first: str) -> None:
        wrong = first + str((_reference_check_digit(first) + 1) % 10)
        assert mask(f"会員番号 {wrong}").text == f"会員番号 {wrong}"

    def test_longer_runs_phone_numbers_and_card_numbers_are_kept(self) -> None:
        for text in ("1234567890180", "0123456789018", "090-1234-5678", "1234-5678-9018-3333"):
            assert mask(text).count == 0, text

    def test_every_number_in_a_text_is_masked_and_the_rest_kept(self) -> None:
        masked = mask("A: 123456789018, B: 111111111118.")
        assert masked.text == f"A: {MASK}, B: {MASK}."
        assert masked.count == 2


class TestNames:
    @pytest.mark.parametrize(
        "name", ["my_number", "MyNumber", "individual_number", "マイナンバー", "個人番号"]
    )
    def test_names_that_say_my_number(self, name: str) -> None:
        assert names_my_number(name)

    @pytest.mark.parametrize("name", ["member_number", "email", "my_number_card_front", "number"])
    def test_other_names(self, name: str) -> None:
        assert not names_my_number(name)
