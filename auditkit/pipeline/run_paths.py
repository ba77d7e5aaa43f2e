"""The last guard on where a run writes: every path resolves inside the run folder, or nothing runs.

Job folders are already `auditkit.paths.safe_name` of the job's name, so names from the data
cannot hold a separator or be `.`/`..`; this module checks the result anyway, after resolving
symbolic links, so that no later change (or a link planted in the outputs folder) can send a
run's files elsewhere.
"""

from __future__ import annotations

from pathlib import Path

from auditkit.errors import AuditkitError


def inside(run_dir: Path, path: Path) -> Path:
    """`path` resolved, when it lies inside `run_dir` (resolved too); AuditkitError otherwise."""
    root = Path(run_dir).resolve()
    resolved = Path(path).resolve()
    if resolved == root or root not in resolved.parents:
        raise AuditkitError(
            f"{path}: expected a path inside the run folder {root}, found one outside the run "
            f"folder ({resolved})"
        )
    return resolved


def job_folder(run_dir: Path, folder: str) -> Path:
    """The folder of one job: a direct child of `run_dir` named `folder`, resolved."""
    if not folder or folder in (".", "..") or "/" in folder or "\\" in folder:
        raise AuditkitError(
            f"job folder {folder!r}: expected one folder name inside the run folder {run_dir}"
        )
    path = inside(run_dir, Path(run_dir) / folder)
    if path.parent != Path(run_dir).resolve():
        raise AuditkitError(
            f"job folder {folder!r}: expected a folder directly inside the run folder, found "
            f"{path} outside the run folder"
        )
    return path
