"""Every page and API answer carries the security headers; the API docs come from Mamori's origin only."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page

from mamori.web.api_docs import STATIC

PAGES = [
    "/privacy?lang=en",
    "/privacy.pdf?lang=en",
    "/joint-use?lang=en",
    "/incidents/INC-1999-0001?lang=en",
    "/requests/new?lang=en",
    "/requests/confirm/nope?lang=en",
    "/requests/download/nope?lang=en",
    "/contact?lang=en",
    "/console/login",
    "/api/v1/docs",
    "/api/v1/openapi.json",
    "/api/v1/policy",
]
PRIVATE = [p for p in PAGES if p.startswith(("/requests", "/contact", "/console", "/api/"))]


def _csp(header: str) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.usefixtures("published")
class TestHeaders:
    @pytest.mark.parametrize("path", PAGES)
    def test_each_response_forbids_framing_sniffing_and_foreign_sources(
        self, client: TestClient, path: str
    ) -> None:
        response = client.get(path)
        assert response.status_code < 500
        csp = _csp(response.headers["content-security-policy"])
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["default-src"] in {"default-src 'self'", "default-src 'none'"}
        assert "'unsafe-eval'" not in response.headers["content-security-policy"]
        assert "script-src" not in csp or "'unsafe-inline'" not in csp["script-src"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] in {"strict-origin-when-cross-origin", "no-referrer"}
        assert response.headers["x-frame-options"] == "DENY"

    @pytest.mark.parametrize("path", PRIVATE)
    def test_pages_with_personal_data_are_not_cached(self, client: TestClient, path: str) -> None:
        assert client.get(path).headers["cache-control"] == "no-store"


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in {"src", "href"} and v]
        if tag == "script" and "src" not in found:
            self.inline_scripts += 1


class TestApiDocs:
    def test_the_docs_page_names_no_other_host_and_runs_no_inline_script(self, client: TestClient) -> None:
        page = client.get("/api/v1/docs")
        assert page.status_code == 200
        sources = _Sources()
        sources.feed(page.text)
        assert sources.urls
        assert all(urlsplit(url).netloc == "" and url.startswith("/") for url in sources.urls), sources.urls
        assert sources.inline_scripts == 0
        for url in sources.urls:
            assert client.get(url).status_code == 200, url

    def test_the_vendored_files_are_the_ones_in_the_manifest(self) -> None:
        manifest = json.loads((STATIC / "manifest.json").read_text())
        for package in manifest["packages"]:
            assert {"name", "version", "licence"} <= package.keys()
            folder = STATIC / package["directory"]
            assert sorted(p.name for p in folder.iterdir()) == sorted(package["files"])
            for name, digest in package["files"].items():
                assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


@pytest.mark.browser
def test_swagger_ui_loads_with_no_request_to_another_origin(base_url: str, page: Page) -> None:
    requested: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base_url}/api/v1/docs")
    page.wait_for_selector(".opblock-tag", timeout=30_000)  # the operations, drawn from openapi.json
    # Swagger UI draws the tags one after another: wait for more than five rather than count at once
    # Swagger UI draws only the sections in view (a virtual list): scroll and collect their names
    tags: set[str] = set()
    for _ in range(40):
        tags.update(page.locator(".opblock-tag").all_inner_texts())
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    assert len(tags) > 5, tags
    assert page.locator(".info .title").first.inner_text().startswith("Mamori")
    origin = urlsplit(base_url).netloc
    assert requested
    assert [url for url in requested if urlsplit(url).netloc != origin] == []
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
