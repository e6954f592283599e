"""A small shop site served locally, with tags held back by Mamori's banner, one early and one undeclared.

One HTTP server answers for every ``*.test`` host (Chromium maps them to 127.0.0.1 with
``--host-resolver-rules``): ``shop.test`` serves the pages, the other hosts serve the tags.

- ``ga`` (analytics, declared, held back), ``px`` (advertising, declared, held back);
- ``heatmap`` (analytics, declared) is included as a plain script: it runs before consent;
- ``tracker.test`` (held back under analytics) is in no inventory: undeclared;
- ``line`` (advertising) is declared but on no page: never seen.

Each tag appends its name to ``window.__ran``, sets its cookie and sends a beacon to its host.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from mamori.config import DEFAULT_POLICY_DIR

HOST_RULES = "--host-resolver-rules=MAP *.test 127.0.0.1"
TAGS = {"analytics.test": ("ga", "_ga"), "ads.test": ("px", "_px"), "heat.test": ("heatmap", "_hm"),
        "tracker.test": ("tracker", "_tr")}  # fmt: skip

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Shop</title>
<script src="{mamori}/static/banner/banner.js" data-property="shop" defer></script>
<script src="http://heat.test:{port}/tag.js"></script>
<script type="text/plain" data-category="analytics" src="http://analytics.test:{port}/tag.js"></script>
<script type="text/plain" data-category="advertising" src="http://ads.test:{port}/tag.js"></script>
<script type="text/plain" data-category="analytics" src="http://tracker.test:{port}/tag.js"></script>
</head><body><h1>Shop</h1><p><a href="/page2">More</a></p></body></html>
"""


def _tag(name: str, cookie: str, host: str, port: str) -> str:
    return (
        f"window.__ran = (window.__ran || []).concat([{name!r}]);"
        f"document.cookie = {cookie!r} + '=1; path=/';"
        f"new Image().src = 'http://{host}:{port}/collect';"
    )


class _Handler(BaseHTTPRequestHandler):
    mamori = ""

    def do_GET(self) -> None:
        host, _, port = (self.headers.get("Host") or "").partition(":")
        parts = urlsplit(self.path)
        if host == "shop.test" and parts.path in {"/", "/page2"}:
            lang = parse_qs(parts.query).get("lang", ["ja"])[0]
            self._send("text/html; charset=utf-8", PAGE.format(lang=lang, mamori=self.mamori, port=port))
        elif host in TAGS and parts.path == "/tag.js":
            name, cookie = TAGS[host]
            self._send("text/javascript", _tag(name, cookie, host, port))
        else:
            self._send("text/plain", "", status=204)

    def _send(self, media: str, body: str, status: int = 200) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        del format, args


@dataclass
class Site:
    port: int
    handler: type[_Handler]

    @property
    def url(self) -> str:
        return f"http://shop.test:{self.port}"

    def use_mamori(self, base_url: str) -> None:
        """Pages load the banner from this Mamori server."""
        self.handler.mamori = base_url


@contextmanager
def serve_site() -> Iterator[Site]:
    """Serve the shop and its tags on a free port."""
    handler: type[_Handler] = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(server.server_address[1], handler)
    finally:
        server.shutdown()
        server.server_close()


def _item(ident: str, category: str, host: str, cookie: str, *, linked: bool = False) -> str:
    text = f"{{ja: {ident}の説明, en: {ident} text, zh-Hans: {ident}说明, zh-Hant: {ident}說明}}"
    return f"""
        - id: {ident}
          name: "{ident} tag"
          kind: tag
          category: {category}
          linked_to_person: {str(linked).lower()}
          provider: {text}
          sent: {text}
          purpose: {text}
          destination: {{host: {host}, country: US}}
          retention: P1Y
          cookies: ["{cookie}"]"""


def shop_bundle(target: Path, port: int, *, extra_item: bool = False) -> Path:
    """The default bundle with an inventory for the shop at ``http://shop.test:port``."""
    destination = target / "bundle"
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(DEFAULT_POLICY_DIR, destination)
    text = (destination / "cookies.yaml").read_text(encoding="utf-8")
    head = text[: text.index("  properties:")]
    items = [
        _item("consent", "necessary", "shop.test", "mamori_consent"),
        _item("ga", "analytics", "analytics.test", "_ga"),
        _item("heatmap", "analytics", "heat.test", "_hm"),
        _item("px", "advertising", "ads.test", "_px", linked=True),
        _item("line", "advertising", "line.test", "_lt", linked=True),
    ]
    if extra_item:
        items.append(_item("survey", "analytics", "survey.test", "_sv"))
    prop = f"""  properties:
    - id: shop
      name: {{ja: ショップ, en: Shop, zh-Hans: 商店, zh-Hant: 商店}}
      origins: ["http://shop.test:{port}"]
      items:{"".join(items)}
"""
    (destination / "cookies.yaml").write_text(head + prop, encoding="utf-8")
    return destination
