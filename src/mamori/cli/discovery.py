"""`mamori discovery …`: detect personal data in text, scan systems and files, report against the map."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mamori.cli.common import cli_actor, fail, session_scope
from mamori.config import get_settings
from mamori.errors import MamoriError, ValidationFailed

if TYPE_CHECKING:
    from mamori.discovery.models import DiscoveryScan
    from mamori.policy.schema import PolicyBundle

app = typer.Typer(
    help="Find personal data the data map does not know about (ja, en, zh).", no_args_is_help=True
)
BundleOpt = typer.Option(None, "--bundle", "-b", help="A bundle directory; default the policy in force.")


def _bundle(directory: Path | None) -> PolicyBundle:
    from mamori.datamap.service import bundle_from_directory, current_bundle

    try:
        if directory is not None:
            return bundle_from_directory(directory)
    except MamoriError as exc:
        fail(exc)
    with session_scope() as session:
        return current_bundle(session)


def _phones(bundle_dir: Path | None, extra: list[str]) -> frozenset[str]:
    from mamori.discovery.engine import company_numbers

    phones = list(extra)
    if bundle_dir is not None:
        phones += _bundle(bundle_dir).discovery.company_phones
    return company_numbers(phones)


@app.command("detect")
def detect_cmd(
    text: str = typer.Argument(None, help="The text; default standard input."),
    company_phone: list[str] = typer.Option([], "--company-phone", help="The organisation's own numbers."),
) -> None:
    """Print the personal data found in a text as JSON lines (type, position, confidence, why).

    Example: echo '山田太郎様 090-1234-5678' | mamori discovery detect.
    """
    from mamori.discovery.engine import company_numbers, detect

    body = sys.stdin.read() if text is None else text
    for span in detect(body, company_phones=company_numbers(company_phone)):
        line = {"type": span.type, "start": span.start, "end": span.end,
                "confidence": round(span.confidence, 2), "why": span.why}  # fmt: skip
        typer.echo(json.dumps(line, ensure_ascii=False))


@app.command("scan")
def scan_cmd(  # noqa: PLR0913 - the options of a scan
    bundle: Path = BundleOpt,
    files: list[Path] = typer.Option([], "--files", help="A folder of files to scan (repeatable)."),
    url_env: list[str] = typer.Option(
        [], "--url-env", help="A variable holding the URL of a database not in the map."
    ),
    mode: str = typer.Option("sample", "--mode", help="sample (n rows per table or file) or full."),
    sample: int = typer.Option(200, "--sample", min=1, help="Rows per table or file in sample mode."),
    throttle: float = typer.Option(0.0, "--throttle", min=0.0, help="Seconds to wait between batches."),
    batch: int = typer.Option(200, "--batch", min=1, help="Rows per batch (one checkpoint each)."),
    resume: str = typer.Option(None, "--resume", help="The id of a scan to continue after a kill."),
    company_phone: list[str] = typer.Option([], "--company-phone", help="More numbers of the organisation."),
) -> None:
    """Scan the data map's systems and any folders or databases given; resumable; prints the scan id.

    Example: mamori discovery scan --bundle policies/aoki --files /srv/share --mode sample.
    """
    from mamori.discovery import runner
    from mamori.discovery.scan import Options

    if mode not in {"sample", "full"}:
        fail(ValidationFailed("--mode is sample or full"))
    options = Options(mode=mode, sample=sample, batch=batch, throttle=throttle,
                      company_phones=_phones(bundle, company_phone))  # fmt: skip
    systems = _bundle(bundle).datamap if bundle is not None else []
    try:
        scan_id = runner.scan(
            get_settings(), systems=systems, folders=files, url_envs=url_env, options=options,
            actor=cli_actor(), resume=uuid.UUID(resume) if resume else None, progress=_progress,
        )  # fmt: skip
    except MamoriError as exc:
        fail(exc)
    typer.echo(str(scan_id))


def _progress(scan: DiscoveryScan, source: str) -> None:
    typer.echo(
        f"{scan.sources_done}/{scan.sources_total} sources, {scan.rows_scanned} rows, "
        f"{scan.spans_found} spans — {source}",
        err=True,
    )


@app.command("status")
def status_cmd(scan_id: str = typer.Argument(..., help="The scan id.")) -> None:
    """Show a scan's progress (sources done, rows, spans) and status."""
    from mamori.discovery.scan import get_scan

    with session_scope() as session:
        scan = get_scan(session, _uuid(scan_id))
        typer.echo(f"{scan.status}: {scan.sources_done}/{scan.sources_total} sources, "
                   f"{scan.rows_scanned} rows, {scan.spans_found} spans ({scan.mode})")  # fmt: skip


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed("the scan id is not a UUID"))
        raise


@app.command("report")
def report_cmd(
    scan_id: str = typer.Argument(..., help="The scan id."),
    bundle: Path = BundleOpt,
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    output: Path = typer.Option(None, "--output", "-o", help="A file; default standard output."),
) -> None:
    """The findings of a scan against the data map, as CSV or JSON."""
    from mamori.discovery import findings, runner

    with session_scope() as session:
        found = findings.findings(runner.column_results(session, _uuid(scan_id)), _bundle(bundle).datamap)
    body = findings.report_csv(found) if fmt == "csv" else findings.report_json(found).encode()
    if output is None:
        sys.stdout.buffer.write(body)
    else:
        output.write_bytes(body)
    typer.echo(f"{len(found)} finding(s)", err=True)


@app.command("diff")
def diff_cmd(scan_id: str = typer.Argument(..., help="The scan id."), bundle: Path = BundleOpt) -> None:
    """Propose data-map entries for the personal columns a scan found outside the map (for review)."""
    from mamori.discovery import findings, runner

    with session_scope() as session:
        found = findings.findings(runner.column_results(session, _uuid(scan_id)), _bundle(bundle).datamap)
    text = findings.proposals(found)
    typer.echo(text or "# nothing to propose: the map covers every personal column found")
