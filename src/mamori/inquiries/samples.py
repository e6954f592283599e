"""Sample inquiries for ``mamori demo``: one per category, in the four languages (fictitious people)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.inquiries.intake import NewInquiry, open_inquiry
from mamori.inquiries.models import Inquiry

SAMPLES: tuple[NewInquiry, ...] = (
    NewInquiry(channel="web_form", language="ja", category="complaint", name="山田 花子",
               email="hanako.sample@example.jp", message="ポイントカードの説明が不十分でした。"),
    NewInquiry(channel="email", language="en", category="personal_information", name="Taro Sample",
               email="taro.sample@example.jp", message="Who receives my purchase history?"),
    NewInquiry(channel="phone", language="zh-Hans", category="other", name="李 小龙", phone="03-1234-5678",
               message="请问贵公司客服中心春节期间是否营业？"),
    NewInquiry(channel="letter", language="zh-Hant", category="investor_relations", name="陳 美玲",
               email="chen.sample@example.tw", message="請寄送最新的股東通訊。"),
)  # fmt: skip


def add_sample_inquiries(session: Session, settings: Settings, actor: str) -> int:
    """Open the sample inquiries once (none when inquiries exist already); returns how many were added."""
    if session.scalar(select(func.count()).select_from(Inquiry)):
        return 0
    for sample in SAMPLES:
        open_inquiry(session, settings, actor, sample)
    return len(SAMPLES)
