"""Collect the work each room exposes in its ``tasks.py`` (``TASKS`` and optional ``PERIODIC``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from types import ModuleType
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[[Session, dict[str, Any]], None]

# Rooms that may expose background work; a room without a tasks.py yet is skipped.
ROOMS = (
    "notify",
    "subjects",
    "consents",
    "provisions",
    "dsr",
    "incidents",
    "inquiries",
    "datamap",
    "fulfillment",
    "campaigns",
    "retention",
)


class RegistryError(Exception):
    """A room's tasks module declares something the worker cannot run."""


@dataclass(frozen=True)
class Registry:
    tasks: Mapping[str, Handler] = field(default_factory=dict)
    periodic: Mapping[str, timedelta] = field(default_factory=dict)

    def handler(self, kind: str) -> Handler | None:
        return self.tasks.get(kind)


def load_registry(
    rooms: Iterable[str] = ROOMS, *, package: str = "mamori", extra: Iterable[str] = ()
) -> Registry:
    """Import ``<package>.<room>.tasks`` for each room that has one, then the ``extra`` modules.

    Raises:
        RegistryError: two modules declare the same kind, or a periodic kind has no handler or a
            non-positive interval.
        ModuleNotFoundError: an ``extra`` module, or an import inside a tasks module, is missing.
    """
    found = (_tasks_module(f"{package}.{room}.tasks") for room in rooms)
    modules = [module for module in found if module is not None]
    modules += [importlib.import_module(name) for name in extra]
    tasks: dict[str, Handler] = {}
    periodic: dict[str, timedelta] = {}
    for module in modules:
        _merge(tasks, getattr(module, "TASKS", {}), module.__name__)
        _merge(periodic, getattr(module, "PERIODIC", {}), module.__name__)
    for kind, interval in periodic.items():
        if kind not in tasks:
            raise RegistryError(f"periodic kind {kind!r} has no handler in TASKS")
        if interval <= timedelta(0):
            raise RegistryError(f"periodic kind {kind!r} needs a positive interval")
    return Registry(tasks=tasks, periodic=periodic)


def _tasks_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if name == missing or name.startswith(f"{missing}."):  # the room (or its tasks) is not there yet
            return None
        raise


def _merge(into: dict[str, Any], declared: Mapping[str, Any], origin: str) -> None:
    for kind, value in declared.items():
        if kind in into:
            raise RegistryError(f"kind {kind!r} declared twice (again in {origin})")
        into[kind] = value
