"""The cookie inventory in the bundle: validated by the loader (``mamori policy check``)."""

from __future__ import annotations

from pathlib import Path

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.loader import load_bundle
from tests.bundles import copy_default_bundle, edit


class TestDefaultInventory:
    def test_aoki_declares_properties_items_and_categories(self) -> None:
        bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
        assert bundle is not None
        www = bundle.cookies.property("www")
        assert www is not None
        ga4 = next(item for item in www.items if item.id == "ga4")
        assert ga4.destination.host == "www.google-analytics.com"
        assert ga4.destination.country == "US"
        assert ga4.sent.ja.startswith("閲覧したページ")
        advertising = bundle.cookies.category("advertising")
        assert advertising is not None
        assert advertising.gpc_opt_out


def _errors(directory: Path) -> list[str]:
    return [str(error) for error in load_bundle(directory).errors]


class TestInventoryProblems:
    def test_undeclared_category_is_reported_with_file_and_line(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "cookies.yaml", "category: analytics", "category: analytcs")
        errors = _errors(bundle)
        assert any("cookies.yaml:" in e and "undeclared cookie category 'analytcs'" in e for e in errors), (
            errors
        )

    def test_necessary_item_linked_to_a_person_is_refused(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "cookies.yaml",
            "kind: cookie\n          category: necessary",
            "kind: cookie\n          category: necessary\n          linked_to_person: true",
        )
        assert any("APPI Art. 31" in e for e in _errors(bundle))

    def test_duplicate_item_id(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "cookies.yaml", "- id: line_tag", "- id: meta_pixel")
        assert any("duplicate id 'meta_pixel'" in e for e in _errors(bundle))

    def test_bad_host_country_and_retention(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "cookies.yaml",
            "host: www.google-analytics.com, country: US",
            "host: 'https://x', country: usa",
        )
        edit(bundle, "cookies.yaml", "retention: P2Y", "retention: two years")
        errors = "\n".join(_errors(bundle))
        assert "lower-case host name" in errors
        assert "destination.country" in errors
        assert "ISO 8601 period like P2Y" in errors

    def test_gpc_cannot_refuse_the_necessary_category(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "cookies.yaml",
            "strictly_necessary: true",
            "strictly_necessary: true\n      gpc_opt_out: true",
        )
        assert any("cannot be refused by GPC" in e for e in _errors(bundle))
