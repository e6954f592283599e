"""An uploaded bundle zip: unpacked for the loader, refused when it could escape its folder or explode."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from mamori.errors import ValidationFailed
from mamori.policy.archive import MAX_MEMBER_BYTES, unpack_bundle
from mamori.policy.loader import load_bundle
from tests.bundles import copy_default_bundle, edit


def _zip(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def _zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class TestUnpackBundle:
    @pytest.mark.parametrize("prefix", ["", "aoki-policy/"])
    def test_a_zipped_bundle_loads_as_the_folder_does(self, tmp_path: Path, prefix: str) -> None:
        bundle = copy_default_bundle(tmp_path)
        root = unpack_bundle(_zip(bundle, prefix), tmp_path / "up")
        result = load_bundle(root)
        assert result.errors == []
        assert result.bundle == load_bundle(bundle).bundle

    def test_errors_name_the_file_and_line_inside_the_zip(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "contact.yaml", "contact", "contact:\n  - [unclosed", 1)
        root = unpack_bundle(_zip(bundle), tmp_path / "up")
        [error, *_] = load_bundle(root).errors
        assert error.file == "contact.yaml"
        assert error.line is not None

    @pytest.mark.parametrize("name", ["../evil.yaml", "/etc/evil.yaml", "a/../../evil.yaml", "C:/evil.yaml"])
    def test_refuses_paths_outside_its_folder(self, tmp_path: Path, name: str) -> None:
        with pytest.raises(ValidationFailed, match="outside its folder"):
            unpack_bundle(_zip_of({name: b"x: 1"}), tmp_path / "up")
        assert not (tmp_path / "evil.yaml").exists()

    def test_refuses_links(self, tmp_path: Path) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            info = zipfile.ZipInfo("bundle.yaml")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
        with pytest.raises(ValidationFailed, match="link"):
            unpack_bundle(buffer.getvalue(), tmp_path / "up")

    def test_refuses_a_bomb_and_things_that_are_not_bundles(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationFailed, match="larger than 2 MB"):
            unpack_bundle(_zip_of({"bundle.yaml": b" " * (MAX_MEMBER_BYTES + 1)}), tmp_path / "a")
        with pytest.raises(ValidationFailed, match="not a zip"):
            unpack_bundle(b"PK not really", tmp_path / "b")
        with pytest.raises(ValidationFailed, match="no YAML"):
            unpack_bundle(_zip_of({"notes.txt": b"hello"}), tmp_path / "c")
