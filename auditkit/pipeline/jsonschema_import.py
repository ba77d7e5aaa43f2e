"""Import jsonschema (under nbformat, papermill and nbconvert) without its IRI grammars.

When `rfc3987-syntax` is installed (jupyter-events, under JupyterLab, asks for
`jsonschema[format-nongpl]`), jsonschema imports it to check the `iri` and `iri-reference`
formats, and that import builds some 35 Earley parsers: 1.1 s of the 1.9 s a process spends
importing papermill and nbconvert, paid by every run's worker. No notebook schema uses a format
at all, so auditkit's own processes (run workers, `auditkit render`) import jsonschema with those
two format checks left out. A library import of auditkit changes nothing: only these entry points
call this.
"""

from __future__ import annotations

import sys

IRI_GRAMMARS = "rfc3987_syntax"


def import_jsonschema_without_iri_grammars() -> None:
    """Import jsonschema's format checks without `rfc3987_syntax` (no-op once jsonschema's
    formats are imported, or when `rfc3987_syntax` already is)."""
    if "jsonschema._format" in sys.modules or IRI_GRAMMARS in sys.modules:
        return
    sys.modules[IRI_GRAMMARS] = None  # type: ignore[assignment]  # import fails: checks skipped
    try:
        import jsonschema._format  # noqa: F401
    except ImportError:  # no jsonschema: nothing to speed up
        pass
    finally:
        del sys.modules[IRI_GRAMMARS]
