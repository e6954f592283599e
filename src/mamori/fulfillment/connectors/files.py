"""Folders of files: ``<table>.csv`` (header row, UTF-8) or ``<table>.jsonl`` (one object a line).

Values are compared as text, so keys coming from a database match the file's strings. A change
set is written to temporary files beside the targets first and then moved into place, so a
failure leaves the previous files whole.

Writers of one file are serialised with an OS lock (``flock`` on ``.<file>.lock`` beside it), so
runs in other threads and other worker processes never overwrite each other's changes: under the
lock the file is read again and the change applied to what it holds now. A temporary copy holds
personal data: it is removed on every path, and one left by a killed process is swept by the next
writer (under the lock, no live writer has one); erasure verification sweeps them too
(:meth:`FileConnector.sweep_copies`) and fails when it found any.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from mamori.fulfillment.connectors.base import (
    Change,
    Connector,
    ConnectorError,
    Delete,
    Lookup,
    Row,
    Update,
    UpdateRows,
)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class FileConnector(Connector):
    suffix = ""

    def __init__(self, system: Any, environ: Any = None) -> None:
        super().__init__(system, environ)
        self._cache: dict[str, tuple[tuple[int, int, int], list[Row]]] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        folder = Path(self.setting(self.system.connection.path, self.system.connection.path_env))
        if not folder.is_dir():
            raise ConnectorError(f"{self.system.id}: the folder of the files does not exist")
        return folder

    def path(self, dataset: str) -> Path:
        return self.folder / f"{self.table_of(dataset)}{self.suffix}"

    def rows(self, dataset: str) -> list[Row]:
        path = self.path(dataset)
        try:
            stat = path.stat()
        except OSError:
            raise ConnectorError(f"{self.system.id}: the file {path.name} cannot be read") from None
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(dataset)
            if cached is None or cached[0] != stamp:
                cached = (stamp, self.read(path))
                self._cache[dataset] = cached
        return cached[1]

    def read(self, path: Path) -> list[Row]:
        raise NotImplementedError

    def write(self, handle: Any, rows: list[Row], columns: list[str]) -> None:
        raise NotImplementedError

    def fetch(self, lookups: Sequence[Lookup]) -> list[list[Row]]:
        out = []
        for lookup in lookups:
            wanted = {tuple(_text(v) for v in value) for value in lookup.values}
            columns = self.system.dataset(lookup.dataset).columns  # type: ignore[union-attr]
            out.append(
                [
                    {c: row.get(c) for c in columns}
                    for row in self.rows(lookup.dataset)
                    if tuple(_text(row.get(c)) for c in lookup.columns) in wanted
                ]
            )
        return out

    def apply(self, changes: Sequence[Change]) -> list[int]:
        paths = {change.dataset: self.path(change.dataset) for change in changes}
        with self._locked(sorted(paths.values()), fcntl.LOCK_EX):
            for path in paths.values():
                _sweep(path)
            # Read again under the lock: another writer may have changed the files since the lookup.
            tables = {dataset: self._read_now(path) for dataset, path in paths.items()}
            columns = {dataset: _columns(rows) for dataset, rows in tables.items()}
            counts = [self._apply_one(tables[change.dataset], change) for change in changes]
            self._replace({paths[d]: (columns[d] or _columns(rows), rows) for d, rows in tables.items()})
        return counts

    def _read_now(self, path: Path) -> list[Row]:
        try:
            return self.read(path)
        except OSError:
            raise ConnectorError(f"{self.system.id}: the file {path.name} cannot be read") from None

    @contextlib.contextmanager
    def _locked(self, paths: Sequence[Path], operation: int) -> Iterator[None]:
        """Hold the lock file of each path (in a fixed order, so two writers never deadlock)."""
        with contextlib.ExitStack() as stack:
            for path in paths:
                try:
                    handle = stack.enter_context(_lock_file(path).open("a"))
                    fcntl.flock(handle.fileno(), operation)
                except OSError:
                    raise ConnectorError(f"{self.system.id}: the file {path.name} cannot be locked") from None
            yield

    def _replace(self, tables: dict[Path, tuple[list[str], list[Row]]]) -> None:
        """Write each table to a copy beside its file, then move the copies into place."""
        staged: list[tuple[Path, Path]] = []
        try:
            for path, (columns, rows) in tables.items():
                staged.append((self._stage(path, columns, rows), path))
            for temp, final in staged:
                temp.replace(final)
        except OSError:
            raise ConnectorError(f"{self.system.id}: the files could not be written") from None
        finally:
            for temp, _ in staged:
                temp.unlink(missing_ok=True)  # moved already, or left by a failure: never kept

    def _apply_one(self, rows: list[Row], change: Change) -> int:
        pk = self.system.dataset(change.dataset).primary_key  # type: ignore[union-attr]
        if isinstance(change, UpdateRows):
            wanted_rows = {tuple(_text(v) for v in key): vals for key, vals in change.rows.items()}
            hits = [
                (r, wanted_rows[k]) for r in rows if (k := tuple(_text(r.get(c)) for c in pk)) in wanted_rows
            ]
            for row, values in hits:
                row.update(values)
            return len(hits)
        wanted = {tuple(_text(v) for v in key) for key in change.keys}
        hit = [r for r in rows if tuple(_text(r.get(c)) for c in pk) in wanted]
        if isinstance(change, Delete):
            keep = [r for r in rows if not any(r is h for h in hit)]
            rows[:] = keep
            return len(hit)
        return self._update(hit, change)

    @staticmethod
    def _update(hit: list[Row], change: Update) -> int:
        count = 0
        for row in hit:
            if change.only_different and all(_text(row.get(c)) == _text(v) for c, v in change.values.items()):
                continue
            row.update(change.values)
            count += 1
        return count

    def _stage(self, path: Path, columns: list[str], rows: list[Row]) -> Path:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        temp = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                self.write(out, rows, columns)
                out.flush()
                os.fsync(out.fileno())  # the copy is whole before it replaces the file
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return temp

    def sweep_copies(self) -> list[str]:
        """Remove the temporary copies beside the mapped files; their names (under the lock: none is live)."""
        paths = sorted({self.path(d.id) for d in self.system.datasets})
        with self._locked(paths, fcntl.LOCK_EX):
            found = [copy for path in paths for copy in _copies(path)]
            for copy in found:
                copy.unlink(missing_ok=True)
        return [copy.name for copy in found]

    def describe(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for path in sorted(self.folder.glob(f"*{self.suffix}")):
            rows = self.read(path)
            found[path.name.removesuffix(self.suffix)] = {c: "text" for row in rows[:100] for c in row}
        return found

    def close(self) -> None:
        with self._lock:
            self._cache.clear()


TEMP_SUFFIX = ".tmp"


def _columns(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(c for row in rows for c in row))


def _lock_file(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _copies(path: Path) -> list[Path]:
    """Temporary copies of ``path``: ``.<name>.XXXX.tmp``, or ``.<name>.XXXX`` of older versions."""
    lock = _lock_file(path)
    return sorted(p for p in path.parent.glob(f".{path.name}.*") if p != lock)


def _sweep(path: Path) -> None:
    """Remove copies left by a writer that died (the caller holds the lock: none is live)."""
    for copy in _copies(path):
        copy.unlink(missing_ok=True)


class CsvConnector(FileConnector):
    kind = "csv"
    suffix = ".csv"

    def read(self, path: Path) -> list[Row]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]

    def write(self, handle: Any, rows: list[Row], columns: list[str]) -> None:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows({c: _text(row.get(c)) for c in columns} for row in rows)


class JsonlConnector(FileConnector):
    kind = "jsonl"
    suffix = ".jsonl"

    def read(self, path: Path) -> list[Row]:
        with path.open(encoding="utf-8") as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def write(self, handle: Any, rows: list[Row], columns: list[str]) -> None:  # noqa: ARG002
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
