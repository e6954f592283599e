"""The camera register in the bundle: its cross-checks and the face-data rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from mamori.policy.loader import load_bundle
from mamori.policy.sections.cameras import face_data_refusal
from tests.bundles import copy_default_bundle, edit


def _errors(directory: Path) -> list[str]:
    return [f"{e.field}: {e.message}" for e in load_bundle(directory).errors]


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return copy_default_bundle(tmp_path / "aoki")


class TestRegister:
    def test_the_default_register_passes_and_has_sample_cameras(self, bundle: Path) -> None:
        result = load_bundle(bundle)
        assert result.errors == []
        assert result.bundle is not None
        assert result.bundle.cameras is not None
        cameras = result.bundle.cameras.entries
        assert {c.site for c in cameras} == {"store", "office"}
        assert all(c.sample for c in cameras)

    def test_unknown_purpose_and_item(self, bundle: Path) -> None:
        edit(bundle, "cameras.yaml", "purpose: employee.camera", "purpose: employee.cctv")
        edit(bundle, "cameras.yaml", "items: [camera_image]\n", "items: [camera_imag]\n")
        assert set(_errors(bundle)) >= {
            "cameras.register[1].purpose: undeclared purpose 'employee.cctv'",
            "cameras.register[1].items[0]: undeclared data item 'camera_imag'",
        }

    def test_retention_longer_than_the_purpose_is_refused(self, bundle: Path) -> None:
        edit(bundle, "cameras.yaml", "retention: P14D", "retention: P2M")
        assert "cameras.register[1].retention: longer than the retention of its purpose" in _errors(bundle)

    def test_purpose_without_the_camera_flag_is_refused(self, bundle: Path) -> None:
        edit(bundle, "cameras.yaml", "purpose: employee.camera", "purpose: employee.hr")
        assert any("lacks the camera_images flag" in e for e in _errors(bundle))

    def test_face_templates_need_a_face_item_and_a_purpose_using_it(self, bundle: Path) -> None:
        edit(bundle, "cameras.yaml", "face_templates: false", "face_templates: true")
        errors = _errors(bundle)
        assert (
            "cameras.register[0].items: a camera that makes face templates must list a face_data item"
            in errors
        )
        assert any("face templates need a purpose whose items include face data" in e for e in errors)

    def test_unknown_footage_dataset(self, bundle: Path) -> None:
        edit(
            bundle,
            "cameras.yaml",
            "      retention: P30D\n",
            "      retention: P30D\n      footage: nvr.entrance\n",
        )
        assert "cameras.register[0].footage: unknown data-map dataset 'nvr.entrance'" in _errors(bundle)


class TestFaceData:
    def test_joint_use_of_face_data_needs_a_declaration(self, bundle: Path) -> None:
        edit(bundle, "joint_use.yaml", "items: [name,", "items: [face_template, name,")
        assert (
            "joint_use.items[0]: face data 'face_template' in joint use"
            " needs cameras.face_data.joint_use: true" in _errors(bundle)
        )
        edit(bundle, "cameras.yaml", "joint_use: false", "joint_use: true")
        assert _errors(bundle) == []

    def test_refusal_names_the_face_items_unless_declared(self, bundle: Path) -> None:
        result = load_bundle(bundle)
        assert result.bundle is not None
        cameras = result.bundle.cameras
        assert face_data_refusal(cameras, ["name", "face_template"], joint=False) == ["face_template"]
        assert face_data_refusal(cameras, ["name"], joint=True) == []
        assert face_data_refusal(None, ["face_template"], joint=False) == []
