"""`mamori datamap …` and `mamori fulfillment …`: the data map and runs across systems."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.config import get_settings
from mamori.datamap import fideslang, ledger
from mamori.datamap.service import bundle_from_directory, check_live, current_bundle, map_warnings
from mamori.db.session import make_engine, make_session_factory
from mamori.dsr.service.runs import start_case_run
from mamori.errors import Forbidden, MamoriError, ValidationFailed
from mamori.fulfillment import service
from mamori.fulfillment.break_glass import start_break_glass_run
from mamori.fulfillment.package import letter_section
from mamori.fulfillment.schemas import RunRead
from mamori.policy.schema import PolicyBundle
from mamori.security.rules import Scope
from mamori.security.service import staff_principal

app = typer.Typer(
    help="The data map: systems, tables, fields and how to erase or suspend them.", no_args_is_help=True
)
fulfillment_app = typer.Typer(
    help="Find, correct, suspend and erase a person's data across systems.", no_args_is_help=True
)
BundleOpt = typer.Option(
    None, "--bundle", "-b", help="A bundle directory; default the policy in force (published)."
)
LangOpt = typer.Option("ja", "--lang", help="ja, en, zh-Hans or zh-Hant.")
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of text.")


def _bundle(directory: Path | None) -> PolicyBundle:
    try:
        if directory is not None:
            return bundle_from_directory(directory)
    except MamoriError as exc:
        fail(exc)
    with session_scope() as session:
        return current_bundle(session)


@app.command("show")
def show_cmd(bundle: Path = BundleOpt, lang: str = LangOpt) -> None:
    """List the systems and datasets of the map with their personal fields.

    Example: mamori datamap show --bundle policies/aoki.
    """
    for system in _bundle(bundle).datamap:
        typer.echo(f"{system.id}  ({system.connection.kind})  {shown(system.name.get(lang))}")
        for dataset in system.datasets:
            fields = ", ".join(f"{f.name}:{f.erasure}" for f in dataset.personal_fields)
            typer.echo(f"  {dataset.id}  {shown(dataset.name.get(lang))}  [{fields}]")


@app.command("check")
def check_cmd(bundle: Path = BundleOpt) -> None:
    """Compare the map with the live schema: missing tables and columns, unmapped personal-looking columns.

    Connection URLs come from the environment variables the map names. Exit code 1 when
    anything differs. Example: SHOP_DB_URL=postgresql+psycopg://… mamori datamap check -b policies/aoki.
    """
    found = _bundle(bundle)
    for warning in map_warnings(found):
        typer.secho(f"warning: {warning}", fg=typer.colors.YELLOW, err=True)
    systems = found.datamap
    typer.echo(f"checking {len(systems)} system(s) against their live schema…", err=True)
    findings = check_live(systems)
    for finding in findings:
        typer.secho(
            f"{shown(finding.where)}: {finding.kind}: {shown(finding.message)}", fg=typer.colors.YELLOW
        )
    if findings:
        typer.echo(f"{len(findings)} difference(s) between the map and the live schema", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {sum(len(s.datasets) for s in systems)} dataset(s) match the live schema")


@app.command("import-fideslang")
def import_fideslang_cmd(
    file: Path = typer.Argument(..., help="A fideslang dataset YAML file (Fides)."),
    out: Path = typer.Option(None, "--out", "-o", help="Write datamap/<id>.yaml files into this folder."),
    kind: str = typer.Option("postgresql", help="Connection kind of the imported systems."),
    url_env: str = typer.Option(None, help="Environment variable of the URL; default <ID>_URL."),
) -> None:
    """Turn a fideslang dataset file into data-map systems, mapping its categories to data items.

    Example: mamori datamap import-fideslang shop_dataset.yml --out policies/aoki/datamap.
    """
    try:
        imported = fideslang.import_fideslang(file, kind=kind, url_env=url_env)
    except MamoriError as exc:
        fail(exc)
        raise
    for system_id, system in imported.systems.items():
        text = fideslang.to_yaml(system)
        if out is None:
            typer.echo(text)
            continue
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{system_id}.yaml").write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out / f'{system_id}.yaml'} ({len(system['datasets'])} datasets)", err=True)
    for line in imported.unmapped:
        typer.secho(f"no data item for {line}; map it by hand", fg=typer.colors.YELLOW, err=True)


@app.command("ledger")
def ledger_cmd(
    bundle: Path = BundleOpt,
    lang: str = LangOpt,
    fmt: str = typer.Option("csv", "--format", help="csv or xlsx."),
    out: Path = typer.Option(None, "--out", "-o", help="File to write; default standard output (CSV only)."),
) -> None:
    """Export the personal-information ledger (JIS Q 15001 columns) as CSV or XLSX.

    Example: mamori datamap ledger --format xlsx --out ledger.xlsx.
    """
    if fmt not in {"csv", "xlsx"} or (fmt == "xlsx" and out is None):
        fail(ValidationFailed("format: csv, or xlsx with --out FILE"))
    rows = ledger.ledger_rows(_bundle(bundle), lang)
    data = ledger.ledger_csv(rows) if fmt == "csv" else ledger.ledger_xlsx(rows)
    if out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
        return
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(rows) - 1} line(s))", err=True)


def _identities(email: str | None, phone: str | None, pairs: list[str]) -> list[tuple[str, str]]:
    found = [("email", email)] if email else []
    found += [("phone", phone)] if phone else []
    for pair in pairs:
        kind, sep, value = pair.partition("=")
        if not sep:
            fail(ValidationFailed("identifier: write KIND=VALUE, e.g. member_number=LC000000000001"))
        found.append((kind.strip(), value))
    return [(k, v) for k, v in found if v]


def _changes(pairs: list[str]) -> dict[str, str] | None:
    changes = {}
    for pair in pairs:
        target, sep, value = pair.partition("=")
        if not sep:
            fail(ValidationFailed("change: write TARGET=VALUE, e.g. phone=09012345678"))
        changes[target.strip()] = value
    return changes or None


def _print_run(view: RunRead, *, as_json: bool, package: bool) -> None:
    if as_json:
        typer.echo(json.dumps(view.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    typer.echo(f"run {view.id}  {view.action}  {view.status}  case {view.case_ref}  attempts {view.attempts}")
    for system in view.systems:
        colour = typer.colors.RED if system.status == "failed" else None
        typer.secho(
            f"  {system.system}: {system.status}" + (f"  ({system.error})" if system.error else ""), fg=colour
        )
        for t in system.tables:
            typer.echo(f"    {t.dataset}: found {t.found}, changed {t.changed}, residual {t.residual}")
    if package and view.package is not None:
        section = letter_section(view.package)
        typer.echo(f"\n{section.title}\n{section.intro}")
        for table in section.tables:
            typer.echo(f"\n[{table.heading}]\n" + " | ".join(table.labels))
            for row in table.rows:
                typer.echo(" | ".join(row))


@fulfillment_app.command("run")
def run_cmd(  # noqa: PLR0913 - one option per input of a run
    action: str = typer.Argument(..., help="access, correct, suspend or erase."),
    case: str = typer.Option(None, "--case", help="The accepted request case this run answers (reference)."),
    email: str = typer.Option(None, help="E-mail address of the person (must be the case's person)."),
    phone: str = typer.Option(None, help="Phone number of the person (must be the case's person)."),
    identifier: list[str] = typer.Option([], "--identifier", "-i", help="Another identity KIND=VALUE."),
    change: list[str] = typer.Option(
        [], "--change", help="Correction ITEM=VALUE or system.dataset.field=VALUE."
    ),
    lang: str = typer.Option(None, "--lang", help="ja, en, zh-Hans or zh-Hant; default the case's."),
    break_glass: bool = typer.Option(
        False, "--break-glass", help="A run without a case: privacy officer only, with --reason and --as."
    ),
    reason: str = typer.Option(None, "--reason", help="Why a break-glass run is needed (30+ characters)."),
    as_user: str = typer.Option(None, "--as", help="The privacy officer's user name (break-glass)."),
    queue_only: bool = typer.Option(False, "--queue-only", help="Leave the work to the job worker."),
    as_json: bool = JsonOpt,
) -> None:
    """Start a run for an accepted request case and (unless --queue-only) execute it now.

    Example: mamori fulfillment run erase --case R20261201-1A2B3C.
    """
    settings = get_settings()
    identities = _identities(email, phone, identifier)
    with session_scope(settings) as session:
        if break_glass:
            run_id = _break_glass(session, action, identities, case, _changes(change), lang, reason, as_user)
        else:
            if not case:
                fail(ValidationFailed("--case: name the accepted request case (or --break-glass)"))
            run_id = start_case_run(
                session,
                actor=cli_actor(),
                case_ref=case,
                action=action,
                identities=identities,
                changes=_changes(change),
                language=lang,
                settings=settings,
            )
    if not queue_only:
        typer.echo(f"run {run_id}: working on the systems…", err=True)
        _execute(run_id)
    with session_scope(settings) as session:
        _print_run(service.get_run(session, run_id), as_json=as_json, package=action == "access")


def _break_glass(  # noqa: PLR0913
    session: Session,
    action: str,
    identities: list[tuple[str, str]],
    reference: str | None,
    changes: dict[str, str] | None,
    lang: str | None,
    reason: str | None,
    as_user: str | None,
) -> uuid.UUID:
    """The CLI's break-glass: only in the name of an active privacy officer (``--as``), audited."""
    if not as_user:
        fail(ValidationFailed("--as: a break-glass run is the privacy officer's; give their user name"))
    officer = staff_principal(session, as_user or "")
    if Scope.FULFILLMENT_BREAK_GLASS not in officer.scopes:
        fail(Forbidden(f"{officer.username} ({officer.role.value}) may not start a break-glass run"))
    return start_break_glass_run(
        session,
        actor=f"{cli_actor()} as {officer.actor}",
        reason=reason or "",
        action=action,
        identities=identities,
        reference=reference,
        changes=changes,
        language=lang or "ja",
    )


def _execute(run_id: uuid.UUID) -> None:
    engine = make_engine(get_settings().database_url)
    try:
        service.execute_run(make_session_factory(engine), run_id)
    except MamoriError as exc:
        fail(exc)
    finally:
        engine.dispose()


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed("run_id: not a UUID"))
        raise


@fulfillment_app.command("show")
def show_run_cmd(
    run_id: str = typer.Argument(..., help="A run id."),
    package: bool = typer.Option(False, "--package", help="Also print the access package (personal data)."),
    as_json: bool = JsonOpt,
) -> None:
    """Show a run: state, counts and errors per system and table.

    Example: mamori fulfillment show 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10 --package.
    """
    with session_scope() as session:
        ident = _uuid(run_id)
        view = (
            service.read_package(session, ident, actor=cli_actor())
            if package
            else service.get_run(session, ident, include_package=False)
        )
    _print_run(view, as_json=as_json, package=package)


@fulfillment_app.command("retry")
def retry_cmd(
    run_id: str = typer.Argument(..., help="A failed run's id."),
    queue_only: bool = typer.Option(False, "--queue-only", help="Leave the work to the job worker."),
) -> None:
    """Run a failed run again (after the system that failed is back).

    Example: mamori fulfillment retry 3f2b0c1e-8d8a-4c55-9a57-0a4f3c1d2e10.
    """
    ident = _uuid(run_id)
    with session_scope() as session:
        service.retry_run(session, actor=cli_actor(), run_id=ident)
    if not queue_only:
        _execute(ident)
    with session_scope() as session:
        _print_run(service.get_run(session, ident, include_package=False), as_json=False, package=False)
