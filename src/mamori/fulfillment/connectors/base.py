"""The one interface every data store is reached through; a new kind of store is one subclass.

A connector answers batched lookups (``column IN (...)``) and applies a list of changes in one
transaction. It never sees why: the traversal and the actions decide what to read and write.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mamori.policy.sections.datamap import System

Key = tuple[Any, ...]
Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Lookup:
    """Rows of ``dataset`` whose ``columns`` equal one of ``values`` (each a tuple like ``columns``)."""

    dataset: str
    columns: tuple[str, ...]
    values: tuple[Key, ...]


@dataclass(frozen=True, slots=True)
class Delete:
    dataset: str
    keys: tuple[Key, ...]


@dataclass(frozen=True, slots=True)
class Update:
    """Set ``values`` in the rows with these primary keys; ``only_different`` skips rows already equal."""

    dataset: str
    keys: tuple[Key, ...]
    values: Mapping[str, Any]
    only_different: bool = False


@dataclass(frozen=True, slots=True)
class UpdateRows:
    """A different value per row (hashing): ``rows`` maps a primary key to its new values."""

    dataset: str
    rows: Mapping[Key, Mapping[str, Any]] = field(default_factory=dict)


Change = Delete | Update | UpdateRows


class ConnectorError(RuntimeError):
    """The store cannot be reached or refused the work; the message names no personal value."""


class Connector(ABC):
    """Reach one system. Subclasses set ``kind`` (the ``connection.kind`` of the bundle)."""

    kind: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[Connector]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            Connector.registry[cls.kind] = cls

    def __init__(self, system: System, environ: Mapping[str, str] | None = None) -> None:
        self.system = system
        self.environ = os.environ if environ is None else environ

    def setting(self, literal: str | None, variable: str | None) -> str:
        """The connection's literal value, or the one of its environment variable."""
        if literal:
            return literal
        value = self.environ.get(variable or "")
        if not value:
            raise ConnectorError(f"{self.system.id}: the environment variable {variable} is not set")
        return value

    def table_of(self, dataset: str) -> str:
        found = self.system.dataset(dataset)
        if found is None:
            raise ConnectorError(f"{self.system.id}: no dataset {dataset!r} in the data map")
        return found.table_name

    @abstractmethod
    def fetch(self, lookups: Sequence[Lookup]) -> list[list[Row]]:
        """The mapped columns of the rows each lookup matches, in the lookups' order."""

    @abstractmethod
    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply every change in one transaction; the number of rows each one touched."""

    @abstractmethod
    def describe(self) -> dict[str, dict[str, str]]:
        """The live schema: every table (or file) and its columns with a type name."""

    def sweep_copies(self) -> list[str]:
        """Remove copies of the data a killed write left behind (temporary files); their names."""
        return []

    @abstractmethod
    def close(self) -> None:
        """Release pooled connections or cached files."""


def connector_class(kind: str) -> type[Connector]:
    try:
        return Connector.registry[kind]
    except KeyError:
        raise ConnectorError(f"no connector for the kind {kind!r}") from None
