"""Wording of the printable request forms, in ja, en, zh-Hans and zh-Hant."""

from __future__ import annotations

from mamori.notices.messages import LabelTable

_LABELS: dict[str, tuple[str, str, str, str]] = {
    "pipl_title": (
        "個人情報に関する請求書（中国個人情報保護法）",
        "Request form: rights under China's PIPL",
        "个人信息权利请求书（《个人信息保护法》）",
        "個人資訊權利請求書（中國《個人資訊保護法》）",
    ),
    "addressee": ("宛先", "To", "收件方", "收件方"),
    "requests": (
        "ご請求の内容（該当するものに印をつけてください）",
        "What you ask for (tick what applies)",
        "请求内容（请勾选适用项）",
        "請求內容（請勾選適用項）",
    ),
    "details": (
        "対象となる個人データ・ご請求の理由など",
        "Which data, and any details or reasons",
        "涉及的个人数据及详情或理由",
        "涉及的個人資料及詳情或理由",
    ),
    "person": (
        "ご本人（情報の主体）",
        "The person the data is about",
        "本人（信息主体）",
        "本人（資訊主體）",
    ),
    "requester": (
        "請求者（ご本人以外の方が請求する場合）",
        "The requester (if not the person)",
        "请求人（非本人请求时）",
        "請求人（非本人請求時）",
    ),
    "name": ("氏名", "Name", "姓名", "姓名"),
    "address": ("住所", "Address", "地址", "地址"),
    "birth": ("生年月日", "Date of birth", "出生日期", "出生日期"),
    "phone": ("電話番号", "Telephone", "电话号码", "電話號碼"),
    "email": ("メールアドレス", "E-mail", "电子邮件地址", "電子郵件地址"),
    "member": ("会員番号（お持ちの場合）", "Member number (if any)", "会员编号（如有）", "會員編號（如有）"),
    "relation": ("ご本人との関係", "Relation to the person", "与本人的关系", "與本人的關係"),
    "who": (
        "請求者の区分と必要な書類",
        "Who is asking, and the documents needed",
        "请求人类别及所需文件",
        "請求人類別及所需文件",
    ),
    "id_documents": (
        "本人確認書類（いずれか一つの写し）",
        "Identity documents (a copy of one)",
        "身份证明文件（任选一种的复印件）",
        "身分證明文件（任選一種的影本）",
    ),
    "answer": ("回答の方法", "How we should answer", "答复方式", "答覆方式"),
    "sign": ("請求日・署名", "Date and signature", "请求日期及签名", "請求日期及簽名"),
    "date": ("日付", "Date", "日期", "日期"),
    "signature": ("署名", "Signature", "签名", "簽名"),
    "send_to": ("送付先", "Send this form to", "寄送地址", "寄送地址"),
    "fees": ("手数料", "Fees", "手续费", "手續費"),
    "version": (
        "プライバシーポリシー 第{number}版に基づく様式（{hash}）",
        "Form of privacy policy version {number} ({hash})",
        "依据隐私政策第 {number} 版的格式（{hash}）",
        "依據隱私政策第 {number} 版的格式（{hash}）",
    ),
}

_TABLE = LabelTable(_LABELS)
label = _TABLE.label
