"""Apply an action to what the traversal found: correct, suspend or erase, one transaction per system.

Each action returns, per system and table, the rows found and the values changed in each place
(field), so the run can report them. Erasure then runs the traversal again, from the identities
and from the keys of every row it touched, and counts any personal value left.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from mamori.fulfillment.connectors.base import Change, Connector, ConnectorError, Delete, Key, Row, Update
from mamori.fulfillment.rules import (
    Graph,
    correction_targets,
    delete_order,
    erased_counts,
    erasure_changes,
    residual_fields,
)
from mamori.fulfillment.traversal import Found, Pending, traverse
from mamori.policy.sections.datamap import Dataset, FieldMap, System

WEBHOOK_TIMEOUT = 10


@dataclass
class TableResult:
    system: str
    dataset: str
    found: int
    changed: int = 0
    residual: int = 0
    places: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Work:
    """What one action needs besides the rows: the run's ids (for webhooks), corrections, the hash key."""

    run_id: str
    case_ref: str
    changes: Mapping[str, Any] = field(default_factory=dict)
    secret: bytes = b""


SystemResult = tuple[list[TableResult], str | None]


def _place(dataset: Dataset, name: str, changed: int, **extra: Any) -> dict[str, Any]:
    item = dataset.field(name)
    return {"field": name, "item": item.item if item else None, "changed": changed, **extra}


def access_tables(graph: Graph, found: Found) -> list[TableResult]:
    """Per table, the rows found and how many values each personal field holds."""
    out = []
    for (system, ds_id), rows in sorted(found.rows.items()):
        dataset = graph.dataset(system, ds_id)
        places = [
            _place(dataset, f.name, 0, values=sum(1 for r in rows.values() if r.get(f.name) is not None))
            for f in dataset.personal_fields
        ]
        out.append(TableResult(system, ds_id, len(rows), places=places))
    return out


def _correct(connector: Connector, found: Found, work: Work) -> list[TableResult]:
    system = connector.system
    planned: list[tuple[Dataset, str, Update]] = []
    for ds_id, rows in found.in_system(system.id).items():
        dataset = graph_dataset(system, ds_id)
        for column, value in correction_targets(dataset, system.id, work.changes).items():
            planned.append(
                (dataset, column, Update(ds_id, tuple(rows), {column: value}, only_different=True))
            )
    counts = connector.apply([change for _, _, change in planned]) if planned else []
    results = _tables(system, found)
    for (dataset, column, _), count in zip(planned, counts, strict=True):
        results[dataset.id].changed += count
        results[dataset.id].places.append(_place(dataset, column, count))
    return list(results.values())


def _suspend(connector: Connector, found: Found, work: Work) -> list[TableResult]:
    system = connector.system
    results = _tables(system, found)
    flagged: list[tuple[Dataset, Update]] = []
    for ds_id, rows in found.in_system(system.id).items():
        dataset = graph_dataset(system, ds_id)
        mechanism = dataset.suspension
        if mechanism is not None and mechanism.flag is not None:
            flag = mechanism.flag
            flagged.append(
                (dataset, Update(ds_id, tuple(rows), {flag.column: flag.value}, only_different=True))
            )
        elif mechanism is not None and mechanism.webhook is not None:
            hook = mechanism.webhook
            url = connector.setting(hook.url, hook.url_env)
            _call_webhook(url, system.id, ds_id, tuple(rows), work)
            results[ds_id].changed += len(rows)
            results[ds_id].places.append({"field": None, "item": None, "changed": len(rows), "webhook": True})
    counts = connector.apply([u for _, u in flagged]) if flagged else []
    for (dataset, change), count in zip(flagged, counts, strict=True):
        results[dataset.id].changed += count
        results[dataset.id].places.append(_place(dataset, next(iter(change.values)), count, flag=True))
    return list(results.values())


def _call_webhook(url: str, system: str, dataset: str, keys: Sequence[Key], work: Work) -> None:
    """POST the keys to suspend; the same run and table always send the same idempotency key."""
    body = {
        "action": "suspend",
        "run_id": work.run_id,
        "case_ref": work.case_ref,
        "system": system,
        "dataset": dataset,
        "keys": [list(k) for k in keys],
    }
    request = urllib.request.Request(  # noqa: S310 - the URL is the organisation's own, from its bundle
        url,
        data=json.dumps(body, ensure_ascii=False, default=str).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": f"{work.run_id}:{system}:{dataset}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            response.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "code", None) or type(exc).__name__
        raise ConnectorError(f"{system}: the suspension webhook for {dataset} failed ({reason})") from None


def _erase(connector: Connector, found: Found, work: Work) -> list[TableResult]:
    system = connector.system
    present = found.in_system(system.id)
    results = _tables(system, found)
    order = {d: i for i, d in enumerate(delete_order(system))}
    updates: list[Change] = []
    deletes: list[Change] = []
    for ds_id in sorted(present, key=lambda d: order.get(d, 0)):
        dataset = graph_dataset(system, ds_id)
        counts = erased_counts(dataset, present[ds_id].values())
        for change in erasure_changes(dataset, present[ds_id], work.secret):
            (deletes if isinstance(change, Delete) else updates).append(change)
        results[ds_id].changed = sum(counts.values())
        results[ds_id].places = [
            _erasure_place(dataset, f, counts, present[ds_id]) for f in dataset.personal_fields
        ]
    connector.apply([*updates, *deletes])  # children's rows go before the rows they refer to
    return list(results.values())


def _erasure_place(
    dataset: Dataset, field_map: FieldMap, counts: dict[str, int], rows: Mapping[Key, Row]
) -> dict[str, Any]:
    extra: dict[str, Any] = {"strategy": field_map.erasure}
    if field_map.erasure == "keep" and field_map.legal_reason is not None:
        extra["kept"] = sum(1 for row in rows.values() if row.get(field_map.name) is not None)
        extra["legal_reason"] = field_map.legal_reason.model_dump(by_alias=True)
    return _place(dataset, field_map.name, counts.get(field_map.name, 0), **extra)


def graph_dataset(system: System, ds_id: str) -> Dataset:
    dataset = system.dataset(ds_id)
    if dataset is None:
        raise KeyError(ds_id)
    return dataset


def _tables(system: System, found: Found) -> dict[str, TableResult]:
    return {
        ds_id: TableResult(system.id, ds_id, len(rows)) for ds_id, rows in found.in_system(system.id).items()
    }


APPLY: dict[str, Callable[[Connector, Found, Work], list[TableResult]]] = {
    "correct": _correct,
    "suspend": _suspend,
    "erase": _erase,
}


def apply_action(
    action: str, connectors: Mapping[str, Connector], found: Found, work: Work
) -> tuple[list[TableResult], dict[str, str]]:
    """Run the action in every system that has rows (concurrently); failures are kept per system."""
    systems = sorted({s for (s, _), rows in found.rows.items() if rows and s in connectors})

    def one(system: str) -> SystemResult:
        try:
            return APPLY[action](connectors[system], found, work), None
        except ConnectorError as exc:
            return [], str(exc)

    if len(systems) <= 1:
        outcomes = [one(s) for s in systems]
    else:
        with ThreadPoolExecutor(max_workers=len(systems), thread_name_prefix="mamori-apply") as pool:
            outcomes = list(pool.map(one, systems))
    tables = [t for result, _ in outcomes for t in result]
    failed = {s: err for s, (_, err) in zip(systems, outcomes, strict=True) if err}
    return tables, failed


def key_seeds(graph: Graph, found: Found) -> Pending:
    """Every row found, as a lookup by its primary key (to read the same rows again)."""
    seeds: Pending = {}
    for (system, ds_id), rows in found.rows.items():
        dataset = graph.dataset(system, ds_id)
        if rows:
            seeds[system, ds_id, tuple(dataset.primary_key)] = set(rows)
    return seeds


def verify_erasure(
    graph: Graph, connectors: Mapping[str, Connector], seeds: Pending
) -> tuple[dict[tuple[str, str], dict[str, int]], Found]:
    """Read again everything reachable from ``seeds``; per table, the personal values still there."""
    again = traverse(graph, connectors, seeds)
    left: dict[tuple[str, str], dict[str, int]] = {}
    for (system, ds_id), rows in again.rows.items():
        fields = residual_fields(graph.dataset(system, ds_id), rows.values())
        if fields:
            left[system, ds_id] = fields
    return left, again


def leftover_copies(connectors: Mapping[str, Connector]) -> dict[str, str]:
    """Per system, an error naming the temporary copies a killed write had left (removed now).

    Such a copy may hold values the run has just erased: the run fails, so that it is not reported
    done while the copy was there; a retry, with the copies gone, completes.
    """
    errors: dict[str, str] = {}
    for system, connector in connectors.items():
        try:
            copies = connector.sweep_copies()
        except ConnectorError as exc:
            errors[system] = str(exc)
            continue
        if copies:
            names = ", ".join(copies[:5]) + (", …" if len(copies) > 5 else "")  # noqa: PLR2004
            errors[system] = (
                f"{system}: erasure found {len(copies)} temporary copies of its files"
                f" (removed now; retry the run): {names}"
            )
    return errors


def merge_seeds(*groups: Mapping[Any, set[Key]]) -> Pending:
    merged: Pending = {}
    for group in groups:
        for place, values in group.items():
            merged.setdefault(place, set()).update(values)
    return merged
