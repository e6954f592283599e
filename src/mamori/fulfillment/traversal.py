"""Find every record of a person: from identity values, follow references across tables and systems.

Within a system the lookups of one step go out together (one ``IN`` query per table and column);
systems with work to do in the same round run concurrently in threads. A row is followed once,
so reference cycles end. A system that fails is recorded and the others go on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from mamori.fulfillment.connectors.base import Connector, ConnectorError, Key, Lookup, Row
from mamori.fulfillment.rules import Graph, Place, primary_key

Pending = dict[Place, set[Key]]


@dataclass
class Found:
    """Rows found per (system, dataset) by primary key, the values looked up, and failed systems."""

    rows: dict[tuple[str, str], dict[Key, Row]] = field(default_factory=lambda: defaultdict(dict))
    looked: dict[Place, set[Key]] = field(default_factory=lambda: defaultdict(set))
    failed: dict[str, str] = field(default_factory=dict)
    unreached: Pending = field(default_factory=lambda: defaultdict(set))

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    def in_system(self, system: str) -> dict[str, dict[Key, Row]]:
        return {d: rows for (s, d), rows in self.rows.items() if s == system and rows}


def _explore(connector: Connector, graph: Graph, found: Found, start: Pending) -> Pending:
    """Follow references inside one system until nothing new turns up; return lookups for others."""
    system = connector.system.id
    outside: Pending = defaultdict(set)
    pending = start
    while pending:
        lookups = []
        for place, values in pending.items():
            new = values - found.looked[place]
            if new:
                found.looked[place] |= new
                lookups.append(Lookup(place[1], place[2], tuple(new)))
        if not lookups:
            break
        pending = defaultdict(set)
        for lookup, rows in zip(lookups, connector.fetch(lookups), strict=True):
            _follow(graph, found, (system, lookup.dataset), rows, pending, outside)
    return outside


def _follow(  # noqa: PLR0913 - the traversal state, passed explicitly
    graph: Graph, found: Found, where: tuple[str, str], rows: list[Row], pending: Pending, outside: Pending
) -> None:
    dataset = graph.dataset(*where)
    known = found.rows[where]
    by_key = found.looked[(*where, tuple(dataset.primary_key))]
    for row in rows:
        key = primary_key(dataset, row)
        if key in known:
            continue
        known[key] = row
        by_key.add(key)  # a reference back to this row needs no query
        for edge in graph.edges.get(where, ()):
            value = row.get(edge.column)
            if value is not None:
                (pending if edge.target[0] == where[0] else outside)[edge.target].add((value,))


def traverse(
    graph: Graph,
    connectors: Mapping[str, Connector],
    seeds: Pending,
    *,
    on_system: Callable[[str], None] | None = None,
) -> Found:
    """Every row reachable from ``seeds`` (identity places and known keys) across all systems."""
    found = Found()
    pending: Pending = defaultdict(set, {p: set(v) for p, v in seeds.items()})
    while pending:
        by_system: dict[str, Pending] = defaultdict(dict)
        for place, values in pending.items():
            if place[0] in found.failed or place[0] not in connectors:
                found.unreached[place] |= values
            else:
                by_system[place[0]][place] = values
        pending = defaultdict(set)
        for outside in _round(graph, connectors, found, by_system, on_system):
            for place, values in outside.items():
                pending[place] |= values - found.looked[place]
        pending = defaultdict(set, {p: v for p, v in pending.items() if v})
    return found


def _round(
    graph: Graph,
    connectors: Mapping[str, Connector],
    found: Found,
    by_system: dict[str, Pending],
    on_system: Callable[[str], None] | None,
) -> list[Pending]:
    def work(system: str) -> Pending:
        if on_system is not None:
            on_system(system)
        try:
            return _explore(connectors[system], graph, found, by_system[system])
        except ConnectorError as exc:
            found.failed[system] = str(exc)
            for place, values in by_system[system].items():
                found.unreached[place] |= values
            return {}

    systems = sorted(by_system)
    if len(systems) <= 1:
        return [work(s) for s in systems]
    with ThreadPoolExecutor(max_workers=len(systems), thread_name_prefix="mamori-traverse") as pool:
        return list(pool.map(work, systems))
