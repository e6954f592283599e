"""Each detector on the forms a person writes, and the look-alikes that must stay quiet."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.discovery import checks
from mamori.discovery.engine import company_numbers, detect
from mamori.discovery.findings import ColumnResult, findings
from mamori.discovery.text import normalise


def found(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(s.type, text[s.start : s.end]) for s in detect(text, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("山田太郎様 090-1234-5678 yamada@example.jp",
         [("person_name", "山田太郎"), ("phone", "090-1234-5678"), ("email", "yamada@example.jp")]),
        ("〒150-0002 東京都渋谷区渋谷2丁目21-1 電話03-1234-5678",
         [("postal_code", "150-0002"), ("address", "東京都渋谷区渋谷2丁目21-1"), ("phone", "03-1234-5678")]),
        ("携帯：０９０－１２３４－５６７８", [("phone", "０９０－１２３４－５６７８")]),
        ("ヤマダ タロウ様", [("person_name", "ヤマダ タロウ")]),
        ("收件人：王小明 手机：138 1234 5678", [("person_name", "王小明"), ("phone", "138 1234 5678")]),
        ("聯絡人：陳美玲，手機 +852 9123 4567", [("person_name", "陳美玲"), ("phone", "+852 9123 4567")]),
        ("台北市大安區忠孝東路四段100號5樓", [("address", "台北市大安區忠孝東路四段100號5樓")]),
        ("Mr. John Smith, 123 Main Street, Springfield, IL 62704",
         [("person_name", "John Smith"), ("address", "123 Main Street, Springfield, IL 62704")]),
        ("生年月日：平成元年5月3日", [("date_of_birth", "平成元年5月3日")]),
        ("出生日期：民國80年3月5日", [("date_of_birth", "民國80年3月5日")]),
        ("Date of birth: May 5, 1985", [("date_of_birth", "May 5, 1985")]),
        ("マイナンバー：1234 5678 9018", [("my_number", "1234 5678 9018")]),
        ("カード 4111 1111 1111 1111", [("payment_card", "4111 1111 1111 1111")]),
        ("身份证号：11010519491231002X", [("prc_id", "11010519491231002X")]),
        ("普通預金 口座番号 1234567", [("bank_account", "1234567")]),
        ("パスポート番号 TK1234567", [("passport", "TK1234567")]),
        ("運転免許証番号 301234567890", [("drivers_licence", "301234567890")]),
    ],
)  # fmt: skip
def test_each_type_is_found_with_its_span(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "注文番号：1234-5678-9012 のお届け予定日は2024年5月1日です。",
        "JAN 4901234567894 価格 ¥12,800（税込）",
        "商品コード AB1234567 を令和6年5月1日に出荷",
        "会員番号 13812345678 のポイント",
        "社員番号 E12345 の勤怠",
        "法人番号 1234567890123、登録番号 T1234567890123",
        "追跡番号 4567-8901-2345",
        "カード下4桁のみ保存：**** **** **** 1111",
        "订单号 13912345678，金额 NT$1200",
        "2024年5月1日に注文",
        "東京都の店舗でお待ちしています",
    ],
)
def test_hard_negatives_stay_quiet(text: str) -> None:
    assert found(text) == []


def test_the_companys_own_numbers_are_quiet_in_any_format() -> None:
    company = company_numbers(["0120-123-456", "+81 3-5555-0100"])
    assert found("お問い合わせ 0120-123-456", company_phones=company) == []
    assert found("TEL 03-5555-0100", company_phones=company) == []
    assert found("TEL 03-5555-0101", company_phones=company) == [("phone", "03-5555-0101")]


def test_every_span_explains_itself_without_the_value() -> None:
    for span in detect("山田太郎様 090-1234-5678"):
        assert span.why
        assert "090" not in span.why
        assert 0.6 <= span.confidence <= 1.0


digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


@given(digits)
def test_a_valid_my_number_is_found_and_a_wrong_check_digit_is_not(body: str) -> None:
    good = body + str(checks._my_number_check(body))  # type: ignore[attr-defined]
    bad = body + str((int(good[-1]) + 1) % 10)
    assert found(f"マイナンバー：{good}") == [("my_number", good)]
    assert all(t != "my_number" for t, _ in found(f"マイナンバー：{bad}"))


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_luhn_accepts_exactly_one_check_digit(body: str) -> None:
    valid = [d for d in "0123456789" if checks.luhn("4" + body + d)]
    assert len(valid) == 1


@given(st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_the_prc_check_character_is_checked(sequence: str) -> None:
    first = f"11010519900307{sequence}"
    good = first + checks.prc_check_character(first)
    assert checks.is_prc_id(good)
    wrong = "X" if good[-1] != "X" else "0"
    assert not checks.is_prc_id(first + wrong)


@given(st.text(max_size=200))
def test_normalising_keeps_every_position(text: str) -> None:
    assert len(normalise(text)) == len(text)


@given(st.text(max_size=200))
def test_spans_lie_inside_the_text_and_never_overlap(text: str) -> None:
    spans = detect(text)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start
    assert all(0 <= s.start < s.end <= len(text) for s in spans)


def test_a_notes_column_with_phones_is_more_than_its_declared_item() -> None:
    import yaml

    from mamori.policy.sections.datamap import System
    from tests.factories.fulfillment import EXAMPLE_DATAMAP

    shop = System.model_validate(yaml.safe_load((EXAMPLE_DATAMAP / "shop.yaml").read_text(encoding="utf-8")))
    result = findings(
        [
            ColumnResult("shop.address", "street", 100, {"phone": [10, 0.9]}),
            ColumnResult("shop.customer", "email", 100, {"email": [100, 0.97]}),
            ColumnResult("shop.customer", "phone", 100, {"my_number": [1, 0.99]}),
            ColumnResult("shop.notes", "body", 100, {"person_name": [60, 0.9], "phone": [1, 0.9]}),
        ],
        [shop],
    )
    kinds = {(f.kind, f.source, f.column, tuple(f.proposed)) for f in result}
    assert kinds == {
        ("more_than_declared", "shop.address", "street", ("phone",)),
        ("my_number", "shop.customer", "phone", ()),
        ("unmapped_personal", "shop.notes", "body", ("name",)),  # 1% phones: a stray match, not the column
    }


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("本日鬼頭 章吾様より問い合わせ", "鬼頭 章吾"),  # neither name in the dictionaries: the honorific
        ("本日佐藤陽子様より電話", "佐藤陽子"),  # 本日 is not part of the name
        ("申込者 鬼頭 章吾 / 住所 未記入", "鬼頭 章吾"),  # a cue word and a field of its own
        ("中村 章吾からメールあり", "中村 章吾"),  # a surname ending in 村 is still a surname
        ("送付先：長野県松本市中央3丁目16-1 鬼頭章吾 宛", "鬼頭章吾"),  # addressee marker
        ("ご依頼主：キトウ ショウゴ 様", "キトウ ショウゴ"),  # katakana, unknown, honorific after a space
        ("致劉靜女士：", "劉靜"),  # the honorific is not part of the name
        ("客戶陳偉表示未收到貨", "陳偉"),  # 表示 is a verb, not a given name
        ("已通知张建国本人", "张建国"),
        ("signed Zelda Okonkwo", "Zelda Okonkwo"),  # unknown romanised names after a cue
    ],
)
def test_names_without_dictionary_help_are_found_from_their_context(text: str, name: str) -> None:
    assert ("person_name", name) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "会员编号 2959382164",
        "會員編號 M48423611",
        "本日 営業 時間 変更",
        "Delivered to Main Street",
        "総務部 宛",
    ],
)
def test_context_rules_leave_look_alikes_quiet(text: str) -> None:
    assert [t for t in found(text) if t[0] == "person_name"] == []
