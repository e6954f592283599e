"""The datamap/ folder of a bundle: read by the loader, errors named file:line: field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mamori.policy.loader import load_bundle
from tests.factories.fulfillment import shop_bundle


def _errors(bundle: Path) -> list[str]:
    return [str(e) for e in load_bundle(bundle).errors]


def test_the_example_data_map_is_valid(tmp_path: Path) -> None:
    result = load_bundle(shop_bundle(tmp_path))
    assert result.ok, result.errors
    assert result.bundle is not None
    assert [s.id for s in result.bundle.datamap] == ["callcentre", "crm", "shop"]
    assert "datamap/shop.yaml" in result.sources


def test_a_bundle_without_the_folder_has_an_empty_map(default_bundle_dir: Path) -> None:
    result = load_bundle(default_bundle_dir)
    assert result.bundle is not None
    assert result.bundle.datamap == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "item: member_number, identity",
            "item: member_numbr, identity",
            "datamap/shop.yaml:57: datasets[2].fields[2].item: undeclared data item 'member_numbr'",
        ),
        (
            "{field: address.id, direction: to}]\n  - id: address",
            "{field: adress.id, direction: to}]\n  - id: address",
            "datamap/shop.yaml:30: datasets[0].fields[6].references[0].field: unknown field 'adress.id'",
        ),
        (
            'erasure: "null", categories: [user.name]}\n      - {name: name_kana',
            "categories: [user.name]}\n      - {name: name_kana",
            (
                "datamap/shop.yaml:26: datasets[0].fields[3]:"
                " a personal field (with an item) needs an erasure strategy"
            ),
        ),
        (
            "url_env: SHOP_DB_URL",
            "url: postgresql://shop:secret@db/shop",
            (
                "datamap/shop.yaml:7: connection.url: a password in the bundle is not allowed;"
                " put the URL in an environment variable (url_env)"
            ),
        ),
    ],
)
def test_errors_name_the_file_the_line_and_the_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    bundle = shop_bundle(tmp_path)
    path = bundle / "datamap" / "shop.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert expected in _errors(bundle)


def test_a_keep_without_a_legal_reason_is_refused(tmp_path: Path) -> None:
    bundle = shop_bundle(tmp_path, only=("crm",))
    path = bundle / "datamap" / "crm.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("erasure: delete}", "erasure: keep}", 1), "utf-8"
    )
    assert "datamap/crm.yaml:24: datasets[0].fields[2]: erasure: keep needs a legal_reason" in _errors(bundle)


def test_the_map_cannot_be_given_in_a_top_level_file(tmp_path: Path) -> None:
    bundle = shop_bundle(tmp_path, only=())
    shutil.rmtree(bundle / "datamap")
    (bundle / "extra.yaml").write_text("datamap: []\n", encoding="utf-8")
    assert "extra.yaml:1: datamap: kept in the folder datamap/, one file each" in _errors(bundle)
