"""Words of the contact centre that people read: categories, channels, dates and the reply templates.

Each text is given in ja, en, zh-Hans and zh-Hant, in that order (``LANGUAGES``). The templates are
plain text with ``{placeholders}`` filled by :func:`mamori.inquiries.replies.render_reply`; the
agent's own answer is inserted as a value, never interpreted as a template.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from mamori.notices.messages import LabelTable, long_date, pick

Four = tuple[str, str, str, str]

CATEGORY_NAMES = LabelTable(
    {
        "personal_information": (
            "個人情報の取扱い",
            "Handling of personal information",
            "个人信息的处理",
            "個人資料的處理",
        ),
        "complaint": ("苦情・ご意見", "Complaint", "投诉与意见", "申訴與意見"),
        "public_relations": ("広報", "Public relations", "公关", "公關"),
        "investor_relations": ("IR（投資家向け広報）", "Investor relations", "投资者关系", "投資人關係"),
        "other": ("その他", "Other", "其他", "其他"),
    }
)
CHANNEL_NAMES = LabelTable(
    {
        "web_form": ("ウェブフォーム", "Web form", "网页表单", "網頁表單"),
        "email": ("電子メール", "E-mail", "电子邮件", "電子郵件"),
        "phone": ("電話", "Telephone", "电话", "電話"),
        "letter": ("郵便", "Letter", "信件", "信件"),
    }
)
_INTROS: dict[str, Four] = {
    "personal_information": (
        "個人情報の取扱いについてお問い合わせいただき、ありがとうございます。以下のとおりご回答いたします。",
        "Thank you for your question about how we handle personal information. Our answer follows.",
        "感谢您就个人信息的处理向我们咨询。现答复如下。",
        "感謝您就個人資料的處理向我們諮詢。現答覆如下。",
    ),
    "complaint": (
        "このたびはご不便とご心配をおかけし、申し訳ございません。お知らせいただいた内容を確認し、以下のとおりご報告いたします。",
        "We are sorry for the trouble this has caused. We have looked into it; here is our answer.",
        "给您带来不便和困扰，我们深表歉意。我们已核实您反映的情况，现答复如下。",
        "造成您的不便與困擾，我們深感抱歉。我們已查核您反映的情況，現答覆如下。",
    ),
    "public_relations": (
        "広報に関するお問い合わせをいただき、ありがとうございます。以下のとおりご回答いたします。",
        "Thank you for your press or public-relations inquiry. Our answer follows.",
        "感谢您的公关相关咨询。现答复如下。",
        "感謝您的公關相關諮詢。現答覆如下。",
    ),
    "investor_relations": (
        "投資家向け広報（IR）に関するお問い合わせをいただき、ありがとうございます。以下のとおりご回答いたします。",
        "Thank you for your investor-relations inquiry. Our answer follows.",
        "感谢您有关投资者关系的咨询。现答复如下。",
        "感謝您有關投資人關係的諮詢。現答覆如下。",
    ),
    "other": (
        "お問い合わせいただき、ありがとうございます。以下のとおりご回答いたします。",
        "Thank you for contacting us. Our answer follows.",
        "感谢您与我们联系。现答复如下。",
        "感謝您與我們聯繫。現答覆如下。",
    ),
}
_GREETING: Four = ("{name} 様", "Dear {name},", "{name}，您好：", "{name}，您好：")
_GREETING_ANONYMOUS: Four = ("お客様", "Dear customer,", "尊敬的客户，您好：", "親愛的客戶，您好：")
_ASK_BACK: Four = (
    "お手数ですが、上記についてこのメールへのご返信でお知らせください。ご返信をいただき次第、対応を再開いたします。",
    "Please reply to this e-mail with the details asked above; we will continue as soon as we hear from you.",
    "烦请直接回复本邮件，告知上述信息。收到您的回复后，我们将继续处理。",
    "煩請直接回覆本郵件，告知上述資訊。收到您的回覆後，我們將繼續處理。",
)
_CLOSING: Four = (
    "ご不明な点がございましたら、受付番号 {reference} を添えてお問い合わせください。",
    "If anything is unclear, please contact us again quoting reference {reference}.",
    "如有任何疑问，请注明受理编号 {reference} 再次与我们联系。",
    "如有任何疑問，請註明受理編號 {reference} 再次與我們聯繫。",
)
_HOURS_LINE: Four = (
    "受付時間：{hours}（休業日：{closed}）",
    "Open {hours}; closed on {closed}.",
    "服务时间：{hours}（休息日：{closed}）",
    "服務時間：{hours}（休息日：{closed}）",
)
_SUBJECT: Four = (
    "【{centre}】{category}についてのご回答（受付番号 {reference}）",
    "{centre}: our answer on your inquiry ({category}), reference {reference}",
    "【{centre}】关于{category}的答复（受理编号 {reference}）",
    "【{centre}】關於{category}的答覆（受理編號 {reference}）",
)
_JAPAN_TIME: Four = ("（日本時間）", " (Japan time)", "（日本时间）", "（日本時間）")
_DAY_NAMES: tuple[Four, ...] = (
    ("月", "Monday", "周一", "週一"),
    ("火", "Tuesday", "周二", "週二"),
    ("水", "Wednesday", "周三", "週三"),
    ("木", "Thursday", "周四", "週四"),
    ("金", "Friday", "周五", "週五"),
    ("土", "Saturday", "周六", "週六"),
    ("日", "Sunday", "周日", "週日"),
)


# Answers the contact centre gives often; an agent picks one (in the inquirer's language) and edits it
# before sending. Each is (title, text) in the four languages; the text goes inside the reply template.
_ANSWERS: dict[str, tuple[Four, Four]] = {
    "how_to_request": (
        ("開示等の請求の方法", "How to make a request", "如何提出请求", "如何提出請求"),
        (
            (
                "ご自身の個人データの開示・訂正・利用停止等は、当社ウェブサイトのプライバシーセンターから、"
                "または所定の請求書の郵送によりご請求いただけます。本人確認書類の写しをご用意ください。"
            ),
            (
                "You can ask us to disclose, correct or stop using your personal data through the privacy "
                "centre on our website, or by sending us the request form by post. Please have a copy of an "
                "identity document ready."
            ),
            (
                "您可以通过我们网站上的隐私中心，或邮寄规定的请求表，要求我们披露、更正或停止使用您的个人数据。"
                "请准备一份身份证明文件的复印件。"
            ),
            (
                "您可以透過我們網站上的隱私中心，或郵寄規定的請求表，要求我們揭露、更正或停止使用您的個人資料。"
                "請準備一份身分證明文件的影本。"
            ),
        ),
    ),
    "looking_into_it": (
        ("調査中のご連絡", "We are looking into it", "正在调查", "正在調查"),
        (
            "お知らせいただいた件は、担当部署で確認を進めております。結果が分かり次第、あらためてご連絡いたします。",
            (
                "The department concerned is looking into what you told us. We will write to you again as "
                "soon as we know the outcome."
            ),
            "相关部门正在核实您反映的情况。一有结果，我们会再次与您联系。",
            "相關部門正在查核您反映的情況。一有結果，我們會再次與您聯絡。",
        ),
    ),
    "mailings_stopped": (
        ("案内の送付停止", "Mailings stopped", "已停止寄送", "已停止寄送"),
        (
            "ご希望に従い、今後のご案内の送付を停止いたしました。手続中のものが数日間届く場合がございます。",
            (
                "As you asked, we have stopped sending you our mailings. Anything already on its way may "
                "still reach you in the next few days."
            ),
            "我们已按照您的要求停止向您寄送宣传资料。已在寄送途中的资料可能仍会在几天内送达。",
            "我們已依照您的要求停止向您寄送宣傳資料。已在寄送途中的資料可能仍會在幾天內送達。",
        ),
    ),
    "purposes": (
        ("利用目的のご説明", "Our purposes of use", "使用目的说明", "使用目的說明"),
        (
            (
                "当社が個人情報を利用する目的は、当社ウェブサイトのプライバシーポリシーに掲載しております。"
                "ご不明な点があれば、このメールにご返信ください。"
            ),
            (
                "The purposes for which we use personal information are listed in the privacy policy on our "
                "website. If anything is unclear, please reply to this e-mail."
            ),
            "我们使用个人信息的目的已刊载于我们网站上的隐私政策中。如有不明之处，请回复此邮件。",
            "我們使用個人資料的目的已刊載於我們網站上的隱私政策中。如有不明之處，請回覆此郵件。",
        ),
    ),
}


def answer_templates(lang: str) -> list[tuple[str, str, str]]:
    """The usual answers as (id, title, text) in ``lang`` (Japanese for an unknown language)."""
    return [(key, pick(title, lang), pick(text, lang)) for key, (title, text) in _ANSWERS.items()]


def intro(category: str, lang: str) -> str:
    return pick(_INTROS[category], lang)


def greeting(name: str | None, lang: str) -> str:
    return pick(_GREETING, lang).format(name=name) if name else pick(_GREETING_ANONYMOUS, lang)


def ask_back(lang: str) -> str:
    return pick(_ASK_BACK, lang)


def closing(reference: str, lang: str) -> str:
    return pick(_CLOSING, lang).format(reference=reference)


def hours_line(hours: str, closed: str, lang: str) -> str:
    return pick(_HOURS_LINE, lang).format(hours=hours, closed=closed)


def subject_line(centre: str, category: str, reference: str, lang: str) -> str:
    name = CATEGORY_NAMES.label(category, lang)
    return pick(_SUBJECT, lang).format(centre=centre, category=name, reference=reference)


def local_instant(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """``2026年12月2日（水）10:00（日本時間）`` / ``Wednesday 2 December 2026, 10:00 (Japan time)``."""
    local = moment.astimezone(tz)
    day = pick(_DAY_NAMES[local.weekday()], lang)
    clock = f"{local.hour:02d}:{local.minute:02d}{pick(_JAPAN_TIME, lang)}"
    if lang == "en":
        return f"{day} {long_date(local.date(), lang)}, {clock}"
    return f"{long_date(local.date(), lang)}（{day}）{clock}"
