"""One execution of a run against the systems: traverse, apply, verify. No Mamori database here."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mamori.fulfillment import connectors as _connectors  # noqa: F401 - registers every connector kind
from mamori.fulfillment.actions import (
    TableResult,
    Work,
    access_tables,
    apply_action,
    key_seeds,
    leftover_copies,
    merge_seeds,
    verify_erasure,
)
from mamori.fulfillment.connectors.base import Connector, Key, connector_class
from mamori.fulfillment.package import build_package
from mamori.fulfillment.rules import Graph, Place
from mamori.fulfillment.traversal import Pending, traverse
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.datamap import System

Checkpoint = Callable[[Pending], bool]
_cache: dict[tuple[int, str], tuple[System, Connector]] = {}
_cache_lock = threading.Lock()


def _fingerprint(system: System, environ: Mapping[str, str]) -> tuple[int, str]:
    """The system (kept alive by the cache entry, so its id is not reused) and where it points now."""
    conn = system.connection
    return id(system), "|".join(environ.get(v or "", "") for v in (conn.url_env, conn.path_env))


def connectors_for(
    systems: Iterable[System], environ: Mapping[str, str] | None = None
) -> dict[str, Connector]:
    """One connector per system, kept for the process (pools and reflected tables are reused)."""
    env = os.environ if environ is None else environ
    out: dict[str, Connector] = {}
    with _cache_lock:
        for system in systems:
            key = _fingerprint(system, env)
            cached = _cache.get(key)
            if cached is None:
                cached = (system, connector_class(system.connection.kind)(system, env))
                _cache[key] = cached
            out[system.id] = cached[1]
    return out


def close_connectors() -> None:
    """Dispose of every pooled connection (tests, shutdown)."""
    with _cache_lock:
        for _, connector in _cache.values():
            connector.close()
        _cache.clear()


@dataclass
class Job:
    """Everything one execution needs, decrypted: kept in memory only."""

    run_id: str
    action: str
    case_ref: str
    language: str
    bundle: PolicyBundle
    graph: Graph
    identities: dict[str, list[str]]
    changes: dict[str, Any] = field(default_factory=dict)
    snapshot: Pending = field(default_factory=dict)


@dataclass
class Outcome:
    tables: list[TableResult]
    failed: dict[str, str]
    snapshot: Pending
    package: dict[str, Any] | None = None
    residual: dict[str, int] = field(default_factory=dict)


def perform(
    job: Job, *, secret: bytes, environ: Mapping[str, str] | None = None, checkpoint: Checkpoint | None = None
) -> Outcome | None:
    """Traverse from the identities (and keys of an earlier attempt), apply the action, verify erasure.

    ``checkpoint`` is handed the keys found before any system is changed (an attempt killed after
    that finds the same rows again, even those it had already erased); when it answers False the
    run is no longer this execution's, nothing is changed and None is returned.
    """
    graph = job.graph
    connectors = connectors_for(graph.systems.values(), environ)
    seeds = merge_seeds(graph.seeds(job.identities), job.snapshot)
    found = traverse(graph, connectors, seeds)
    failed = dict(found.failed)
    snapshot = merge_seeds(seeds, key_seeds(graph, found), found.unreached)
    if job.action == "access":
        package = build_package(
            graph, found, job.bundle, language=job.language, run_id=job.run_id, case_ref=job.case_ref
        )
        return Outcome(access_tables(graph, found), failed, snapshot, package)
    if checkpoint is not None and not checkpoint(snapshot):
        return None
    work = Work(job.run_id, job.case_ref, job.changes, secret)
    tables, apply_failed = apply_action(job.action, connectors, found, work)
    failed.update(apply_failed)
    outcome = Outcome(tables, failed, snapshot)
    if job.action == "erase":
        _verify(graph, connectors, snapshot, outcome)
    return outcome


def _verify(graph: Graph, connectors: Mapping[str, Connector], seeds: Pending, outcome: Outcome) -> None:
    reachable = {s: c for s, c in connectors.items() if s not in outcome.failed}
    left, again = verify_erasure(graph, reachable, seeds)
    for system, error in again.failed.items():
        outcome.failed.setdefault(system, error)
    for system, error in leftover_copies(reachable).items():
        outcome.failed.setdefault(system, error)
    by_table = {(t.system, t.dataset): t for t in outcome.tables}
    for (system, ds_id), fields in left.items():
        table = by_table.get((system, ds_id))
        if table is None:
            table = TableResult(system, ds_id, len(again.rows[system, ds_id]))
            outcome.tables.append(table)
        table.residual = sum(fields.values())
        for name, count in fields.items():
            outcome.residual[f"{system}.{ds_id}.{name}"] = count
        names = ", ".join(f"{system}.{ds_id}.{n}" for n in sorted(fields))
        outcome.failed.setdefault(system, f"{system}: erasure left personal values in {names}")


def snapshot_to_json(snapshot: Pending) -> list[dict[str, Any]]:
    return [
        {"system": s, "dataset": d, "columns": list(cols), "values": [list(v) for v in values]}
        for (s, d, cols), values in snapshot.items()
    ]


def snapshot_from_json(items: Sequence[Mapping[str, Any]]) -> Pending:
    out: dict[Place, set[Key]] = {}
    for item in items:
        place = (str(item["system"]), str(item["dataset"]), tuple(item["columns"]))
        out[place] = {tuple(v) for v in item["values"]}
    return out
