"""What a detector finds: a typed span of a text with its confidence and the reason, in four languages."""

from __future__ import annotations

from dataclasses import dataclass

TYPES: tuple[str, ...] = (
    "person_name",
    "address",
    "postal_code",
    "phone",
    "email",
    "date_of_birth",
    "my_number",
    "payment_card",
    "passport",
    "drivers_licence",
    "bank_account",
    "prc_id",
)
STRUCTURED: frozenset[str] = frozenset(TYPES) - {"person_name", "address"}

# The bundle's data item of each type; None: no item may hold it (the Individual Number) or the
# bundle has none yet (identity documents), which is itself a finding.
ITEM_OF: dict[str, str | None] = {
    "person_name": "name",
    "address": "address",
    "postal_code": "address",
    "phone": "phone",
    "email": "email",
    "date_of_birth": "date_of_birth",
    "my_number": None,
    "payment_card": "payment_info",
    "passport": None,
    "drivers_licence": None,
    "bank_account": "bank_account",
    "prc_id": None,
}

LABELS: dict[str, dict[str, str]] = {
    "person_name": {"ja": "氏名", "en": "Person name", "zh-Hans": "姓名", "zh-Hant": "姓名"},
    "address": {"ja": "住所", "en": "Address", "zh-Hans": "地址", "zh-Hant": "地址"},
    "postal_code": {"ja": "郵便番号", "en": "Postal code", "zh-Hans": "邮政编码", "zh-Hant": "郵遞區號"},
    "phone": {"ja": "電話番号", "en": "Phone number", "zh-Hans": "电话号码", "zh-Hant": "電話號碼"},
    "email": {"ja": "メールアドレス", "en": "E-mail address", "zh-Hans": "电子邮箱", "zh-Hant": "電子郵件"},
    "date_of_birth": {"ja": "生年月日", "en": "Date of birth", "zh-Hans": "出生日期", "zh-Hant": "出生日期"},
    "my_number": {"ja": "個人番号", "en": "My Number", "zh-Hans": "个人编号", "zh-Hant": "個人編號"},
    "payment_card": {"ja": "カード番号", "en": "Payment card", "zh-Hans": "银行卡号", "zh-Hant": "信用卡號"},
    "passport": {"ja": "旅券番号", "en": "Passport number", "zh-Hans": "护照号码", "zh-Hant": "護照號碼"},
    "drivers_licence": {
        "ja": "運転免許証番号",
        "en": "Driver's licence",
        "zh-Hans": "驾驶证号",
        "zh-Hant": "駕照號碼",
    },
    "bank_account": {"ja": "口座番号", "en": "Bank account", "zh-Hans": "银行账号", "zh-Hant": "銀行帳號"},
    "prc_id": {
        "ja": "中国居民身分証番号",
        "en": "PRC ID card number",
        "zh-Hans": "居民身份证号",
        "zh-Hant": "居民身分證號",
    },
}


@dataclass(frozen=True, slots=True)
class Span:
    """``text[start:end]`` is of ``type``; ``why`` names the pattern and context (never the value)."""

    type: str
    start: int
    end: int
    confidence: float
    why: str

    @property
    def length(self) -> int:
        return self.end - self.start
