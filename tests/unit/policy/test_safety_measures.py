"""The ``safety_measures`` section: checked by the loader, shown by the notice, classed on change."""

from __future__ import annotations

from pathlib import Path

from mamori.policy.changes import classify
from mamori.policy.changes.model import ChangeClass
from mamori.policy.loader import load_bundle
from mamori.policy.rules import diff_content
from mamori.policy.service import bundle_content
from tests.bundles import copy_default_bundle, edit


class TestCheck:
    def test_the_default_bundle_declares_every_kind(self, tmp_path: Path) -> None:
        result = load_bundle(copy_default_bundle(tmp_path))
        assert result.bundle is not None
        kinds = {m.kind for m in result.bundle.safety_measures}
        assert kinds == {"organisational", "human", "physical", "technical"}

    def test_unknown_kind_names_file_and_field(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "safety_measures.yaml", "kind: organisational", "kind: spiritual")
        result = load_bundle(bundle)
        assert result.bundle is None
        [error] = result.errors
        assert error.file == "safety_measures.yaml"
        assert error.field == "safety_measures[0].kind"
        assert error.line is not None

    def test_duplicate_id(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "safety_measures.yaml", "id: internal_audit", "id: rules_and_officer")
        result = load_bundle(bundle)
        assert result.bundle is None
        assert [(e.field, "duplicate" in e.message) for e in result.errors] == [
            ("safety_measures[1].id", True)
        ]

    def test_a_summary_without_chinese_is_refused(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "safety_measures.yaml",
            "      zh-Hant: 本公司制定涵蓋",
            "      zh_hant_typo: 本公司制定涵蓋",
        )
        result = load_bundle(bundle)
        assert result.bundle is None
        assert any(e.field.startswith("safety_measures[0].summary") for e in result.errors)


def test_a_reworded_measure_is_published_without_notice(tmp_path: Path) -> None:
    old = load_bundle(copy_default_bundle(tmp_path / "old")).bundle
    changed = copy_default_bundle(tmp_path / "new")
    edit(changed, "safety_measures.yaml", "at least once a year after that", "twice a year after that")
    new = load_bundle(changed).bundle
    assert old is not None
    assert new is not None
    changes = diff_content(bundle_content(old), bundle_content(new))
    assert [c.path for c in changes] == ["safety_measures[staff_training].summary.en"]
    classes = {item.change_class for item in classify.classify(bundle_content(old), bundle_content(new))}
    assert classes == {ChangeClass.PUBLISH}
