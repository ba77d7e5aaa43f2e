"""The `auditkit` parser is built without the heavy packages and auditkit's computations, so
`auditkit --help`, every `auditkit COMMAND --help` and the start of every command do not wait for
them: each command imports its work when it runs."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

#: Packages whose import takes a noticeable part of a second, and auditkit's modules that load them.
HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "sqlalchemy",
    "pyarrow",
    "openpyxl",
    "auditkit.rules",
    "auditkit.stats",
    "auditkit.audit",
    "auditkit.sampling",
    "auditkit.data.dataset",
    "auditkit.synth",
    "auditkit.register.store",
)

#: Every command line whose help the parser shows: `auditkit`, each command, each verb.
EVERY_HELP = """
import argparse, contextlib, io
from auditkit.cli import build_parser, main

def command_lines(parser, argv):
    yield argv
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, command in action.choices.items():
                yield from command_lines(command, [*argv, name])

shown = 0
for argv in command_lines(build_parser(), []):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            main([*argv, "--help"])
        except SystemExit as done:
            assert done.code == 0, argv
    assert out.getvalue().startswith("usage: auditkit"), argv
    shown += 1
assert shown > 20, shown
"""


def heavy_after(code: str) -> list[str]:
    """The HEAVY modules imported once `code` has run in a fresh interpreter."""
    probe = f"import sys\n{code}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return ast.literal_eval(done.stdout.splitlines()[-1])


def test_building_the_parser_imports_nothing_heavy() -> None:
    assert heavy_after("from auditkit.cli import build_parser; build_parser()") == []


def test_the_help_of_every_command_imports_nothing_heavy() -> None:
    assert heavy_after(EVERY_HELP) == []


def test_a_command_imports_its_work_when_it_runs() -> None:
    """The near miss: planning a sample does load the sampling package and scipy, which the
    probe sees (the tests above would pass vacuously if it could not)."""
    planned = (
        "import contextlib, io\n"
        "from auditkit.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['sample', 'plan', '--materiality', '0.05']) == 0"
    )
    imported = heavy_after(planned)
    assert "auditkit.sampling" in imported
    assert "scipy" in imported


def test_a_bad_flag_is_one_line_naming_it_and_where_the_help_is(capsys) -> None:
    """argparse printed its usage block first: seven lines before the one that says what."""
    from auditkit.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["sample", "plan", "--materiality", "5%"])
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "auditkit sample plan: error: argument --materiality: invalid float value: '5%' "
        "(see 'auditkit sample plan --help')"
    ]
