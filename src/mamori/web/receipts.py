"""The consent receipt as an HTML page and as a PDF (used by the API and the CLI)."""

from __future__ import annotations

from mamori.notices import messages, receipt_messages
from mamori.notices.pdf import html_to_pdf
from mamori.notices.receipt import ConsentReceipt
from mamori.web.templating import render


def receipt_html(receipt: ConsentReceipt, *, for_print: bool = False) -> str:
    """A whole HTML document in the receipt's language (no language switcher: it is one person's)."""
    labels = {**messages.labels(receipt.lang), **receipt_messages.labels(receipt.lang)}
    return render("public/receipt.html", lang=receipt.lang, labels=labels, receipt=receipt,
                  languages=[], for_print=for_print)  # fmt: skip


def receipt_pdf(receipt: ConsentReceipt) -> bytes:
    return html_to_pdf(receipt_html(receipt, for_print=True))
