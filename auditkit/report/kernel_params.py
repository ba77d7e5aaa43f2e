"""Parameter checks inside a notebook's kernel, so every client gets `auditkit run`'s checks.

`auditkit run` validates values before a kernel starts; plain papermill and JupyterLab do not, and
papermill passes `-p mask_personal false` as the text 'false'. The cell right after each notebook's
`parameters` cell therefore calls `check_parameters(globals())`. The schema is the parameters cell
itself: running its annotated lines makes Python record each name's type in the namespace's
`__annotations__`, which is what is checked here with `params.check_type` and `params.check_domain`,
the very rules `auditkit run` applies to the same cell's source.

Whether the data has the `district` or the `as_of` asked for is each study's own check, made on
the data the notebook loads anyway (`build` refuses what its data lacks), so a kernel never reads
the data twice; `auditkit run` also checks the district before any kernel starts.
"""

from __future__ import annotations

import ast
import typing
from collections.abc import Collection, MutableMapping
from typing import Any

from auditkit.errors import ParameterError
from auditkit.notebook_params import (
    NotebookParameter,
    UnknownParameterError,
    check_domain,
    check_type,
    is_papermill_own,
)

#: The first line of the cell papermill injects its `-p` values in (its translator's comment).
INJECTED_MARK = "# Parameters\n"
#: The notebook as an unknown parameter's message names it: a kernel is not told its file.
THIS_NOTEBOOK = "this notebook"

#: What a month written as a number (`-p as_of 202506`, which papermill passes as an int) lacks.
MONTH_HINT = " (a month is text 'YYYY-MM', e.g. '2025-06')"


class NotebookParameterError(ParameterError):
    """A bad parameter found in a kernel; IPython shows it as its one line, without a traceback
    (`AuditkitError._render_traceback_`), named as the ParameterError it is."""

    def _render_traceback_(self) -> list[str]:
        return [f"ParameterError: {self}"]


def declared_types(namespace: MutableMapping[str, Any]) -> dict[str, str]:
    """The names the executed `parameters` cell declared, with their types as written there."""
    annotations = namespace.get("__annotations__") or {}
    return {
        name: annotation_text(annotation)
        for name, annotation in annotations.items()
        if name in namespace
    }


def injected_names(namespace: MutableMapping[str, Any], declared: Collection[str]) -> list[str]:
    """The names papermill's injected cell assigned in this kernel, read from IPython's input
    history (`In`); [] where no such cell ran after the latest run of the `parameters` cell (one
    annotating a `declared` name): JupyterLab on the notebook itself, or an analyst who deleted
    the injected cell and ran the parameters again. papermill only warns about a name the
    notebook does not declare and injects it anyway, so `-p distrct 城南` would otherwise audit
    the default district without a word."""
    history = namespace.get("In")
    for source in reversed(history if isinstance(history, list) else []):
        if not isinstance(source, str):
            continue
        try:
            cell = ast.parse(source)
        except SyntaxError:
            if source.startswith(INJECTED_MARK):
                return []
            continue
        if source.startswith(INJECTED_MARK):
            return [
                target.id
                for statement in cell.body
                if isinstance(statement, ast.Assign)
                for target in statement.targets
                if isinstance(target, ast.Name)
            ]
        if any(
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id in declared
            for statement in cell.body
        ):
            return []  # the parameters cell ran after any injected cell: its values are current
    return []


class NotebookUnknownParameterError(UnknownParameterError):
    """A name papermill injected that the notebook does not declare, found in its kernel; shown
    as its one line, as `auditkit run` words it."""

    def _render_traceback_(self) -> list[str]:
        return [f"ParameterError: {self}"]


def annotation_text(annotation: Any) -> str:
    """An evaluated annotation written back as source: `int`, `list[str]`, `Optional[str]`."""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        return annotation.__name__
    return repr(annotation).replace("typing.", "")


def check_parameters(namespace: MutableMapping[str, Any], notebook: str | None = None) -> None:
    """Check the notebook's parameters where they live, and store their converted values back.

    Call it as `check_parameters(globals())` in the cell after the `parameters` cell; a shipped
    notebook with rules of its own (`notebook_params.WORDS`, `FILES`, `EXPECTED_ERRORS`) names
    itself, `check_parameters(globals(), "sampling_plan")`, as a kernel is not told its file. A bad value,
    or a name papermill injected that the cell does not declare, stops the notebook with one line
    naming the parameter, what was expected and what was found.
    """
    declared = declared_types(namespace)
    if not declared:
        raise NotebookParameterError(
            "parameters", "the annotated `parameters` cell to run first", "no parameters"
        )
    for name in injected_names(namespace, declared):
        if name not in declared and not is_papermill_own(name):
            raise NotebookUnknownParameterError(name, THIS_NOTEBOOK, declared)
    converted: dict[str, Any] = {}
    for name, type_name in declared.items():
        try:
            converted[name] = check_type(
                NotebookParameter(name, type_name, None, ""), namespace[name]
            )
            check_domain(name, converted[name], notebook=notebook)
        except ParameterError as error:
            hint = MONTH_HINT if name == "as_of" and isinstance(namespace[name], int) else ""
            raise NotebookParameterError(error.name, error.expected + hint, error.found) from None
    namespace.update(converted)
