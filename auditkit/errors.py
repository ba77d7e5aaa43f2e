"""One exception root for auditkit, with messages written for users, not developers."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import numbers
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence

#: A found text longer than this is shown by its first SHOWN_START characters and its length: a
#: 1 MB value typed or read must not make a 1 MB error line (the phrases auditkit writes as found,
#: a path and a reason, are far shorter and stay whole).
LONGEST_SHOWN = 1_000
SHOWN_START = 80


class AuditkitError(Exception):
    """Root of every error auditkit raises on purpose; the CLI prints it as one clear line."""

    def _render_traceback_(self) -> list[str]:
        """How IPython shows it in a notebook (JupyterLab, papermill's "Exception encountered"):
        its one line, as the CLI prints it, not a traceback of auditkit's frames: the message
        names the parameter or file, what was expected and what was found."""
        return [f"{type(self).__name__}: {self}"]

    def __reduce__(self) -> tuple[object, tuple[type, tuple[object, ...], dict[str, object]]]:
        """Pickled as its message and attributes, not its constructor's arguments: an error raised
        in a worker process (a part of a run by parts) reaches the parent as itself, where
        pickle would otherwise call `__init__(message)` on a class taking other arguments and the
        parent would only see its worker die."""
        return _rebuilt, (type(self), self.args, dict(self.__dict__))


def _rebuilt(
    kind: type[AuditkitError], args: tuple[object, ...], state: dict[str, object]
) -> AuditkitError:
    """An AuditkitError of class `kind` with `args` and the attributes `state`, no `__init__`."""
    error = kind.__new__(kind)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ParameterError(AuditkitError, ValueError):
    """A parameter (function argument, CLI flag or YAML value) is outside what is allowed.

    The message names the parameter, what was expected and what was found.
    """

    def __init__(self, name: str, expected: str, found: object) -> None:
        self.name = name
        self.expected = expected
        self.found = found
        super().__init__(f"parameter {name!r}: expected {expected}, found {shown(found)}")


@contextlib.contextmanager
def parameters_named(names: Mapping[str, str]) -> Iterator[None]:
    """A ParameterError raised inside, named as the caller's user knows the parameter: `names`
    maps a function's argument to it (`{"as_of": "--as-of"}` for a command's flag); others pass
    as raised."""
    try:
        yield
    except ParameterError as error:
        if error.name not in names:
            raise
        raise ParameterError(names[error.name], error.expected, error.found) from None


def flags(*arguments: str) -> dict[str, str]:
    """Each argument's command-line flag of the same name (`population_size` → --population-size),
    for `parameters_named`."""
    return {name: "--" + name.replace("_", "-") for name in arguments}


#: Seeds run from 0 to 2^64 − 1: a generator's 64-bit state, a number a register holds and a
#: field sheet's file name (`field_sheet_values_seed<digits>.xlsx`) spells in 20 digits at most.
SEED_LIMIT = 2**64
SEEDS = "a whole number from 0 to 2^64 − 1 (18,446,744,073,709,551,615)"


def is_seed(value: object) -> bool:
    """Whether `value` is a seed auditkit takes (see SEED_LIMIT); a bool is none."""
    return (
        not isinstance(value, bool)
        and isinstance(value, numbers.Integral)
        and 0 <= value < SEED_LIMIT
    )


def checked_seed(seed: object) -> int:
    """`seed` as an int, or a ParameterError naming it: a random generator's seed is a whole
    number from 0 to 2^64 − 1 (a bool, a fraction, a negative or a longer one is refused, not
    passed on to numpy)."""
    if not is_seed(seed):
        raise ParameterError("seed", SEEDS, seed)
    return int(seed)


def require_frame_columns(frame: object, name: str, what: str, columns: Sequence[str]) -> None:
    """A ParameterError naming `name` when the table `frame` lacks any of `columns`: expected
    `what` with those columns, found the missing ones (or what was given instead of a table)."""
    if not hasattr(frame, "columns"):
        raise ParameterError(name, f"{what} (a table)", type(frame).__name__)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ParameterError(
            name, f"{what}, with columns " + ", ".join(columns), "no column " + ", ".join(missing)
        )


#: What a study's `dataset` is, as its refusals say.
DATASET = "a dataset loaded by auditkit.data.load"


def require_type(value: object, kinds: type | tuple[type, ...], name: str, expected: str) -> None:
    """A ParameterError naming `name` and `expected` unless `value` is one of `kinds` (a bool is
    no number): a wrong type refused where it was passed, not as a raw TypeError or
    AttributeError from deep inside."""
    wanted = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in wanted):
        return
    plain = value is None or isinstance(value, str | numbers.Number)
    raise ParameterError(name, expected, value if plain else f"a {type(value).__name__}")


def checked_names(given: object, known: Sequence[str], name: str) -> list[str]:
    """`given` (one name, or a list of names) as a list, each one of `known`; a ParameterError
    naming `name`, the known names and the first that is not one. One text is one name, not
    its characters (list('城东') is ['城', '东']); an unknown name is refused, not shown as an
    empty row that reads as "nothing there"."""
    require_type(given, (str, Iterable), name, "a name or a list of names")
    if isinstance(given, bytes):
        raise ParameterError(name, "a name or a list of names", given)
    names = [given] if isinstance(given, str) else list(given)
    for each in names:
        if each not in known:
            listed = ", ".join(map(str, known)) or "(none)"
            raise ParameterError(name, f"one of {listed}", each)
    return names


def shown(value: object) -> str:
    """A found value as a user wrote it: text quoted, a date (YAML reads `2024-01-01` as one) as
    the date it is rather than Python's `datetime.date(2024, 1, 1)`, a numpy number as the
    number it is (-20.0, not np.float64(-20.0)), a text longer than LONGEST_SHOWN characters cut
    (its control and invisible characters escaped, as repr escapes them), no value (YAML's empty
    `key:`, a blank cell) as "nothing" rather than Python's None."""
    if value is None:
        return "nothing"
    if isinstance(value, dt.datetime | dt.date):
        return f"the date {value.isoformat()}"
    numpy = sys.modules.get("numpy")  # looked up, not imported: a numpy number needs numpy loaded
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, str) and len(value) > LONGEST_SHOWN:
        return f"{value[:SHOWN_START]!r}… ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return f"a whole number of {_digits(abs(value)):,} digits"  # no one reads 20 of them
    return repr(value)


def _digits(number: int) -> int:
    """How many decimal digits `number` (> 0) has; Python refuses to write one of over 4,300
    digits as text (ValueError), so a longer one is counted from its logarithm."""
    if number.bit_length() < 14_000:  # about 4,200 digits: written out
        return len(str(number))
    return math.floor(math.log10(number)) + 1
