"""The data map of a bundle directory or of the policy in force, and its check against the live schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from mamori.datamap.rules import looks_personal
from mamori.errors import NotFound, ValidationFailed
from mamori.fulfillment.connectors.base import ConnectorError
from mamori.fulfillment.runner import connectors_for
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.datamap import System
from mamori.policy.service import bundle_of, require_current_version


def bundle_from_directory(directory: Path) -> PolicyBundle:
    """A validated bundle; ValidationFailed lists each problem as ``file:line: field: message``."""
    result = load_bundle(directory)
    if result.bundle is None:
        raise ValidationFailed(
            "the policy bundle is invalid", details={"errors": [str(e) for e in result.errors]}
        )
    return result.bundle


NO_MAP_WARNING = (
    "the bundle has no data map (datamap/*.yaml): disclosure, correction and erasure requests search"
    " no system; their tasks wait (reason no_datamap) until a policy with a data map is published"
)


def map_warnings(bundle: PolicyBundle) -> list[str]:
    """What an operator should know about the bundle's data map before publishing it."""
    return [] if bundle.datamap else [NO_MAP_WARNING]


def current_bundle(session: Session) -> PolicyBundle:
    """The policy in force. Raises NotFound when none is published or it has no data map."""
    bundle = bundle_of(require_current_version(session))
    if not bundle.datamap:
        raise NotFound("the policy in force has no data map (datamap/*.yaml)")
    return bundle


@dataclass(frozen=True, slots=True)
class Finding:
    """One difference between the map and the live schema; ``where`` is system.dataset[.column]."""

    kind: str  # unreachable | missing_table | missing_column | unmapped_personal
    where: str
    message: str


def check_live(systems: list[System]) -> list[Finding]:
    """Missing tables and columns, and personal-looking columns the map does not mention."""
    findings: list[Finding] = []
    for system_id, connector in connectors_for(systems).items():
        try:
            live = connector.describe()
        except ConnectorError as exc:
            findings.append(Finding("unreachable", system_id, str(exc)))
            continue
        findings += _system_findings(connector.system, live)
    return findings


def _system_findings(system: System, live: dict[str, dict[str, str]]) -> list[Finding]:
    findings = []
    mapped_tables = {d.table_name for d in system.datasets}
    for dataset in system.datasets:
        where = f"{system.id}.{dataset.id}"
        columns = live.get(dataset.table_name)
        if columns is None:
            findings.append(
                Finding("missing_table", where, f"the table {dataset.table_name!r} does not exist")
            )
            continue
        findings += [
            Finding("missing_column", f"{where}.{name}", "the column does not exist")
            for name in dataset.columns
            if name not in columns
        ]
        findings += [
            Finding("unmapped_personal", f"{where}.{c}", "looks personal but is not in the map")
            for c in columns
            if c not in dataset.columns and looks_personal(c)
        ]
    for table, columns in sorted(live.items()):
        if table not in mapped_tables and any(looks_personal(c) for c in columns):
            personal = ", ".join(c for c in columns if looks_personal(c))
            findings.append(
                Finding(
                    "unmapped_personal",
                    f"{system.id}.{table}",
                    f"a table not in the map with personal-looking columns: {personal}",
                )
            )
    return findings
