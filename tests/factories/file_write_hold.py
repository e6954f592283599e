"""Stop a worker in the middle of rewriting a CSV file; ``--tasks tests.factories.file_write_hold`` loads it.

Imported into a worker process, it wraps :meth:`CsvConnector.write`: while the file ``hold``
exists in the folder ``MAMORI_TEST_WRITE_HOLD_DIR``, the rewrite writes half of the rows to its
temporary copy, flushes them to disk, writes ``reached`` and waits (at most 120 s). A test then
kills the worker with a half-written copy beside the file. Without the variable nothing is held.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mamori.fulfillment.connectors.base import Row
from mamori.fulfillment.connectors.files import CsvConnector

HOLD_DIR = "MAMORI_TEST_WRITE_HOLD_DIR"
TASKS: dict[str, Callable[..., None]] = {}  # nothing to add: importing the module is the point
_real_write = CsvConnector.write


def _write(self: CsvConnector, handle: Any, rows: list[Row], columns: list[str]) -> None:
    folder = os.environ.get(HOLD_DIR)
    if not folder or not (Path(folder) / "hold").exists():
        _real_write(self, handle, rows, columns)
        return
    _real_write(self, handle, rows[: len(rows) // 2], columns)
    handle.flush()
    os.fsync(handle.fileno())
    (Path(folder) / "reached").write_text("reached")
    deadline = time.monotonic() + 120
    while (Path(folder) / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    rest = csv.DictWriter(handle, fieldnames=columns)  # no second header
    rest.writerows(
        {c: "" if row.get(c) is None else str(row.get(c)) for c in columns} for row in rows[len(rows) // 2 :]
    )


CsvConnector.write = _write  # type: ignore[method-assign]
