"""A policy bundle uploaded as a zip: unpacked safely into a folder the loader then checks.

An upload is untrusted: no member may leave the folder (absolute paths, ``..``, links), the
archive may not be a bomb (limits on members, each member's and the total unpacked size), and
only the bundle's YAML and Markdown files are taken. A zip holding one top folder (what "compress
this folder" makes) is read from inside that folder.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from mamori.errors import ValidationFailed

MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
SUFFIXES = frozenset({".yaml", ".yml", ".md"})


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(
        f"{message}; nothing was read", details={"errors": [{"field": "bundle", "message": message}]}
    )


def _safe_name(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's relative path, None for folders and files that are not the bundle's."""
    name = PurePosixPath(info.filename.replace("\\", "/"))
    if name.is_absolute() or ".." in name.parts or ":" in info.filename:
        raise _refuse(f"the archive holds a path outside its folder: {info.filename}")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(f"the archive holds a link: {info.filename}")
    if info.is_dir() or name.suffix.lower() not in SUFFIXES or any(p.startswith(".") for p in name.parts):
        return None
    return name


def unpack_bundle(data: bytes, into: Path) -> Path:
    """Unpack the zip ``data`` into the empty folder ``into``; return the bundle's folder.

    Raises:
        ValidationFailed: not a zip, too large, a path outside the folder or a link, or no YAML file.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _refuse("the upload is not a zip archive") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise _refuse(f"the archive holds more than {MAX_MEMBERS} entries")
        wanted = [(info, name) for info in members if (name := _safe_name(info)) is not None]
        if sum(info.file_size for info, _ in wanted) > MAX_TOTAL_BYTES:
            raise _refuse("the archive unpacks to more than 20 MB")
        for info, name in wanted:
            if info.file_size > MAX_MEMBER_BYTES:
                raise _refuse(f"{name} is larger than 2 MB")
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source:
                content = source.read(MAX_MEMBER_BYTES + 1)  # the header's size may lie
            if len(content) > MAX_MEMBER_BYTES:
                raise _refuse(f"{name} is larger than 2 MB")
            target.write_bytes(content)
    if not wanted:
        raise _refuse("the archive holds no YAML file")
    return _bundle_root(into)


def _bundle_root(folder: Path) -> Path:
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not (folder / "bundle.yaml").exists():
        return entries[0]
    return folder
