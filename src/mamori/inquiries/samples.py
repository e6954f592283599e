"""Sample inquiries for ``mamori demo``: new, assigned and answered, in four languages (fictitious people)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry
from mamori.inquiries.replies import record_answer
from mamori.inquiries.service import assign

# (inquiry, what happens to it: "" stays new, else "assigned" or "answered" by the demo's agent)
SAMPLES: tuple[tuple[NewInquiry, str], ...] = (
    (
        NewInquiry(
            channel="web_form",
            language="ja",
            category="complaint",
            name="山田 花子",
            email="hanako.sample@example.jp",
            message="ポイントカードの説明が不十分でした。",
        ),
        "",
    ),
    (
        NewInquiry(
            channel="email",
            language="en",
            category="personal_information",
            name="Taro Sample",
            email="taro.sample@example.jp",
            message="Who receives my purchase history?",
        ),
        "",
    ),
    (
        NewInquiry(
            channel="phone",
            language="zh-Hans",
            category="other",
            name="李 小龙",
            phone="03-1234-5678",
            message="请问贵公司客服中心春节期间是否营业？",
        ),
        "assigned",
    ),
    (
        NewInquiry(
            channel="letter",
            language="zh-Hant",
            category="investor_relations",
            name="陳 美玲",
            email="chen.sample@example.tw",
            message="請寄送最新的股東通訊。",
        ),
        "assigned",
    ),
    (
        NewInquiry(
            channel="web_form",
            language="ja",
            category="personal_information",
            name="佐藤 陽菜",
            email="user1@example.jp",
            message="登録メールアドレスを確認したい。",
        ),
        "answered",
    ),
    (
        NewInquiry(
            channel="phone",
            language="en",
            category="other",
            name="Jane Sample",
            phone="03-9876-5432",
            message="Do you keep my card number after I cancel my membership?",
        ),
        "answered",
    ),
)
ANSWERS = {"ja": "（見本）お電話でご説明しました。", "en": "(Sample) Explained by phone."}


def add_sample_inquiries(session: Session, settings: Settings, actor: str, *, agent: str = "agent") -> int:
    """Open the sample inquiries once (none when inquiries exist already); returns how many were added.

    Those marked ``assigned`` or ``answered`` go to ``agent`` (a staff username); answers are
    recorded as given by phone, so nothing is mailed.
    """
    if session.scalar(select(func.count()).select_from(Inquiry)):
        return 0
    for sample, then in SAMPLES:
        inquiry = open_inquiry(session, settings, actor, sample)
        if then:
            assign(session, actor, inquiry.id, agent)
        if then == "answered":
            answer = ANSWERS.get(sample.language, ANSWERS["en"])
            record_answer(session, settings, actor, inquiry.id, answer=answer, channel="phone")
    return len(SAMPLES)
