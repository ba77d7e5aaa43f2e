"""Jobs: parameter files and flags become validated jobs before any kernel starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline_helpers import TINY_PARAMETERS, two_districts, write_notebook

from auditkit.errors import AuditkitError, ParameterError
from auditkit.notebook_params import load_params_file
from auditkit.paths import notebooks_dir
from auditkit.pipeline.jobs import (
    Job,
    check_outputs_outside_data,
    check_unique_names,
    jobs_for_notebook,
    jobs_for_notebooks,
)


def _demo(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir(exist_ok=True)
    return folder


def test_star_runs_once_per_district_with_full_parameters(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"district": "*", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    assert [job.name for job in jobs] == ["A", "B"]
    assert jobs[1].parameters == {
        "data_dir": str(tiny_data),
        "district": "B",
        "lang": "zh",
        "top_n": 3,
    }


def test_a_list_selects_districts_and_flags_win(tiny_notebook: Path, tiny_data: Path) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook,
        {"district": ["B"], "data_dir": str(tiny_data), "top_n": 1},
        overrides=["top_n=9"],
        districts_of=two_districts,
    )
    assert [(job.name, job.parameters["top_n"]) for job in jobs] == [("B", 9)]
    single = jobs_for_notebook(
        tiny_notebook,
        {"district": "*", "data_dir": str(tiny_data)},
        overrides=["district=A"],
        districts_of=two_districts,
    )
    assert [(job.name, job.parameters["district"]) for job in single] == [("tiny", "A")]


@pytest.mark.parametrize("in_file", [{}, {"district": "A"}, {"district": "*"}])
def test_star_on_the_command_line_runs_once_per_district_as_in_a_file(
    tiny_notebook: Path, tiny_data: Path, in_file: dict
) -> None:
    """`-p district=*` was refused ("expected one of the districts …, found '*'") though the
    parameter files document "*" as every district."""
    jobs = jobs_for_notebook(
        tiny_notebook,
        {**in_file, "data_dir": str(tiny_data)},
        overrides=["district=*"],
        districts_of=two_districts,
    )
    assert [(job.name, job.parameters["district"]) for job in jobs] == [("A", "A"), ("B", "B")]


def test_star_and_a_district_on_the_command_line_are_one_value_too_many(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            {"data_dir": str(tiny_data)},
            overrides=["district=*", "district=A"],
            districts_of=two_districts,
        )
    assert str(caught.value) == (
        "parameter '-p': expected one value for district (-p district=... given once, or the "
        "same each time), found '-p district=* and -p district=A'"
    )


def test_unknown_district_is_one_clear_line_naming_the_parameter(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    """Given with -p (over the file's value), the error is the flag's: it names the parameter."""
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            {"district": "A", "data_dir": str(tiny_data)},
            source="params/tiny.yaml",
            overrides=["district=Z"],
            districts_of=two_districts,
        )
    assert caught.value.name == "district"
    assert "\n" not in str(caught.value)
    assert "(A, B)" in str(caught.value) and "'Z'" in str(caught.value)


@pytest.mark.parametrize("district", ["Z", ["A", "Z"]])
def test_an_unknown_district_of_a_file_names_the_file(
    tiny_notebook: Path, tiny_data: Path, district: str | list[str]
) -> None:
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            {"district": district, "data_dir": str(tiny_data)},
            source="params/tiny.yaml",
            districts_of=two_districts,
        )
    assert str(caught.value) == (
        f"params/tiny.yaml: parameter 'district': expected one of the districts in {tiny_data} "
        "(A, B), found 'Z'"
    )


def _numbered(_data_dir: Path) -> list[str]:
    """District lookup: codes written as numbers, one with a leading zero."""
    return ["0102", "101"]


@pytest.mark.parametrize(
    ("district", "where"), [([101], " at item 1"), (["0102", 101], " at item 2"), (101, "")]
)
def test_a_district_code_written_as_a_number_is_refused_asking_for_text_in_a_list_too(
    tiny_notebook: Path, tiny_data: Path, district: object, where: str
) -> None:
    """`district: [101]` was only "expected one of the districts … (0102, 101), found 101",
    naming no file and not saying that a text was expected."""
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            {"district": district, "data_dir": str(tiny_data)},
            source="params/tiny.yaml",
            districts_of=_numbered,
        )
    assert str(caught.value) == (
        f"params/tiny.yaml: parameter 'district': expected a value of type str{where} (a "
        "district code is text: quote it, '101'), found 101"
    )
    (job,) = jobs_for_notebook(
        tiny_notebook,
        {"district": ["101"], "data_dir": str(tiny_data)},
        source="params/tiny.yaml",
        districts_of=_numbered,
    )
    assert job.parameters["district"] == "101"


def test_a_district_listed_twice_is_refused_naming_the_file_and_the_district(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    """`district: [城东, 城东]` was "output folder '城东' (for '城东'): expected one job per
    folder, found district_audit.ipynb and district_audit.ipynb", naming neither file nor
    parameter."""
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            {"district": ["A", "B", "A", "B", "A", [1]], "data_dir": str(tiny_data)},
            source="params/tiny.yaml",
            districts_of=two_districts,
        )
    assert str(caught.value).splitlines() == [
        "params/tiny.yaml: parameter 'district': expected a value of type str at item 6, found [1]",
        "params/tiny.yaml: parameter 'district': expected each district once in the list, "
        "found 'A' 3 times (items 1, 3 and 5)",
        "params/tiny.yaml: parameter 'district': expected each district once in the list, "
        "found 'B' 2 times (items 2 and 4)",
    ]


def test_file_errors_name_the_file(tiny_notebook: Path, tiny_data: Path) -> None:
    with pytest.raises(AuditkitError, match=r"^params/tiny.yaml: parameter 'top_n'"):
        jobs_for_notebook(
            tiny_notebook, {"top_n": "3"}, source="params/tiny.yaml", districts_of=two_districts
        )


def test_every_bad_value_of_a_file_and_the_flags_is_told_at_once(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    values = {"top_n": "abc", "lang": "fr", "colour": "red", "data_dir": str(tiny_data)}
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebook(
            tiny_notebook,
            values,
            source="params/tiny.yaml",
            overrides=["district=A", "top_n=many"],
            districts_of=two_districts,
        )
    lines = str(caught.value).splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["params/tiny.yaml"] * 3 + [
        "parameter 'top_n'"
    ]
    assert "'lang'" in lines[1] and "unknown parameter 'colour'" in lines[2]


def test_empty_data_dir_resolves_to_the_demo_and_seed_is_given(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "study.ipynb", 'data_dir: str = ""\nseed: int = 1\n')
    jobs = jobs_for_notebook(notebook, {}, seed=42, resolve_data_dir=lambda: _demo(tmp_path))
    assert jobs == [
        Job(notebook.resolve(), "study", {"data_dir": str(tmp_path / "demo"), "seed": 42})
    ]
    explicit = jobs_for_notebook(
        notebook, {"seed": 5}, seed=42, resolve_data_dir=lambda: _demo(tmp_path)
    )
    assert explicit[0].parameters["seed"] == 5


def test_run_all_reports_every_problem_and_unknown_flags(tmp_path: Path, tiny_data: Path) -> None:
    notebooks = tmp_path / "notebooks"
    first = write_notebook(notebooks / "a_first.ipynb", TINY_PARAMETERS)
    second = write_notebook(notebooks / "b_second.ipynb", "lang: str = 'zh'\n")
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "a_first.yaml").write_text(
        f"district: '*'\ndata_dir: {tiny_data}\n", encoding="utf-8"
    )
    (params_dir / "b_second.yaml").write_text("lang: fr\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebooks(
            [first, second], params_dir, overrides=["colour=red"], districts_of=two_districts
        )
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("b_second.ipynb:") and "'lang'" in lines[0]
    assert "unknown parameter 'colour'" in lines[1]
    (params_dir / "b_second.yaml").write_text("lang: fr\ntop_n: 3\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebooks([first, second], params_dir, districts_of=two_districts)
    lines = str(caught.value).splitlines()
    assert len(lines) == 2 and all(line.startswith("b_second.ipynb: ") for line in lines)
    (params_dir / "b_second.yaml").write_text("lang: en\n", encoding="utf-8")
    jobs = jobs_for_notebooks(
        [first, second], params_dir, overrides=["lang=en"], districts_of=two_districts
    )
    assert [(job.name, job.parameters["lang"]) for job in jobs] == [
        ("A", "en"),
        ("B", "en"),
        ("b_second", "en"),
    ]


def test_the_run_language_wins_over_every_parameter_file_in_notebooks_that_declare_lang(
    tmp_path: Path, tiny_data: Path
) -> None:
    notebooks = tmp_path / "notebooks"
    first = write_notebook(notebooks / "a_first.ipynb", TINY_PARAMETERS)
    second = write_notebook(notebooks / "b_second.ipynb", "lang: str = 'zh'\ntop_n: int = 3\n")
    silent = write_notebook(notebooks / "c_silent.ipynb", "top_n: int = 3\n")
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "a_first.yaml").write_text(
        f"district: '*'\ndata_dir: {tiny_data}\nlang: zh\n", encoding="utf-8"
    )
    (params_dir / "b_second.yaml").write_text("lang: zh\n", encoding="utf-8")
    jobs = jobs_for_notebooks(
        [first, second, silent], params_dir, lang="en", districts_of=two_districts
    )
    assert [(job.name, job.parameters.get("lang")) for job in jobs] == [
        ("A", "en"),
        ("B", "en"),
        ("b_second", "en"),
        ("c_silent", None),  # declares no lang: nothing added
    ]
    without = jobs_for_notebooks([first, second], params_dir, districts_of=two_districts)
    assert {job.parameters["lang"] for job in without} == {"zh"}
    agreeing = jobs_for_notebook(second, {}, overrides=["lang=en"], lang="en")
    assert agreeing[0].parameters["lang"] == "en"


def test_a_run_language_the_flags_contradict_is_refused_naming_both(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "n.ipynb", "lang: str = 'zh'\n")
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(notebook, {}, overrides=["lang=zh"], lang="en")
    assert caught.value.name == "--lang"
    assert str(caught.value) == (
        "parameter '--lang': expected the language of -p lang=zh (or only one of the two), "
        "found 'en'"
    )


def test_two_jobs_cannot_share_a_folder(tmp_path: Path) -> None:
    jobs = [Job(tmp_path / "x.ipynb", "A"), Job(tmp_path / "y.ipynb", "A")]
    with pytest.raises(AuditkitError, match=r"output folder 'A'.*x.ipynb and y.ipynb"):
        check_unique_names(jobs)


def test_an_empty_district_is_refused_where_the_notebook_audits_one(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    """The tiny notebook's default district is 'A': it audits one, and empty is none (the
    kernel would stop on it); refused from the file and from -p alike, before any kernel."""
    for values, overrides in (({"district": ""}, []), ({}, ["district="])):
        with pytest.raises(AuditkitError) as caught:
            jobs_for_notebook(
                tiny_notebook,
                {**values, "data_dir": str(tiny_data)},
                overrides=overrides,
                districts_of=two_districts,
            )
        assert "parameter 'district': expected a district (this notebook audits one, by " in str(
            caught.value
        )


def test_an_empty_district_is_all_districts_where_that_is_the_notebook_s_default(
    tmp_path: Path, tiny_data: Path
) -> None:
    """Near miss: a notebook whose default district is '' (all at once) takes it."""
    notebook = write_notebook(
        tmp_path / "notebooks" / "all.ipynb",
        TINY_PARAMETERS.replace(
            'district: str = "A"  # district to audit', 'district: str = ""  # all'
        ),
    )
    jobs = jobs_for_notebook(
        notebook, {"district": "", "data_dir": str(tiny_data)}, districts_of=two_districts
    )
    assert [(job.name, job.parameters["district"]) for job in jobs] == [("all", "")]


def test_a_relative_data_dir_is_made_absolute_before_the_kernel_runs_elsewhere(
    tiny_notebook: Path, tiny_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kernels run with the notebooks folder as their working folder: `-p data_dir=data/x`
    means the folder the user named, relative to where they typed the command."""
    monkeypatch.chdir(tiny_data.parent)
    relative = [f"data_dir={tiny_data.name}"]
    (job,) = jobs_for_notebook(
        tiny_notebook, {"district": "A"}, overrides=relative, districts_of=two_districts
    )
    assert job.parameters["data_dir"] == str(tiny_data.resolve())


def test_the_index_speaks_the_notebooks_language_when_they_share_one(tmp_path: Path) -> None:
    from auditkit.pipeline.runs import index_language

    notebook = tmp_path / "n.ipynb"
    english = [Job(notebook, "a", {"lang": "en"}), Job(notebook, "b", {"lang": "en"})]
    assert index_language(english) == "en"
    assert index_language([*english, Job(notebook, "c", {"lang": "zh"})]) == "zh"
    assert index_language([Job(notebook, "d", {})]) == "zh"


def test_an_empty_district_list_is_refused_naming_the_file(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    with pytest.raises(
        AuditkitError, match=r"^params/tiny.yaml: parameter 'district'.*found 'an empty list'$"
    ):
        jobs_for_notebook(
            tiny_notebook,
            {"district": [], "data_dir": str(tiny_data)},
            source="params/tiny.yaml",
            districts_of=two_districts,
        )


def test_files_named_by_parameters_are_made_absolute_and_listed_as_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = write_notebook(
        tmp_path / "cross.ipynb", 'previous_round: str = ""  # CSV\nfield_sheet: str = ""\n'
    )
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rounds").mkdir()
    (tmp_path / "rounds" / "2024.csv").write_text("auditing_district,audited_district\n")
    (job,) = jobs_for_notebook(notebook, {"previous_round": "rounds/2024.csv"})
    assert job.parameters == {
        "previous_round": str(tmp_path / "rounds" / "2024.csv"),
        "field_sheet": "",
    }
    assert job.input_files == [tmp_path / "rounds" / "2024.csv"]


CROSS_AUDIT_PARAMETERS = (
    'data_dir: str = ""  # dataset\n'
    "capacity: dict[str, float] = {}  # auditing capacity by district\n"
)


def _three_districts(_data_dir: Path) -> list[str]:
    return ["城东", "城西", "城南"]


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        (
            "capacity={火星: 2, 城东: -5}",
            "parameter 'capacity': expected capacities of the districts (城东, 城南, 城西), "
            "found ['火星']",
        ),
        (
            "capacity={城东: -5}",
            "parameter 'capacity': expected a number ≥ 0 for '城东' (its auditing capacity; 0: it "
            "does not audit), found -5.0",
        ),
        (
            "capacity={城西: 1, 城东: abc}",
            "parameter 'capacity': expected a value of type float (a finite number) for '城东', found 'abc'",
        ),
        (
            "capacity={城东: 0}",
            "parameter 'capacity': expected at least one district with capacity > 0, found "
            "'城东: 0'",
        ),
        (
            "capacity={城东: 2, 城西: 1}",
            "parameter 'capacity': expected enough districts with capacity > 0 to meet the "
            "cross-audit rules (cannot assign '城东' and '城西': each may be audited only by the "
            "other (only 城东, 城西 have capacity > 0), but no pair of districts audits each other "
            "in the same round), found '城东: 2, 城西: 1'",
        ),
    ],
)
def test_a_bad_capacity_is_refused_before_any_kernel_naming_the_district(
    tmp_path: Path, flag: str, message: str
) -> None:
    notebook = write_notebook(tmp_path / "cross_audit.ipynb", CROSS_AUDIT_PARAMETERS)
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebook(
            notebook,
            {"data_dir": str(_demo(tmp_path))},
            overrides=[flag],
            districts_of=_three_districts,
        )
    assert str(caught.value) == message


def test_a_capacity_the_rules_can_meet_is_kept(tmp_path: Path) -> None:
    notebook = write_notebook(tmp_path / "cross_audit.ipynb", CROSS_AUDIT_PARAMETERS)
    [job] = jobs_for_notebook(
        notebook,
        {"data_dir": str(_demo(tmp_path)), "capacity": {"城东": 2, "城西": 1, "城南": 0.5}},
        districts_of=_three_districts,
    )
    assert job.parameters["capacity"] == {"城东": 2.0, "城西": 1.0, "城南": 0.5}


def _four_districts(_data_dir: Path) -> list[str]:
    return ["城东", "城西", "城南", "城北"]


def test_a_previous_round_the_capacity_cannot_follow_is_refused_before_any_kernel(
    tmp_path: Path,
) -> None:
    """Last round 城北→城南, 城东→城北, 城南→城东 and 城南→城西; this round 城北 does not audit.
    The capacity alone can be met, but with last round's pairs excluded 城东 can only be audited
    by 城西 and 城西 only by 城东, a pair auditing each other: refused naming the previous round,
    its districts and pairs. Near miss: the round before it (城东→城南, 城南→城西, 城西→城北,
    城北→城东) leaves a way, and the job is made."""
    notebook = write_notebook(
        tmp_path / "cross_audit.ipynb",
        CROSS_AUDIT_PARAMETERS + 'previous_round: str = ""  # CSV of the last round\n',
    )
    last_round = tmp_path / "round.csv"
    last_round.write_text(
        "auditing_district,audited_district\n城北,城南\n城东,城北\n城南,城东\n城南,城西\n",
        encoding="utf-8",
    )
    values = {
        "data_dir": str(_demo(tmp_path)),
        "capacity": {"城东": 1, "城西": 1, "城南": 1, "城北": 0},
        "previous_round": str(last_round),
    }
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(notebook, values, districts_of=_four_districts)
    assert str(caught.value) == (
        "parameter 'previous_round': expected a last round after which the districts can still "
        "be assigned with capacity 城东 1, 城北 0, 城南 1, 城西 1 (cannot assign '城东' and '城西': "
        "each may be audited only by the other (only 城东, 城南, 城西 have capacity > 0; 城南→城东, "
        "城南→城西 last round, and no auditor audits the district it audited in the previous "
        "round), but no pair of districts audits each other in the same round), found "
        f"'{last_round}: 城东→城北, 城北→城南, 城南→城东, 城南→城西'"
    )
    last_round.write_text(
        "auditing_district,audited_district\n城东,城南\n城南,城西\n城西,城北\n城北,城东\n",
        encoding="utf-8",
    )
    [job] = jobs_for_notebook(notebook, values, districts_of=_four_districts)
    assert job.parameters["previous_round"] == str(last_round)


def test_two_notebooks_run_per_district_each_keep_their_own_folders(
    tmp_path: Path, tiny_data: Path
) -> None:
    """The audit and the statistics both with `district: "*"` (as consumption_statistics.yaml's
    comment offers): each district's two jobs are named with their notebook, so neither writes
    into the other's folder (it was refused: "expected one job per folder"); a run where one
    notebook alone runs per district keeps the plain district names."""
    notebooks = tmp_path / "notebooks"
    audit = write_notebook(notebooks / "district_audit.ipynb", TINY_PARAMETERS)
    statistics = write_notebook(notebooks / "consumption_statistics.ipynb", TINY_PARAMETERS)
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    for notebook in (audit, statistics):
        (params_dir / f"{notebook.stem}.yaml").write_text(
            f"district: '*'\ndata_dir: {tiny_data}\n", encoding="utf-8"
        )
    jobs = jobs_for_notebooks([statistics, audit], params_dir, districts_of=two_districts)
    assert [(job.name, job.parameters["district"]) for job in jobs] == [
        ("A-consumption_statistics", "A"),
        ("B-consumption_statistics", "B"),
        ("A-district_audit", "A"),
        ("B-district_audit", "B"),
    ]
    assert len({job.folder for job in jobs}) == 4
    (params_dir / "consumption_statistics.yaml").unlink()  # a file of no notebook is refused
    alone = jobs_for_notebooks([audit], params_dir, districts_of=two_districts)
    assert [job.name for job in alone] == ["A", "B"]


def _study(folder: Path, parameters: str = "lang: str = 'zh'\nshare: float = 0.1\n") -> Path:
    """A notebook of all districts at once (no district parameter) named `study`."""
    return write_notebook(folder / "study.ipynb", parameters)


def test_a_misnamed_parameter_file_of_a_notebook_is_refused_not_ignored(tmp_path: Path) -> None:
    study = _study(tmp_path / "notebooks")
    params = tmp_path / "params"
    params.mkdir()
    (params / "Study.yaml").write_text("lang: en\n", encoding="utf-8")
    (params / "study.yml").write_text("lang: en\n", encoding="utf-8")
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebooks([study], params)
    assert str(caught.value).splitlines() == [
        f"{params / 'Study.yaml'}: expected the parameter file of notebook study named "
        "study.yaml, found Study.yaml, which no notebook reads",
        f"{params / 'study.yml'}: expected the parameter file of notebook study named "
        "study.yaml, found study.yml, which no notebook reads",
    ]


def test_a_misspelt_parameter_file_is_refused_naming_the_notebook_it_could_be_for(
    tmp_path: Path,
) -> None:
    """`sampling_pln.yaml` was read by nothing: the notebook ran on its defaults, the demo
    utility's data among them, and the run exited 0."""
    notebooks = tmp_path / "notebooks"
    plan = write_notebook(notebooks / "sampling_plan.ipynb", TINY_PARAMETERS)
    audit = write_notebook(notebooks / "district_audit.ipynb", TINY_PARAMETERS)
    params = tmp_path / "params"
    params.mkdir()
    (params / "sampling_pln.yaml").write_text("data_dir: somewhere\n", encoding="utf-8")
    (params / "other_run.yml").write_text("x: 1\n", encoding="utf-8")  # another run's
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebooks([audit, plan], params, districts_of=two_districts)
    expected = (
        "expected the parameter file of a notebook of the run (district_audit.yaml, "
        "sampling_plan.yaml) or a file the run reads by name (billing.yaml, rules.yaml), found"
    )
    assert str(caught.value).splitlines() == [
        f"{params / 'other_run.yml'}: {expected} other_run.yml, which no notebook reads: take "
        "it out, or give the run a --params-dir of its notebooks' files only",
        f"{params / 'sampling_pln.yaml'}: {expected} sampling_pln.yaml, which no notebook "
        "reads: did you mean sampling_plan.yaml?",
    ]


def test_a_run_of_some_notebooks_reads_the_shared_params_folder_without_a_word(
    tmp_path: Path,
) -> None:
    """`run-all --notebooks-dir` of a few notebooks beside the project's params/: the files of
    the project's other notebooks are no misspelling (a name of no notebook still is)."""
    notebooks = tmp_path / "notebooks"
    plan = write_notebook(notebooks / "sampling_plan.ipynb", TINY_PARAMETERS)
    params = tmp_path / "params"
    params.mkdir()
    for project_notebook in sorted(notebooks_dir().glob("*.ipynb")):
        (params / f"{project_notebook.stem}.yaml").write_text("{}\n", encoding="utf-8")
    assert len(list(params.iterdir())) > 3
    (job,) = jobs_for_notebooks([plan], params, districts_of=two_districts)
    assert job.notebook == plan
    (params / "district_audi.yaml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(AuditkitError, match=r"district_audi\.yaml, which no notebook reads"):
        jobs_for_notebooks([plan], params, districts_of=two_districts)


def test_rule_thresholds_and_billing_conventions_are_allowed_in_the_params_folder_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented files of params/ that belong to no notebook (docs/reports.md)."""
    study = _study(tmp_path / "notebooks")
    params = tmp_path / "params"
    params.mkdir()
    for name in ("rules.yaml", "billing.yaml"):
        (params / name).write_text("{}\n", encoding="utf-8")
    (params / "study.yaml").write_text("lang: en\n", encoding="utf-8")
    (params / ".hidden.yaml").write_text("x: 1\n", encoding="utf-8")  # an editor's, say
    monkeypatch.setenv("AUDITKIT_PARAMS", str(params))
    (job,) = jobs_for_notebooks([study], params)
    assert job.parameters["lang"] == "en"


def test_rule_thresholds_in_the_params_folder_must_be_the_ones_the_run_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    study = _study(tmp_path / "notebooks")
    read, given = tmp_path / "read", tmp_path / "given"
    for folder in (read, given):
        folder.mkdir()
        (folder / "rules.yaml").write_text("common:\n  severity_high_yuan: 5000\n", "utf-8")
    monkeypatch.setenv("AUDITKIT_PARAMS", str(read))
    assert len(jobs_for_notebooks([study], given)) == 1  # a copy of params/: no mistake
    (given / "rules.yaml").write_text("common:\n  severity_high_yuan: 1\n", "utf-8")
    with pytest.raises(AuditkitError) as caught:
        jobs_for_notebooks([study], given)
    assert str(caught.value) == (
        f"{given / 'rules.yaml'}: expected rules.yaml where the run reads it "
        f"({read / 'rules.yaml'}) or a copy of it, found another in --params-dir, which gives "
        f"the notebooks' parameters only: set AUDITKIT_PARAMS={given} to audit with it"
    )


def test_every_district_asked_of_a_notebook_without_districts_is_refused(tmp_path: Path) -> None:
    study = _study(tmp_path / "notebooks")
    for district in ("*", ["A", "B"]):
        with pytest.raises(AuditkitError) as caught:
            jobs_for_notebook(study, {"district": district}, source="params/study.yaml")
        assert str(caught.value) == (
            "params/study.yaml: unknown parameter 'district' for study.ipynb: expected one of "
            "lang, share"
        )


def test_an_empty_data_dir_given_with_p_is_refused_not_read_as_the_demo(
    tiny_notebook: Path,
) -> None:
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(tiny_notebook, overrides=["data_dir="], districts_of=two_districts)
    assert (caught.value.name, caught.value.found) == ("data_dir", "")


def test_a_parameter_given_twice_with_p_is_refused_unless_both_say_the_same(
    tiny_notebook: Path, tiny_data: Path
) -> None:
    data = f"data_dir={tiny_data}"
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(
            tiny_notebook, overrides=[data, "top_n=5", "top_n=10"], districts_of=two_districts
        )
    assert str(caught.value) == (
        "parameter '-p': expected one value for top_n (-p top_n=... given once, or the same each "
        "time), found '-p top_n=5 and -p top_n=10'"
    )
    [job] = jobs_for_notebook(
        tiny_notebook, overrides=[data, "top_n=5", "top_n=5"], districts_of=two_districts
    )
    assert job.parameters["top_n"] == 5


@pytest.mark.parametrize("written", ["010", "0x10", "1_000", "1:20", "0o17"])
def test_a_number_yaml_1_1_would_read_otherwise_is_refused_in_a_file_and_in_p(
    tmp_path: Path, tiny_notebook: Path, tiny_data: Path, written: str
) -> None:
    params = tmp_path / "tiny.yaml"
    params.write_text(f"top_n: {written}\n", encoding="utf-8")
    values = load_params_file(params)
    assert values == {"top_n": written}  # the text written, not 8, 16, 1000, 80 or 15
    with pytest.raises(AuditkitError, match=rf"parameter 'top_n': .* found '{written}'"):
        jobs_for_notebook(tiny_notebook, values, source=str(params), districts_of=two_districts)
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(tiny_notebook, overrides=[f"top_n={written}"], districts_of=two_districts)
    assert caught.value.found == written


def test_plain_numbers_and_booleans_still_read_and_nan_is_no_number(tmp_path: Path) -> None:
    study = _study(tmp_path / "notebooks", "share: float = 0.1\nmask: bool = True\n")
    [job] = jobs_for_notebook(study, {"share": 0.25}, overrides=["mask=off"])
    assert (job.parameters["share"], job.parameters["mask"]) == (0.25, False)
    for value in (".nan", ".inf", "-.inf"):
        with pytest.raises(ParameterError) as caught:
            jobs_for_notebook(study, overrides=[f"share={value}"])
        assert caught.value.expected == "a value of type float (a finite number)"


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("confidence=5.0", "a share strictly between 0 and 1 (0.95, not 95)"),
        ("materiality=0", "a share strictly between 0 and 1 (0.95, not 95)"),
        ("months=-3", "a whole number ≥ 1"),
        ("months=1000000000000", "a number of months from 1 to 600"),
    ],
)
def test_a_sampling_value_out_of_its_domain_stops_the_run_before_any_kernel(
    tmp_path: Path, override: str, expected: str
) -> None:
    parameters = (
        "materiality: float = 0.05\nconfidence: float = 0.95\nmonths: int = 12\n"
        "units: str = 'values'\nstratum: str = 'all'\n"
    )
    study = _study(tmp_path / "notebooks", parameters)
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(study, overrides=[override])
    assert caught.value.expected == expected


def test_a_p_value_in_bytes_that_are_not_utf8_is_refused_naming_the_flag(
    tiny_notebook: Path,
) -> None:
    gbk = "district=" + "城东".encode("gbk").decode("utf-8", "surrogateescape")  # a GBK terminal
    with pytest.raises(ParameterError) as caught:
        jobs_for_notebook(tiny_notebook, overrides=[gbk], districts_of=two_districts)
    assert (caught.value.name, caught.value.found) == ("-p", "district=\\xb3Ƕ\\xab")


def test_run_folders_inside_a_dataset_folder_are_refused_naming_outputs(
    tiny_notebook: Path, tiny_data: Path, tmp_path: Path
) -> None:
    jobs = jobs_for_notebook(
        tiny_notebook, {"data_dir": str(tiny_data)}, districts_of=two_districts
    )
    check_outputs_outside_data(jobs, tmp_path / "outputs")  # beside the data: fine
    with pytest.raises(ParameterError) as caught:
        check_outputs_outside_data(jobs, tiny_data / "outputs")
    assert (caught.value.name, caught.value.found) == ("--outputs", str(tiny_data / "outputs"))
