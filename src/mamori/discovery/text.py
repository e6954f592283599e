"""Text normalised one character for one character (positions stay those of the original) and context."""

from __future__ import annotations

import re

from mamori.discovery.lexicon import trie_pattern

_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII
_TABLE |= {0x3000: 0x20, 0x00A0: 0x20}  # ideographic and no-break spaces
_TABLE |= dict.fromkeys(map(ord, "‐‑‒–—―−﹣"), ord("-"))
_TABLE |= {ord("＠"): ord("@"), ord("。"): ord("。")}


def normalise(text: str) -> str:
    """Full-width letters, digits and signs as ASCII, odd spaces and dashes plain; same length."""
    return text.translate(_TABLE)


# Words before a value that say what it is. The nearest one wins, so "注文者 山田 電話 090-…" is a
# phone and "注文番号 0901-2345-678" is not.
CUES: dict[str, tuple[str, ...]] = {
    "phone": (
        "電話",
        "tel",
        "phone",
        "携帯",
        "ケータイ",
        "連絡先",
        "fax",
        "mobile",
        "手机",
        "手機",
        "电话",
        "联系方式",
        "聯絡方式",
        "cell",
        "call",
        "でんわ",
        "連絡",
    ),
    "my_number": (
        "マイナンバー",
        "個人番号",
        "my number",
        "mynumber",
        "individual number",
        "个人编号",
        "個人編號",
    ),
    "drivers_licence": ("免許", "licen", "驾驶", "駕駛", "駕照", "驾照", "driver", "dl no", "dl#"),
    "passport": ("旅券", "パスポート", "passport", "护照", "護照"),
    "bank_account": (
        "口座",
        "普通",
        "当座",
        "預金",
        "账号",
        "帳號",
        "帳戶",
        "账户",
        "银行卡",
        "銀行帳",
        "account",
        "acct",
        "a/c",
        "支店",
        "bank",
        "振込先",
        "振込",
    ),
    "payment_card": (
        "カード",
        "クレジット",
        "card",
        "信用卡",
        "卡号",
        "卡號",
        "visa",
        "mastercard",
        "jcb",
        "amex",
    ),
    "date_of_birth": (
        "生年月日",
        "誕生日",
        "生まれ",
        "出生",
        "生日",
        "birth",
        "born",
        "dob",
        "d.o.b",
        "誕生",
    ),
    "postal_code": (
        "〒",
        "郵便番号",
        "郵便",
        "postal",
        "zip",
        "postcode",
        "邮编",
        "郵編",
        "邮政编码",
        "郵遞區號",
        "郵遞",
        "区号",
    ),
    "negative": (
        "注文",
        "order",
        "追跡",
        "tracking",
        "伝票",
        "送り状",
        "配送",
        "問合せ番号",
        "問い合わせ番号",
        "商品",
        "品番",
        "jan:",
        "jan ",
        "janコード",
        "sku",
        "型番",
        "item",
        "product",
        "会員",
        "member",
        "社員",
        "従業員",
        "employee",
        "staff",
        "法人番号",
        "登録番号",
        "invoice",
        "請求",
        "订单",
        "訂單",
        "单号",
        "單號",
        "快递",
        "快遞",
        "物流",
        "运单",
        "運單",
        "会员",
        "會員",
        "员工",
        "員工",
        "工号",
        "货号",
        "貨號",
        "条码",
        "條碼",
        "受付番号",
        "予約",
        "booking",
        "reservation",
        "ticket",
        "ref:",
        "ref.",
        "reference",
        "serial",
        "シリアル",
        "ロット",
        "lot ",
        "管理番号",
        "型号",
        "型號",
        "编号",
        "編號",
        "認証",
        "コード",
        "受付",
        "問合せ",
        "お問い合わせ番号",
        "追蹤",
        "包裹",
        "parcel",
        "shipment",
        "職員",
        "工號",
    ),
}
_KIND = {word: kind for kind, words in CUES.items() for word in words}
_CUE = re.compile(trie_pattern(frozenset(_KIND)))
WINDOW = 18


def cue_before(text: str, start: int, window: int = WINDOW) -> str | None:
    """The kind of the nearest cue word in the ``window`` characters before ``start``."""
    last = None
    for match in _CUE.finditer(text[max(0, start - window) : start].lower()):
        last = match.group()
    return None if last is None else _KIND[last]


def cues_before(text: str, start: int, window: int = WINDOW) -> set[str]:
    """Every kind of cue in the window (a card number after "カード" and "口座" is still a card)."""
    return {_KIND[m.group()] for m in _CUE.finditer(text[max(0, start - window) : start].lower())}


def cue_kinds(text: str) -> set[str]:
    """Every kind of cue anywhere in ``text``: detectors that need a cue are skipped without one."""
    return {_KIND[m.group()] for m in _CUE.finditer(text.lower())}
