"""Errors of the findings register: a database that cannot be used, or input it refuses."""

from __future__ import annotations

from collections.abc import Sequence

from auditkit.errors import AuditkitError


class RegisterError(AuditkitError, ValueError):
    """The register cannot do what was asked: the database is unreachable or not a register,
    a run contradicts what is recorded, or outcome events name findings it does not hold.

    The message names what was at fault (the database by its URL with the password masked, the
    run id, or the source, row and column of an event), what was expected and what was found; it
    never holds a password. `problems` lists every problem found (one line each), not only the
    first.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = list(problems) or [message]
        super().__init__("\n".join([message, *problems]) if problems else message)
