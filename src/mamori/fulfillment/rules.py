"""Pure rules of fulfillment: the reference graph, identity matching, erasure plans and residuals."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mamori.fulfillment.connectors.base import Change, Delete, Key, Row, Update, UpdateRows
from mamori.policy.sections.datamap import Dataset, FieldMap, System, parse_reference

ACTIONS: tuple[str, ...] = ("access", "correct", "suspend", "erase")
Place = tuple[str, str, tuple[str, ...]]  # system, dataset, columns looked up
_HASHED = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Edge:
    """Rows found in ``source`` lead, through the value of ``column``, to ``target``."""

    column: str
    target: Place


class Graph:
    """Every dataset of the map and the references to follow from each one."""

    def __init__(self, systems: Sequence[System]) -> None:
        self.systems = {s.id: s for s in systems}
        self.edges: dict[tuple[str, str], list[Edge]] = defaultdict(list)
        for system in systems:
            for dataset in system.datasets:
                for field in dataset.fields:
                    self._add(system.id, dataset.id, field)

    def _add(self, system: str, dataset: str, field: FieldMap) -> None:
        for ref in field.references:
            t_system, t_dataset, t_field = parse_reference(ref.field, system)
            if ref.direction in {"to", "both"}:
                self.edges[system, dataset].append(Edge(field.name, (t_system, t_dataset, (t_field,))))
            if ref.direction in {"from", "both"}:
                self.edges[t_system, t_dataset].append(Edge(t_field, (system, dataset, (field.name,))))

    def dataset(self, system: str, dataset: str) -> Dataset:
        found = self.systems[system].dataset(dataset)
        if found is None:
            raise KeyError(f"{system}.{dataset}")
        return found

    def identity_places(self, kind: str) -> list[Place]:
        return [
            (s.id, d.id, (f.name,))
            for s in self.systems.values()
            for d in s.datasets
            for f in d.fields
            if f.identity == kind
        ]

    def seeds(self, identities: Mapping[str, Sequence[str]]) -> dict[Place, set[Key]]:
        """Where each identity is looked up, with the spellings it may be stored in."""
        seeds: dict[Place, set[Key]] = defaultdict(set)
        for kind, values in identities.items():
            for place in self.identity_places(kind):
                seeds[place].update((v,) for value in values for v in spellings(kind, value))
        return seeds


def spellings(kind: str, value: str) -> list[str]:
    """The forms an identity is commonly stored in: as given, and normalised for e-mail and phone."""
    text = value.strip()
    forms = [text]
    if kind == "email":
        forms.append(text.lower())
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        forms += [digits, "0" + digits[2:]] if digits.startswith("81") and text.startswith("+") else [digits]
    return list(dict.fromkeys(f for f in forms if f))


def primary_key(dataset: Dataset, row: Row) -> Key:
    return tuple(row.get(c) for c in dataset.primary_key)


def hash_value(secret: bytes, value: Any) -> str:
    """The keyed hash that replaces a value (stable, so hashed records can still be counted)."""
    return hmac.new(secret, str(value).encode(), hashlib.sha256).hexdigest()


def erasure_changes(dataset: Dataset, rows: Mapping[Key, Row], secret: bytes) -> list[Change]:
    """The statements that erase ``rows``: delete them, or null, mask and hash their fields."""
    if not rows:
        return []
    keys = tuple(rows)
    fields = dataset.personal_fields
    if any(f.erasure == "delete" for f in fields):
        return [Delete(dataset.id, keys)]
    values: dict[str, Any] = {f.name: None for f in fields if f.erasure == "null"}
    values.update({f.name: f.mask for f in fields if f.erasure == "mask"})
    changes: list[Change] = [Update(dataset.id, keys, values)] if values else []
    hashed = [f.name for f in fields if f.erasure == "hash"]
    per_row = {
        key: {
            c: hash_value(secret, row[c]) for c in hashed if row.get(c) is not None and not _is_hash(row[c])
        }
        for key, row in rows.items()
    }
    per_row = {key: vals for key, vals in per_row.items() if vals}
    if per_row:
        changes.append(UpdateRows(dataset.id, per_row))
    return changes


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and _HASHED.match(value) is not None


def erased_counts(dataset: Dataset, rows: Iterable[Row]) -> dict[str, int]:
    """Per personal field, how many values the erasure removes (values already erased do not count)."""
    counts = dict.fromkeys((f.name for f in dataset.personal_fields), 0)
    for row in rows:
        for field in dataset.personal_fields:
            if field.erasure != "keep" and residual(field, row, deleted=False):
                counts[field.name] += 1
    return counts


def residual(field: FieldMap, row: Row, *, deleted: bool) -> bool:
    """Whether the field still holds a personal value that its strategy should have removed."""
    value = row.get(field.name)
    if field.erasure == "keep" or value is None or value == "":
        return False
    if deleted or field.erasure in {"delete", "null"}:
        return True
    if field.erasure == "mask":
        return str(value) != field.mask
    return not _is_hash(value)


def residual_fields(dataset: Dataset, rows: Iterable[Row]) -> dict[str, int]:
    """Per field, the values left in rows that erasure should have emptied or removed."""
    deleted = any(f.erasure == "delete" for f in dataset.personal_fields)
    left: dict[str, int] = {}
    for row in rows:
        for field in dataset.personal_fields:
            if residual(field, row, deleted=deleted):
                left[field.name] = left.get(field.name, 0) + 1
    return left


def delete_order(system: System) -> list[str]:
    """Datasets ordered so that rows referring to others go first (foreign keys allow the deletes)."""
    refers: dict[str, set[str]] = {d.id: set() for d in system.datasets}
    for dataset in system.datasets:
        for field in dataset.fields:
            for ref in field.references:
                t_system, t_dataset, _ = parse_reference(ref.field, system.id)
                if t_system == system.id and t_dataset != dataset.id:
                    refers[dataset.id].add(t_dataset)
    order: list[str] = []
    while refers:
        ready = sorted(d for d in refers if not any(d in others for others in refers.values()))
        ready = ready or sorted(refers)[:1]  # a cycle: break it anywhere
        order += ready
        for d in ready:
            refers.pop(d)
    return order


_READING = re.compile(r"kana|furigana|yomi", re.IGNORECASE)


def corrected_by_item(field: FieldMap) -> bool:
    """Whether a value given for the field's data item is written into it.

    A reading (``name_kana`` beside ``name``) shares the item but holds another form of the
    value: the corrected kanji name must not be written into it, so it changes only from a value
    given for the field itself. ``correction`` in the map says so explicitly; without it the
    column's name decides.
    """
    if field.correction is not None:
        return field.correction == "item"
    return _READING.search(field.name) is None


def correction_targets(dataset: Dataset, system: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Which columns of ``dataset`` a correction sets: by ``system.dataset.field`` or by data item id.

    An item's value goes only into the fields :func:`corrected_by_item` lets it set.
    """
    out: dict[str, Any] = {}
    for field in dataset.fields:
        full = f"{system}.{dataset.id}.{field.name}"
        if full in changes:
            out[field.name] = changes[full]
        elif field.item is not None and field.item in changes and corrected_by_item(field):
            out[field.name] = changes[field.item]
    return out
