"""The policy history (``/privacy/history``): every version as published, diffs, an Atom feed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mamori.api.deps import ReadSessionDep
from mamori.calendar.service import TOKYO
from mamori.errors import NotFound
from mamori.notices import messages as m
from mamori.notices.history import atom_feed, notice_as_published, notice_diff, policy_history
from mamori.notices.pdf import html_to_pdf
from mamori.policy.service import current_version
from mamori.web.i18n import N_, gettext_for
from mamori.web.public.page import page, page_lang
from mamori.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/privacy/history"

STATES = {
    "in_force": N_("In force"),
    "announced": N_("Announced: takes effect on its date"),
    "past": N_("Replaced"),
}


def _entries(session: ReadSessionDep, lang: str) -> list[dict[str, object]]:
    today = datetime.now(TOKYO).date()
    return [
        {
            "entry": e,
            "state": gettext_for(lang, STATES[e.state]),
            "effective": m.long_date(e.effective_date, lang),
            "href": f"{PATH}/{e.number}?lang={lang}",
            "pdf": f"{PATH}/{e.number}.pdf?lang={lang}",
        }
        for e in policy_history(session, lang, today=today)
    ]


@router.get(PATH)
def history_page(request: Request, session: ReadSessionDep) -> Response:
    """Every published version with its effective date; two may be compared."""
    lang = page_lang(request)
    entries = _entries(session, lang)
    return page(request, "public/history/index.html", lang, entries=entries, feed=f"{PATH}.atom?lang={lang}")


@router.get(f"{PATH}.atom")
def history_feed(request: Request, session: ReadSessionDep) -> Response:
    """The revisions as an Atom feed."""
    lang = page_lang(request)
    runtime_settings = request.app.state.runtime.settings
    version = current_version(session)
    title = gettext_for(lang, "Privacy policy revisions")
    if version is not None:
        title = f"{title} — {version.content.get('title', {}).get(lang, '')}".rstrip(" —")
    base = runtime_settings.public_url("/").rstrip("/")
    body = atom_feed(policy_history(session, lang), title=title, lang=lang, base_url=base)
    return Response(
        body, media_type="application/atom+xml; charset=utf-8", headers={"Content-Language": lang}
    )


@router.get(f"{PATH}/diff")
def history_diff(
    request: Request,
    session: ReadSessionDep,
    old: Annotated[int, Query(alias="from", ge=1)] = 1,
    new: Annotated[int, Query(alias="to", ge=1)] = 1,
) -> Response:
    """What changed between two versions, in the chosen language."""
    lang = page_lang(request)
    try:
        lines = notice_diff(session, old, new, lang)
    except NotFound:
        return page(request, "public/history/missing.html", lang, status=404)
    entries = _entries(session, lang)
    return page(request, "public/history/diff.html", lang, lines=lines, old=old, new=new, entries=entries)


def _notice_html(session: ReadSessionDep, number: int, lang: str, *, for_print: bool) -> str | None:
    try:
        notice = notice_as_published(session, number, lang)
    except NotFound:
        return None
    return render("public/privacy.html", lang=lang, labels=m.labels(lang), notice=notice, languages=[],
                  pdf_href=f"{PATH}/{number}.pdf?lang={lang}", for_print=for_print)  # fmt: skip


@router.get(f"{PATH}/{{number}}.pdf")
def history_version_pdf(number: int, request: Request, session: ReadSessionDep) -> Response:
    """A version's notice as a PDF, as it was published."""
    lang = page_lang(request)
    html = _notice_html(session, number, lang, for_print=True)
    if html is None:
        return page(request, "public/history/missing.html", lang, status=404)
    headers = {
        "Content-Disposition": f'inline; filename="privacy-policy-v{number}-{lang}.pdf"',
        "Content-Language": lang,
    }
    return Response(html_to_pdf(html), media_type="application/pdf", headers=headers)


@router.get(f"{PATH}/{{number}}")
def history_version(number: int, request: Request, session: ReadSessionDep) -> Response:
    """A version's notice, as it was published."""
    lang = page_lang(request)
    html = _notice_html(session, number, lang, for_print=False)
    if html is None:
        return page(request, "public/history/missing.html", lang, status=404)
    return Response(html, media_type="text/html; charset=utf-8", headers={"Content-Language": lang})
