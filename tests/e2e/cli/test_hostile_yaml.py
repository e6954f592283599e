"""YAML files that would exhaust memory or the stack get a clear error naming the file, fast.

The real CLI runs in its own process with its address space capped at 1 GiB: before the limits
the 540-byte billion laughs grew to 8 GB and the 50,000-deep file ended in a RecursionError.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bundles import copy_default_bundle

LAUGHS = """lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
lol1: &a1 [*a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0, *a0]
lol2: &a2 [*a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1, *a1]
lol3: &a3 [*a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2, *a2]
lol4: &a4 [*a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3, *a3]
lol5: &a5 [*a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4, *a4]
lol6: &a6 [*a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5, *a5]
lol7: &a7 [*a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6, *a6]
lol8: &a8 [*a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7, *a7]
"""
GIB = 1024**3


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def _mamori(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MAMORI_DATABASE_URL": "sqlite://", "MAMORI_MAIL_BACKEND": "null"}
    return subprocess.run(
        [sys.executable, "-m", "mamori", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        preexec_fn=_cap_memory,
    )


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("laughs.yaml", LAUGHS, "once aliases are expanded"),
        ("deep.yaml", "a: " + "[" * 50_000 + "]" * 50_000 + "\n", "nested more than"),
    ],
)
def test_policy_check_refuses_hostile_yaml_fast(tmp_path: Path, name: str, content: str, says: str) -> None:
    bundle = copy_default_bundle(tmp_path)
    (bundle / name).write_text(content, encoding="utf-8")
    started = time.monotonic()
    result = _mamori("policy", "check", str(bundle))
    assert time.monotonic() - started < 60
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{name}: refused: " in result.stderr
    assert says in result.stderr


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    bundle = copy_default_bundle(tmp_path)
    (bundle / "big.yaml").write_text("note: '" + "x" * (3 * 1024 * 1024) + "'\n", encoding="utf-8")
    result = _mamori("policy", "check", str(bundle))
    assert result.returncode == 2
    assert "big.yaml: refused: larger than 2 MiB" in result.stderr


def test_fideslang_import_refuses_billion_laughs(tmp_path: Path) -> None:
    source = tmp_path / "fides.yaml"
    source.write_text(LAUGHS + "dataset: [*a8]\n", encoding="utf-8")
    result = _mamori("datamap", "import-fideslang", str(source), "--out", str(tmp_path / "out"))
    assert "Traceback" not in result.stderr
    assert result.returncode != 0
    assert "fides.yaml: refused: " in result.stderr
