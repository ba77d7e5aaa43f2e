"""The run manifest: what ran, on which data (content hashes), with which code, and how it ended."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import auditkit
from auditkit.errors import AuditkitError
from auditkit.report.atomic import write_text_atomic

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1
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
    if manifest.get("format") != FORMAT_VERSION:
        raise AuditkitError(
            f"{path}: expected manifest format {FORMAT_VERSION}, found {manifest.get('format')!r}"
        )
    return manifest


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
