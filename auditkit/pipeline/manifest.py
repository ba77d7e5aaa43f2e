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

import contextlib
import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Callable, Collection, Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

import auditkit
from auditkit import i18n
from auditkit.atomic import write_text_atomic
from auditkit.errors import SEEDS, AuditkitError, is_seed, shown

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
    """SHA-256 of a file's bytes, read in 1 MiB blocks. A read the system refuses (a file of
    /proc, a disk error) is an OSError naming the file, which the command says in one line."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        try:
            while block := stream.read(1 << 20):
                digest.update(block)
        except OSError as error:
            if error.filename is not None:
                raise
            raise OSError(error.errno, error.strerror, str(path)) from None
    return digest.hexdigest()


#: Files a dataset folder may hold: a converted million customers is a few hundred part files;
#: a data_dir of `/` or a home folder is no dataset, and is not walked to its end.
MOST_DATASET_FILES = 20_000


def read_by_loader(name: str) -> bool:
    """Whether the loader reads a file of this name: a table format or its mapping/record file,
    not a name it skips (hidden, an office lock file `~$…`). Notes (SYNTHETIC.md), a macOS
    `Icon\\r` or a lock file changing during a run change no figure, so they are not inputs."""
    # heavy (the data package): not on the CLI's parser path
    from auditkit.data.intake import _TABLE_SUFFIXES
    from auditkit.data.mapping import MAPPING_NAMES
    from auditkit.data.partitioned import MANIFEST_NAME as PARTITIONED_MANIFEST

    if skipped_by_loader(name):
        return False
    # besides table files: the column mapping and a converted dataset's record of its parts
    single_files = (*MAPPING_NAMES, PARTITIONED_MANIFEST)
    return name.lower() in single_files or Path(name).suffix.lower() in _TABLE_SUFFIXES


def skipped_by_loader(name: str) -> bool:
    """Whether the loader skips a file or folder of this name, and what is under it (hidden
    ones, office lock files `~$…`), as data/intake decides."""
    from auditkit.data.intake import _IGNORED_PREFIXES  # heavy: not on the CLI's parser path

    return name.startswith(_IGNORED_PREFIXES)


def dataset_files(data_dir: Path) -> list[str]:
    """The files of a dataset folder a run hashes, by relative path, in path order: those the
    loader reads (`read_by_loader`) under it, links to files and folders followed as the loader
    follows them; names the loader skips (hidden ones, office lock files `~$…`) are skipped with
    what is under them. AuditkitError past MOST_DATASET_FILES, or naming a file or folder that
    cannot be read (it would be left out of the hashes unseen)."""

    def unreadable(error: OSError) -> NoReturn:
        raise AuditkitError(
            f"data_dir {str(data_dir)!r}: expected files and folders auditkit can read, found "
            f"{error.filename!r}: {error.strerror}"
        )

    names = []
    for folder, folders, files in os.walk(data_dir, onerror=unreadable, followlinks=True):
        folders[:] = [name for name in folders if not skipped_by_loader(name)]
        base = Path(folder)
        for name in files:
            try:
                if read_by_loader(name) and (base / name).is_file():
                    names.append((base / name).relative_to(data_dir).as_posix())
            except OSError as error:
                unreadable(error)
        if len(names) > MOST_DATASET_FILES:
            raise AuditkitError(
                f"data_dir {str(data_dir)!r}: expected a dataset folder (at most "
                f"{MOST_DATASET_FILES:,} files), found more under it: is it the right folder?"
            )
    return sorted(names, key=lambda name: name.split("/"))


def hash_inputs(data_dir: Path) -> dict[str, str]:
    """SHA-256 of every file of a dataset folder the loader reads (`dataset_files`), by
    relative path."""
    if not data_dir.is_dir():
        raise AuditkitError(f"data_dir {str(data_dir)!r}: expected an existing dataset folder")
    return {name: file_sha256(data_dir / name) for name in dataset_files(data_dir)}


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


#: What changes with a file's bytes and is cheap to read: inode, size, modified and changed
#: times (ns; the changed time cannot be set back by a copy that keeps the modified time).
FileState = tuple[int, int, int, int]


def file_state(path: Path) -> FileState | None:
    """A file's `FileState` now, None for one that is gone."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def file_states(paths: Iterable[Path]) -> dict[str, FileState]:
    """The `FileState` of each file, by path as str, taken before the files are hashed: a file
    in the same state later is the file hashed, and is not read again (a check of a GB dataset
    after each notebook costs a walk and a stat per file, not 2-3 s of hashing)."""
    states = {}
    for path in paths:
        state = file_state(path)
        if state is not None:
            states[str(path)] = state
    return states


def compare_files(
    recorded: dict[str, str], states: Mapping[str, FileState] | None = None
) -> list[str]:
    """Differences between recorded single-file hashes and the files now, one line each; a file
    still in its state of `states` (`file_states`) is taken as unchanged without hashing it."""
    differences = []
    for name, digest in recorded.items():
        difference = _difference(Path(name), digest, states or {})
        if difference is not None:
            differences.append(f"{name}: {difference}")
    return differences


def _difference(path: Path, digest: str, states: Mapping[str, FileState]) -> str | None:
    """'missing', 'changed' or None for a recorded file now: one that goes between being listed
    and being read (a copy replacing it during a run) is missing, not an error ending the run."""
    state = states.get(str(path))
    if state is not None and file_state(path) == state:
        return None
    try:
        if not path.is_file():
            return "missing"
        return None if file_sha256(path) == digest else "changed"
    except FileNotFoundError:
        return "missing"


def package_versions() -> dict[str, str]:
    """Versions of Python, auditkit and the packages that shape results."""
    versions = {"python": platform.python_version(), "auditkit": auditkit.__version__}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def compare_code(manifest: dict[str, Any], commit: str, versions: dict[str, str]) -> list[str]:
    """What differs between the code that made a run and the code now (`commit`,
    `source_commit`; `versions`, `package_versions`): auditkit's commit (its version where a
    commit is unknown on either side) and each package that shapes results, one line each. A
    run made again on other code is no reproduction, whatever its inputs. A manifest without
    these records (or an edited one) has nothing to compare."""
    made = manifest.get("auditkit")
    changes = []
    if isinstance(made, dict):
        then = str(made.get("commit", "unknown"))
        if "unknown" not in (then, commit) and then != commit:
            changes.append(f"auditkit code: commit {then} at the run, {commit} now")
        elif made.get("version") not in (None, versions.get("auditkit")):
            changes.append(
                f"auditkit code: version {made['version']} at the run, "
                f"{versions.get('auditkit')} now"
            )
    packages = manifest.get("packages")
    if isinstance(packages, dict):
        for name, version in sorted(packages.items()):
            if name != "auditkit" and name in versions and versions[name] != version:
                changes.append(f"{name}: version {version} at the run, {versions[name]} now")
    return changes


#: The project's folders whose uncommitted changes (edits, and new files git does not ignore)
#: change what a run computes.
CODE_FOLDERS = ("auditkit", "notebooks", "params")


def source_commit(root: Path) -> str:
    """The git commit of the project, or 'unknown' outside a git checkout. With uncommitted
    changes to its code (`CODE_FOLDERS`) it is suffixed `-dirty-` and a digest of those changes
    (the diff against the commit, and the new files' names and bytes): two runs on the same
    uncommitted code share it, an edit in between does not (`compare_code`)."""

    def git(*arguments: str) -> bytes:
        return subprocess.run(
            ["git", "-C", str(root), *arguments], capture_output=True, timeout=30, check=True
        ).stdout

    try:
        head = git("rev-parse", "HEAD").decode().strip()
        changed = git("diff", "HEAD", "--binary", "--", *CODE_FOLDERS)
        added = git("ls-files", "--others", "--exclude-standard", "-z", "--", *CODE_FOLDERS)
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError):
        return "unknown"
    if not changed and not added:
        return head
    digest = hashlib.sha256(changed)
    for name in sorted(filter(None, added.split(b"\0"))):
        digest.update(name + b"\0")
        with contextlib.suppress(OSError):
            digest.update((root / name.decode("utf-8", "surrogateescape")).read_bytes())
    return f"{head}-dirty-{digest.hexdigest()[:12]}"


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> Path:
    """Write `manifest.json` into a run folder (atomically, sorted keys, UTF-8 kept readable)."""
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    return write_text_atomic(run_dir / MANIFEST_NAME, text + "\n")


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """Read a run folder's manifest, with a clear error when it is not a run folder.

    Everything verify and rerun read is checked here, one line naming the manifest and the key
    when it is not as a run writes it: a hand-edited manifest must not make verify read (and
    hash) what no run recorded, nor crash it.
    """
    path = Path(run_dir) / MANIFEST_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AuditkitError(
            f"run folder {str(run_dir)!r}: expected a {MANIFEST_NAME}, found none"
        ) from None
    try:
        manifest = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise AuditkitError(
            f"{path}: expected UTF-8 text, found the byte {data[error.start]:#04x} at offset "
            f"{error.start}"
        ) from None
    except RecursionError:
        raise AuditkitError(
            f"{path}: expected JSON as a run writes it, found values nested too deep to read"
        ) from None
    except ValueError as error:  # JSONDecodeError, or a number of over 4,300 digits
        raise AuditkitError(f"{path}: expected JSON, {error}") from None
    if (
        not isinstance(manifest, dict)
        or isinstance(manifest.get("format"), bool)
        or manifest.get("format") not in READABLE_FORMATS
    ):
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise AuditkitError(
            f"{path}: expected manifest format {' or '.join(map(str, READABLE_FORMATS))}, "
            f"found {_found(found)}"
        )
    for key, kind in REQUIRED.items():
        require(manifest, key, kind, path)
    for key, kind in OPTIONAL.items():
        if key in manifest:
            require(manifest, key, kind, path)
    for number, record in enumerate(manifest["notebooks"], start=1):
        if not isinstance(record, dict):
            raise AuditkitError(
                f"{path}: notebook {number}: expected a record, found {_found(record)}"
            )
        for key, kind in REQUIRED_NOTEBOOK.items():
            require(record, key, kind, path, f"notebook {number}: ")
        if not _project_path(record["notebook"]):
            raise AuditkitError(
                f"{path}: notebook {number}: 'notebook': expected a path inside the project or "
                f"an absolute one (as a run records it), found {_found(record['notebook'])}"
            )
    _check_hashes(manifest, path)
    return manifest


def check_rerun(manifest: dict[str, Any], path: Path) -> None:
    """What rerun reads besides what `read_manifest` checks, checked before anything runs:
    `seed` (`errors.SEEDS`, as `--seed` takes it), `lang` (a language of the index) and
    `register` (the registers the run recorded into). One line naming the manifest and the key."""
    if "seed" not in manifest:
        raise AuditkitError(f"{path}: expected the key 'seed', found none")
    seed = manifest["seed"]
    if seed is not None and not is_seed(seed):
        raise AuditkitError(
            f"{path}: 'seed': expected {SEEDS} (as --seed takes it), "
            f"found {_found(manifest['seed'])}"
        )
    if "lang" in manifest and manifest["lang"] not in i18n.LANGS:
        expected = " or ".join(repr(code) for code in i18n.LANGS)
        raise AuditkitError(
            f"{path}: 'lang': expected {expected}, found {_found(manifest['lang'])}"
        )
    if "register" in manifest:
        require(manifest, "register", list, path)
        for number, entry in enumerate(manifest["register"], start=1):
            if not isinstance(entry, dict):
                raise AuditkitError(
                    f"{path}: register {number}: expected a record, found {_found(entry)}"
                )
            require(entry, "register", str, path, f"register {number}: ")


def _check_hashes(manifest: dict[str, Any], path: Path) -> None:
    """The hashes verify compares, as a run records them: `inputs` by absolute dataset folder,
    then by file path inside it; `input_files` by absolute file path; `outputs` by path inside
    the run folder; each a sha256 text; `registers_read` a record per register URL."""
    for folder, files in manifest["inputs"].items():
        if not _absolute_path(folder):
            _refuse(path, "'inputs'", "absolute paths of dataset folders", folder)
        if not isinstance(files, dict):
            _refuse(path, f"inputs[{_found(folder)}]", "a dict of sha256 by file", files)
        _check_digests(
            files, _inner_path, path, f"inputs[{_found(folder)}]", "paths inside its folder"
        )
    _check_digests(
        manifest.get("input_files", {}),
        _absolute_path,
        path,
        "input_files",
        "absolute paths of files",
    )
    _check_digests(
        manifest.get("outputs", {}), _inner_path, path, "outputs", "paths inside the run folder"
    )
    for url, entry in manifest.get("registers_read", {}).items():
        where = f"registers_read[{_found(url)}]"
        if not isinstance(entry, dict):
            _refuse(path, where, "a record of the register's sha256 and rows", entry)
        if not isinstance(entry.get("sha256"), str | None):
            _refuse(path, f"{where}['sha256']", "a sha256 text or null", entry["sha256"])
        rows = entry.get("rows") or {}
        if not isinstance(rows, dict) or not all(
            isinstance(count, int) and not isinstance(count, bool) for count in rows.values()
        ):
            _refuse(path, f"{where}['rows']", "a row count by table", rows)


def _check_digests(
    hashes: dict[str, Any], named: Callable[[str], bool], path: Path, where: str, names: str
) -> None:
    """Refuse a name `named` rejects or a hash that is not text: `where` is a top-level key
    (`outputs`) or one subscripted already (`inputs['/data']`)."""
    label = where if "[" in where else repr(where)
    for name, digest in hashes.items():
        if not named(name):
            _refuse(path, label, names, name)
        if not isinstance(digest, str):
            _refuse(path, f"{where}[{_found(name)}]", "a sha256 text", digest)


def _refuse(path: Path, where: str, expected: str, found: object) -> NoReturn:
    raise AuditkitError(f"{path}: {where}: expected {expected}, found {_found(found)}")


def _found(value: object) -> str:
    """A found value for a message: a text, a number or null as `shown` writes it (a long text
    cut, a long number by its digits), a list or record by its type (it may hold a million
    items)."""
    if value is None or isinstance(value, str | int | float):
        return shown(value)
    return type(value).__name__


def _absolute_path(name: str) -> bool:
    """An absolute path as a run records it (resolved: no `.`/`..`, no doubled or trailing `/`)."""
    return "\0" not in name and os.path.isabs(name) and os.path.normpath(name) == name


def _inner_path(name: str) -> bool:
    """A relative path that stays inside its folder, as a run records it (`a/b.csv`)."""
    parts = name.split("/")
    return "\0" not in name and "" not in parts and not {".", ".."} & set(parts)


def _project_path(name: str) -> bool:
    """A notebook path as a run records it: relative (inside the project) or absolute."""
    return _absolute_path(name) or _inner_path(name)


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


def compare_inputs(
    recorded: dict[str, dict[str, str]], states: Mapping[str, FileState] | None = None
) -> list[str]:
    """Differences between recorded input hashes and the files now on disk, one line each; a
    file still in its state of `states` (`file_states`) is taken as unchanged without hashing.

    Only the files the manifest records are hashed; the others of the folder are named as new
    files, by their names alone: a manifest cannot make verify read what its run did not."""
    differences = []
    for folder, files in recorded.items():
        data_dir = Path(folder)
        if not data_dir.is_dir():
            differences.append(f"{folder}: folder missing")
            continue
        try:
            present = dataset_files(data_dir)
        except AuditkitError as error:  # an edited manifest naming `/`: not walked, not hashed
            differences.append(f"{folder}: not checked: {error}")
            continue
        found = set(present)
        for name, digest in files.items():
            # a file an older run recorded though the loader does not read it (notes) is still
            # compared while it is there: an old manifest does not turn it into a false "missing"
            there = name in found or (data_dir / name).is_file()
            difference = _difference(data_dir / name, digest, states or {}) if there else "missing"
            if difference is not None:
                differences.append(f"{folder}/{name}: {difference}")
        differences.extend(f"{folder}/{name}: new file" for name in present if name not in files)
    return differences


def hash_outputs(run_dir: Path, leave_out: Collection[str] = ()) -> dict[str, str]:
    """SHA-256 of every file of a run folder but its manifest (and the paths of `leave_out`:
    a run's owner record, removed before it is published), by path relative to the folder.

    Hidden files count (a file slipped in later must show); symbolic links are not followed:
    a link is hashed by its target's text, so it cannot make the hash read outside the run.
    """
    hashes = {}
    for folder, folders, files in os.walk(run_dir):
        folders.sort()
        for name in sorted(files + [f for f in folders if os.path.islink(os.path.join(folder, f))]):
            path = Path(folder) / name
            relative = path.relative_to(run_dir).as_posix()
            if relative == MANIFEST_NAME or relative in leave_out:
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
