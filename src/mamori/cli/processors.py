"""`mamori processors …`: processors, assessments, sub-processors and entrustments."""

from __future__ import annotations

from datetime import date

import typer

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.cli.consents import parse_uuid, readable_errors
from mamori.cli.provisions import ItemsOpt, JsonOpt, echo_json, split_items
from mamori.errors import ValidationFailed

app = typer.Typer(help="Processors, assessments, sub-processors and entrustments.", no_args_is_help=True)


@app.command("list")
def processors_list_cmd(as_json: bool = JsonOpt) -> None:
    """Processors with their duties, group membership and contract.

    Example: mamori processors list.
    """
    from mamori.provisions.processors import list_processors

    with session_scope() as session:
        found = list_processors(session)
        if as_json:
            echo_json([
                {"key": p.key, "country": p.country, "duties": f.duties, "in_group": f.in_group,
                 "contract_end": f.contract_end, "assessment_interval": f.assessment_interval}
                for p, f in found
            ])  # fmt: skip
            return
        for p, f in found:
            typer.echo(f"{p.key:<28} {p.country}  every {f.assessment_interval:<5} {','.join(f.duties)}")


@app.command("register")
def processors_register_cmd(  # noqa: PLR0913 - the fields of a processor
    key: str = typer.Argument(..., help="Party key of a processor the policy declares."),
    duty: list[str] = typer.Option(..., "--duty", help="A duty of the policy; repeat for several."),
    in_group: bool = typer.Option(False, "--in-group", help="The processor is an AOKI Group company."),
    contract_start: str = typer.Option(None, help="YYYY-MM-DD."),
    contract_end: str = typer.Option(None, help="YYYY-MM-DD."),
    interval: str = typer.Option("P1Y", help="Periodic assessment interval (ISO 8601 period)."),
) -> None:
    """Complete a processor's profile: duties, group, contract, assessment interval.

    Example: mamori processors register sample_mailing_house --duty promotional_printing --interval P6M.
    """
    from mamori.provisions.processors import ProcessorInput, register_processor

    data = ProcessorInput(key, duty, in_group, _date(contract_start), _date(contract_end), interval)
    with session_scope() as session, readable_errors():
        register_processor(session, actor=cli_actor(), data=data)
        typer.echo(f"registered processor {key} ({', '.join(duty)})")


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(ValidationFailed("not a date", details={"errors": [f"{text}: use YYYY-MM-DD"]}))
        raise


@app.command("assess")
def processors_assess_cmd(
    key: str = typer.Argument(..., help="Party key of the processor."),
    kind: str = typer.Option("periodic", help="pre_selection or periodic."),
    on: str = typer.Option(None, help="Date of the assessment (YYYY-MM-DD); default today."),
    result: str = typer.Option(..., help="pass, conditional or fail."),
    evidence: str = typer.Option(..., help="Where the evidence is kept."),
) -> None:
    """Record an assessment of a processor.

    Example: mamori processors assess sample_mailing_house --result pass --evidence audit/2026.pdf.
    """
    from mamori.consents.decisions.rules import tokyo_date
    from mamori.db.base import utcnow
    from mamori.provisions.processors import record_assessment

    with session_scope() as session, readable_errors():
        when = _date(on) or tokyo_date(utcnow())
        item = record_assessment(
            session,
            actor=cli_actor(),
            processor=key,
            kind=kind,
            assessed_on=when,
            result=result,
            evidence_ref=evidence,
        )
        typer.echo(f"assessment {item.id}: {key} {kind} {result}")


@app.command("overdue")
def processors_overdue_cmd() -> None:
    """Processors never assessed or whose periodic assessment is past due (exit 1 when any).

    Example: mamori processors overdue.
    """
    from mamori.provisions.processors import overdue_assessments

    with session_scope() as session:
        found = overdue_assessments(session)
        for item in found:
            since = (
                f"due {item.due_on}, {item.days_overdue} day(s) overdue" if item.due_on else "never assessed"
            )
            typer.echo(f"{item.processor:<28} {since}")
        typer.echo(f"{len(found)} overdue")
    if found:
        raise typer.Exit(1)


@app.command("entrust")
def processors_entrust_cmd(
    key: str = typer.Argument(..., help="Party key of the processor."),
    duty: str = typer.Option(..., help="The duty the items are entrusted for."),
    items: str = ItemsOpt,
) -> None:
    """Entrust items to a processor for one duty; items beyond what the duty needs are flagged.

    Example: mamori processors entrust sample_mailing_house --duty promotional_printing --items name,address.
    """
    from mamori.provisions.entrustments import entrust

    with session_scope() as session, readable_errors():
        item = entrust(session, actor=cli_actor(), processor=key, duty=duty, items=split_items(items))
        typer.echo(f"entrustment {item.id}: {','.join(item.items)} to {key} for {duty}")
        if item.excess_items:
            typer.secho(
                f"  flagged: {duty} does not need {','.join(item.excess_items)}", fg=typer.colors.YELLOW
            )


@app.command("sub-processor")
def processors_sub_cmd(  # noqa: PLR0913 - the fields of a sub-processor
    key: str = typer.Argument(..., help="Party key of the processor."),
    name: str = typer.Argument(..., help="The sub-processor's name."),
    country: str = typer.Option("JP", help="ISO 3166-1 alpha-2 country code."),
    duty: list[str] = typer.Option(..., "--duty", help="A duty it takes on; repeat for several."),
    measures_basis: str = typer.Option(None, help="Equivalent measures (a sub-processor abroad)."),
    measures_checked_on: str = typer.Option(None, help="When the measures were last checked (YYYY-MM-DD)."),
    measures_interval: str = typer.Option(None, help="How often they are checked (ISO 8601 period)."),
) -> None:
    """Register a processor's sub-processor; it stays pending until an officer approves it.

    Example: mamori processors sub-processor sample_mailing_house "Print Ltd." --duty promotional_printing.
    """
    from mamori.provisions.subprocessors import SubProcessorInput, register_sub_processor

    data = SubProcessorInput(
        name, country, duty, measures_basis, _date(measures_checked_on), measures_interval
    )
    with session_scope() as session, readable_errors():
        sub = register_sub_processor(session, actor=cli_actor(), processor=key, data=data)
        typer.echo(f"sub-processor {sub.id}: {shown(sub.name)} ({sub.country}) pending approval")


@app.command("sub-processors")
def processors_subs_cmd(
    key: str = typer.Argument(..., help="Party key of the processor."), as_json: bool = JsonOpt
) -> None:
    """A processor's sub-processors with their approval status and foreign-transfer route.

    Example: mamori processors sub-processors sample_mailing_house.
    """
    from mamori.consents.decisions.rules import tokyo_date
    from mamori.db.base import utcnow
    from mamori.provisions.subprocessors import list_sub_processors, route_of

    with session_scope() as session:
        today = tokyo_date(utcnow())
        rows = [
            {"id": str(s.id), "name": s.name, "country": s.country, "duties": s.duties, "status": s.status,
             "route": route_of(s, today).route, "decided_on": s.decided_on, "decided_by": s.decided_by,
             "evidence_ref": s.evidence_ref}
            for s in list_sub_processors(session, key)
        ]  # fmt: skip
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        decided = f"{row['decided_on']} by {row['decided_by']}" if row["decided_on"] else "-"
        typer.echo(
            f"{row['id']}  {row['status']:<8} {row['country']} {row['route']:<19} {decided:<30} {row['name']}"
        )
    typer.echo(f"{len(rows)} sub-processor(s)")


def _decide(key: str, sub_id: str, by: str, evidence: str, on: str | None, *, approve: bool) -> None:  # noqa: PLR0913
    from mamori.provisions.subprocessors import decide_sub_processor

    sid = parse_uuid(sub_id, "sub_id")
    with session_scope() as session, readable_errors():
        sub = decide_sub_processor(
            session, actor=cli_actor(), processor=key, sub_id=sid, approve=approve, decided_by=by,
            evidence_ref=evidence, decided_on=_date(on),
        )  # fmt: skip
        typer.echo(f"sub-processor {sub.id}: {sub.status} on {sub.decided_on} by {shown(sub.decided_by)}")


DecidedBy = typer.Option(..., "--by", help="User name of the deciding privacy officer or admin.")
Evidence = typer.Option(..., "--evidence", help="Where the evidence is kept.")
DecidedOn = typer.Option(None, "--on", help="Day of the decision (YYYY-MM-DD); default today.")


@app.command("approve-sub-processor")
def processors_approve_cmd(
    key: str = typer.Argument(..., help="Party key of the processor."),
    sub_id: str = typer.Argument(..., help="Sub-processor id (UUID)."),
    by: str = DecidedBy,
    evidence: str = Evidence,
    on: str = DecidedOn,
) -> None:
    """Approve a pending sub-processor (audited).

    Example: mamori processors approve-sub-processor sample_mailing_house 5d1e... --by sato --evidence c.pdf.
    """
    _decide(key, sub_id, by, evidence, on, approve=True)


@app.command("refuse-sub-processor")
def processors_refuse_cmd(
    key: str = typer.Argument(..., help="Party key of the processor."),
    sub_id: str = typer.Argument(..., help="Sub-processor id (UUID)."),
    by: str = DecidedBy,
    evidence: str = Evidence,
    on: str = DecidedOn,
) -> None:
    """Refuse a pending sub-processor, or withdraw an approval (audited).

    Example: mamori processors refuse-sub-processor sample_mailing_house 5d1e... --by sato --evidence m.eml.
    """
    _decide(key, sub_id, by, evidence, on, approve=False)
