"""Where things live: the project root, parameters, generated data and run outputs, in one place.

Environment variables override each location, so a scheduled job or a test can point auditkit
elsewhere without touching the code.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import unquote

from auditkit.errors import ParameterError

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout auditkit runs from (the folder holding pyproject.toml), else the working folder."""
    candidate = PACKAGE_DIR.parent
    return candidate if (candidate / "pyproject.toml").is_file() else Path.cwd()


def params_dir() -> Path:
    """YAML parameters of the rules and notebooks (`AUDITKIT_PARAMS` overrides)."""
    return Path(os.environ.get("AUDITKIT_PARAMS") or project_root() / "params")


def data_home() -> Path:
    """Generated datasets such as the demo utility (`AUDITKIT_DATA` overrides)."""
    return Path(os.environ.get("AUDITKIT_DATA") or project_root() / "data")


def demo_folder() -> Path:
    """Where the built-in demo utility is kept (`demo.demo_data_dir` generates it there)."""
    return data_home() / "demo"


def outputs_dir() -> Path:
    """Run outputs: executed notebooks, HTML reports, manifests (`AUDITKIT_OUTPUTS` overrides)."""
    return Path(os.environ.get("AUDITKIT_OUTPUTS") or project_root() / "outputs")


def notebooks_dir() -> Path:
    """The parameterised notebooks that papermill runs."""
    return project_root() / "notebooks"


#: File names a run folder uses itself; a subject with one of these names is escaped further.
RESERVED_NAMES = frozenset({"index.html", "manifest.json", "logs", "latest", "interactive"})
#: Longest folder name (UTF-8 bytes) kept whole; longer names end in a hash of the full name.
MAX_NAME_BYTES = 120
_HASHED_MARK = "~"


def dataset_run_name(data_dir: Path, district: str | None) -> str:
    """The folder a command's results of `data_dir` (of one `district`) go to: the dataset
    folder's name, then `-` and the district escaped by `safe_name` (a district is data)."""
    return data_dir.resolve().name + (f"-{safe_name(district)}" if district else "")


def dataset_output_name(data_dir: Path, district: str | None) -> str:
    """The folder a command's outputs of `data_dir` (of one `district`) go to by default:
    `dataset_run_name` then `-` and a digest (8 hex digits) of the dataset folder's resolved path,
    so two datasets whose folders share a name (`cityA/data`, `cityB/data`) never share one."""
    resolved = str(data_dir.resolve()).encode("utf-8", "surrogateescape")
    return f"{dataset_run_name(data_dir, district)}-{hashlib.sha256(resolved).hexdigest()[:8]}"


def safe_name(name: str) -> str:
    """A folder or file name for untrusted text (a district from the data), readable and safe.

    Letters and digits of any script (Chinese stays readable), `-` and `_` are kept; every other
    character, `%` included, becomes `%XX` per UTF-8 byte, so no name can hold a path separator,
    start with a dot or be `.`/`..`, and two different names never share a folder. Names the run
    uses itself (`logs`, `index.html` …) get their first character escaped. A name longer than
    `MAX_NAME_BYTES` once escaped (or empty) is cut and ends in `~` and a hash of the whole name:
    `~` never appears otherwise, so such names cannot collide with escaped ones either.
    `name_of(safe_name(x)) == x` for every name not cut; the run's manifest keeps the real name.
    """
    pieces = [char if char.isalnum() or char in "-_" else _percent(char) for char in str(name)]
    escaped = "".join(pieces)
    if escaped.lower() in RESERVED_NAMES:
        pieces[0] = _percent(escaped[0])
        escaped = "".join(pieces)
    if escaped and len(escaped.encode("utf-8")) <= MAX_NAME_BYTES:
        return escaped
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:16]
    room, kept = MAX_NAME_BYTES - len(digest) - 1, []
    for piece in pieces:  # whole characters (and whole escapes) only
        room -= len(piece.encode("utf-8"))
        if room < 0:
            break
        kept.append(piece)
    return f"{''.join(kept)}{_HASHED_MARK}{digest}"


def name_of(folder: str) -> str | None:
    """The name `safe_name` escaped into `folder`; None for a cut (hashed) name."""
    if _HASHED_MARK in folder:
        return None
    return unquote(folder, encoding="utf-8", errors="strict")


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def checked_out_folder(folder: Path | None, flag: str, holds: str) -> Path | None:
    """`folder` given as `flag` (an output folder that will hold `holds`), or a ParameterError
    naming the flag when it is an existing file: said before any work, not as the file
    system's "File exists" once the results are ready."""
    if folder is not None and folder.exists() and not folder.is_dir():
        raise ParameterError(flag, f"a folder for {holds}", f"{folder}, a file")
    return folder


def checked_outside_data(out: Path | None, data_dir: Path | None, flag: str, kind: str) -> None:
    """A ParameterError naming `flag` when `out` (`kind`: "a folder", "a file") is the dataset
    `data_dir` or lies inside it, as `run` refuses --outputs there: the files written would
    change the dataset, which then no longer loads (a findings table is no table it knows)."""
    if out is None or data_dir is None:
        return
    if out.resolve().is_relative_to(data_dir.resolve()):
        raise ParameterError(
            flag,
            f"{kind} outside the dataset folder {data_dir} (written inside it, it would change "
            "the data it was computed from)",
            str(out),
        )
