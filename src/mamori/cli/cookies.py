"""``mamori cookies``: scan a site for cookies and tags the inventory does not declare; diff inventories."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from mamori.cli.common import fail, session_scope, shown
from mamori.cookies.rules import ScanReport, diff_inventories, scan_findings
from mamori.errors import MamoriError, NotFound, ValidationFailed
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle

app = typer.Typer(
    help="Cookies and tags: scan a site against the inventory, diff inventories.", no_args_is_help=True
)


def _bundle(directory: Path | None) -> PolicyBundle:
    if directory is not None:
        result = load_bundle(directory)
        if result.bundle is None:
            errors = [str(error) for error in result.errors]
            raise ValidationFailed("the policy bundle is invalid", details={"errors": errors})
        return result.bundle
    from mamori.policy.service import bundle_of, require_current_version

    with session_scope() as session:
        return bundle_of(require_current_version(session))


def _print(report: ScanReport) -> None:
    sections = (
        ("undeclared cookies", report.undeclared_cookies),
        ("undeclared third-party hosts", report.undeclared_hosts),
        ("declared tags running before consent", report.before_consent),
        ("declared items never seen", report.never_seen),
        ("declared items seen", report.seen),
    )
    for title, values in sections:
        typer.echo(f"{title}: {', '.join(shown(v) for v in values) if values else '-'}")


@app.command("scan")
def scan_cmd(  # noqa: PLR0913 - the command's options
    urls: list[str] = typer.Argument(
        ..., help="Pages of the site to visit (the first one shows the banner)."
    ),
    web_property: str = typer.Option("www", "--property", help="The web property of the inventory."),
    policy: Path | None = typer.Option(None, help="Bundle directory; default: the published policy."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
    chromium: str = typer.Option("/usr/bin/chromium", help="The Chromium to drive."),
    browser_arg: list[str] = typer.Option([], help="An extra Chromium switch (repeatable)."),
) -> None:
    """Visit URLS before and after accepting all; exit 1 when something undeclared or early ran.

    Example: mamori cookies scan https://www.aoki-style.com/ https://www.aoki-style.com/shop.
    """
    from mamori.cookies.scanner import ScanOptions, crawl, site_hosts

    try:
        bundle = _bundle(policy)
        prop = bundle.cookies.property(web_property)
        if prop is None:
            raise NotFound(f"no web property {web_property!r} in the cookie inventory")
        before, after = crawl(urls, ScanOptions(executable=chromium, browser_args=tuple(browser_arg)))
    except MamoriError as exc:
        fail(exc)
        raise  # fail() always exits
    report = scan_findings(bundle.cookies, prop, site_hosts(urls), before, after)
    if as_json:
        typer.echo(json.dumps({**asdict(report), "clean": report.clean}, ensure_ascii=False, indent=2))
    else:
        _print(report)
    if not report.clean:
        raise typer.Exit(1)


@app.command("diff")
def diff_cmd(old: Path, new: Path) -> None:
    """Item by item, what changed between the inventories of two bundle directories."""
    try:
        changes = diff_inventories(_bundle(old).cookies, _bundle(new).cookies)
    except MamoriError as exc:
        fail(exc)
        raise
    for change in changes:
        fields = f" ({', '.join(change.fields)})" if change.fields else ""
        typer.echo(f"{change.kind.value}: {shown(change.property_id)}/{shown(change.item_id)}{fields}")
    if not changes:
        typer.echo("no change to the cookie inventory")
