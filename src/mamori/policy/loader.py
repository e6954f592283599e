"""Read a bundle directory, validate it, and report each problem with file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mamori.policy import yamlsafe
from mamori.policy.schema import PolicyBundle, reference_problems

Loc = tuple[str | int, ...]
FOLDER_SECTIONS: tuple[str, ...] = ("datamap",)  # list sections kept as a folder of files, one element each


@dataclass(frozen=True, slots=True)
class BundleError:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


@dataclass
class LoadResult:
    bundle: PolicyBundle | None
    errors: list[BundleError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.bundle is not None and not self.errors


def _line_map(node: yaml.Node, path: Loc, out: dict[Loc, int], repeated: list[tuple[Loc, int]]) -> None:
    """Record the line of every path; collect keys given twice in one mapping (YAML keeps the last)."""
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            child = (*path, str(key.value))
            if child[-1] in seen:
                repeated.append((child, key.start_mark.line + 1))
            seen.add(str(key.value))
            _line_map(value, child, out, repeated)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, (*path, index), out, repeated)


def _field_name(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: Any) -> str:
    loc = error["loc"]
    if error["type"] == "missing" and loc and loc[-1] == "ja":
        return "a Japanese text is required (Japanese is the authoritative language)"
    if error["type"] == "missing":
        return "this field is required"
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return str(error["msg"]).removeprefix("Value error, ")


class _Files:
    """Which file and line each top-level key and nested path came from.

    A file of a folder section (``datamap/shop.yaml``) holds one list element: its paths are
    relative to the element (``datamap[0].datasets`` is ``datasets`` of that file).
    """

    def __init__(self) -> None:
        self.owner: dict[str, str] = {}
        self.lines: dict[str, dict[Loc, int]] = {}
        self.elements: dict[Loc, str] = {}

    def locate(self, loc: Loc) -> tuple[str, int | None, Loc]:
        if loc[:2] in self.elements:
            name, loc = self.elements[loc[:2]], loc[2:]
        elif loc and str(loc[0]) in self.owner:
            name = self.owner[str(loc[0])]
        else:
            return "(bundle)", None, loc
        lines = self.lines[name]
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in lines:
                return name, lines[loc[:cut]], loc
        return name, None, loc


def _parse(path: Path, name: str, errors: list[BundleError]) -> tuple[str, Any, dict[Loc, int]] | None:
    """Text, content and line map of one YAML file; None (with an error) when it cannot be read."""
    try:
        text = yamlsafe.read_text(path)
        node, content = yamlsafe.compose_and_load(text)
    except UnicodeDecodeError:
        errors.append(BundleError(name, None, "", "not UTF-8 text"))
        return None
    except yamlsafe.YamlLimitExceeded as exc:
        errors.append(BundleError(name, None, "", f"refused: {exc}"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(BundleError(name, mark.line + 1 if mark else None, "", f"YAML syntax error: {problem}"))
        return None
    if content is None:
        return text, None, {}
    if not isinstance(content, dict) or node is None:
        errors.append(BundleError(name, 1, "", "the file must be a mapping of top-level bundle keys"))
        return None
    lines: dict[Loc, int] = {}
    repeated: list[tuple[Loc, int]] = []
    _line_map(node, (), lines, repeated)
    for loc, line in repeated:
        errors.append(BundleError(name, line, _field_name(loc), "key given twice in the same mapping"))
    return text, content, lines


def _read_file(path: Path, files: _Files, data: dict[str, Any], errors: list[BundleError]) -> str | None:
    name = path.name
    parsed = _parse(path, name, errors)
    if parsed is None:
        return None
    text, content, lines = parsed
    files.lines[name] = lines
    for key, value in (content or {}).items():
        if key in FOLDER_SECTIONS:
            errors.append(
                BundleError(name, lines.get((key,)), key, f"kept in the folder {key}/, one file each")
            )
            continue
        if key in files.owner:
            errors.append(BundleError(name, lines.get((key,)), key, f"already given in {files.owner[key]}"))
            continue
        files.owner[key] = name
        data[key] = value
    return text


def _read_folder(  # noqa: PLR0913 - the loader's shared state
    directory: Path,
    section: str,
    files: _Files,
    data: dict[str, Any],
    errors: list[BundleError],
    sources: dict[str, str],
) -> None:
    """Each ``<section>/*.yaml`` file is one element of the list ``section`` (one system of the data map)."""
    folder = directory / section
    elements: list[Any] = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []:
        name = f"{section}/{path.name}"
        parsed = _parse(path, name, errors)
        if parsed is None or parsed[1] is None:
            continue
        sources[name] = parsed[0]
        files.lines[name] = parsed[2]
        files.elements[(section, len(elements))] = name
        elements.append(parsed[1])
    if elements:
        data[section] = elements


def load_bundle(directory: Path) -> LoadResult:
    """Load every ``*.yaml`` file of ``directory`` (sorted) into one validated bundle."""
    if not directory.is_dir():
        return LoadResult(None, [BundleError(str(directory), None, "", "not a directory")])
    paths = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not paths:
        return LoadResult(None, [BundleError(str(directory), None, "", "no *.yaml files in the bundle")])
    files = _Files()
    data: dict[str, Any] = {}
    errors: list[BundleError] = []
    sources: dict[str, str] = {}
    for path in paths:
        text = _read_file(path, files, data, errors)
        if text is not None:
            sources[path.name] = text
    for section in FOLDER_SECTIONS:
        _read_folder(directory, section, files, data, errors, sources)
    if errors:
        return LoadResult(None, errors, sources)
    try:
        bundle = PolicyBundle.model_validate(data, context={"defer_references": True})
    except ValidationError as exc:
        errors.extend(_located(files, tuple(e["loc"]), _message(e)) for e in exc.errors())
        return LoadResult(None, errors, sources)
    errors = [_located(files, loc, message) for loc, message in reference_problems(bundle)]
    return LoadResult(None if errors else bundle, errors, sources)


def _located(files: _Files, loc: Loc, message: str) -> BundleError:
    file, line, field_loc = files.locate(loc)
    return BundleError(file, line, _field_name(field_loc), message)
