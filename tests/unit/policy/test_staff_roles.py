"""The ``staff_roles`` section: which purposes each staff role may read personal data for."""

from __future__ import annotations

from pathlib import Path

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.loader import load_bundle
from mamori.policy.sections.staff import StaffRole, role_purposes
from tests.bundles import copy_default_bundle, edit


def _errors(directory: Path) -> list[tuple[str, str, str]]:
    result = load_bundle(directory)
    return [(e.file, e.field, e.message) for e in result.errors]


class TestCheck:
    def test_the_default_bundle_declares_duties_for_every_role_that_reads(self) -> None:
        result = load_bundle(DEFAULT_POLICY_DIR)
        assert result.bundle is not None, result.errors
        roles = result.bundle.staff_roles
        assert roles is not None
        assert roles["privacy_officer"].purposes == ["*"]
        assert "inquirer.response" in roles["agent"].purposes
        assert roles["engineer"].purposes == []

    def test_an_unknown_purpose_is_an_error_naming_the_file_and_field(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "staff_roles.yaml", "customer.sales, inquirer", "customer.slaes, inquirer")
        assert _errors(bundle) == [
            ("staff_roles.yaml", "staff_roles.agent.purposes[0]", "undeclared purpose 'customer.slaes'")
        ]

    def test_an_unknown_role_is_an_error(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "staff_roles.yaml", "  auditor:\n", "  intern:\n")
        [(file, field, _)] = _errors(bundle)
        assert file == "staff_roles.yaml"
        assert field.startswith("staff_roles.intern")


class TestRolePurposes:
    DECLARED = frozenset({"a", "b", "c"})

    def test_every_purpose_with_a_star(self) -> None:
        assert (
            role_purposes(
                {"privacy_officer": StaffRole(purposes=["*"])}, "privacy_officer", set(self.DECLARED)
            )
            == self.DECLARED
        )

    def test_a_role_not_listed_has_no_duty(self) -> None:
        assert (
            role_purposes({"agent": StaffRole(purposes=["a"])}, "engineer", set(self.DECLARED)) == frozenset()
        )

    def test_no_section_sets_no_limit(self) -> None:
        assert role_purposes(None, "engineer", set(self.DECLARED)) is None
