"""Sample request cases for ``mamori demo`` (fictitious people on reserved domains)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case
from mamori.dsr.schemas import RequesterIn
from mamori.dsr.service import open_case
from mamori.subjects.repository import subjects_by_identifier

# e-mail of a sample person, request type, language, response method, postal address
SAMPLES = (
    ("hanako.sample@example.jp", "disclosure", "ja", "post", "〒224-0001 神奈川県横浜市都筑区（見本）"),
    ("li.sample@example.cn", "copy", "zh-Hans", "electronic", None),
)


def add_sample_requests(session: Session, settings: Settings, *, actor: str = "system:demo") -> int:
    """Open one case per sample person once (none when cases exist); the number opened."""
    if session.scalar(select(func.count()).select_from(Case)):
        return 0
    opened = 0
    for email, request_type, language, method, address in SAMPLES:
        found = subjects_by_identifier(session, settings, "email", email)
        if not found:
            continue
        requester = RequesterIn(name="見本 太郎 (sample)", email=email, address=address)
        open_case(
            session,
            actor=actor,
            request_type=request_type,
            channel="api",
            language=language,
            subject_id=found[0].id,
            requester=requester,
            response_method=method,
            settings=settings,
        )
        opened += 1
    return opened
