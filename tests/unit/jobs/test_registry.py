from __future__ import annotations

import textwrap
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from mamori.jobs.registry import ROOMS, RegistryError, load_registry


def _package(root: Path, rooms: dict[str, str | None]) -> str:
    """A throw-away package with one sub-package per room; ``None`` means no tasks.py."""
    name = f"fakerooms_{uuid.uuid4().hex[:8]}"
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("")
    for room, source in rooms.items():
        (root / name / room).mkdir()
        (root / name / room / "__init__.py").write_text("")
        if source is not None:
            (root / name / room / "tasks.py").write_text(textwrap.dedent(source))
    return name


ALPHA = """
    from datetime import timedelta
    def sweep(session, payload): pass
    def remind(session, payload): pass
    TASKS = {"alpha.sweep": sweep, "alpha.remind": remind}
    PERIODIC = {"alpha.sweep": timedelta(minutes=5)}
"""


def test_collects_tasks_and_periodic_from_rooms_that_have_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    package = _package(tmp_path, {"alpha": ALPHA, "beta": None, "gamma": "TASKS = {'gamma.run': print}"})
    registry = load_registry(["alpha", "beta", "gamma", "not_a_room_yet"], package=package)
    assert sorted(registry.tasks) == ["alpha.remind", "alpha.sweep", "gamma.run"]
    assert registry.periodic == {"alpha.sweep": timedelta(minutes=5)}
    assert registry.handler("gamma.run") is print
    assert registry.handler("nobody.knows") is None


@pytest.mark.parametrize(
    ("gamma", "message"),
    [
        ("TASKS = {'alpha.sweep': print}", "declared twice"),
        ("from datetime import timedelta\nPERIODIC = {'gamma.x': timedelta(1)}", "no handler"),
        ("from datetime import timedelta\nTASKS = {'gamma.x': print}\nPERIODIC = {'gamma.x': timedelta(0)}",
         "positive interval"),
    ],
)  # fmt: skip
def test_refuses_declarations_the_worker_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gamma: str, message: str
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    package = _package(tmp_path, {"alpha": ALPHA, "gamma": gamma})
    with pytest.raises(RegistryError, match=message):
        load_registry(["alpha", "gamma"], package=package)


def test_a_broken_import_inside_a_tasks_module_is_not_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    package = _package(tmp_path, {"alpha": "import no_such_module_here\nTASKS = {}"})
    with pytest.raises(ModuleNotFoundError, match="no_such_module_here"):
        load_registry(["alpha"], package=package)


def test_the_real_rooms_load() -> None:
    registry = load_registry()
    assert set(ROOMS) >= {"notify", "dsr", "fulfillment", "provisions", "incidents", "inquiries"}
    for kind, handler in registry.tasks.items():
        assert kind.split(".")[0] in ROOMS
        assert callable(handler)
