"""Incident reports and public statements as HTML and PDF (used by the API and the CLI)."""

from __future__ import annotations

from mamori.incidents.schemas import ReportRead
from mamori.notices import messages
from mamori.notices.incident_report import ReportDocument, report_document
from mamori.notices.pdf import html_to_pdf
from mamori.policy.schema import PolicyBundle
from mamori.web.templating import render


def report_html(document: ReportDocument, *, for_print: bool = False) -> str:
    """A whole HTML document in the report's language."""
    return render("console/incidents/report.html", lang=document.lang, labels=messages.labels(document.lang),
                  document=document, languages=[], for_print=for_print)  # fmt: skip


def report_pdf(report: ReportRead, bundle: PolicyBundle, lang: str = "ja") -> bytes:
    meta = {"version": report.version, "filed_at": report.filed_at}
    return html_to_pdf(report_html(report_document(report.content, meta, bundle, lang), for_print=True))
