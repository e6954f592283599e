"""The console's front page (``/console/``): what is due for this staff member, earliest first.

Each block shows only when the role may open its list; counts link to the filtered lists. The
12-week charts are SVG drawn here, each followed by its figures as a table.
"""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mamori.api.deps import SessionDep
from mamori.db.base import utcnow
from mamori.dsr.service.clocks import days_left
from mamori.dsr.service.listing import CaseFilter, count_cases, page_cases
from mamori.dsr.service.stats import weekly_requests
from mamori.errors import NotFound
from mamori.incidents.stats import weekly_incidents
from mamori.incidents.views import deadlines as incident_deadlines
from mamori.inquiries.channels import weekly_channels
from mamori.inquiries.stats import weekly_inquiries
from mamori.inquiries.texts import CHANNEL_NAMES
from mamori.inquiries.views import open_summary
from mamori.jobs.service import counts as job_counts
from mamori.policy.schema import LANGUAGES
from mamori.provisions.processors import overdue_assessments
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.web.charts import Series, legend, stacked_bars
from mamori.web.console.shell import console_lang, console_page
from mamori.web.i18n import translator
from mamori.web.staff import StaffDep

router = APIRouter(include_in_schema=False)
DUE_ROWS = 8


def _requests(session: SessionDep, lang: str) -> dict[str, Any]:
    _ = translator(lang).gettext
    weeks = weekly_requests(session)
    labels = [w.starts_on.strftime("%m/%d") for w in weeks]
    series = [Series(_("Answered on time"), [w.answered_on_time for w in weeks]),
              Series(_("Answered late"), [w.answered_late for w in weeks])]  # fmt: skip
    due = page_cases(session, CaseFilter(), size=DUE_ROWS).cases
    return {
        "due": due,
        "days_left": days_left(session, due),
        "overdue": count_cases(session, CaseFilter(due="overdue")),
        "week": count_cases(session, CaseFilter(due="week")),
        "open": count_cases(session, CaseFilter()),
        "chart": stacked_bars(labels, series),
        "legend": legend(series),
        "weeks": weeks,
    }


def _inquiries(session: SessionDep) -> dict[str, Any]:
    summary = open_summary(session, now=utcnow(), size=DUE_ROWS)
    weeks = weekly_inquiries(session)
    labels = [w.starts_on.strftime("%m/%d") for w in weeks]
    series = [Series(code, [w.by_language.get(code, 0) for w in weeks]) for code in LANGUAGES]
    return {
        "due": summary.due,
        "open": summary.open,
        "late": summary.late,
        "chart": stacked_bars(labels, series),
        "legend": legend(series),
        "weeks": weeks,
        "languages": LANGUAGES,
    }


def _channels(session: SessionDep, lang: str) -> dict[str, Any]:
    """Inquiries by channel, and complaints by channel and language, over 12 weeks."""
    _ = translator(lang).gettext
    weeks = weekly_channels(session)
    labels = [w.starts_on.strftime("%m/%d") for w in weeks]
    codes = list(CHANNEL_NAMES.texts)
    names = {code: CHANNEL_NAMES.label(code, lang) for code in codes}
    series = [Series(names[code], [w.by_channel.get(code, 0) for w in weeks]) for code in codes]
    word = _("Complaints")
    complaints = [Series(f"{word} · {code}", [w.complaints_by_language.get(code, 0) for w in weeks])
                  for code in LANGUAGES]  # fmt: skip
    return {
        "chart": stacked_bars(labels, series),
        "legend": legend(series),
        "complaints_chart": stacked_bars(labels, complaints),
        "complaints_legend": legend(complaints),
        "weeks": weeks,
        "channels": [(code, names[code]) for code in codes],
        "languages": LANGUAGES,
    }


def _incidents(session: SessionDep, lang: str) -> dict[str, Any]:
    """The running clocks of open incidents (most urgent first) and 12 weeks by reportability."""
    _ = translator(lang).gettext
    weeks = weekly_incidents(session)
    labels = [w.starts_on.strftime("%m/%d") for w in weeks]
    series = [Series(_("Reportable"), [w.reportable for w in weeks]),
              Series(_("Not reportable"), [w.not_reportable for w in weeks])]  # fmt: skip
    return {
        "clocks": [c for c in incident_deadlines(session) if c.clock.done_at is None][:DUE_ROWS],
        "chart": stacked_bars(labels, series),
        "legend": legend(series),
        "weeks": weeks,
    }


def _blocks(session: SessionDep, staff: Principal, lang: str) -> dict[str, Any]:
    blocks: dict[str, Any] = {}
    if Scope.REQUESTS_READ in staff.scopes:
        blocks["requests"] = _requests(session, lang)
    if Scope.INQUIRIES_READ in staff.scopes:
        blocks["inquiries"] = _inquiries(session)
        blocks["channels"] = _channels(session, lang)
    if Scope.INCIDENTS_READ in staff.scopes:
        with contextlib.suppress(NotFound):  # no policy published yet: no clocks
            blocks["incidents"] = _incidents(session, lang)
    if Scope.PROVISIONS_READ in staff.scopes:
        try:  # processors never assessed or past due
            blocks["assessments"] = overdue_assessments(session)
        except NotFound:  # no policy published yet: no processors
            blocks["assessments"] = []
    if Scope.JOBS_READ in staff.scopes:
        blocks["dead_jobs"] = sum(c.count for c in job_counts(session) if c.state == "dead")
    return blocks


@router.get("/console")
@router.get("/console/")
def dashboard(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The dashboard of the signed-in staff member."""
    lang = console_lang(request)
    return console_page(request, "console/dashboard/home.html", staff=staff, lang=lang,
                        blocks=_blocks(session, staff, lang))  # fmt: skip
