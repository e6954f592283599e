"""Hold a fulfillment run in the middle of applying; ``--tasks tests.factories.fulfillment_hold`` loads it.

Imported into a worker process, it wraps the actions of :data:`mamori.fulfillment.actions.APPLY`.
While the file ``hold`` exists in the folder ``MAMORI_TEST_HOLD_DIR``, every system waits in its
action (at most 120 s) after writing ``<system>.reached``: the systems named in
``MAMORI_TEST_HOLD_APPLIED`` once their change is committed, the others before changing anything.
A test can then kill the worker at a known point. Without the variable nothing is held.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from mamori.fulfillment import actions
from mamori.fulfillment.actions import TableResult, Work
from mamori.fulfillment.connectors.base import Connector
from mamori.fulfillment.traversal import Found

HOLD_DIR = "MAMORI_TEST_HOLD_DIR"
HOLD_APPLIED = "MAMORI_TEST_HOLD_APPLIED"
Action = Callable[[Connector, Found, Work], list[TableResult]]


def _wait(folder: Path, system: str) -> None:
    (folder / f"{system}.reached").write_text("reached")
    deadline = time.monotonic() + 120
    while (folder / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def held(action: Action) -> Action:
    def apply(connector: Connector, found: Found, work: Work) -> list[TableResult]:
        folder, system = os.environ.get(HOLD_DIR), connector.system.id
        if not folder:
            return action(connector, found, work)
        if system in os.environ.get(HOLD_APPLIED, "").split(","):
            result = action(connector, found, work)
            _wait(Path(folder), system)
            return result
        _wait(Path(folder), system)
        return action(connector, found, work)

    return apply


actions.APPLY.update({name: held(action) for name, action in actions.APPLY.items()})
