"""The page a person sees when a public form was posted too often (429), in their language."""

from __future__ import annotations

import math

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from mamori.api.errors import problem
from mamori.api.limits import limit_public_post
from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.notices import messages
from mamori.notices.messages import LabelTable
from mamori.notices.privacy import negotiate_language
from mamori.security.ratelimit import RateLimited
from mamori.web.templating import render

TEXTS = LabelTable(
    {
        "title": ("しばらくお待ちください", "Please wait a moment", "请稍候", "請稍候"),
        "body": (
            "短時間に多くの送信がありました。{minutes}分後にもう一度お試しください。入力した内容は送信されていません。",
            (
                "We received too many submissions in a short time. Please try again in {minutes} minutes."
                " What you entered was not sent."
            ),
            "短时间内提交次数过多。请在{minutes}分钟后重试。您填写的内容尚未提交。",
            "短時間內提交次數過多。請在{minutes}分鐘後重試。您填寫的內容尚未送出。",
        ),
    }
)


def limit_form(  # noqa: PLR0913 - the request, its unit of work and settings, and what to count
    request: Request,
    session: Session,
    settings: Settings,
    *,
    action: str,
    lang: str,
    recipient: str | None = None,
) -> None:
    """Count a public form's post (see ``limit_public_post``); the 429 page speaks ``lang``."""
    request.state.lang = lang
    limit_public_post(request, session, settings, action=action, recipient=recipient)


def _language(request: Request) -> str:
    chosen = getattr(request.state, "lang", None)
    if isinstance(chosen, str):
        return chosen
    try:
        return negotiate_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    except ValidationFailed:
        return "ja"


async def rate_limited(request: Request, exc: Exception) -> Response:
    """429 with Retry-After: problem+json under /api/, else a page in the visitor's language."""
    assert isinstance(exc, RateLimited)  # noqa: S101 - registered for RateLimited only
    retry = {"Retry-After": str(exc.retry_after)}
    if request.url.path.startswith("/api/"):
        response: Response = problem(429, exc.code, exc.message, request, **exc.details)
        response.headers.update(retry)
        return response
    lang = _language(request)
    body = TEXTS.label("body", lang).format(minutes=math.ceil(exc.retry_after / 60))
    html = render("public/message.html", lang=lang, labels=messages.labels(lang), for_print=False,
                  languages=[], heading=TEXTS.label("title", lang), body=body, choices=[])  # fmt: skip
    return HTMLResponse(html, status_code=429, headers={**retry, "Content-Language": lang})
