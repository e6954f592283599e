"""`mamori subjects import` on files other systems produced: a clear report, never a traceback."""

from __future__ import annotations

from pathlib import Path

from mamori.subjects.models import Subject
from tests.e2e.cli.test_subjects_cli import HEADER, _count, database, mamori

__all__ = ["database"]  # the fixture, used by name
ROWS = ["JP,ja,山田 花子,,customers,hanako@example.jp,,", "JP,ja,佐藤 一郎,,customers,ichiro@example.jp,,"]


def _clean(result: object) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr[-3000:]


def test_shift_jis_without_encoding_names_the_line_and_imports_nothing(database: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + "\n".join(ROWS) + "\n").encode("cp932"))
    result = mamori(database, "subjects", "import", str(path))
    _clean(result)
    assert result.returncode == 2
    assert "line 2" in result.stderr
    assert "--encoding cp932" in result.stderr
    assert _count(database, Subject) == 0


def test_shift_jis_with_its_encoding_is_imported(database: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + "\n".join(ROWS) + "\n").encode("cp932"))
    result = mamori(database, "subjects", "import", str(path), "--encoding", "cp932")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported 2 subjects, 2 identifiers, 2 categories"
    found = mamori(database, "subjects", "find", "--email", "hanako@example.jp")
    assert found.returncode == 0, found.stderr


def test_an_over_long_field_is_a_row_error(database: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    long_row = "JP,ja," + "あ" * 131_073 + ",,customers,long@example.jp,,"
    path.write_text(HEADER + ROWS[0] + "\n" + long_row + "\n", encoding="utf-8")
    result = mamori(database, "subjects", "import", str(path))
    _clean(result)
    assert result.returncode == 2
    assert "row 3: " in result.stderr
    assert _count(database, Subject) == 0


def test_deep_and_long_jsonl_lines_are_row_errors(database: str, tmp_path: Path) -> None:
    path = tmp_path / "customers.jsonl"
    lines = [
        '{"categories": "customers", "email": "ok@example.jp"}',
        '{"categories": "customers", "name": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"categories": "customers", "name": "' + "x" * 131_073 + '"}',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = mamori(database, "subjects", "import", str(path))
    _clean(result)
    assert result.returncode == 2
    assert "row 2: " in result.stderr
    assert "row 3: name: " in result.stderr
    assert _count(database, Subject) == 0
