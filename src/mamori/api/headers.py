"""Security headers on every response of the app: pages, API, files.

Content-Security-Policy: everything from Mamori's own origin only, no script at all on the pages
(they have none) and only same-origin script files on the API docs; no framing. Inline ``<style>``
stays allowed: the pages carry their own style sheet so that the same HTML prints to PDF.
Referrer-Policy ``strict-origin-when-cross-origin``: a link out of a page carrying a token in its
path (download, confirmation) gives the other site only Mamori's origin, while the browser keeps
sending ``Origin`` on Mamori's own form posts (``no-referrer`` makes that ``null``).
A route that sets one of these headers itself (the console's stricter CSP) keeps its own.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    + _COMMON
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:;"
    " connect-src 'self'; " + _COMMON
)
DOCS_PATH = "/api/v1/docs"
# Pages and answers that may show personal data: never kept by a browser or a shared cache.
PRIVATE_PREFIXES = ("/console", "/requests", "/contact", "/preferences", "/api/")


def headers_for(path: str) -> dict[str, str]:
    """The security headers of a response to ``path``."""
    headers = {
        "Content-Security-Policy": DOCS_CSP if path == DOCS_PATH else PAGE_CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
    if path.startswith(PRIVATE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders:
    """ASGI middleware adding :func:`headers_for` to every HTTP response (headers already set win)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
