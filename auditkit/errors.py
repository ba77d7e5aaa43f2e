"""One exception root for auditkit, with messages written for users, not developers."""

from __future__ import annotations


class AuditkitError(Exception):
    """Root of every error auditkit raises on purpose; the CLI prints it as one clear line."""


class ParameterError(AuditkitError, ValueError):
    """A parameter (function argument, CLI flag or YAML value) is outside what is allowed.

    The message names the parameter, what was expected and what was found.
    """

    def __init__(self, name: str, expected: str, found: object) -> None:
        self.name = name
        self.expected = expected
        self.found = found
        super().__init__(f"parameter {name!r}: expected {expected}, found {found!r}")
