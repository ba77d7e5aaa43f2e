"""YAML for untrusted files: `yaml.safe_load` that refuses alias bombs ("billion laughs").

PyYAML's safe loader shares the node an alias points to, so a 400-byte file of nested aliases
loads quickly but stands for billions of values; whatever walks the result afterwards (validation,
JSON, a copy) then runs for minutes into a MemoryError. Here the composed document is measured
with its aliases expanded, before anything is built from it, and refused past a small limit.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Nodes that aliases may add to a document once expanded; legitimate parameter files add a few.
MAX_ALIAS_EXPANSION = 10_000


class AliasExpansionError(yaml.YAMLError):
    """A YAML document whose aliases expand past `MAX_ALIAS_EXPANSION` nodes, or refer to
    themselves. A `yaml.YAMLError`, so callers that report bad YAML report this too."""

    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.problem = message
        self.problem_mark = mark

    def __str__(self) -> str:
        where = f" (line {self.problem_mark.line + 1})" if self.problem_mark else ""
        return f"{self.problem}{where}"


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, measuring each document's expanded size before constructing it."""

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _check_expansion(node)
        return node


def safe_load(text: str | bytes) -> Any:
    """Parse one YAML document like `yaml.safe_load`, refusing alias bombs and recursive aliases
    with an `AliasExpansionError` (a `yaml.YAMLError`)."""
    return yaml.load(text, Loader=_BoundedLoader)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_expansion(root: yaml.Node) -> None:
    """Raise unless the document, aliases expanded, has at most MAX_ALIAS_EXPANSION more nodes
    than it has distinct nodes (sizes memoised per node, so a bomb is measured in linear time)."""
    expanded: dict[int, int] = {}
    distinct = 0
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            in_progress.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in _children(node))
            distinct += 1
            if expanded[key] - distinct > MAX_ALIAS_EXPANSION:
                raise AliasExpansionError(
                    f"expected YAML whose aliases expand to at most {MAX_ALIAS_EXPANSION:,} "
                    f"values, found aliases that expand to {expanded[key]:,} or more "
                    "(an alias bomb?)",
                    node.start_mark,
                )
            continue
        if key in expanded:
            continue
        if key in in_progress:
            raise AliasExpansionError(
                "expected YAML without recursive aliases, found an alias inside its own anchor",
                node.start_mark,
            )
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)
