from __future__ import annotations

from pathlib import Path

import yaml

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.loader import load_bundle
from mamori.policy.schema import LANGUAGES
from tests.bundles import copy_default_bundle, edit


def _first_purpose_line(directory: Path) -> tuple[str, int, str]:
    """File, line and id of the first purpose in the bundle (found by reading the YAML)."""
    for path in sorted(directory.glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            stripped = line.strip()
            if stripped.startswith("- id:") and "purposes:" in "\n".join(lines[: number - 1]):
                return path.name, number, stripped.removeprefix("- id:").strip()
    raise AssertionError("no purpose found")


class TestDefaultBundle:
    def test_loads_without_errors(self) -> None:
        result = load_bundle(DEFAULT_POLICY_DIR)
        assert result.errors == []
        assert result.bundle is not None

    def test_holds_the_seed_facts(self) -> None:
        bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
        assert bundle is not None
        assert str(bundle.enacted) == "2025-01-01"
        categories = {c.id for c in bundle.subject_categories}
        assert {"customers", "shareholders", "applicants", "employees", "inquirers"} <= categories
        codes = {e.code for e in bundle.third_party_provision.exceptions}
        assert codes == {"law", "life_body_property", "public_health_children", "government_cooperation"}
        assert bundle.joint_use is not None
        shared = set(bundle.joint_use.items)
        assert {
            "name",
            "address",
            "date_of_birth",
            "gender",
            "phone",
            "email",
            "transaction_history",
        } <= shared
        assert "葛が谷" in bundle.joint_use.responsible.address.ja  # type: ignore[union-attr]
        assert len(bundle.outsourcing.duties) == 6
        assert all(p.sample for p in bundle.outsourcing.processors)
        centre = bundle.contact_centre
        assert (centre.opens, centre.closes) == ("10:00", "17:00")
        assert set(centre.closed_weekdays) == {"sat", "sun"}
        assert centre.closed_on_national_holidays
        assert list(centre.languages) == list(LANGUAGES)
        assert {m.id for m in bundle.requests.response_methods} >= {"post", "electronic"}
        requesters = {r.id for r in bundle.requests.requesters}
        assert requesters == {"self", "legal_representative", "agent", "next_of_kin"}

    def test_every_purpose_has_four_languages_and_camera_flags(self) -> None:
        bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
        assert bundle is not None
        purposes = bundle.purposes()
        assert len(purposes) >= 16
        for purpose in purposes.values():
            assert all(purpose.text.get(lang) for lang in LANGUAGES)
        flagged = [p for p in purposes.values() if "camera_images" in p.flags]
        assert len(flagged) == 2  # customers' attribute analysis and staff cameras


class TestBadBundles:
    def test_unknown_field_names_file_line_and_field(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "  opens:", "  open_at: '09:00'\n  opens:")
        result = load_bundle(bundle)
        assert result.bundle is None
        [error] = result.errors
        assert error.file == "contact.yaml"
        assert error.field == "contact_centre.open_at"
        assert error.message == "unknown field"
        line = (bundle / "contact.yaml").read_text(encoding="utf-8").splitlines()[error.line - 1]  # type: ignore[operator]
        assert "open_at" in line

    def test_purpose_without_japanese_text(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        path = bundle / "purposes.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        del data["subject_categories"][0]["purposes"][0]["text"]["ja"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = load_bundle(bundle)
        assert result.bundle is None
        [error] = result.errors
        assert error.file == "purposes.yaml"
        assert error.field == "subject_categories[0].purposes[0].text.ja"
        assert "Japanese" in error.message
        assert error.line is not None

    def test_duplicate_purpose_id_points_at_the_second(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        file, line, first_id = _first_purpose_line(bundle)
        path = bundle / file
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["subject_categories"][1]["purposes"][0]["id"] = first_id
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = load_bundle(bundle)
        assert result.bundle is None
        [error] = result.errors
        assert error.field == "subject_categories[1].purposes[0].id"
        assert first_id in error.message
        assert "duplicate" in error.message
        assert error.line is not None
        assert error.line > line

    def test_yaml_syntax_error_has_a_line(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        (bundle / "contact.yaml").write_text("contact_centre:\n  name: [unclosed\n", encoding="utf-8")
        result = load_bundle(bundle)
        assert result.bundle is None
        [error] = result.errors
        assert error.file == "contact.yaml"
        assert "YAML syntax error" in error.message
        assert error.line is not None

    def test_key_in_two_files(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        (bundle / "zz_extra.yaml").write_text("optionality:\n  ja: x\n", encoding="utf-8")
        result = load_bundle(bundle)
        assert [e.file for e in result.errors] == ["zz_extra.yaml"]
        assert "already given in" in result.errors[0].message

    def test_undeclared_data_item(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        path = bundle / "joint_use.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["joint_use"]["items"].append("blood_type")
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = load_bundle(bundle)
        [error] = result.errors
        assert error.file == "joint_use.yaml"
        assert "blood_type" in error.message

    def test_key_given_twice_in_one_mapping(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "  opens:", "  closes: '23:00'\n  opens:")
        result = load_bundle(bundle)
        assert result.bundle is None
        assert [(e.file, e.field) for e in result.errors] == [("contact.yaml", "contact_centre.closes")]
        assert "twice" in result.errors[0].message

    def test_duplicate_duty_id(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        path = bundle / "outsourcing.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["outsourcing"]["duties"][1]["id"] = data["outsourcing"]["duties"][0]["id"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = load_bundle(bundle)
        assert [(e.file, e.field) for e in result.errors] == [
            ("outsourcing.yaml", "outsourcing.duties[1].id"),
            # the duty that lost its id is still named by the provisions section
            ("provisions.yaml", "provisions.duty_items.sns_messaging"),
        ]

    def test_centre_closed_every_day(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        path = bundle / "contact.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["contact_centre"]["closed_weekdays"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        result = load_bundle(bundle)
        assert result.bundle is None
        assert "every day" in result.errors[0].message

    def test_missing_directory(self, tmp_path: Path) -> None:
        result = load_bundle(tmp_path / "nope")
        assert result.bundle is None
        assert "not a directory" in result.errors[0].message
