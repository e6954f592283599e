"""axe-core (vendored under tests/vendor, checked against its manifest) run in a Playwright page.

The pages forbid every script (CSP ``script-src 'none'``), so the check runs in a browser context
made with ``bypass_csp=True``; the pages themselves never load axe.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

VENDOR = Path(__file__).resolve().parents[2] / "vendor"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def axe_source() -> str:
    """axe.min.js, refused when its bytes differ from the manifest."""
    manifest = json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8"))
    package = next(p for p in manifest["packages"] if p["name"] == "axe-core")
    path = VENDOR / package["directory"] / "axe.min.js"
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == package["files"]["axe.min.js"], (
        "axe.min.js differs from the manifest"
    )
    source: str = data.decode("utf-8")
    return source


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.2 AA violations of the page as it is now (id, help, nodes)."""
    page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]
