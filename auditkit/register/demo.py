"""The demo utility's own findings register: three months of runs and of the field's simulated
outcomes, so the reports that follow the audit cycle show real figures the first time the demo
runs, without touching a team's register (`AUDITKIT_DB`)."""

from __future__ import annotations

import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditkit import __version__
from auditkit.atomic import write_atomic, write_text_atomic
from auditkit.demo import demo_data_dir
from auditkit.errors import ParameterError
from auditkit.paths import data_home, params_dir
from auditkit.register.fieldwork import FieldRecipe

#: Months before the demo's latest billing month M that its register holds (M-3, M-2, M-1): a
#: run of the demo records month M itself, so its reports say what changed since M-1.
DEMO_REGISTER_MONTHS = 3
#: Folder of the demo register, next to the demo data's folder.
REGISTER_FOLDER = "demo-register"
REGISTER_FILE = "register.sqlite"
#: Beside the register: what it was built from (demo data, simulation recipe, code).
REGISTER_RECIPE_FILE = "register.json"
#: Code and parameters that decide the register's findings and outcomes most directly, under
#: auditkit/ and params/: the rules and their thresholds, the finding keys, the worklist's choice
#: and the simulation. A register built by other code of these is built again, as the demo data
#: is; a change elsewhere (billing, statistics the rules call) needs `regenerate=True`, which
#: keeps the register from being rebuilt whenever any module is edited. The demo data's recipe
#: (`auditkit/demo.py`) counts through the data's own sha256.
REGISTER_CODE = ("rules", "register/keys.py", "register/worklist.py", "register/fieldwork.py",
                 "register/demo.py")  # fmt: skip
REGISTER_PARAMS = ("rules.yaml", "billing.yaml")


def demo_field_recipe() -> FieldRecipe:
    """The recipe of the demo's simulated field (`auditkit.register.fieldwork`, its defaults)."""
    return FieldRecipe()


def demo_register_url(regenerate: bool = False) -> str:
    """SQLite URL of the demo utility's own findings register, built when needed.

    It holds the `DEMO_REGISTER_MONTHS` months before the demo's latest billing month M: each
    month's rule findings recorded per district (run id 'demo YYYY-MM DISTRICT', the districts'
    data apart, as a district report runs them) and what the simulated field did with each
    month's worklists (`auditkit.register.fieldwork`). Month M is left to the demo's run, which records
    it as any run does; later runs keep the register current.

    `register.json` beside it records the demo data's recipe, the simulation's recipe and a
    digest of the code that decides them; a register built from others is built again (also when
    `regenerate`), in a temporary file renamed into place, so no one ever opens a half register.
    It is checked and built under a file lock, so notebooks run side by side and `auditkit demo`
    build it once.
    """
    from auditkit.register.location import file_url

    folder = (data_home() / REGISTER_FOLDER).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REGISTER_FILE
    with _locked(folder / ".build.lock"):
        data_dir = demo_data_dir()
        recipe = _register_recipe(data_dir)
        if regenerate or not _register_is_current(folder, recipe):
            _build_register(data_dir, path)
            write_text_atomic(
                folder / REGISTER_RECIPE_FILE,
                json.dumps(recipe, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            )
    return file_url(path)


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (fcntl; released when the process ends anyway)."""
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _register_recipe(data_dir: Path) -> dict:
    """What the demo register is built from: the demo data's recipe (its `synthetic.json`), the
    months, the simulation's recipe and a digest of the code and parameters that decide them."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]  # auditkit/
    sources: list[Path] = []
    for name in REGISTER_CODE:
        entry = package / name
        sources += sorted(entry.rglob("*.py")) if entry.is_dir() else [entry]
    sources += [params_dir() / name for name in REGISTER_PARAMS]
    for source in sources:
        label = source.relative_to(package) if source.is_relative_to(package) else source.name
        digest.update(str(label).encode() + b"\0" + source.read_bytes() + b"\0")
    return {
        "auditkit_version": __version__,
        "demo_data_sha256": hashlib.sha256((data_dir / "synthetic.json").read_bytes()).hexdigest(),
        "months": DEMO_REGISTER_MONTHS,
        "field": demo_field_recipe().as_dict(),
        "code_sha256": digest.hexdigest(),
    }


def _register_is_current(folder: Path, recipe: dict) -> bool:
    """Whether the register exists and was built from `recipe`."""
    if not (folder / REGISTER_FILE).is_file():
        return False
    try:
        built = json.loads((folder / REGISTER_RECIPE_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return built == recipe


def _build_register(data_dir: Path, path: Path) -> None:
    """Build the demo register at `path`: the months' runs per district, then the field's events
    on their worklists up to the end of month M; written in a temporary file renamed into place."""
    import pandas as pd

    from auditkit import data, rules
    from auditkit.periods import month_end, month_number, period_text
    from auditkit.register import Register
    from auditkit.register.fieldwork import simulate
    from auditkit.register.location import file_url

    dataset = data.load(data_dir)
    if dataset.truth is None or dataset.bills is None:
        raise ParameterError("data_dir", "a synthetic utility with bills and truth", str(data_dir))
    latest = int(month_number(dataset.bills["period"]).max())
    months = period_text(list(range(latest - DEMO_REGISTER_MONTHS, latest)))

    def write(temporary: Path) -> None:
        found: dict[str, pd.DataFrame] = {}
        try:
            with Register.open(file_url(temporary)) as register:
                for month in months:
                    found[month] = rules.run(dataset, as_of=month)
                    for district in dataset.districts:
                        register.record_run(rules.of_district(found[month], district),
                                            run_id=f"demo {month} {district}",
                                            as_of=month, district=district)  # fmt: skip
                events = simulate(found, dataset.truth, until=month_end(latest),
                                  recipe=demo_field_recipe())  # fmt: skip
                register.record_outcomes(events)
            _single_file(temporary)
        finally:
            _remove_side_files(temporary)
        _remove_side_files(path)  # an old register's journal must not meet the new file

    write_atomic(path, write)


def _single_file(database: Path) -> None:
    """Leave the SQLite database in one file (its write-ahead log checkpointed and gone), so it
    can be renamed into place; the register turns the log on again when it opens it."""
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _remove_side_files(database: Path) -> None:
    """Remove SQLite's write-ahead log and shared-memory files of `database`, if any."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
