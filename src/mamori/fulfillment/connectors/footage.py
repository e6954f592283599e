"""A folder of recorded files (camera footage, scans): each file is one row, found by its path.

The connection's ``path`` is the store; each dataset's ``table`` is a sub-folder of it. A row is
``{"path": <path relative to the sub-folder>, "modified": <mtime, UTC>}``; the primary key is
``path``. Deleting a row unlinks the file. Retention sweeps walk the files with
:meth:`FootageConnector.scan` (never holding the whole listing) and read them again by path to
verify that they are gone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from mamori.fulfillment.connectors.base import Change, Connector, ConnectorError, Delete, Lookup, Row

PATH = "path"
MODIFIED = "modified"


class FootageConnector(Connector):
    kind = "files"

    @property
    def folder(self) -> Path:
        folder = Path(self.setting(self.system.connection.path, self.system.connection.path_env))
        if not folder.is_dir():
            raise ConnectorError(f"{self.system.id}: the folder of the files does not exist")
        return folder

    def root(self, dataset: str) -> Path:
        return self.folder / self.table_of(dataset)

    def _file(self, dataset: str, relative: object) -> Path | None:
        root = self.root(dataset).resolve()
        target = (root / str(relative)).resolve()
        return target if target.is_relative_to(root) and target != root else None

    def _row(self, dataset: str, relative: str) -> Row | None:
        path = self._file(dataset, relative)
        try:
            stat = path.stat() if path is not None else None
        except OSError:
            return None
        if stat is None:
            return None
        return {PATH: relative, MODIFIED: datetime.fromtimestamp(stat.st_mtime, UTC)}

    def scan(self, dataset: str, after: str | None = None) -> Iterator[tuple[str, float]]:
        """Every file under the dataset's folder as (relative path, mtime), in path order, after ``after``."""
        root = self.root(dataset)
        if not root.is_dir():
            raise ConnectorError(f"{self.system.id}: the folder {self.table_of(dataset)!r} does not exist")
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                full = Path(folder) / name
                relative = full.relative_to(root).as_posix()
                if after is not None and relative <= after:
                    continue
                try:
                    yield relative, full.stat().st_mtime
                except OSError:
                    continue  # removed meanwhile

    def fetch(self, lookups: Sequence[Lookup]) -> list[list[Row]]:
        out: list[list[Row]] = []
        for lookup in lookups:
            rows: list[Row] = []
            if lookup.columns == (PATH,):
                for (value,) in lookup.values:
                    row = self._row(lookup.dataset, str(value))
                    if row is not None:
                        rows.append(row)
            out.append(rows)
        return out

    def apply(self, changes: Sequence[Change]) -> list[int]:
        counts = []
        for change in changes:
            if not isinstance(change, Delete):
                raise ConnectorError(f"{self.system.id}: files can only be deleted")
            removed = 0
            for (value,) in change.keys:
                path = self._file(change.dataset, value)
                if path is None:
                    continue
                try:
                    path.unlink()
                    removed += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise ConnectorError(
                        f"{self.system.id}: a file cannot be removed ({type(exc).__name__})"
                    ) from None
            counts.append(removed)
        return counts

    def describe(self) -> dict[str, dict[str, str]]:
        folder = self.folder
        return {
            entry.name: {PATH: "file", MODIFIED: "mtime"}
            for entry in sorted(folder.iterdir())
            if entry.is_dir()
        }

    def close(self) -> None:
        return None
