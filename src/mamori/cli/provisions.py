"""`mamori provisions …` and `mamori processors …`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from sqlalchemy.orm import Session

from mamori.cli.common import cli_actor, fail, session_scope, shown
from mamori.cli.consents import parse_uuid, readable_errors
from mamori.config import get_settings
from mamori.errors import PolicyViolation, ValidationFailed

app = typer.Typer(
    help="Third-party provision records and receipts from other businesses.", no_args_is_help=True
)

SubjectsOpt = typer.Option(None, "--subject", help="Subject id (UUID); repeat for several.")
SubjectsFile = typer.Option(None, "--subjects-file", help="A file with one subject id per line.")
ItemsOpt = typer.Option(..., "--items", help="Data items, comma-separated, e.g. name,address.")
JsonOpt = typer.Option(False, "--json", help="Print JSON.")
PurposeOpt = typer.Option(..., "--purpose", help="A purpose id declared for the persons concerned.")


def _subjects(ids: list[str] | None, path: Path | None) -> list[uuid.UUID]:
    lines = list(ids or [])
    if path is not None:
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [parse_uuid(text, f"subjects[{i}]") for i, text in enumerate(lines)]


def split_items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def echo_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@app.command("provide")
def provide_cmd(  # noqa: PLR0913 - the fields of a provision
    recipient: str = typer.Argument(..., help="Party key of the recipient, e.g. sample_credit_bureau."),
    subject: list[str] = SubjectsOpt,
    subjects_file: Path = SubjectsFile,
    items: str = ItemsOpt,
    basis: str = typer.Option("consent", help="consent, joint_use or an exception code (law, ...)."),
    justification: str = typer.Option(None, help="Written justification (required for an exception)."),
    approved_by: str = typer.Option(None, help="User name of the approving privacy officer (exceptions)."),
    purpose: str = typer.Option(None, help="A purpose that names third-party provision."),
    lang: str = typer.Option("ja", help="Language of the refusal reasons: ja, en, zh-Hans, zh-Hant."),
    as_json: bool = JsonOpt,
) -> None:
    """Provide data to a recipient; persons without a basis are refused, each with the reason.

    Example: mamori provisions provide sample_credit_bureau --subject 3f2b...e1 --items name,address.
    """
    from mamori.provisions.gate import ProvisionRequest, provide
    from mamori.provisions.messages import reason_dict

    ids = _subjects(subject, subjects_file)
    request = ProvisionRequest(recipient, ids, split_items(items), basis, justification, approved_by, purpose)
    typer.echo(f"checking {len(ids):,} subject(s) for {recipient} …", err=True)
    with session_scope() as session, readable_errors():
        outcome = provide(session, get_settings(), actor=cli_actor(), request=request)
        provision = outcome.provision
        refused: list[dict[str, Any]] = [
            {"subject_id": str(r.subject_id), "reasons": [reason_dict(x, lang) for x in r.reasons]}
            for r in outcome.refused
        ]
        if as_json:
            echo_json({"provision_id": str(provision.id), "provided": provision.provided, "refused": refused})
            return
        typer.echo(
            f"provision {provision.id}: {provision.provided} provided, {provision.refused} refused "
            f"(basis {provision.basis}, route {provision.route}, Art. 29 record: {provision.art29_record})"
        )
        for entry in refused:
            typer.echo(
                f"  refused {entry['subject_id']}: " + "; ".join(r["message"] for r in entry["reasons"])
            )


@app.command("records")
def records_cmd(
    subject: str = typer.Argument(..., help="Subject id (UUID)."),
    purpose: str = PurposeOpt,
    as_json: bool = JsonOpt,
) -> None:
    """A person's provision and receipt records, oldest first (the read is audited).

    Example: mamori provisions records 3f2b...e1 --purpose customer.sales --json.
    """
    from mamori.provisions.reading import read_records_for_subject

    subject_id = parse_uuid(subject, "subject_id")
    with session_scope() as session, _keep_refusal(session):
        records = read_records_for_subject(session, actor=cli_actor(), subject_id=subject_id, purpose=purpose)
        if as_json:
            echo_json([r.as_dict() for r in records])
            return
        for r in records:
            typer.echo(
                f"{r.at:%Y-%m-%d %H:%M}  {r.kind:<9} {r.party['key']:<28} {','.join(r.items):<30} "
                f"{r.basis or '-':<10} keep until {r.retention_end:%Y-%m-%d}"
            )
        typer.echo(f"{len(records)} record(s)")


@app.command("show")
def show_cmd(
    provision: str = typer.Argument(..., help="Provision id (UUID)."),
    purpose: str = PurposeOpt,
    limit: int = typer.Option(1_000, min=1, max=10_000, help="Persons listed (at most 10,000)."),
    offset: int = typer.Option(0, min=0, help="Persons skipped (to page through a large provision)."),
    as_json: bool = JsonOpt,
) -> None:
    """One provision: recipient, basis, items, route, retention end and its persons (the read is audited).

    Example: mamori provisions show 0b1c...9f --purpose customer.credit.
    """
    from mamori.provisions.reading import read_provision

    provision_id = parse_uuid(provision, "provision_id")
    with session_scope() as session, _keep_refusal(session):
        view = read_provision(
            session, get_settings(), actor=cli_actor(), provision_id=provision_id, purpose=purpose,
            limit=limit, offset=offset,
        )  # fmt: skip
        p = view.provision
        body = {
            "provision_id": str(p.id), "recipient": p.recipient_snapshot, "basis": p.basis,
            "art29_record": p.art29_record, "items": p.items, "country": p.country, "route": p.route,
            "justification": view.justification, "approved_by": p.approved_by, "provided_at": p.provided_at,
            "requested_by": p.requested_by, "provided_count": p.provided, "refused_count": p.refused,
            "retention_end": view.retention_end, "persons_total": view.persons_total,
            "persons": [
                {"subject_id": str(x.subject_id), "consent_event_id": x.consent_event_id,
                 "retention_end": x.retention_end}
                for x in view.persons
            ],
        }  # fmt: skip
        if as_json:
            echo_json(body)
            return
        end = f"{view.retention_end:%Y-%m-%d}" if view.retention_end else "-"
        typer.echo(
            f"provision {p.id} at {p.provided_at:%Y-%m-%d %H:%M} to {p.recipient_snapshot['key']} "
            f"({p.recipient_snapshot['name'].get('ja', '')}, {p.country}, route {p.route})"
        )
        typer.echo(f"  basis {p.basis}, Art. 29 record: {p.art29_record}, items {','.join(p.items)}")
        if view.justification:
            typer.echo(f"  justification: {shown(view.justification)} (approved by {shown(p.approved_by)})")
        typer.echo(f"  {p.provided} provided, {p.refused} refused; records kept until {end}")
        for person in view.persons:
            typer.echo(f"  {person.subject_id}  keep until {person.retention_end:%Y-%m-%d}")
        typer.echo(f"{len(view.persons)} of {view.persons_total} person(s) listed")


@contextmanager
def _keep_refusal(session: Session) -> Iterator[None]:
    """A read refused for its purpose is audited: keep that event, then fail."""
    try:
        yield
    except PolicyViolation:
        session.commit()
        raise


@app.command("receive")
def receive_cmd(
    provider: str = typer.Argument(..., help="Party key of the business the data came from."),
    subject: list[str] = SubjectsOpt,
    subjects_file: Path = SubjectsFile,
    items: str = ItemsOpt,
    acquisition: str = typer.Option(..., help="How the provider had acquired the data."),
) -> None:
    """Record data received from another business (APPI Art. 30).

    Example: mamori provisions receive sample_broker --subject 3f2b...e1 --items name --acquisition web.
    """
    from mamori.provisions.receipts import ReceiptRequest, record_receipt

    request = ReceiptRequest(provider, _subjects(subject, subjects_file), split_items(items), acquisition)
    with session_scope() as session, readable_errors():
        receipt = record_receipt(session, actor=cli_actor(), request=request)
        typer.echo(f"receipt {receipt.id}: {receipt.subjects} person(s) from {shown(provider)}")


@app.command("sweep")
def sweep_cmd() -> None:
    """Delete provision and receipt records past their retention end (audited).

    Example: mamori provisions sweep.
    """
    from mamori.provisions.service import sweep_expired_records

    with session_scope() as session:
        result = sweep_expired_records(session, actor=cli_actor())
        typer.echo(
            f"deleted {result.provision_records} provision record(s), {result.receipt_records} receipt "
            f"record(s), {result.provisions} provision(s), {result.receipts} receipt(s)"
        )


@app.command("parties")
def parties_cmd(
    kind: str = typer.Option(None, help="recipient, group_company, processor or provider."),
    as_json: bool = JsonOpt,
) -> None:
    """Recipients, group companies, processors and providers.

    Example: mamori provisions parties --kind recipient.
    """
    from mamori.provisions.parties import list_parties

    with session_scope() as session:
        found = list_parties(session, kind=kind)
        if as_json:
            echo_json([{"key": p.key, "kind": p.kind, "name": p.name, "country": p.country} for p in found])
            return
        for party in found:
            typer.echo(f"{party.key:<28} {party.kind:<14} {party.country}  {shown(party.name.get('ja', ''))}")


@app.command("country")
def country_cmd(
    code: str = typer.Argument(..., help="ISO 3166-1 alpha-2 code of the country, e.g. SG."),
    lang: str = typer.Option("ja", help="Language shown to the person: ja, en, zh-Hans, zh-Hant."),
    as_json: bool = JsonOpt,
) -> None:
    """What to show before a cross_border:<code> consent, and the notice_hash the consent must carry.

    Example: mamori provisions country SG --lang en.
    """
    from dataclasses import asdict

    from mamori.provisions.countries import country_notice

    with session_scope() as session, readable_errors():
        notice = country_notice(session, code, lang)
        if as_json:
            echo_json({**asdict(notice), "scope": notice.scope})
            return
        typer.echo(notice.text)
        typer.echo(
            f"\nnotice_hash {notice.notice_hash}  (scope {notice.scope}, policy v{notice.policy_version})"
        )
        if notice.sample:
            typer.secho(
                "sample text: the organisation has yet to review it", fg=typer.colors.YELLOW, err=True
            )


@app.command("pipl-counters")
def pipl_cmd(year: int = typer.Option(None, help="Calendar year; default this year.")) -> None:
    """Persons of PIPL jurisdiction whose data went abroad this year, with the CAC thresholds.

    Example: mamori provisions pipl-counters --year 2026.
    """
    from mamori.provisions.counters import pipl_counters

    with session_scope() as session:
        echo_json(pipl_counters(session, year=year).as_dict())


@app.command("joint-use-changes")
def joint_use_changes_cmd(
    old: str = typer.Argument(..., help="A version number, 'current' or 'latest'."),
    new: str = typer.Argument(..., help="A version number, or a bundle directory."),
) -> None:
    """Classify the joint-use changes between two versions (or a version and a directory).

    Example: mamori provisions joint-use-changes current policies/aoki.
    """
    from mamori.policy import service
    from mamori.policy.rules import classify_joint_use

    with session_scope() as session:
        before = service.get_version(session, old).content
        path = Path(new)
        if path.is_dir():
            result = service.check_bundle(path)
            if result.bundle is None:
                fail(
                    ValidationFailed(
                        "the bundle is invalid", details={"errors": [str(e) for e in result.errors]}
                    )
                )
                return
            after = service.bundle_content(result.bundle)
        else:
            after = service.get_version(session, new).content
        changes = classify_joint_use(before.get("joint_use"), after.get("joint_use"))
        for change in changes:
            typer.echo(f"{change.kind.value:<22} {shown(change.path):<36} {shown(change.detail)}")
        typer.echo(f"{len(changes)} joint-use change(s)")
