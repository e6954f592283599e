"""The ledger export (CSV, XLSX) and the fideslang import, on the example shop data map."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from mamori.datamap.fideslang import import_fideslang, item_for, to_yaml
from mamori.datamap.ledger import HEADINGS, ledger_csv, ledger_rows, ledger_xlsx
from mamori.datamap.rules import looks_personal, period_text
from mamori.errors import ValidationFailed
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle
from tests.factories.fulfillment import SHOP_DIR, shop_bundle


@pytest.fixture
def bundle(tmp_path: Path) -> PolicyBundle:
    loaded = load_bundle(shop_bundle(tmp_path)).bundle
    assert loaded is not None
    return loaded


class TestLedger:
    def test_one_line_per_dataset_with_the_jis_q_15001_columns(self, bundle: PolicyBundle) -> None:
        rows = ledger_rows(bundle, "ja")
        assert rows[0] == HEADINGS["ja"]
        assert len(rows) == 1 + 7
        line = dict(zip(rows[0], next(r for r in rows if r[1] == "会員情報"), strict=True))
        assert line["個人情報の項目"] == "メールアドレス、電話番号、氏名、生年月日"
        assert line["保管期間"] == "5年"
        assert line["件数"] == "200000"
        assert line["媒体・保管場所"] == "電子データ（自社データセンター・東京）"
        assert line["要配慮個人情報"] == "無"
        assert line["提供・委託"].startswith("委託: ")
        assert "消去" in line["廃棄方法"]

    def test_kept_items_show_their_legal_reason(self, bundle: PolicyBundle) -> None:
        orders = next(r for r in ledger_rows(bundle, "en") if r[1] == "Orders")
        assert orders[6] == "7 years"
        assert "kept (Accounting records are kept for 7 years" in orders[11]

    def test_csv_keeps_japanese_as_characters(self, bundle: PolicyBundle) -> None:
        data = ledger_csv(ledger_rows(bundle, "ja"))
        assert data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8-sig")
        assert "会員情報" in text
        assert next(csv.reader(io.StringIO(text))) == HEADINGS["ja"]

    def test_xlsx_reads_back_the_same_cells(self, bundle: PolicyBundle) -> None:
        rows = ledger_rows(bundle, "zh-Hant")
        sheet = load_workbook(io.BytesIO(ledger_xlsx(rows))).active
        assert sheet is not None
        assert [c.value for c in sheet[1]] == HEADINGS["zh-Hant"]
        assert sheet.cell(row=2, column=1).value == rows[1][0]
        assert sheet.max_row == len(rows)


class TestFideslangImport:
    def test_the_shop_dataset_maps_to_the_bundles_items(self) -> None:
        imported = import_fideslang(SHOP_DIR / "shop_dataset.yml")
        system = imported.systems["shop_pg"]
        assert system["connection"] == {"kind": "postgresql", "url_env": "SHOP_PG_URL"}
        customer = next(d for d in system["datasets"] if d["id"] == "customer")
        fields = {f["name"]: f for f in customer["fields"]}
        assert fields["email"]["item"] == "email"
        assert fields["email"]["identity"] == "email"
        assert fields["birth_date"]["item"] == "date_of_birth"
        assert fields["name_kana"]["item"] == "name"
        assert "item" not in fields["id"]
        assert fields["address_id"]["references"] == [{"field": "address.id", "direction": "to"}]
        assert imported.unmapped == []

    def test_the_written_file_is_a_valid_part_of_a_bundle(self, tmp_path: Path) -> None:
        bundle = shop_bundle(tmp_path, only=())
        for system_id, system in import_fideslang(SHOP_DIR / "shop_dataset.yml").systems.items():
            (bundle / "datamap" / f"{system_id}.yaml").write_text(to_yaml(system), encoding="utf-8")
        result = load_bundle(bundle)
        assert result.ok, [str(e) for e in result.errors]
        assert result.bundle is not None
        cards = result.bundle.datamap[0].dataset("loyalty_card")
        assert cards is not None
        assert {f.name: f.item for f in cards.personal_fields} == {
            "card_number": "member_number",
            "points": "purchase_history",
        }

    def test_unknown_categories_are_reported_not_guessed(self, tmp_path: Path) -> None:
        path = tmp_path / "d.yml"
        path.write_text(
            yaml.safe_dump(
                {
                    "dataset": [
                        {
                            "fides_key": "x",
                            "collections": [
                                {
                                    "name": "t",
                                    "fields": [{"name": "aura", "data_categories": ["user.mystery"]}],
                                }
                            ],
                        }
                    ]
                }
            ),
            encoding="utf-8",
        )
        imported = import_fideslang(path)
        assert imported.unmapped == ["x.t.aura: user.mystery"]
        assert "item" not in imported.systems["x"]["datasets"][0]["fields"][0]

    def test_a_file_that_is_not_fideslang_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "d.yml"
        path.write_text("hello: world\n", encoding="utf-8")
        with pytest.raises(ValidationFailed, match="no 'dataset' list"):
            import_fideslang(path)

    @pytest.mark.parametrize(
        ("category", "item"),
        [
            ("user.contact.address.city", "address"),
            ("user.name.first", "name"),
            ("system.operations", None),
            ("user.financial.bank_account", "payment_info"),
        ],
    )
    def test_the_longest_known_prefix_decides(self, category: str, item: str | None) -> None:
        assert item_for(category) == item


@pytest.mark.parametrize(
    ("column", "personal"),
    [
        ("email", True),
        ("customer_email", True),
        ("tel_no", True),
        ("birthDate", True),
        ("name_kana", True),
        ("store_code", False),
        ("total_yen", False),
        ("sku", False),
        ("created_at", False),
    ],
)
def test_personal_looking_columns(column: str, personal: bool) -> None:
    assert looks_personal(column) is personal


def test_retention_periods_read_in_each_language() -> None:
    assert period_text("P1Y6M", "ja") == "1年6か月"
    assert period_text("P1Y6M", "en") == "1 year 6 months"
    assert period_text("P90D", "zh-Hans") == "90天"
    assert period_text(None, "ja") == ""
