"""Crawl a site in headless Chromium (Debian's, through Playwright), before and after consent.

Two fresh browser contexts visit the same pages: the first never touches the banner (what runs
before consent), the second clicks "accept all" on the first page (what runs once allowed). Each
records the cookies set and the hosts the browser sent requests to. :func:`scan_findings`
compares both with the inventory. Playwright is an optional dependency (``pip install mamori[scan]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from mamori.cookies.rules import Observation
from mamori.errors import ValidationFailed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
ACCEPT = '#mamori-banner [data-action="accept"]'
BANNER_PATH = "/static/banner/banner.js"


@dataclass(frozen=True, slots=True)
class ScanOptions:
    executable: str = CHROMIUM
    browser_args: tuple[str, ...] = ()
    settle_ms: int = 800
    timeout_ms: int = 15_000


@dataclass
class _Recorder:
    """Hosts requested; the host serving Mamori's banner is the organisation's own, not a recipient."""

    hosts: set[str] = field(default_factory=set)
    own: set[str] = field(default_factory=set)

    def request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.hostname and parts.scheme in {"http", "https"}:
            self.hosts.add(parts.hostname)
            if parts.path.endswith(BANNER_PATH):
                self.own.add(parts.hostname)


def _visit(
    context: BrowserContext, urls: Sequence[str], options: ScanOptions, *, accept: bool
) -> Observation:
    recorder = _Recorder()
    context.on("request", recorder.request)
    page = context.new_page()
    for index, url in enumerate(urls):
        page.goto(url, wait_until="load", timeout=options.timeout_ms)
        if accept and index == 0:
            page.locator(ACCEPT).click(timeout=options.timeout_ms)
            page.reload(wait_until="load", timeout=options.timeout_ms)
        page.wait_for_timeout(options.settle_ms)
    names = frozenset(str(cookie.get("name")) for cookie in context.cookies())
    context.close()
    return Observation(cookies=names, hosts=frozenset(recorder.hosts - recorder.own))


def crawl(urls: Sequence[str], options: ScanOptions | None = None) -> tuple[Observation, Observation]:
    """(before consent, after accepting all) over ``urls``.

    Raises:
        ValidationFailed: Playwright is not installed, or the browser cannot start.
    """
    options = options or ScanOptions()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        msg = "the scanner needs Playwright: pip install 'mamori[scan]' (and Debian's chromium)"
        raise ValidationFailed(msg, details={"errors": [msg]}) from exc
    with sync_playwright() as playwright:
        try:
            browser: Browser = playwright.chromium.launch(
                executable_path=options.executable, args=[*CHROMIUM_ARGS, *options.browser_args]
            )
        except Error as exc:
            msg = f"cannot start {options.executable}: {str(exc).splitlines()[0]}"
            raise ValidationFailed(msg, details={"errors": [msg]}) from exc
        try:
            before = _visit(browser.new_context(), urls, options, accept=False)
            after = _visit(browser.new_context(), urls, options, accept=True)
        except Error as exc:
            msg = f"the crawl failed (is Mamori's banner on {urls[0]}?): {str(exc).splitlines()[0]}"
            raise ValidationFailed(msg, details={"errors": [msg]}) from exc
        finally:
            browser.close()
    return before, after


def site_hosts(urls: Sequence[str]) -> set[str]:
    """The hosts of the crawled pages themselves (first party)."""
    return {host for url in urls if (host := urlsplit(url).hostname)}
