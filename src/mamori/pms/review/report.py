"""The review as a document: sections of figures, bar charts as inline SVG, then PDF or XLSX."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from html import escape

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from mamori.notices.pdf import html_to_pdf
from mamori.pms.review.figures import Review
from mamori.pms.review.labels import label
from mamori.validation import spreadsheet_safe


@dataclass(frozen=True, slots=True)
class Block:
    key: str
    figures: list[tuple[str, int]]  # translated label, value
    breakdowns: list[tuple[str, dict[str, int]]]  # translated heading, key → count (charted)


def blocks(review: Review, lang: str) -> list[Block]:
    """The report's sections in order, with their labels in ``lang``."""

    def f(*pairs: tuple[str, int]) -> list[tuple[str, int]]:
        return [(label(key, lang), value) for key, value in pairs]

    r, q, i, p, s, a, k, t = (
        review.requests,
        review.inquiries,
        review.incidents,
        review.provisions,
        review.processors,
        review.audits,
        review.risks,
        review.training,
    )
    return [
        Block(
            "requests",
            f(
                ("received", r.received),
                ("answered_on_time", r.answered_on_time),
                ("answered_late", r.answered_late),
                ("overdue_open", r.overdue_open),
            ),
            [(label("by_type", lang), r.by_type)],
        ),
        Block(
            "inquiries",
            f(
                ("all_inquiries", q.all_inquiries),
                ("complaints", q.complaints),
                ("complaints_open", q.complaints_open),
            ),
            [
                (label("by_category", lang), q.by_category),
                (label("by_language", lang), q.complaints_by_language),
                (label("by_channel", lang), q.complaints_by_channel),
            ],
        ),
        Block(
            "incidents",
            f(("registered", i.registered), ("reportable", i.reportable), ("open_now", i.open_now)),
            [(label("reports_filed", lang), i.reports_filed)],
        ),
        Block(
            "provisions",
            f(
                ("provisions_count", p.provisions),
                ("persons_provided", p.persons_provided),
                ("foreign", p.foreign),
            ),
            [(label("by_route", lang), p.by_route)],
        ),
        Block(
            "processors",
            f(("assessments", s.assessments), ("assess_overdue", s.overdue)),
            [(label("by_result", lang), s.by_result)],
        ),
        Block(
            "audits",
            f(
                ("audit_count", a.audits),
                ("completed", a.completed),
                ("nonconformities", a.nonconformities),
                ("actions_open", a.actions_open),
                ("actions_overdue", a.actions_overdue),
            ),
            [
                (label("findings_by_kind", lang), a.findings_by_kind),
                (label("actions_by_source", lang), a.actions_by_source),
            ],
        ),
        Block(
            "risks",
            f(
                ("risk_registered", k.registered),
                ("risk_reviewed", k.reviewed),
                ("risk_raised", k.raised),
                ("risk_lowered", k.lowered),
                ("review_overdue", k.review_overdue),
            ),
            [(label("by_level", lang), k.by_residual_level)],
        ),
        Block(
            "training",
            f(
                ("records", t.records),
                ("passed", t.passed),
                ("failed", t.failed),
                ("training_overdue", t.overdue),
            ),
            [(label("by_course", lang), t.by_course)],
        ),
    ]


def bar_chart(data: dict[str, int], *, width: int = 460) -> str:
    """A horizontal bar chart as inline SVG (each bar labelled with its key and count)."""
    if not data:
        return ""
    top = max(data.values()) or 1
    row, left = 22, 150
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row * len(data) + 6}" role="img">'
    ]
    for index, (key, value) in enumerate(data.items()):
        y = index * row + 4
        bar = round((width - left - 40) * value / top)
        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" font-size="10">{escape(key)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{bar}" height="16" fill="#2f6f8f"/>')
        parts.append(f'<text x="{left + bar + 4}" y="{y + 14}" font-size="10">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


_CSS = """
h1 { font-size: 16pt; margin: 0 0 4mm; }
h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; } table { border-collapse: collapse; }
td, th { border: 1px solid #bbb; padding: 1mm 3mm; } td.n { text-align: right; }
.sign { margin-top: 12mm; border-top: 1px solid #000; width: 90mm; padding-top: 1mm; }
"""


def render_html(review: Review, lang: str, *, organisation: str, made_on: date) -> str:
    out = [
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(label('title', lang))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(label('title', lang))}</h1><p>{escape(organisation)}</p>",
        f"<p>{escape(label('period', lang))}: {review.start.isoformat()} – {review.end.isoformat()}<br>",
        f"{escape(label('made', lang))}: {made_on.isoformat()}</p>",
    ]
    for block in blocks(review, lang):
        out.append(f"<h2>{escape(label(block.key, lang))}</h2><table>")
        out += [
            f'<tr><th>{escape(name)}</th><td class="n">{value}</td></tr>' for name, value in block.figures
        ]
        out.append("</table>")
        for heading, data in block.breakdowns:
            shown = ", ".join(f"{k}: {v}" for k, v in data.items()) or label("none", lang)
            out.append(f"<h3>{escape(heading)}</h3><p>{escape(shown)}</p>{bar_chart(data)}")
    out.append(f'<p class="sign">{escape(label("sign", lang))}</p></body></html>')
    return "".join(out)


def render_pdf(review: Review, lang: str, *, organisation: str, made_on: date) -> bytes:
    return html_to_pdf(render_html(review, lang, organisation=organisation, made_on=made_on))


def render_xlsx(review: Review, lang: str, *, organisation: str, made_on: date) -> bytes:
    """One sheet of every figure (section, item, count) and one sheet per breakdown with its chart."""
    book = Workbook()
    sheet = book.active
    if sheet is None:  # a new workbook has its sheet; this keeps the type checker sure of it
        sheet = book.create_sheet()
    sheet.title = "review"
    sheet.append([spreadsheet_safe(label("title", lang)), spreadsheet_safe(organisation)])
    sheet.append([label("period", lang), review.start.isoformat(), review.end.isoformat()])
    sheet.append([label("made", lang), made_on.isoformat()])
    sheet.append([label("section", lang), label("item", lang), label("value", lang)])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    number = 0
    for block in blocks(review, lang):
        section = label(block.key, lang)
        for name, value in block.figures:
            sheet.append([section, name, value])
        for heading, data in block.breakdowns:
            for key, value in data.items():
                sheet.append([section, f"{heading}: {spreadsheet_safe(key)}", value])
            if data:
                number += 1
                _chart_sheet(book, f"chart{number}", heading, data)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chart_sheet(book: Workbook, title: str, heading: str, data: dict[str, int]) -> None:
    sheet = book.create_sheet(title)
    sheet.append([heading, label("value", "en")])
    for key, value in data.items():
        sheet.append([spreadsheet_safe(key), value])
    chart = BarChart()
    chart.title = heading
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=len(data) + 1), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(data) + 1))
    sheet.add_chart(chart, "D2")
