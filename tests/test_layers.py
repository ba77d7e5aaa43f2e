"""The layers of docs/architecture.md hold: a module imports only its own layer and those above."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "auditkit"

#: docs/architecture.md's table, top to bottom; the longest prefix decides a module's layer.
LAYERS = (
    ("foundations", ("errors", "paths", "i18n", "formatting", "periods", "results", "atomic",
                     "yamlsafe", "formulas", "masking", "workbooks", "sheets", "sheet_dates", "plots",
                     "notebook_params", "arrow_text", "options", "checks")),
    ("data", ("data",)),
    ("domain", ("billing", "rules", "engine", "stats", "sampling", "crossaudit", "register",
                "cycle")),
    ("synthetic", ("synth", "demo", "register.demo", "register.fieldwork", "register.location")),
    ("kernel side", ("report",)),
    ("studies", ("audit", "stats.study", "crossaudit.study", "sampling.study", "cycle.study")),
    ("run side", ("pipeline",)),
    ("command", ("cli", "__main__")),
)  # fmt: skip


def layer_of(module: str) -> int | None:
    """Index of `module`'s layer (None for the package root `auditkit` itself)."""
    best: tuple[int, int] | None = None
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            full = f"auditkit.{prefix}"
            if (module == full or module.startswith(f"{full}.")) and (
                best is None or len(prefix) > best[1]
            ):
                best = (index, len(prefix))
    return None if best is None else best[0]


def imports_of(path: Path) -> list[str]:
    """Every auditkit module `path` imports, deferred ones included, TYPE_CHECKING ones not."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found: list[str] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return [name for name in found if name.startswith("auditkit.")]


def test_every_module_imports_only_its_layer_and_those_above():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        facade = parts[-1] == "__init__"
        module = ".".join(parts[:-1] if facade else parts)
        for name in imports_of(path):
            if facade and name.startswith(f"{module}."):
                continue  # a package re-exports its own modules (auditkit.cycle: its study)
            mine, theirs = layer_of(module), layer_of(name)
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} ({LAYERS[mine][0]}) imports {name} ({LAYERS[theirs][0]})")
    assert upward == []


def test_every_module_has_a_layer():
    modules = {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    }
    assert sorted(m for m in modules if m != "auditkit" and layer_of(m) is None) == []
