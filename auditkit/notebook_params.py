"""A notebook's parameter schema, read from its annotated `parameters` cell, and value validation.

The cell is the single source of truth: `district: str = "城东"  # district to audit` declares the
name, the type, the default and the help text, in the one form papermill's own parser reads the same
way (so `papermill --help-notebook` lists exactly these parameters). Values from YAML files and
`-p key=value` flags are checked against it before any kernel starts, because papermill itself only
warns about unknown names and never checks types; `auditkit.report.kernel_params` applies the
same checks inside the notebook for clients that start kernels without auditkit (papermill,
JupyterLab). Both sides read it, so it belongs to neither package: a kernel imports no part of the
run pipeline (`auditkit.pipeline`), which itself only reads what kernels record.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditkit import i18n, yamlsafe
from auditkit.errors import SEEDS, AuditkitError, ParameterError, is_seed
from auditkit.options.sampling import SELECTION_METHODS, STRATA, UNITS
from auditkit.periods import is_period

PARAMETERS_TAG = "parameters"
_CELL_FORM = "`name: type = literal  # help` on one line"
_PAPERMILL_ANNOTATION = re.compile(r"\w[\w\[\],\s]*")  # papermill's pattern for annotations
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0"})


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
    """Parse a parameters cell of `name: type = literal  # help` lines, one parameter a line.

    papermill reads the same cell line by line with a regular expression
    (`PythonTranslator.inspect`): it skips a line holding more than one `=`, glues a line without
    one onto the parameter above, reads the default up to the first `#` and only annotations made
    of words, brackets and commas. Any other form would make papermill and auditkit read different
    parameters, so it is refused here with the line that papermill would misread.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise AuditkitError(
            f"{origin}: parameters cell is not valid Python ({error.msg})"
        ) from None
    lines = source.splitlines()
    schema: dict[str, NotebookParameter] = {}
    for node in tree.body:
        line = lines[node.lineno - 1]
        where = f"{origin}: parameters cell line {node.lineno}"
        if not (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            raise AuditkitError(f"{where}: expected {_CELL_FORM}, found {line.strip()!r}")
        name = node.target.id
        if node.end_lineno != node.lineno:
            raise AuditkitError(
                f"{where}: parameter {name!r}: expected {_CELL_FORM} (papermill reads one line), "
                f"found it spread over {(node.end_lineno or node.lineno) - node.lineno + 1} lines"
            )
        if line.count("=") != 1:
            raise AuditkitError(
                f"{where}: parameter {name!r}: expected one '=' on the line (papermill skips a "
                f"line with more), found {line.count('=')}: {line.strip()!r}"
            )
        type_name = ast.get_source_segment(source, node.annotation) or ""
        if not _PAPERMILL_ANNOTATION.fullmatch(type_name):
            raise AuditkitError(
                f"{where}: parameter {name!r}: expected a type papermill can read (such as int, "
                f"list[str], dict[str, float] or Optional[str]), found {type_name!r}"
            )
        default_text = ast.get_source_segment(source, node.value) or ""
        if "#" in default_text:
            raise AuditkitError(
                f"{where}: parameter {name!r}: expected a default without '#' (papermill reads "
                f"the help from the first '#'), found {default_text!r}"
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise AuditkitError(
                f"{origin}: parameter {name!r}: expected a literal default value, found "
                f"{default_text!r}"
            ) from None
        schema[name] = NotebookParameter(name, type_name, default, _trailing_comment(lines, node))
    return schema


def _trailing_comment(lines: list[str], node: ast.stmt) -> str:
    """The `# comment` after a statement on its last line, which is the parameter's help text."""
    line = lines[(node.end_lineno or node.lineno) - 1].encode("utf-8")
    rest = line[node.end_col_offset or 0 :].decode("utf-8")  # ast offsets count UTF-8 bytes
    return rest.split("#", 1)[1].strip() if "#" in rest else ""


def check_type(parameter: NotebookParameter, value: Any) -> Any:
    """Return `value` converted to the parameter's declared type, or raise ParameterError.

    Conversions are the ones every client needs alike: the usual spellings of a boolean
    (papermill's `-p flag false` arrives as the text 'false'), a YAML date where text is expected,
    an int where a float is. The result must be plain data, since it goes into papermill's
    injected cell and the run's manifest: a YAML date inside a list or mapping, a non-text key or
    any other YAML-only type is refused here rather than failing later.
    """
    type_name = parameter.type_name.replace(" ", "")
    try:
        converted = _conform(type_name, value)
    except _Mismatch as mismatch:
        if not mismatch.where:
            raise ParameterError(parameter.name, _describe(parameter.type_name), value) from None
        expected = _describe(mismatch.type_name) + mismatch.where
        raise ParameterError(parameter.name, expected, mismatch.value) from None
    if not _is_plain(converted):
        raise ParameterError(
            parameter.name,
            "plain data (text, numbers, true/false, lists and mappings with text keys)",
            value,
        )
    return converted


class _Mismatch(Exception):
    """Internal signal: a value does not fit a type expression. Raised inside a list or mapping
    (`_conform_entry`) it says where: `where` a phrase naming the entry (" for '城东'", " as a
    key", " at item 2"; empty for the value itself), `type_name` the type expected there and
    `value` what is there, so a message says which entry of a mapping or list is wrong."""

    def __init__(self, where: str = "", type_name: str = "", value: Any = None) -> None:
        super().__init__(where)
        self.where = where
        self.type_name = type_name
        self.value = value


def _conform(type_name: str, value: Any) -> Any:
    """Conform one value to a type expression such as `int`, `list[str]` or `Optional[str]`."""
    alternatives = _split_top_level(type_name, "|")
    if len(alternatives) > 1:
        for alternative in alternatives:
            try:
                return _conform(alternative, value)
            except _Mismatch:
                continue
        raise _Mismatch
    base, arguments = _generic(type_name)
    if base == "Optional" and len(arguments) == 1:
        return _conform(f"{arguments[0]}|None", value)
    if base == "Union" and arguments:
        return _conform("|".join(arguments), value)
    if base == "None":
        if value is None:
            return None
        raise _Mismatch
    if base in ("str", "Path"):
        if isinstance(value, str):
            return value
        if isinstance(value, dt.date):
            return value.isoformat()
        raise _Mismatch
    if base == "bool":
        return _conform_bool(value)
    if base == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _Mismatch
    if base == "float":  # a finite number: NaN or infinity is no share, and no JSON either
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        raise _Mismatch
    if base in ("list", "tuple"):
        if not isinstance(value, list | tuple):
            raise _Mismatch
        item_type = arguments[0] if arguments else "object"
        return [_conform_entry(f" at item {n}", item_type, item) for n, item in enumerate(value, 1)]
    if base == "dict":
        if not isinstance(value, dict):
            raise _Mismatch
        key_type, value_type = arguments if len(arguments) == 2 else ("object", "object")
        keys = [_conform_entry(" as a key", key_type, key) for key in value]  # keys first
        items = [_conform_entry(f" for {key!r}", value_type, item) for key, item in value.items()]
        return dict(zip(keys, items, strict=True))
    return value  # an annotation auditkit does not know (e.g. `object`): accept as given


def _conform_entry(where: str, type_name: str, value: Any) -> Any:
    """`_conform` one entry of a list or mapping, `where` naming it; a mismatch in it says
    where, inside it too (an item of a list in a mapping: " for '城东' at item 2")."""
    try:
        return _conform(type_name, value)
    except _Mismatch as mismatch:
        if mismatch.where:
            raise _Mismatch(where + mismatch.where, mismatch.type_name, mismatch.value) from None
        raise _Mismatch(where, type_name, value) from None


def _conform_bool(value: Any) -> bool:
    """A boolean from a bool, the numbers 1/0 or the words true/false, yes/no, on/off in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    raise _Mismatch


def _is_plain(value: Any) -> bool:
    """True for JSON-like data: text, finite numbers, booleans, None, lists and text-keyed
    mappings (NaN would be written into the manifest as JSON no reader accepts)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if value is None or isinstance(value, str | int):
        return True
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _is_plain(item) for key, item in value.items())
    return False


def _generic(type_name: str) -> tuple[str, list[str]]:
    """Split `dict[str,int]` into its base name and arguments: ('dict', ['str', 'int'])."""
    if "[" not in type_name or not type_name.endswith("]"):
        return type_name.removeprefix("typing.").removeprefix("pathlib."), []
    base, inner = type_name.split("[", 1)
    return base.removeprefix("typing."), _split_top_level(inner[:-1], ",")


def _split_top_level(type_name: str, separator: str) -> list[str]:
    """Split `a|b[c|d]` (or `a,b[c,d]`) at the separators outside brackets only."""
    parts, depth, current = [], 0, ""
    for character in type_name:
        depth += character == "["
        depth -= character == "]"
        if character == separator and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += character
    return [*parts, current]


def _describe(type_name: str) -> str:
    """A type expression in words for error messages."""
    if type_name == "bool":
        return "a value of type bool (true/false, yes/no, on/off or 1/0)"
    if type_name == "float":
        return "a value of type float (a finite number)"
    return f"a value of type {type_name}"


def parse_assignment(
    schema: Mapping[str, NotebookParameter], text: str, notebook: str
) -> tuple[str, Any]:
    """Parse one `-p key=value` flag against the schema; text parameters take the value verbatim."""
    if any("\udc80" <= character <= "\udcff" for character in text):  # bytes not UTF-8
        raw_bytes = text.encode("utf-8", "surrogateescape")
        shown = raw_bytes.decode("utf-8", "backslashreplace")
        raise ParameterError("-p", "UTF-8 text (set the terminal or the script to UTF-8)", shown)
    if "=" not in text:
        raise ParameterError("-p", "key=value", text)
    key, raw = (part.strip() for part in text.split("=", 1))
    parameter = _known(schema, key, notebook)
    type_name = parameter.type_name.replace(" ", "")
    if type_name in ("str", "Path", "pathlib.Path"):
        return key, raw
    try:
        value = yamlsafe.safe_load(raw, yamlsafe.PlainNumbersLoader) if raw else ""
    except yamlsafe.NotAValueError:  # `2024-13-01`: no date, and no parameter takes one: its text
        value = raw
    except yamlsafe.RefusedYAMLError as error:  # YAML, but ambiguous or hostile: not text either
        raise ParameterError(key, error.expected, str(error)) from None
    except yaml.YAMLError:
        value = raw
    if yamlsafe.has_comment(raw):
        raise ParameterError(key, "a value without a YAML comment (quote text holding ' #')", raw)
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
        check_domain(key, checked[key], schema[key], notebook_key(notebook))
    return checked


#: What the names papermill itself injects begin with (`--inject-paths`: PAPERMILL_INPUT_PATH,
#: PAPERMILL_OUTPUT_PATH): a notebook never declares them, and they are no misspelt parameter.
PAPERMILL_OWN_PREFIX = "PAPERMILL_"


def is_papermill_own(name: str) -> bool:
    """Whether papermill injected `name` itself (`--inject-paths`), not from a `-p` the user typed."""
    return name.startswith(PAPERMILL_OWN_PREFIX)


#: Whole-number parameters the notebooks share by name, and the least value each allows: a
#: negative `top_n` would list every customer but a few (pandas' head(-1)). A seed is checked as
#: every seed is (`errors.SEEDS`: one message whatever is wrong with it).
WHOLE_NUMBERS = {"top_n": 1, "months": 1}
#: The longest window of months a study may ask for (50 years): `months: 1000000000000` would
#: otherwise fail in the kernel allocating terabytes, naming no parameter.
MOST_MONTHS = 600
#: Shares the notebooks take by name, each strictly between 0 and 1.
SHARES = ("materiality", "confidence")
#: Words a shipped notebook takes, each one of its choices, keyed by the notebook (its file's
#: stem): an analyst's own notebook may declare `units: str = "kWh"` for its own ends.
WORDS = {"sampling_plan": {"units": UNITS, "method": SELECTION_METHODS, "stratum": STRATA}}
#: Parameters of a shipped notebook naming one input file, which must exist when given ('' for
#: none), keyed by the notebook as WORDS is.
FILES = {"sampling_plan": ("field_sheet",), "cross_audit": ("previous_round",)}
#: Shipped notebooks whose `expected` is a number of expected errors (≥ 0).
EXPECTED_ERRORS = ("sampling_plan",)


def notebook_key(notebook: str | Path) -> str:
    """The key of a notebook in WORDS, FILES and EXPECTED_ERRORS: its file's stem."""
    return Path(notebook).stem


def check_domain(
    name: str,
    value: Any,
    parameter: NotebookParameter | None = None,
    notebook: str | None = None,
) -> None:
    """Rules for parameters auditkit notebooks share by name (`lang`, `as_of`, `data_dir`,
    `top_n`, `seed`, `months`, the shares), checked before any kernel starts so that a bad value
    stops the run with nothing run, not a notebook halfway. With its `notebook` (a key of WORDS,
    FILES, EXPECTED_ERRORS), that shipped notebook's own words, input files and expected errors
    too. With its `parameter` (the schema's entry), an empty `district` is refused where the
    notebook's default names one: that notebook audits one district, and empty is none."""
    if name == "seed" and not is_seed(value):
        raise ParameterError(name, SEEDS, value)
    if name in WHOLE_NUMBERS and (
        isinstance(value, bool) or not isinstance(value, int) or value < WHOLE_NUMBERS[name]
    ):
        raise ParameterError(name, f"a whole number ≥ {WHOLE_NUMBERS[name]}", value)
    if name == "months" and value > MOST_MONTHS:
        raise ParameterError(name, f"a number of months from 1 to {MOST_MONTHS}", value)
    if name in SHARES and not 0 < value < 1:
        raise ParameterError(name, "a share strictly between 0 and 1 (0.95, not 95)", value)

    if name == "lang":
        i18n.language(value)
    if name == "as_of" and value not in ("", None) and not is_period(str(value)):
        raise ParameterError(name, "a billing period 'YYYY-MM' (or empty for the latest)", value)
    if name == "data_dir" and value not in ("", None) and not Path(str(value)).is_dir():
        raise ParameterError(name, "an existing dataset folder", value)
    words = WORDS.get(notebook or "", {})
    if name in words and value not in words[name]:
        raise ParameterError(name, f"one of {', '.join(words[name])}", value)
    if (
        name == "expected"
        and notebook in EXPECTED_ERRORS
        and isinstance(value, int | float)
        and value < 0
    ):
        raise ParameterError(name, "expected errors ≥ 0 (below 1 a rate, else a count)", value)
    files = FILES.get(notebook or "", ())
    if name in files and value not in ("", None) and not Path(str(value)).is_file():
        raise ParameterError(name, "an existing file (or empty for none)", value)
    if name == "district" and value == "" and parameter is not None and parameter.default:
        expected = f"a district (this notebook audits one, by default {parameter.default!r})"
        raise ParameterError(name, expected, value)


def load_params_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML parameter file: a mapping of parameter names to values (`{}` for the
    notebook's defaults). A file with no values at all, empty or comments only, is refused: a
    file emptied by mistake would otherwise run the notebook on its defaults, the demo
    utility's data among them, without a word."""
    file_path = Path(path)
    try:
        content = yamlsafe.safe_load(file_path.read_bytes(), yamlsafe.PlainNumbersLoader)
    except FileNotFoundError:
        raise AuditkitError(f"parameter file {str(file_path)!r}: file not found") from None
    except yaml.YAMLError as error:
        raise AuditkitError(
            f"parameter file {str(file_path)!r}: expected YAML, found {yamlsafe.describe(error)}"
        ) from None
    if content is None:
        raise AuditkitError(
            f"parameter file {str(file_path)!r}: expected a mapping of parameter names to values "
            "(write {} for the notebook's defaults), found a file with no values"
        )
    if not isinstance(content, dict):
        raise AuditkitError(
            f"parameter file {str(file_path)!r}: expected a mapping of parameter names to values, "
            f"found {type(content).__name__}"
        )
    return {str(key): value for key, value in content.items()}
