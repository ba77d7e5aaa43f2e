"""A notebook's parameter schema, read from its annotated `parameters` cell, and value validation.

The cell is the single source of truth: `district: str = "城东"  # district to audit` declares the
name, the type, the default and the help text (the same form `papermill --help-notebook` shows).
Values from YAML files and `-p key=value` flags are checked against it before any kernel starts,
because papermill itself only warns about unknown names and never checks types.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditkit import yamlsafe
from auditkit.errors import AuditkitError, ParameterError

PARAMETERS_TAG = "parameters"
LANGUAGES = ("zh", "en")
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class NotebookParameter:
    """One declared parameter: its name, annotated type (as written), default value and help."""

    name: str
    type_name: str
    default: Any
    help: str


def read_notebook_json(notebook: str | Path) -> dict[str, Any]:
    """The notebook file as JSON, with a clear error when it is missing or not a notebook."""
    path = Path(notebook)
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditkitError(f"notebook {str(path)!r}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AuditkitError(
            f"notebook {str(path)!r}: expected a Jupyter notebook (JSON), {error}"
        ) from None
    if not isinstance(content, dict) or not isinstance(content.get("cells"), list):
        raise AuditkitError(f"notebook {str(path)!r}: expected a Jupyter notebook with cells")
    return content


def read_schema(notebook: str | Path) -> dict[str, NotebookParameter]:
    """The parameters a notebook declares in its first cell tagged `parameters`, in order."""
    content = read_notebook_json(notebook)
    for cell in content["cells"]:
        if PARAMETERS_TAG in cell.get("metadata", {}).get("tags", []):
            source = cell.get("source", "")
            return parse_parameters_source(
                "".join(source) if isinstance(source, list) else source, str(notebook)
            )
    raise AuditkitError(
        f"notebook {str(notebook)!r}: expected a cell tagged 'parameters', found none"
    )


def parse_parameters_source(source: str, origin: str) -> dict[str, NotebookParameter]:
    """Parse a parameters cell: `name: type = literal  # help` lines (plain `name = literal` too)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise AuditkitError(
            f"{origin}: parameters cell is not valid Python ({error.msg})"
        ) from None
    lines = source.splitlines()
    schema: dict[str, NotebookParameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value_node = node.target.id, node.value
            type_name = ast.get_source_segment(source, node.annotation) or "object"
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, value_node = node.targets[0].id, node.value
            type_name = ""
        else:
            continue
        try:
            default = ast.literal_eval(value_node)
        except ValueError:
            raise AuditkitError(
                f"{origin}: parameter {name!r}: expected a literal default value, found "
                f"{ast.get_source_segment(source, value_node)!r}"
            ) from None
        type_name = type_name or type(default).__name__
        schema[name] = NotebookParameter(name, type_name, default, _trailing_comment(lines, node))
    return schema


def _trailing_comment(lines: list[str], node: ast.stmt) -> str:
    """The `# comment` after a statement on its last line, which is the parameter's help text."""
    line = lines[(node.end_lineno or node.lineno) - 1].encode("utf-8")
    rest = line[node.end_col_offset or 0 :].decode("utf-8")  # ast offsets count UTF-8 bytes
    return rest.split("#", 1)[1].strip() if "#" in rest else ""


def check_type(parameter: NotebookParameter, value: Any) -> Any:
    """Return `value` converted to the parameter's declared type, or raise ParameterError."""
    try:
        return _conform(parameter.type_name.replace(" ", ""), value)
    except _Mismatch:
        raise ParameterError(parameter.name, _describe(parameter.type_name), value) from None


class _Mismatch(Exception):
    """Internal signal: a value does not fit a type expression."""


def _conform(type_name: str, value: Any) -> Any:
    """Conform one value to a type expression such as `int`, `list[str]` or `str|None`."""
    alternatives = _split_union(type_name)
    if len(alternatives) > 1:
        for alternative in alternatives:
            try:
                return _conform(alternative, value)
            except _Mismatch:
                continue
        raise _Mismatch
    if type_name.startswith("Optional[") and type_name.endswith("]"):
        return _conform(f"{type_name[9:-1]}|None", value)
    if type_name == "None":
        if value is None:
            return None
        raise _Mismatch
    if type_name in ("str", "Path", "pathlib.Path"):
        if isinstance(value, str):
            return value
        if isinstance(value, dt.date):
            return value.isoformat()
        raise _Mismatch
    if type_name == "bool":
        if isinstance(value, bool):
            return value
        raise _Mismatch
    if type_name == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Mismatch
    if type_name == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch
    if type_name.startswith(("list", "tuple")):
        if not isinstance(value, list | tuple):
            raise _Mismatch
        inner = type_name[type_name.index("[") + 1 : -1] if "[" in type_name else "object"
        inner = inner.split(",")[0] if type_name.startswith("tuple") else inner
        return [_conform(inner, item) for item in value]
    if type_name.startswith("dict"):
        if isinstance(value, dict):
            return dict(value)
        raise _Mismatch
    return value  # an annotation auditkit does not know (e.g. a custom class): accept as given


def _split_union(type_name: str) -> list[str]:
    """Split `a|b[c|d]` at top-level bars only."""
    parts, depth, current = [], 0, ""
    for character in type_name:
        depth += character == "["
        depth -= character == "]"
        if character == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    return [*parts, current]


def _describe(type_name: str) -> str:
    """A type expression in words for error messages."""
    return f"a value of type {type_name}"


def parse_assignment(
    schema: Mapping[str, NotebookParameter], text: str, notebook: str
) -> tuple[str, Any]:
    """Parse one `-p key=value` flag against the schema; text parameters take the value verbatim."""
    if "=" not in text:
        raise ParameterError("-p", "key=value", text)
    key, raw = (part.strip() for part in text.split("=", 1))
    parameter = _known(schema, key, notebook)
    type_name = parameter.type_name.replace(" ", "")
    if type_name in ("str", "Path", "pathlib.Path"):
        return key, raw
    try:
        value = yamlsafe.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    return key, check_type(parameter, value)


class UnknownParameterError(ParameterError):
    """A parameter name the notebook does not declare (papermill would only warn and ignore it)."""

    def __init__(self, name: str, notebook: str, known: Iterable[str]) -> None:
        expected = f"one of {', '.join(known)}"
        ParameterError.__init__(self, name, expected, name)
        AuditkitError.__init__(
            self, f"unknown parameter {name!r} for {Path(notebook).name}: expected {expected}"
        )


def _known(schema: Mapping[str, NotebookParameter], key: str, notebook: str) -> NotebookParameter:
    """The schema entry for `key`, or an UnknownParameterError listing what the notebook accepts."""
    if key not in schema:
        raise UnknownParameterError(key, notebook, schema)
    return schema[key]


def validate_values(
    schema: Mapping[str, NotebookParameter], values: Mapping[str, Any], notebook: str
) -> dict[str, Any]:
    """Check names, types and the domain of well-known parameters; return the converted values."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        checked[key] = check_type(_known(schema, key, notebook), value)
        check_domain(key, checked[key])
    return checked


def check_domain(name: str, value: Any) -> None:
    """Rules for parameters auditkit notebooks share by name: `lang`, `as_of`, `data_dir`."""
    if name == "lang" and value not in LANGUAGES:
        raise ParameterError(name, "'zh' or 'en'", value)
    if name == "as_of" and value not in ("", None) and not _PERIOD.match(str(value)):
        raise ParameterError(name, "a billing period 'YYYY-MM' (or empty for the latest)", value)
    if name == "data_dir" and value not in ("", None) and not Path(str(value)).is_dir():
        raise ParameterError(name, "an existing dataset folder", value)


def load_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter file: a mapping of parameter names to values (empty file = {})."""
    file_path = Path(path)
    try:
        content = yamlsafe.safe_load(file_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditkitError(f"parameter file {str(file_path)!r}: file not found") from None
    except yaml.YAMLError as error:
        raise AuditkitError(f"parameter file {str(file_path)!r}: expected YAML, {error}") from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise AuditkitError(
            f"parameter file {str(file_path)!r}: expected a mapping of parameter names to values, "
            f"found {type(content).__name__}"
        )
    return {str(key): value for key, value in content.items()}
