"""`mamori pms …`: risk register, internal audits, corrective actions, training, management review."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.cli.consents import readable_errors
from mamori.config import get_settings
from mamori.errors import ValidationFailed

app = typer.Typer(
    help="Management system: risks, audits, corrective actions, training, management review.",
    no_args_is_help=True,
)
risks_app = typer.Typer(help="The risk register (ledger dataset x life-cycle stage).", no_args_is_help=True)
audits_app = typer.Typer(help="Internal audits: plan, checklist, findings, evidence.", no_args_is_help=True)
actions_app = typer.Typer(
    help="Corrective actions of every source (incidents' included).", no_args_is_help=True
)
training_app = typer.Typer(help="Training records and who is overdue.", no_args_is_help=True)
app.add_typer(risks_app, name="risks")
app.add_typer(audits_app, name="audits")
app.add_typer(actions_app, name="actions")
app.add_typer(training_app, name="training")


def _date(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(ValidationFailed("not a date", details={"errors": [f"{field}: {text}: use YYYY-MM-DD"]}))
        raise


def _uuid(text: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        fail(ValidationFailed("not an id", details={"errors": [f"{field}: {text}"]}))
        raise


@risks_app.command("add")
def risks_add_cmd(  # noqa: PLR0913 - the facts of a risk
    dataset: str = typer.Argument(..., help="Ledger dataset as system.dataset (e.g. shop.customer)."),
    stage: str = typer.Option(..., help="acquisition, use, storage, provision or disposal."),
    risk: str = typer.Option(..., help="What could go wrong."),
    owner: str = typer.Option(..., help="Who owns the risk (staff user name)."),
    likelihood: int = typer.Option(..., help="1 (rare) to 5 (almost certain)."),
    impact: int = typer.Option(..., help="1 (negligible) to 5 (severe)."),
    residual_likelihood: int = typer.Option(..., help="Likelihood with the measures in place."),
    residual_impact: int = typer.Option(..., help="Impact with the measures in place."),
    measure: list[str] = typer.Option([], "--measure", help="Safety-measure id of the policy; repeat."),
    review_on: str = typer.Option(None, help="YYYY-MM-DD; default by the residual level."),
) -> None:
    """Register a risk of one ledger dataset at one stage.

    Example: mamori pms risks add shop.customer --stage storage --risk "Backups on laptops" --owner hana
    --likelihood 3 --impact 4 --residual-likelihood 2 --residual-impact 3 --measure access_control.
    """
    from mamori.pms.risks import RiskInput, register_risk

    system, _, name = dataset.partition(".")
    data = RiskInput(
        system,
        name,
        stage,
        risk,
        owner,
        likelihood,
        impact,
        residual_likelihood,
        residual_impact,
        list(measure),
        _date(review_on, "review_on"),
    )
    with session_scope() as session, readable_errors():
        found = register_risk(session, actor=cli_actor(), data=data)
        typer.echo(
            f"risk {found.id}: score {likelihood * impact}, residual "
            f"{residual_likelihood * residual_impact}, review on {found.review_on}"
        )


@risks_app.command("rate")
def risks_rate_cmd(  # noqa: PLR0913
    risk_id: str = typer.Argument(..., help="Id of the risk."),
    likelihood: int = typer.Option(...),
    impact: int = typer.Option(...),
    residual_likelihood: int = typer.Option(...),
    residual_impact: int = typer.Option(...),
    measure: list[str] = typer.Option(None, "--measure", help="Replace the measures; repeat."),
) -> None:
    """Review a risk: a new rating kept beside the earlier ones.

    Example: mamori pms risks rate 1b2c… --likelihood 2 --impact 4 --residual-likelihood 1
    --residual-impact 3.
    """
    from mamori.pms.risks import RatingInput, rate_risk

    data = RatingInput(
        likelihood, impact, residual_likelihood, residual_impact, list(measure) if measure else None
    )
    with session_scope() as session, readable_errors():
        found = rate_risk(session, actor=cli_actor(), risk_id=_uuid(risk_id, "risk"), data=data)
        typer.echo(
            f"risk {found.id}: residual {residual_likelihood * residual_impact}, review on {found.review_on}"
        )


@risks_app.command("list")
def risks_list_cmd(
    overdue: bool = typer.Option(False, "--overdue", help="Only those past their review date."),
) -> None:
    """The register: dataset, stage, score → residual (level), owner, review date.

    Example: mamori pms risks list --overdue.
    """
    from mamori.pms.common import today
    from mamori.pms.risks import list_risks
    from mamori.pms.rules import Rating

    with session_scope() as session:
        found = list_risks(session, overdue_on=today() if overdue else None)
        for r in found:
            residual = Rating(r.residual_likelihood, r.residual_impact)
            typer.echo(
                f"{r.id}  {r.system}.{r.dataset:<14} {r.stage:<12} {r.likelihood * r.impact:>2} → "
                f"{residual.score:>2} ({residual.level})  {shown(r.owner)}  review {r.review_on}  "
                f"{shown(r.description)}"
            )
        typer.echo(f"{len(found)} risk(s)")


@audits_app.command("plan")
def audits_plan_cmd(
    scope: str = typer.Option(..., help="What the audit covers."),
    start: str = typer.Option(..., "--from", help="YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="YYYY-MM-DD."),
    auditor: str = typer.Option(..., help="Who audits (independent of the scope)."),
) -> None:
    """Plan an internal audit.

    Example: mamori pms audits plan --scope "Shop systems" --from 2026-12-10 --to 2026-12-12 --auditor ken.
    """
    from mamori.pms.audits import AuditPlan, plan_audit

    plan = AuditPlan(scope, _date(start, "from") or date.min, _date(end, "to") or date.min, auditor)
    with session_scope() as session, readable_errors():
        audit = plan_audit(session, actor=cli_actor(), plan=plan)
        typer.echo(f"planned {audit.reference} ({audit.id})")


@audits_app.command("checklist")
def audits_checklist_cmd(
    lang: str = typer.Option("ja", "--lang", help="ja, en, zh-Hans or zh-Hant."),
) -> None:
    """The checklist as the bundle and registers stand today (exit 1 when a check fails).

    Example: mamori pms audits checklist --lang en.
    """
    from mamori.pms.audits import checklist

    with session_scope() as session:
        items = checklist(session)
        for item in items:
            mark = "ok  " if item.passed else "FAIL"
            detail = f"  ({shown(item.detail)})" if item.detail and not item.passed else ""
            typer.echo(f"{mark} {item.code:<22} {shown(item.subject):<28} {item.text(lang)}{detail}")
        failed = sum(1 for item in items if not item.passed)
        typer.echo(f"{len(items)} checks, {failed} failed")
    if failed:
        raise typer.Exit(1)


@audits_app.command("start")
def audits_start_cmd(audit: str = typer.Argument(..., help="Reference (AUD-2026-001) or id.")) -> None:
    """Start an audit: its checklist is derived now and kept with it."""
    from mamori.pms.audits import find_audit, start_audit

    with session_scope() as session, readable_errors():
        found = start_audit(session, actor=cli_actor(), audit_id=find_audit(session, audit).id)
        failed = sum(1 for item in found.checklist if not item["passed"])
        typer.echo(f"{found.reference} in progress: {len(found.checklist)} checks, {failed} failed")


@audits_app.command("finding")
def audits_finding_cmd(
    audit: str = typer.Argument(..., help="Reference or id."),
    kind: str = typer.Option(
        ..., help="conformity, observation, minor_nonconformity or major_nonconformity."
    ),
    text: str = typer.Option(..., help="What was found (stored encrypted)."),
    check: str = typer.Option(None, help="Checklist code it concerns."),
    evidence: list[Path] = typer.Option([], "--evidence", help="A file kept encrypted as evidence; repeat."),
) -> None:
    """Record a finding of an audit in progress, with evidence files.

    Example: mamori pms audits finding AUD-2026-001 --kind minor_nonconformity --text "…"
    --evidence photo.jpg.
    """
    from mamori.pms.audits import add_finding, attach_evidence, find_audit

    settings = get_settings()
    with session_scope(settings) as session, readable_errors():
        found = find_audit(session, audit)
        finding = add_finding(
            session, settings, actor=cli_actor(), audit_id=found.id, kind=kind, text=text, check_code=check
        )
        for path in evidence:
            attach_evidence(
                session,
                settings,
                actor=cli_actor(),
                finding_id=finding.id,
                name=path.name,
                data=path.read_bytes(),
            )
        typer.echo(f"finding {finding.id} ({kind}), {len(evidence)} evidence file(s) sealed")


@audits_app.command("complete")
def audits_complete_cmd(audit: str = typer.Argument(..., help="Reference or id.")) -> None:
    """Complete an audit in progress."""
    from mamori.pms.audits import complete_audit, find_audit

    with session_scope() as session, readable_errors():
        found = complete_audit(session, actor=cli_actor(), audit_id=find_audit(session, audit).id)
        typer.echo(f"{found.reference} completed")


@audits_app.command("list")
def audits_list_cmd() -> None:
    """Audits, newest first."""
    from mamori.pms.audits import findings, list_audits

    with session_scope() as session:
        for a in list_audits(session):
            typer.echo(
                f"{a.reference}  {a.starts_on}…{a.ends_on}  {a.state:<12} {shown(a.auditor)}  "
                f"{len(findings(session, a.id))} finding(s)  {shown(a.scope)}"
            )


@actions_app.command("add")
def actions_add_cmd(
    source: str = typer.Option(..., help="audit, complaint, review or other (incidents keep their own)."),
    title: str = typer.Option(..., help="What will be done (stored encrypted)."),
    owner: str = typer.Option(..., help="Who does it."),
    due: str = typer.Option(..., help="YYYY-MM-DD."),
    ref: str = typer.Option(None, help="Where it comes from: audit reference, inquiry reference, …"),
) -> None:
    """Record a corrective action.

    Example: mamori pms actions add --source audit --ref AUD-2026-001 --title "Lock the archive" --owner hana
    --due 2027-01-31.
    """
    from mamori.pms.actions import ActionInput, add_action

    settings = get_settings()
    data = ActionInput(source, title, owner, _date(due, "due") or date.min, ref)
    with session_scope(settings) as session, readable_errors():
        action = add_action(session, settings, actor=cli_actor(), data=data)
        typer.echo(f"action {action.id} due {action.due_on}")


@actions_app.command("done")
def actions_done_cmd(action: str = typer.Argument(..., help="Id of the action.")) -> None:
    """Mark an action done (it then waits for verification of its effect)."""
    from mamori.pms.actions import complete_action

    with session_scope() as session, readable_errors():
        complete_action(session, actor=cli_actor(), action_id=_uuid(action, "action"))
        typer.echo(f"action {action} done; verify its effect with 'mamori pms actions verify'")


@actions_app.command("verify")
def actions_verify_cmd(
    action: str = typer.Argument(..., help="Id of the action."),
    effective: bool = typer.Option(..., "--effective/--not-effective", help="Did it work?"),
    note: str = typer.Option(..., help="How the effect was checked (stored encrypted)."),
) -> None:
    """Verify the effect of a done action (not by its owner); not effective opens it again."""
    from mamori.pms.actions import verify_action

    settings = get_settings()
    with session_scope(settings) as session, readable_errors():
        found = verify_action(
            session,
            settings,
            actor=cli_actor(),
            action_id=_uuid(action, "action"),
            effective=effective,
            note=note,
        )
        typer.echo(f"action {found.id}: {found.state}")


@actions_app.command("list")
def actions_list_cmd(open_only: bool = typer.Option(False, "--open", help="Only those not closed.")) -> None:
    """Every corrective action, incidents' included, by due date (OVERDUE marked)."""
    from mamori.pms.actions import all_actions

    settings = get_settings()
    with session_scope(settings) as session:
        found = all_actions(session, settings, open_only=open_only)
        for a in found:
            late = "OVERDUE " if a.overdue else ""
            typer.echo(
                f"{a.id}  {a.due_on}  {late}{a.state:<9} {a.source:<9} {shown(a.source_ref or '-'):<14} "
                f"{shown(a.owner)}  {shown(a.title)}"
            )
        typer.echo(f"{len(found)} action(s), {sum(1 for a in found if a.overdue)} overdue")


@training_app.command("record")
def training_record_cmd(
    course: str = typer.Option(...),
    person: str = typer.Option(..., help="Staff user name."),
    on: str = typer.Option(..., help="YYYY-MM-DD."),
    result: str = typer.Option(..., help="passed, failed or attended."),
    valid_months: int = typer.Option(12, help="How long it counts."),
) -> None:
    """Record one attendance of a course.

    Example: mamori pms training record --course privacy-basics --person aiko --on 2026-04-01 --result passed.
    """
    from mamori.pms.training import TrainingInput, record_training

    data = TrainingInput(course, person, _date(on, "on") or date.min, result, valid_months)
    with session_scope() as session, readable_errors():
        record = record_training(session, actor=cli_actor(), data=data)
        typer.echo(
            f"recorded {record.course} for {shown(record.person)}, valid until {record.valid_until or '-'}"
        )


@training_app.command("overdue")
def training_overdue_cmd(course: str = typer.Option(None)) -> None:
    """Who has no valid pass of a course (exit 1 when anyone)."""
    from mamori.pms.training import overdue

    with session_scope() as session:
        found = overdue(session, course=course)
        for d in found:
            since = f"expired {d.expired_on}" if d.expired_on else "no valid record"
            typer.echo(f"{shown(d.person):<20} {d.course:<24} {since}")
        typer.echo(f"{len(found)} overdue")
    if found:
        raise typer.Exit(1)


@app.command("review")
def review_cmd(
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD, Japan time)."),
    end: str = typer.Option(..., "--to", help="Last day (YYYY-MM-DD)."),
    lang: str = typer.Option("ja", "--lang", help="ja, en, zh-Hans or zh-Hant."),
    pdf: Path = typer.Option(None, "--pdf", help="Write the report as PDF here."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Write the figures as XLSX here."),
) -> None:
    """The management-review report top management signs: PDF with charts and XLSX.

    Example: mamori pms review --from 2026-04-01 --to 2027-03-31 --lang en --pdf review.pdf
    --xlsx review.xlsx.
    """
    from mamori.pms.common import bundle, today
    from mamori.pms.review.figures import compute_review
    from mamori.pms.review.labels import LANGUAGES
    from mamori.pms.review.report import blocks, render_pdf, render_xlsx

    if lang not in LANGUAGES:
        fail(
            ValidationFailed("unknown language", details={"errors": [f"lang: one of {', '.join(LANGUAGES)}"]})
        )
    settings = get_settings()
    first, last = _date(start, "from") or date.min, _date(end, "to") or date.min
    with session_scope(settings) as session, readable_errors():
        review = compute_review(session, settings, first, last)
        organisation = bundle(session).controller.name.get(lang)
        made = today()
        if pdf is not None:
            pdf.write_bytes(render_pdf(review, lang, organisation=organisation, made_on=made))
        if xlsx is not None:
            xlsx.write_bytes(render_xlsx(review, lang, organisation=organisation, made_on=made))
        for block in blocks(review, lang):
            typer.echo(" / ".join(f"{name} {value}" for name, value in block.figures))
