"""The run manifest: what ran, on which data (content hashes), with which code, and how it ended.

Format 2 adds the sha256 of every output file of the run (`outputs`, by path relative to the run
folder) and each job's `folder`; `input_files` (added within format 2; older manifests have none)
holds the sha256 of the single files the run read besides its data folders: the rule thresholds,
the billing conventions and files named by notebook parameters (`previous_round`, `field_sheet`);
`registers_read` (also added within format 2) the findings registers the reports read, each by URL
(password masked) with a fingerprint of its rows (`pipeline.register_step`). The manifest cannot hold its own hash, so it is the one file of
the run left out; everything else is hashed after it is final (job folders, logs, then the index,
which is written before the manifest and does not show output hashes), and the manifest is written
last. `verify` checks inputs and notebooks against what is on disk now, and outputs against the
run folder: changed, missing and added files alike.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import auditkit
from auditkit.atomic import write_text_atomic
from auditkit.errors import AuditkitError

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)  # format 1: no output hashes (verify checks inputs and notebooks only)
#: Keys verify and rerun read, with their types (read_manifest checks them).
REQUIRED: dict[str, type] = {"inputs": dict, "notebooks": list}
OPTIONAL: dict[str, type] = {
    "input_files": dict,
    "outputs": dict,
    "registers_read": dict,
    "lang": str,  # the index page's language (absent before it was recorded)
}
REQUIRED_NOTEBOOK: dict[str, type] = {
    "name": str,
    "notebook": str,
    "notebook_sha256": str,
    "parameters": dict,
}
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "matplotlib",
    "pyarrow",
    "openpyxl",
    "PyYAML",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def hash_inputs(data_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a dataset folder (tables, columns.yaml), by relative path.

    Hidden files and folders (names starting with '.') are skipped: they are caches, not inputs.
    """
    if not data_dir.is_dir():
        raise AuditkitError(f"data_dir {str(data_dir)!r}: expected an existing dataset folder")
    hashes = {}
    for path in sorted(data_dir.rglob("*")):
        relative = path.relative_to(data_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            hashes[relative.as_posix()] = file_sha256(path)
    return hashes


def parameter_files() -> list[Path]:
    """The rule thresholds and billing conventions files a run reads now (`params/rules.yaml`,
    `params/billing.yaml`, or those under `$AUDITKIT_PARAMS`), as absolute paths: they change
    findings and figures as much as the data does."""
    from auditkit.billing.params import defaults_file as billing_file
    from auditkit.rules.params import defaults_file as rules_file

    return [rules_file().resolve(), billing_file().resolve()]


def hash_files(files: Iterable[Path]) -> dict[str, str]:
    """SHA-256 of single input files by absolute path (those that exist: a missing one fails
    its notebook, which the run records)."""
    return {str(path): file_sha256(path) for path in sorted(set(files)) if path.is_file()}


def compare_files(recorded: dict[str, str]) -> list[str]:
    """Differences between recorded single-file hashes and the files now, one line each."""
    differences = []
    for name, digest in recorded.items():
        path = Path(name)
        if not path.is_file():
            differences.append(f"{name}: missing")
        elif file_sha256(path) != digest:
            differences.append(f"{name}: changed")
    return differences


def package_versions() -> dict[str, str]:
    """Versions of Python, auditkit and the packages that shape results."""
    versions = {"python": platform.python_version(), "auditkit": auditkit.__version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def source_commit(root: Path) -> str:
    """The git commit of the project (suffixed `-dirty` with uncommitted changes), or 'unknown'."""
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}-dirty" if changes else head


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write `manifest.json` into a run folder (atomically, sorted keys, UTF-8 kept readable)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    return write_text_atomic(run_dir / MANIFEST_NAME, text + "\n")


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """Read a run folder's manifest, with a clear error when it is not a run folder."""
    path = Path(run_dir) / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AuditkitError(
            f"run folder {str(run_dir)!r}: expected a {MANIFEST_NAME}, found none"
        ) from None
    except json.JSONDecodeError as error:
        raise AuditkitError(f"{path}: expected JSON, {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE_FORMATS:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise AuditkitError(
            f"{path}: expected manifest format {' or '.join(map(str, READABLE_FORMATS))}, "
            f"found {found!r}"
        )
    for key, kind in REQUIRED.items():
        require(manifest, key, kind, path)
    for key, kind in OPTIONAL.items():
        if key in manifest:
            require(manifest, key, kind, path)
    for number, record in enumerate(manifest["notebooks"], start=1):
        if not isinstance(record, dict):
            raise AuditkitError(f"{path}: notebook {number}: expected a record, found {record!r}")
        for key, kind in REQUIRED_NOTEBOOK.items():
            require(record, key, kind, path, f"notebook {number}: ")
    return manifest


def require(record: dict[str, Any], key: str, kind: type, path: Path, where: str = "") -> None:
    """One line naming the manifest and the key when `record[key]` is missing or of another type
    (a hand-edited or truncated manifest): never a KeyError read as "changed"."""
    if key not in record:
        raise AuditkitError(f"{path}: {where}expected the key {key!r}, found none")
    if not isinstance(record[key], kind) or isinstance(record[key], bool):
        raise AuditkitError(
            f"{path}: {where}{key!r}: expected a {kind.__name__}, "
            f"found {type(record[key]).__name__}"
        )


def compare_inputs(recorded: dict[str, dict[str, str]]) -> list[str]:
    """Differences between recorded input hashes and the files now on disk, one line each."""
    differences = []
    for folder, files in recorded.items():
        data_dir = Path(folder)
        current = hash_inputs(data_dir) if data_dir.is_dir() else {}
        if not data_dir.is_dir():
            differences.append(f"{folder}: folder missing")
            continue
        for name, digest in files.items():
            if name not in current:
                differences.append(f"{folder}/{name}: missing")
            elif current[name] != digest:
                differences.append(f"{folder}/{name}: changed")
        differences.extend(f"{folder}/{name}: new file" for name in current if name not in files)
    return differences


def hash_outputs(run_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a run folder but its manifest, by path relative to the folder.

    Hidden files count (a file slipped in later must show); symbolic links are not followed:
    a link is hashed by its target's text, so it cannot make the hash read outside the run.
    """
    hashes = {}
    for folder, folders, files in os.walk(run_dir):
        folders.sort()
        for name in sorted(files + [f for f in folders if os.path.islink(os.path.join(folder, f))]):
            path = Path(folder) / name
            relative = path.relative_to(run_dir).as_posix()
            if relative == MANIFEST_NAME:
                continue
            if path.is_symlink():
                target = os.readlink(path).encode("utf-8", "surrogateescape")
                hashes[relative] = hashlib.sha256(b"symlink\0" + target).hexdigest()
            else:
                hashes[relative] = file_sha256(path)
    return dict(sorted(hashes.items()))


def compare_outputs(run_dir: Path, recorded: dict[str, str]) -> list[str]:
    """Differences between a run's recorded output hashes and its folder now, one line each."""
    current = hash_outputs(run_dir)
    differences = []
    for name, digest in recorded.items():
        if name not in current:
            differences.append(f"output {_one_line(name)}: missing")
        elif current[name] != digest:
            differences.append(f"output {_one_line(name)}: changed")
    differences.extend(
        f"output {_one_line(name)}: added" for name in current if name not in recorded
    )
    return differences


def _one_line(name: str) -> str:
    """A file name as it can be shown on one line (control characters escaped)."""
    return name if name.isprintable() else repr(name)[1:-1]
