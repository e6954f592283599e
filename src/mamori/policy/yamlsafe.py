"""Read a YAML file that an operator hands over, with limits: a bad file is an error, never a hang.

PyYAML's safe loader builds no objects from tags, but it still accepts a 540-byte "billion laughs"
(anchors of anchors: whatever walks the result walks it a billion times) and a file nested
50,000 levels deep (a RecursionError). So a file here has at most ``MAX_BYTES``, its nesting at
most ``MAX_DEPTH`` levels, at most ``MAX_ALIASES`` aliases, and at most ``MAX_NODES`` values once
every alias is expanded. Aliases themselves stay allowed: bundles use them for repeated texts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 1_000
MAX_NODES = 200_000


class YamlLimitExceeded(ValueError):  # noqa: N818 - reads as a verdict on the file
    """The file is over a limit; the message names the limit (the caller names the file)."""


class _LimitedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlLimitExceeded(f"more than {MAX_ALIASES} aliases (*name)")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitExceeded(f"nested more than {MAX_DEPTH} levels deep")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Values in ``node`` with every alias expanded, counted once per distinct node (linear time)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, sizes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = size
    if size > MAX_NODES:
        raise YamlLimitExceeded(f"more than {MAX_NODES:,} values once aliases are expanded")
    return size


def read_text(path: Path) -> str:
    """The file's UTF-8 text; YamlLimitExceeded when over ``MAX_BYTES`` (else OSError, UnicodeDecodeError)."""
    if path.stat().st_size > MAX_BYTES:
        raise YamlLimitExceeded(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    return path.read_text(encoding="utf-8")


def compose_and_load(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers) and the content of one YAML document, within the limits.

    Raises:
        YamlLimitExceeded: over a limit. yaml.YAMLError: not YAML.
    """
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _expanded_size(node, {})
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def load_file(path: Path) -> Any:
    """The content of one YAML file within the limits (see :func:`compose_and_load`)."""
    return compose_and_load(read_text(path))[1]
