"""Turn notebooks and parameter files into validated jobs, before any kernel starts.

A parameter file is a YAML mapping of a notebook's parameters. One value has a special meaning:
`district: "*"` (or a list of districts) runs the notebook once per district of the dataset, each in
its own folder: `auditkit.paths.safe_name` of the district, since a name from the data must never
choose a path (the job keeps the real name for the index, the manifest and the report); where two
notebooks run for the same district, each job's name adds its notebook's (`distinct_names`). An empty `data_dir` means the built-in demo utility and is
resolved here, so the manifest records (and hashes) the real folder.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from auditkit import notebook_params
from auditkit.errors import AuditkitError, ParameterError, shown
from auditkit.paths import notebooks_dir, safe_name
from auditkit.pipeline.manifest import parameter_files

EVERY_DISTRICT = "*"
#: Parameters naming one input file: made absolute here (the kernel runs in notebooks/) and
#: hashed into the manifest like the data.
FILE_PARAMETERS = ("previous_round", "field_sheet")
DistrictLookup = Callable[[Path], Sequence[str]]
#: The report language parameter: `--lang` sets it in every notebook that declares it.
LANG = "lang"
#: The cross-audit notebook's auditing capacity by district: checked against the data's
#: districts and the assignment rules (with its previous_round) before any kernel starts.
CAPACITY = "capacity"


@dataclass(frozen=True)
class Job:
    """One notebook execution: the notebook, its display name and its full parameters.

    `name` is the district as the data spells it (or the notebook's stem) and is only ever shown;
    `folder` is where the job writes inside the run.
    """

    notebook: Path
    name: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> str:
        """The job's folder name inside the run: safe, reversible, distinct for distinct names."""
        return safe_name(self.name)

    @property
    def data_dir(self) -> Path | None:
        """The dataset folder this job reads, when the notebook takes one."""
        value = self.parameters.get("data_dir")
        return Path(value) if value else None

    @property
    def input_files(self) -> list[Path]:
        """The single files this job's parameters name (`previous_round`, `field_sheet`)."""
        return [
            Path(self.parameters[name]) for name in FILE_PARAMETERS if self.parameters.get(name)
        ]


@cache
def dataset_districts(data_dir: Path) -> tuple[str, ...]:
    """The districts of a dataset folder, read with every check of its contract once per folder:
    a dataset that breaks it (a duplicate customer, a bill of no customer) stops the run before
    any folder is made, every problem named (DataValidationError), not inside a kernel."""
    from auditkit.data import load  # deferred: loading the data layer is only needed for checks

    return tuple(load(data_dir).districts)


def default_data_dir() -> Path:
    """The built-in synthetic demo utility (generated on first use)."""
    from auditkit.demo import demo_data_dir  # deferred: generating demo data is expensive

    return Path(demo_data_dir())


def jobs_for_notebook(
    notebook: str | Path,
    values: Mapping[str, Any] | None = None,
    *,
    source: str = "parameters",
    overrides: Sequence[str] = (),
    seed: int | None = None,
    lang: str | None = None,
    districts_of: DistrictLookup = dataset_districts,
    resolve_data_dir: Callable[[], Path] = default_data_dir,
) -> list[Job]:
    """Validate one notebook's parameters and expand them into jobs (one per district if asked).

    `values` come from a parameter file named `source` (used in messages); `overrides` are
    `key=value` strings from the command line and win over the file; `seed` is the run's seed,
    given to notebooks that declare a `seed` parameter and do not set one; `lang` is the run's
    language (`--lang`), which wins over the file's `lang` so that the whole run speaks it.
    """
    notebook_path = Path(notebook).resolve()
    schema = notebook_params.read_schema(notebook_path)
    given = dict(values or {})
    fan_out = given.pop("district", None) if _is_fan_out(given.get("district")) else None
    if fan_out == []:  # no district: an empty run would look like a successful one
        expected = f"{EVERY_DISTRICT!r} or a list of one district or more"
        raise AuditkitError(f"{source}: {ParameterError('district', expected, 'an empty list')}")
    checked, problems = _validated(schema, given, source, str(notebook_path))
    if isinstance(fan_out, list):
        fan_out = _district_list(fan_out, source, problems)
    if fan_out is not None and "district" not in schema:  # a notebook of all districts at once
        unknown = notebook_params.UnknownParameterError("district", str(notebook_path), schema)
        problems.append(AuditkitError(f"{source}: {unknown}"))
    overridden: set[str] = set()
    for text in overrides:
        try:
            key, value = notebook_params.parse_assignment(schema, text, str(notebook_path))
            notebook_params.check_domain(
                key, value, schema[key], notebook_params.notebook_key(notebook_path)
            )
            if key == "data_dir" and not value:  # `-p data_dir=$UNSET` in a scheduled job
                expected = "a dataset folder (leave -p data_dir out to run on the demo utility)"
                raise ParameterError("data_dir", expected, value)
        except ParameterError as error:
            problems.append(error)
            continue
        if key in overridden and checked[key] != value:  # which one was meant? not the last
            expected = f"one value for {key} (-p {key}=... given once, or the same each time)"
            found = f"-p {key}={checked[key]} and -p {key}={value}"  # as typed, not as repr
            problems.append(ParameterError("-p", expected, found))
            continue
        checked[key] = value
        overridden.add(key)
        if key == "district":
            fan_out = None
    if checked.get("district") == EVERY_DISTRICT:  # `-p district=*`: as `district: "*"` reads
        fan_out = checked.pop("district")
    if lang is not None and LANG in schema:
        if LANG in overridden and checked[LANG] != lang:
            expected = f"the language of -p lang={checked[LANG]} (or only one of the two)"
            problems.append(ParameterError("--lang", expected, lang))
        checked[LANG] = lang
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise AuditkitError("\n".join(map(str, problems)))
    if seed is not None and "seed" in schema and "seed" not in checked:
        checked["seed"] = seed
    parameters = {name: parameter.default for name, parameter in schema.items()} | checked
    if "data_dir" in schema and not parameters["data_dir"]:
        parameters["data_dir"] = str(resolve_data_dir())
    elif parameters.get("data_dir"):  # kernels run in notebooks/: a relative folder means ours
        parameters["data_dir"] = str(Path(parameters["data_dir"]).resolve())
    for name in FILE_PARAMETERS:
        if parameters.get(name):
            parameters[name] = str(Path(parameters[name]).resolve())
    data_dir = Path(parameters["data_dir"]) if parameters.get("data_dir") else None
    if parameters.get(CAPACITY) and data_dir:
        from auditkit.crossaudit.assign import check_capacity  # deferred: a domain module

        check_capacity(
            districts_of(data_dir), parameters[CAPACITY], parameters.get("previous_round", "")
        )
    if "district" not in schema:
        return [Job(notebook_path, notebook_path.stem, parameters)]
    known = list(districts_of(data_dir)) if data_dir else []
    if fan_out is not None:
        wanted = known if fan_out == EVERY_DISTRICT else list(fan_out)
        for district in wanted:
            _check_district(district, known, data_dir, source)
        return [
            Job(notebook_path, district, parameters | {"district": district}) for district in wanted
        ]
    in_file = "district" in given and "district" not in overridden
    _check_district(parameters["district"], known, data_dir, source if in_file else "")
    return [Job(notebook_path, notebook_path.stem, parameters)]


def _is_fan_out(value: Any) -> bool:
    """True for the values of `district` that ask for one run per district."""
    return value == EVERY_DISTRICT or isinstance(value, list)


def _validated(
    schema: Mapping[str, notebook_params.NotebookParameter],
    values: Mapping[str, Any],
    source: str,
    notebook: str,
) -> tuple[dict[str, Any], list[AuditkitError]]:
    """The file's values that hold, converted, and an error naming the file for each that does
    not: every mistake of a file is told at once, not one per attempt."""
    checked: dict[str, Any] = {}
    problems: list[AuditkitError] = []
    for key, value in values.items():
        try:
            checked |= notebook_params.validate_values(schema, {key: value}, notebook)
        except ParameterError as error:
            if key == "district" and key in schema and _is_number(value):  # a known name
                error = ParameterError(key, f"{error.expected}{_quote_it(value)}", value)
            problems.append(AuditkitError(f"{source}: {error}"))
    return checked, problems


def _district_list(values: list[Any], source: str, problems: list[AuditkitError]) -> list[str]:
    """The districts of a `district: [...]` list, each checked as text (a district code written
    as a number, `[101]`, is read by YAML as one) and given once (`[城东, 城东]` would run the
    notebook twice into one folder); a line naming `source` in `problems` for each that is not."""
    districts: list[str] = []
    items: dict[str, list[int]] = {}
    district = notebook_params.NotebookParameter("district", "str", "", "")
    for number, value in enumerate(values, 1):
        try:
            text = notebook_params.check_type(district, value)
        except ParameterError:
            hint = _quote_it(value) if _is_number(value) else ""
            expected = f"a value of type str at item {number}{hint}"
            problems.append(
                AuditkitError(f"{source}: {ParameterError('district', expected, value)}")
            )
            continue
        if text not in items:
            districts.append(text)
        items.setdefault(text, []).append(number)
    for text, numbers in items.items():
        if len(numbers) > 1:
            places = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
            problems.append(
                AuditkitError(
                    f"{source}: parameter 'district': expected each district once in the list, "
                    f"found {shown(text)} {len(numbers)} times (items {places})"
                )
            )
    return districts


def _is_number(value: Any) -> bool:
    """True for a YAML number (not a boolean): a district code the file did not quote."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quote_it(value: Any) -> str:
    """The advice for a district code YAML read as a number: quote it, as written."""
    return f" (a district code is text: quote it, {str(value)!r})"


def _check_district(
    district: Any, known: Sequence[str], data_dir: Path | None, source: str = ""
) -> None:
    """Raise a ParameterError naming `district` when the dataset has no such district, after
    `source` (the parameter file that gave it) when there is one.

    An empty value is left to the notebook (studies read it as "all districts at once").
    """
    if not known or district == "":
        return
    if district not in known:
        error = ParameterError(
            "district", f"one of the districts in {data_dir} ({', '.join(known)})", district
        )
        if source:
            raise AuditkitError(f"{source}: {error}")
        raise error


def check_job_districts(
    jobs: Sequence[Job], source: str, districts_of: DistrictLookup = dataset_districts
) -> None:
    """An AuditkitError after `source` (the manifest a rerun read) when a job's district is not
    in its dataset as the data is now: refused before any kernel starts, as `run` refuses one,
    not in the notebook halfway. Each dataset folder is read once."""
    known: dict[str, Sequence[str]] = {}
    for job in jobs:
        data_dir, district = job.parameters.get("data_dir"), job.parameters.get("district")
        if data_dir and district:
            if data_dir not in known:
                known[data_dir] = list(districts_of(Path(data_dir)))
            _check_district(district, known[data_dir], Path(data_dir), source)


def jobs_for_notebooks(
    notebooks: Sequence[Path],
    params_directory: Path,
    *,
    overrides: Sequence[str] = (),
    seed: int | None = None,
    lang: str | None = None,
    districts_of: DistrictLookup = dataset_districts,
    resolve_data_dir: Callable[[], Path] = default_data_dir,
) -> list[Job]:
    """The jobs of every notebook, with `<params_directory>/<stem>.yaml` (defaults when absent).

    Every notebook is checked before any runs; all problems are reported together, one per line.
    `overrides` apply to each notebook that declares the key (e.g. `data_dir=...` for all), and
    so does `lang`, the run's language (see `jobs_for_notebook`).
    """
    jobs: list[Job] = []
    problems: list[str] = []
    for notebook in notebooks:
        params_file = params_directory / f"{notebook.stem}.yaml"
        try:
            values = notebook_params.load_params_file(params_file) if params_file.exists() else {}
            schema = notebook_params.read_schema(notebook)
            applicable = [text for text in overrides if text.split("=", 1)[0].strip() in schema]
            jobs.extend(
                jobs_for_notebook(
                    notebook,
                    values,
                    source=str(params_file),
                    overrides=applicable,
                    seed=seed,
                    lang=lang,
                    districts_of=districts_of,
                    resolve_data_dir=resolve_data_dir,
                )
            )
        except AuditkitError as error:
            problems.extend(f"{notebook.name}: {line}" for line in str(error).splitlines())
    problems.extend(parameter_folder_problems(params_directory, notebooks))
    declared = {name for notebook in notebooks for name in _schema_names(notebook)}
    problems.extend(
        f"unknown parameter {key!r} in -p {text!r}: no notebook declares it"
        for text in overrides
        if (key := text.split("=", 1)[0].strip()) not in declared
    )
    if problems:
        raise AuditkitError("\n".join(problems))
    jobs = distinct_names(jobs)
    check_unique_names(jobs)
    return jobs


def parameter_folder_problems(folder: Path, notebooks: Sequence[Path]) -> list[str]:
    """A line for each file of the parameters `folder` that the run would ignore without a word:
    a notebook's file misnamed (`District_Audit.yaml`, `district_audit.yml`: the notebook would
    run on its defaults, an empty data_dir being the demo utility) or misspelt
    (`sampling_pln.yaml`), any other YAML file that no notebook of the run reads, and rule
    thresholds or billing conventions the run does not read (they come from $AUDITKIT_PARAMS,
    else the project's params/, in the kernels as in the manifest). `rules.yaml` and
    `billing.yaml` are the only files of the folder not named after a notebook (docs/reports.md):
    they are allowed by name, as is the file of a notebook of the project's notebooks folder that
    this run leaves out (`run-all --notebooks-dir` of a few of them beside the shared params/)."""
    stems = {notebook.stem for notebook in notebooks}
    read_by_run = {path.name: path for path in parameter_files()}  # as the manifest hashes them
    of_project = {f"{notebook.stem}.yaml" for notebook in notebooks_dir().glob("*.ipynb")}
    lines = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in (".yaml", ".yml"):
            continue
        if path.name in of_project:
            continue
        if path.name in read_by_run:
            read = read_by_run[path.name]
            if path.resolve() != read.resolve() and not _same_bytes(path, read):
                lines.append(
                    f"{path}: expected {path.name} where the run reads it ({read}) or a copy of "
                    f"it, found another in --params-dir, which gives the notebooks' parameters "
                    f"only: set AUDITKIT_PARAMS={folder} to audit with it"
                )
            continue
        meant = {stem for stem in stems if stem.lower() == path.stem.lower().replace("-", "_")}
        if path.name in {f"{stem}.yaml" for stem in meant}:
            continue
        if meant:
            lines.append(
                f"{path}: expected the parameter file of notebook {min(meant)} named "
                f"{min(meant)}.yaml, found {path.name}, which no notebook reads"
            )
            continue
        lines.append(_unread_file_problem(path, sorted(stems), sorted(read_by_run)))
    return lines


def _unread_file_problem(path: Path, stems: Sequence[str], read_by_name: Sequence[str]) -> str:
    """The line for a YAML file of the parameters folder that names no notebook of the run (a
    misspelt `sampling_pln.yaml`, another run's file): the notebooks it could be for, the files
    allowed by name, and the closest notebook's file when one is close."""
    by_lower = {stem.lower(): stem for stem in stems}
    closest = difflib.get_close_matches(path.stem.lower(), list(by_lower), n=1)
    advice = (
        f": did you mean {by_lower[closest[0]]}.yaml?"
        if closest
        else ": take it out, or give the run a --params-dir of its notebooks' files only"
    )
    return (
        f"{path}: expected the parameter file of a notebook of the run "
        f"({', '.join(f'{stem}.yaml' for stem in stems)}) or a file the run reads by name "
        f"({', '.join(read_by_name)}), found {path.name}, which no notebook reads{advice}"
    )


def check_outputs_outside_data(jobs: Sequence[Job], outputs: Path) -> None:
    """A ParameterError naming --outputs when the run folders would go inside a dataset folder
    a job reads: the run's own files would change the data its manifest hashed, and the run
    would fail its own `verify` ("new file")."""
    root = outputs.resolve()
    for job in jobs:
        data_dir = job.parameters.get("data_dir")
        if data_dir and root.is_relative_to(Path(data_dir).resolve()):
            raise ParameterError(
                "--outputs",
                f"a folder outside the dataset folder {data_dir} (runs written inside it would "
                "change the data the run hashed)",
                str(outputs),
            )


def _same_bytes(path: Path, other: Path) -> bool:
    """Whether two small files hold the same bytes (a copied params/ folder is no mistake)."""
    return other.is_file() and path.read_bytes() == other.read_bytes()


def distinct_names(jobs: Sequence[Job]) -> list[Job]:
    """`jobs`, each name that jobs of more than one notebook share (the same district audited
    and studied per district: `district: "*"` in both files) followed by the notebook's stem
    ("城东-consumption_statistics"), so that each job keeps its own folder and record; names
    of one notebook alone are kept."""
    notebooks: dict[str, set[Path]] = {}
    for job in jobs:
        notebooks.setdefault(job.name, set()).add(job.notebook)
    return [
        replace(job, name=f"{job.name}-{job.notebook.stem}")
        if len(notebooks[job.name]) > 1
        else job
        for job in jobs
    ]


def _schema_names(notebook: Path) -> list[str]:
    """The parameter names a notebook declares (none when it cannot be read: reported elsewhere)."""
    try:
        return list(notebook_params.read_schema(notebook))
    except AuditkitError:
        return []


def check_unique_names(jobs: Sequence[Job]) -> None:
    """Two jobs may not write into the same output folder."""
    seen: dict[str, Path] = {}
    for job in jobs:
        if job.folder in seen:
            raise AuditkitError(
                f"output folder {job.folder!r} (for {job.name!r}): expected one job per folder, "
                f"found {seen[job.folder].name} and {job.notebook.name}"
            )
        seen[job.folder] = job.notebook
