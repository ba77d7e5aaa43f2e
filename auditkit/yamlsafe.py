"""YAML for untrusted files: `yaml.safe_load` that refuses alias bombs and absurd nesting.

PyYAML's safe loader shares the node an alias points to, so a 400-byte file of nested aliases
("billion laughs") loads quickly but stands for billions of values; whatever walks the result
afterwards (validation, JSON, a copy) then runs for minutes into a MemoryError. Here the composed
document is measured with its aliases expanded, before anything is built from it, and refused past
a small limit. PyYAML also composes nested collections recursively, so a file of 5,000 `[` ends in
a RecursionError; nesting is refused past a depth no parameter file comes near. A key given twice in
one mapping (`lang: zh`, later `lang: en`) is refused too: PyYAML keeps the last silently, so a
file would not say what it does. A loader may build every key as the text written
(`BoundedLoader.keys_as_text`), where YAML 1.1's reading of `010` as 8 or `no` as False would
change what a key names; `PlainNumbersLoader` reads a value as a number or a boolean only when it
is written as one plainly. A scalar of YAML's types that cannot be built, a date that does not exist
(`2024-13-01`, `2024-06-31`, which YAML's timestamp pattern reads as a date) or an explicit
`!!int abc`, is refused with its line and column instead of letting Python's ValueError escape.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from auditkit.errors import shown

#: Nodes that aliases may add to a document once expanded; legitimate parameter files add a few.
MAX_ALIAS_EXPANSION = 10_000
#: Collections inside collections; parameter files and columns.yaml nest two or three deep.
MAX_DEPTH = 100


class RefusedYAMLError(yaml.YAMLError):
    """YAML that parses but is refused (hostile, or ambiguous). A `yaml.YAMLError`, so callers that report bad
    YAML report this too.

    `expected` and `found` are phrases for a one-line message; `str()` is `found` with its line,
    so it reads well after "found" or "expected YAML,".
    """

    def __init__(self, expected: str, found: str, mark: yaml.Mark | None) -> None:
        super().__init__(found)
        self.expected = expected
        self.found = found
        self.problem = found
        self.problem_mark = mark

    @property
    def line(self) -> int | None:
        """1-based line where the refused construct starts, when known."""
        return self.problem_mark.line + 1 if self.problem_mark else None

    def __str__(self) -> str:
        return f"{self.found} (line {self.line})" if self.line else self.found


class AliasExpansionError(RefusedYAMLError):
    """Aliases that expand past `MAX_ALIAS_EXPANSION` nodes, or refer to themselves."""


class NestingError(RefusedYAMLError):
    """Collections nested deeper than `MAX_DEPTH`."""


class DuplicateKeyError(RefusedYAMLError):
    """A key given twice in one mapping (keys merged in with `<<` may be overridden)."""

    def __init__(self, first: yaml.ScalarNode, again: yaml.ScalarNode) -> None:
        key = repr(again.value) if first.value == again.value else (
            f"{again.value!r} (the same key as {first.value!r})"
        )  # fmt: skip
        super().__init__(
            "YAML with each key once in a mapping",
            f"the key {key} twice in one mapping",
            again.start_mark,
        )
        self.first_line = first.start_mark.line + 1

    def __str__(self) -> str:
        return f"{self.found} (line {self.line}; first on line {self.first_line})"


class NotAValueError(RefusedYAMLError, yaml.MarkedYAMLError):
    """A scalar that YAML reads as a date, a number or a boolean, by its look (`2024-13-01`) or an
    explicit tag (`!!int abc`), but that is none: `2024-13-01` matches YAML's timestamp pattern
    and is no date. A `MarkedYAMLError` too, its `problem_mark` at the scalar.

    `found` is the text written, quoted; `str()` adds its line and column, and `describe()` says
    what it is not, as a reader that words every YAML error after "found" needs."""

    def __init__(self, expected: str, node: yaml.ScalarNode) -> None:
        super().__init__(expected, shown(node.value), node.start_mark)
        self.context = self.context_mark = self.note = None

    @property
    def column(self) -> int:
        """1-based column where the scalar starts."""
        return self.problem_mark.column + 1

    def __str__(self) -> str:
        return f"{self.found} (line {self.line}, column {self.column})"

    def described(self) -> str:
        """One line for after "found": the text, what it is not, and where."""
        return (
            f"{self.found}, which is not {self.expected} (line {self.line}, column {self.column})"
        )


#: The tags YAML 1.1 gives a scalar by its look (`010` int, `no` bool, `12:30` int, `~` null), or
#: that a file names explicitly: a scalar of one of them can be built as the text written instead.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_TEXT_TAG = "tag:yaml.org,2002:str"


def as_text(node: yaml.Node) -> yaml.Node:
    """`node` as a scalar built from the text written (`010` → '010', not 8; `no` → 'no', not
    False) when it is a scalar of YAML's own types; any other node unchanged, so a python tag
    stays refused and a collection stays a collection."""
    if isinstance(node, yaml.ScalarNode) and node.tag in _SCALAR_TAGS:
        return yaml.ScalarNode(_TEXT_TAG, node.value, node.start_mark, node.end_mark, node.style)
    return node


class BoundedLoader(yaml.SafeLoader):
    """The safe loader, bounding nesting while composing and the expanded size of each document
    before constructing it."""

    #: Whether every scalar key is built as the text written, quoted or not (`as_text`); the
    #: merge key `<<` still merges.
    keys_as_text = False

    def __init__(self, stream: str | bytes) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise NestingError(
                    f"YAML nested at most {MAX_DEPTH} levels deep",
                    f"collections nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        if self.keys_as_text:
            node.value[:] = [(as_text(key), value) for key, value in node.value]
        _check_unique_keys(self, node)
        return node

    def compose_document(self) -> yaml.Node:
        node = super().compose_document()
        _check_expansion(node)
        return node

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> object:
        """A date (or date and time) as YAML builds it, refusing one that does not exist
        (`2024-13-01`, `2024-02-30`, `25:00`) or an explicit `!!timestamp` that is none."""
        dated = bool(self.timestamp_regexp.fullmatch(node.value))
        if dated and len(node.value) > len("YYYY-MM-DD"):
            expected = "a real date and time YYYY-MM-DD HH:MM:SS"
        else:
            expected = "a real date YYYY-MM-DD"
        if not dated:
            raise NotAValueError(expected, node)
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise NotAValueError(expected, node) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """An integer as YAML builds it, refusing an explicit `!!int` that is none."""
        try:
            return super().construct_yaml_int(node)
        except (ValueError, IndexError):
            raise NotAValueError("an integer", node) from None

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        """A number as YAML builds it, refusing an explicit `!!float` that is none."""
        try:
            return super().construct_yaml_float(node)
        except (ValueError, IndexError):
            raise NotAValueError("a number", node) from None

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        """A boolean as YAML builds it, refusing an explicit `!!bool` that is none."""
        try:
            return super().construct_yaml_bool(node)
        except KeyError:
            raise NotAValueError("true or false", node) from None


for _kind in ("timestamp", "int", "float", "bool"):
    BoundedLoader.add_constructor(
        f"tag:yaml.org,2002:{_kind}", getattr(BoundedLoader, f"construct_yaml_{_kind}")
    )


class TextKeysLoader(BoundedLoader):
    """BoundedLoader with every key the text written: a file whose keys are names (districts,
    columns), where `010:` must name 010, not 8."""

    keys_as_text = True


#: Plain scalars read as numbers or booleans: decimal digits (no leading zero), a decimal point
#: or exponent, `.inf` / `.nan`, and true / false. YAML 1.1 also reads `010` as 8, `0x10` as 16,
#: `1_000` as 1000, `1:20` as 80 (base 60) and `yes` / `off` as booleans.
_PLAIN_FORMS = {
    "tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)"),
    "tag:yaml.org,2002:float": re.compile(
        r"[-+]?(\.[0-9]+|(0|[1-9][0-9]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)"
        r"|\.(nan|NaN|NAN)"
    ),
    "tag:yaml.org,2002:bool": re.compile(r"true|True|TRUE|false|False|FALSE"),
}


class PlainNumbersLoader(BoundedLoader):
    """BoundedLoader reading a plain value as a number or a boolean only in the forms above; any
    other form YAML 1.1 would turn into one (`010`, `0x10`, `1_000`, `1:20`, `yes`, `off`) is the
    text written, which a check of its type then refuses or reads as written, never a number the
    writer did not mean (parameter files and `-p key=value`)."""

    def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
        node = super().compose_scalar_node(anchor)
        form = _PLAIN_FORMS.get(node.tag)
        if form is not None and not form.fullmatch(node.value):
            node.tag = _TEXT_TAG
        return node


def safe_load(text: str | bytes, loader: type[BoundedLoader] = BoundedLoader) -> Any:
    """Parse one YAML document like `yaml.safe_load`, refusing alias bombs, recursive aliases,
    deep nesting and duplicate keys with a `RefusedYAMLError` (a `yaml.YAMLError`); `loader` may
    be a subclass of BoundedLoader that builds some scalars as text.

    Bytes are decoded by PyYAML (UTF-8, or UTF-16 with a byte-order mark); bytes in no such
    encoding raise a `yaml.YAMLError` too, so callers that read a file should pass its bytes.
    """
    return yaml.load(text, Loader=loader)


def has_comment(text: str) -> bool:
    """Whether YAML `text` holds a comment: a `#` between tokens, which the parser drops.

    For one-line values such as a `-p key=value` flag, where a shell user's `5 # fewer` would
    otherwise read as 5 without a word. Text that does not scan is reported by the parser, not here.
    """
    try:
        tokens = list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return False
    ends = [token.end_mark.index for token in tokens]
    starts = [token.start_mark.index for token in tokens]
    return any("#" in text[end:start] for end, start in zip(ends, starts[1:], strict=False))


#: Key tags that are not keys of the mapping itself: `<<` merges another mapping in, `=` is a
#: value key; both are resolved by PyYAML when it flattens the mapping.
_SPECIAL_KEY_TAGS = ("tag:yaml.org,2002:merge", "tag:yaml.org,2002:value")


def _check_unique_keys(loader: yaml.SafeLoader, node: yaml.MappingNode) -> None:
    """Raise DuplicateKeyError at the second of two keys of `node` that construct to the same
    value (`yes` and `true` alike), as the dict built from it would merge them. Only scalar keys
    are compared: a collection as key is refused when the mapping is built."""
    seen: dict[object, yaml.ScalarNode] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag in _SPECIAL_KEY_TAGS:
            continue
        try:
            first = seen.setdefault(loader.construct_object(key_node), key_node)
        except TypeError:  # an unhashable key: refused when the mapping is built
            continue
        if first is not key_node:
            raise DuplicateKeyError(first, key_node)


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
                    f"YAML whose aliases expand to at most {MAX_ALIAS_EXPANSION:,} values",
                    f"aliases that expand to more than {MAX_ALIAS_EXPANSION:,} values "
                    "(an alias bomb)",
                    node.start_mark,
                )
            continue
        if key in expanded:
            continue
        if key in in_progress:
            raise AliasExpansionError(
                "YAML without recursive aliases",
                "an alias inside its own anchor (a recursive alias)",
                node.start_mark,
            )
        in_progress.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in expanded)


def describe(error: yaml.YAMLError) -> str:
    """One line for any YAML error, to follow "found": PyYAML's own messages span several lines
    and name an internal stream ("<byte string>") instead of the user's file."""
    if isinstance(error, NotAValueError):
        return error.described()
    if isinstance(error, RefusedYAMLError):
        return str(error)
    if isinstance(error, yaml.reader.ReaderError):
        return f"text that is not UTF-8 (byte {error.position}); save the file as UTF-8"
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        # PyYAML words many problems "found …" ("found unexpected end of stream"), and this
        # line follows "found" itself: the word is not said twice.
        problem = problem.removeprefix("found ").removeprefix("but found ")
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(error).splitlines()[0] if str(error) else type(error).__name__
