"""HTML to PDF with WeasyPrint, with CJK fonts chosen by the document's language.

The font stack follows the ``lang`` attribute so that Japanese, Simplified and Traditional
Chinese each get their own glyph forms (Noto Sans CJK JP / SC / TC from Debian's
``fonts-noto-cjk``); the fonts are embedded as subsets and the text stays extractable.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

_SANS = '"Noto Sans", "DejaVu Sans", sans-serif'
FONT_STACKS: dict[str, str] = {
    "ja": f'"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", {_SANS}',
    "en": '"Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", sans-serif',
    "zh-Hans": f'"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", {_SANS}',
    "zh-Hant": f'"Noto Sans CJK TC", "Noto Sans TC", "Noto Sans CJK HK", {_SANS}',
}


def font_css() -> str:
    """CSS that picks the font stack by ``:lang()``; Japanese is the fallback for unmarked text."""
    rules = [f"html {{ font-family: {FONT_STACKS['ja']}; }}"]
    rules += [f":lang({lang}) {{ font-family: {stack}; }}" for lang, stack in FONT_STACKS.items()]
    return "\n".join(rules)


_PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm; }
html { font-size: 10pt; line-height: 1.6; }
"""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried inside the PDF (a viewer lists it; ``pdfdetach`` saves it)."""

    name: str
    content: bytes
    description: str


# Pango and fontconfig are not safe to drive from several threads at once.
_lock = threading.Lock()


def html_to_pdf(html: str, base_url: str | None = None, attachments: Sequence[Attachment] = ()) -> bytes:
    """Render ``html`` (a whole document with ``<html lang=…>``) to PDF bytes.

    Args:
        html: the document; its own stylesheets may refine the page and fonts set here with more
            specific selectors (these defaults are applied after them).
        base_url: where relative links and images are resolved; None when the document has none.
        attachments: files embedded in the PDF as they are.
    """
    import weasyprint

    defaults = weasyprint.CSS(string=_PAGE_CSS + font_css())
    files = [
        weasyprint.Attachment(string=a.content, name=a.name, description=a.description) for a in attachments
    ]
    with _lock:
        document = weasyprint.HTML(string=html, base_url=base_url)
        pdf: bytes = document.write_pdf(stylesheets=[defaults], attachments=files)
    return pdf
