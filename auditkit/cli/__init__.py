"""The `auditkit` command: one subcommand per job, each error one clear line and a non-zero exit.

Command modules import their work (pandas, the rules, the statistics) when it runs, so that the
parser and every `--help` are ready in well under a second.
"""

from __future__ import annotations

import argparse
import errno
import os
import select
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from auditkit import __version__
from auditkit.cli import data, register, render, rules, runs, sample, scale, stats, synth
from auditkit.errors import AuditkitError

#: Errors of the file system as a whole, shown as one line even when no file is named.
_STORAGE_ERRORS = frozenset(
    code for code in (errno.ENOSPC, getattr(errno, "EDQUOT", None), errno.EROFS) if code
)

# Each module registers its own subcommands; adding a command area is one line here.
_COMMAND_MODULES = (synth, data, rules, register, sample, stats, runs, render, scale)


class _OneLineParser(argparse.ArgumentParser):
    """A parser whose argument errors are one line, as every other error of the command: the
    flag, what it expected and what was given, and where the help is; not the usage block first
    (the subcommands' parsers are of this class too: argparse makes them of their parent's)."""

    def error(self, message: str) -> NoReturn:
        """Print the one line to stderr and exit 2, as argparse does."""
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every subcommand registered."""
    parser = _OneLineParser(
        prog="auditkit",
        description="Reproducible electricity marketing audit (营销稽查).",
    )
    parser.add_argument("--version", action="version", version=f"auditkit {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMAND_MODULES:
        module.register(subparsers)
    return parser


def os_problem(error: OSError) -> str:
    """An operating-system error on a path as one line: what failed on which path (and the
    other path of a rename). The writes are atomic, so nothing half-written is left."""
    paths = " -> ".join(repr(str(name)) for name in (error.filename, error.filename2) if name)
    reason = error.strerror or type(error).__name__
    if not paths:  # a full disk, quota or read-only file system hit outside an atomic write
        return f"the file system refused a write: {reason}"
    return f"the file system refused {paths}: {reason}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `auditkit` console script; returns the process exit code."""
    for stream in (sys.stdout, sys.stderr):  # a path from the data may not encode: never crash
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except AuditkitError as error:
        print(f"{_command(args)}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        if not _stdout_closed():  # another pipe (a worker's): an error, not the reader leaving
            raise
        # Whoever read the output stopped (`| head`): nothing more to say, the flush at exit too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE  # 141, as a tool the pipe stopped: the job may be unfinished
    except OSError as error:  # a path that is a file, a folder not writable, a full disk
        if error.filename is None and error.errno not in _STORAGE_ERRORS:
            raise
        print(f"{_command(args)}: error: {os_problem(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{_command(args)}: interrupted", file=sys.stderr)
        return 130


def _command(args: argparse.Namespace) -> str:
    """The command as typed, for its errors: 'auditkit sample evaluate', its verb too, as its
    warnings name it."""
    verb = getattr(args, "verb", None)
    return f"auditkit {args.command} {verb}" if verb else f"auditkit {args.command}"


def _stdout_closed() -> bool:
    """Whether the reading end of stdout is gone (a pipe whose reader stopped)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(descriptor, select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    try:  # no poll (Windows): a flush of what is pending fails again on a broken pipe
        sys.stdout.flush()
    except BrokenPipeError:
        return True
    return False


if __name__ == "__main__":
    sys.exit(main())
