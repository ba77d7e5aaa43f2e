"""A run folder edited by hand (its manifest, its `latest` pointer): verify and rerun say what is
wrong in one line naming the file and the key, exit 2, and run nothing; a manifest never chooses
where the code a rerun executes comes from, nor makes verify read what its run did not."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pipeline_helpers import write_notebook

from auditkit import cli, paths
from auditkit.cli import runs as runs_cli
from auditkit.errors import SEEDS
from auditkit.pipeline import manifest as run_manifest
from auditkit.pipeline.runs import RunOutcome

MARK_CODE = "from pathlib import Path\nPath({marker!r}).write_text('ran', encoding='utf-8')"


@pytest.fixture
def auditkit(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`auditkit.cli.main` with the run commands registered (however the CLI list is wired)."""
    if runs_cli not in cli._COMMAND_MODULES:
        monkeypatch.setattr(cli, "_COMMAND_MODULES", (*cli._COMMAND_MODULES, runs_cli))
    return cli.main


@pytest.fixture
def project_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project's notebooks folder, here a temporary one holding `marker.ipynb`, which leaves
    `ran` beside it when it runs."""
    folder = tmp_path / "notebooks"
    write_notebook(
        folder / "marker.ipynb",
        "x: int = 1  # a number\n",
        MARK_CODE.format(marker=str(tmp_path / "ran")),
    )
    monkeypatch.setattr(paths, "notebooks_dir", lambda: folder)
    return folder


def _manifest(run_dir: Path, notebook: Path | str | None = None, **keys: object) -> Path:
    """A run folder whose manifest records `notebook` (by the path given, hashed as it is),
    with `keys` over the others a run writes."""
    run_dir.mkdir(parents=True)
    records = []
    if notebook is not None:
        on_disk = (
            Path(notebook) if Path(notebook).is_absolute() else paths.project_root() / notebook
        )
        records.append(
            {
                "name": "marker",
                "folder": "marker",
                "notebook": str(notebook),
                "notebook_sha256": run_manifest.file_sha256(on_disk),
                "parameters": {"x": 1},
                "status": "ok",
            }
        )
    manifest = {"format": run_manifest.FORMAT_VERSION, "run_id": run_dir.name, "seed": 0}
    manifest |= {"lang": "zh", "inputs": {}, "notebooks": records, "outputs": {}} | keys
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir


def _refused(
    auditkit: Callable[[list[str]], int],
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
) -> str:
    """The one error line of a command that must stop with exit 2 and print nothing on stdout."""
    assert auditkit(arguments) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.strip().splitlines()
    return line


@pytest.mark.parametrize(
    ("keys", "said"),
    [
        ({"lang": "fr"}, "'lang': expected 'zh' or 'en', found 'fr'"),
        ({"seed": -5}, f"'seed': expected {SEEDS} (as --seed takes it), found -5"),
        ({"seed": 1.5}, f"'seed': expected {SEEDS} (as --seed takes it), found 1.5"),
        ({"seed": 2**64}, f"'seed': expected {SEEDS} (as --seed takes it), found {2**64}"),
        ({"register": "abc"}, "'register': expected a list, found str"),
        ({"register": [1]}, "register 1: expected a record, found 1"),
    ],
)
def test_a_rerun_refuses_a_bad_seed_lang_or_register_before_anything_runs(
    auditkit: Callable[[list[str]], int],
    project_notebooks: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    keys: dict,
    said: str,
) -> None:
    run_dir = _manifest(tmp_path / "run", project_notebooks / "marker.ipynb", **keys)
    outputs = tmp_path / "outputs"
    line = _refused(auditkit, capsys, ["rerun", str(run_dir), "--outputs", str(outputs)])
    assert line == f"auditkit rerun: error: {run_dir / 'manifest.json'}: {said}"
    assert not (tmp_path / "ran").exists() and not outputs.exists()  # no kernel, no .partial


def test_a_recorded_parameter_refused_names_the_manifest_and_the_notebook(
    auditkit: Callable[[list[str]], int],
    project_notebooks: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_dir = _manifest(tmp_path / "run", project_notebooks / "marker.ipynb")
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["notebooks"][0]["parameters"] = {"x": "abc"}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert auditkit(["rerun", str(run_dir), "--outputs", str(tmp_path / "o")]) == 2
    out, err = capsys.readouterr()  # the notes of a rerun come first
    assert out == "" and err.splitlines()[-1] == (
        f"auditkit rerun: error: {run_dir / 'manifest.json'}: notebook 1: parameter 'x': "
        "expected a value of type int, found 'abc'"
    )
    assert not (tmp_path / "ran").exists()


NESTED = b'{"format": 2, "inputs": {}, "notebooks": [], "x": ' + b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (NESTED + b"}", "expected JSON as a run writes it, found values nested too deep to read"),
        (b"\xff\xfe{}", "expected UTF-8 text, found the byte 0xff at offset 0"),
        (
            b'{"format": 2, "seed": 1' + b"0" * 5_000 + b"}",
            "expected JSON, Exceeds the limit (4300 digits) for integer string conversion: "
            "value has 5001 digits; use sys.set_int_max_str_digits() to increase the limit",
        ),
        ({"format": True}, "expected manifest format 1 or 2, found True"),
        (
            {"inputs": {"/some/dir": []}},
            "inputs['/some/dir']: expected a dict of sha256 by file, found list",
        ),
        (
            {"inputs": {"/some/dir": "abc"}},
            "inputs['/some/dir']: expected a dict of sha256 by file, found 'abc'",
        ),
        (
            {"inputs": {"some/dir": {}}},
            "'inputs': expected absolute paths of dataset folders, found 'some/dir'",
        ),
        (
            {"inputs": {"/data/../etc": {}}},
            "'inputs': expected absolute paths of dataset folders, found '/data/../etc'",
        ),
        (
            {"inputs": {"/data": {"../passwd": "0" * 64}}},
            "inputs['/data']: expected paths inside its folder, found '../passwd'",
        ),
        (
            {"inputs": {"/data": {"bills.parquet": 5}}},
            "inputs['/data']['bills.parquet']: expected a sha256 text, found 5",
        ),
        (
            {"input_files": {"/etc/passwd": ["x"]}},
            "input_files['/etc/passwd']: expected a sha256 text, found list",
        ),
        (
            {"input_files": {"rules.yaml": "0" * 64}},
            "'input_files': expected absolute paths of files, found 'rules.yaml'",
        ),
        (
            {"outputs": {"../../etc/passwd": "0" * 64}},
            "'outputs': expected paths inside the run folder, found '../../etc/passwd'",
        ),
        (
            {"registers_read": {"sqlite:///x": 5}},
            "registers_read['sqlite:///x']: expected a record of the register's sha256 and rows, "
            "found 5",
        ),
        (
            {"registers_read": {"sqlite:///x": {"sha256": "0", "rows": {"runs": "many"}}}},
            "registers_read['sqlite:///x']['rows']: expected a row count by table, found dict",
        ),
    ],
)
def test_an_edited_manifest_is_one_line_for_verify_and_rerun_never_a_traceback(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: bytes | dict,
    said: str,
) -> None:
    run_dir = tmp_path / "run"
    if isinstance(content, bytes):
        run_dir.mkdir()
        (run_dir / "manifest.json").write_bytes(content)
    else:
        _manifest(run_dir, **content)
    for command in (["verify"], ["rerun", "--outputs", str(tmp_path / "outputs")]):
        line = _refused(auditkit, capsys, [command[0], str(run_dir), *command[1:]])
        assert line == f"auditkit {command[0]}: error: {run_dir / 'manifest.json'}: {said}"
    assert not (tmp_path / "outputs").exists()


def test_verify_hashes_only_the_input_files_its_manifest_records(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "data"
    (data / "more").mkdir(parents=True)
    (data / "a.csv").write_text("1\n", encoding="utf-8")
    (data / "more" / "b.csv").write_text("2\n", encoding="utf-8")
    (data / ".cache").mkdir()
    (data / ".cache" / "c").write_text("hidden\n", encoding="utf-8")
    run_dir = _manifest(
        tmp_path / "run", inputs={str(data): {"a.csv": run_manifest.file_sha256(data / "a.csv")}}
    )
    hashed: list[Path] = []
    real = run_manifest.file_sha256
    monkeypatch.setattr(run_manifest, "file_sha256", lambda path: hashed.append(path) or real(path))
    assert auditkit(["verify", str(run_dir)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"run: {data}/more/b.csv: new file"]
    assert hashed == [data / "a.csv"]  # not b.csv, which the run did not record


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="a file whose read fails: Linux")
def test_a_recorded_file_the_system_cannot_read_is_one_line_naming_it(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = _manifest(tmp_path / "run", input_files={"/proc/self/mem": "0" * 64})
    line = _refused(auditkit, capsys, ["verify", str(run_dir)])
    assert line == "auditkit verify: error: the file system refused '/proc/self/mem': " + (
        os.strerror(5)
    )


def test_a_latest_pointer_that_is_not_utf8_or_names_another_place_is_refused(
    auditkit: Callable[[list[str]], int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs"
    _manifest(outputs / "20250101T000000Z-aaaaaa")
    _manifest(tmp_path / "somewhere")  # a run folder, but not one of these outputs
    latest = outputs / "latest"
    latest.write_text("20250101T000000Z-aaaaaa\n", encoding="utf-8")
    assert auditkit(["verify", str(latest)]) == 0
    capsys.readouterr()
    latest.write_bytes(b"\xff\xfe")
    assert _refused(auditkit, capsys, ["verify", str(latest)]) == (
        f"auditkit verify: error: {latest}: expected the name of a run folder in {outputs} "
        "(UTF-8 text), found the byte 0xff at offset 0"
    )
    for pointer in ("../somewhere", str(tmp_path / "somewhere"), ".."):
        latest.write_text(pointer + "\n", encoding="utf-8")
        assert _refused(auditkit, capsys, ["verify", str(latest)]) == (
            f"auditkit verify: error: {latest}: expected the name of a run folder in {outputs}, "
            f"found {pointer!r}"
        )
    latest.unlink()
    latest.symlink_to("../somewhere", target_is_directory=True)
    assert _refused(auditkit, capsys, ["verify", str(latest)]) == (
        f"auditkit verify: error: {latest}: expected a link to a run folder in {outputs}, "
        f"found one to {tmp_path / 'somewhere'}"
    )


def test_a_failed_run_says_a_latest_pointer_that_names_no_run_is_left_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "outputs"
    run_dir = outputs / "20250101T000000Z-bbbbbb"
    record = {"name": "A", "notebook": "n.ipynb", "status": "failed", "error": "boom"}
    outcome = RunOutcome(run_dir, {"notebooks": [record | {"folder": "A"}]})
    outputs.mkdir()
    (outputs / "latest").write_bytes(b"\xff\xfe")
    assert runs_cli._finish(outcome, "run") == 1
    out, err = capsys.readouterr()
    assert out == f"{run_dir / 'index.html'}\n"
    assert err.splitlines()[-1] == (
        f"auditkit run: {outputs / 'latest'} is left as it is, naming no run: expected the name "
        f"of a run folder in {outputs} (UTF-8 text), found the byte 0xff at offset 0; this "
        f"failed run is kept in {run_dir}"
    )


def test_a_manifest_cannot_choose_where_the_code_a_rerun_executes_comes_from(
    auditkit: Callable[[list[str]], int],
    project_notebooks: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    evil = write_notebook(
        tmp_path / "elsewhere" / "evil.ipynb",
        "x: int = 1  # a number\n",
        MARK_CODE.format(marker=str(tmp_path / "ran")),
    )
    outputs = ["--outputs", str(tmp_path / "outputs")]
    # Relative to the project as a run records its notebooks, but leaving it: no run writes that.
    climbing = os.path.relpath(evil, paths.project_root())
    run_dir = _manifest(tmp_path / "climbing", climbing)
    for command in (["verify"], ["rerun", *outputs]):
        assert _refused(auditkit, capsys, [command[0], str(run_dir), *command[1:]]) == (
            f"auditkit {command[0]}: error: {run_dir / 'manifest.json'}: notebook 1: 'notebook': "
            "expected a path inside the project or an absolute one (as a run records it), "
            f"found {climbing!r}"
        )
    # Absolute, as a run of a notebook outside the project records it: verify checks it, a
    # rerun runs it only from a folder its command line names.
    run_dir = _manifest(tmp_path / "absolute", evil)
    assert auditkit(["verify", str(run_dir)]) == 0
    capsys.readouterr()
    assert _refused(auditkit, capsys, ["rerun", str(run_dir), *outputs]) == (
        f"auditkit rerun: error: {run_dir / 'manifest.json'}: notebook 1: 'notebook': expected "
        f"a notebook in {project_notebooks} (or, with --notebooks-dir DIR, in DIR), found "
        f"{str(evil)!r}"
    )
    line = _refused(
        auditkit,
        capsys,
        ["rerun", str(run_dir), "--notebooks-dir", str(project_notebooks), *outputs],
    )
    assert line.endswith(f"expected a notebook in {project_notebooks}, found {str(evil)!r}")
    assert not (tmp_path / "ran").exists() and not (tmp_path / "outputs").exists()


def _one_district_dataset(folder: Path) -> Path:
    """A dataset of one household in 城东 (the rules tests' builder)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "rules"))
    from rule_builder import Utility, flat

    utility = Utility()
    utility.customer("A")
    utility.monthly("A", flat(100))
    return utility.write(folder)


@pytest.mark.parametrize(("district", "refused"), [("城西", True), ("城东", False)])
def test_a_rerun_refuses_a_district_the_data_no_longer_has_before_anything_runs(
    auditkit: Callable[[list[str]], int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    district: str,
    refused: bool,
) -> None:
    """The manifest's district is checked against the data as `run` checks it; the near miss
    (城东, which the data has) passes the check and reaches the kernel, which leaves `ran`."""
    folder = tmp_path / "notebooks"
    notebook = write_notebook(
        folder / "marker.ipynb",
        'data_dir: str = ""  # dataset\ndistrict: str = "城东"  # district\n',
        MARK_CODE.format(marker=str(tmp_path / "ran")),
    )
    monkeypatch.setattr(paths, "notebooks_dir", lambda: folder)
    data = _one_district_dataset(tmp_path / "data")
    run_dir = _manifest(tmp_path / "run", notebook)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["notebooks"][0]["parameters"] = {"data_dir": str(data), "district": district}
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    outputs = tmp_path / "outputs"
    code = auditkit(["rerun", str(run_dir), "--outputs", str(outputs)])
    error = capsys.readouterr().err
    if refused:
        assert code == 2 and error.splitlines()[-1] == (
            f"auditkit rerun: error: {run_dir / 'manifest.json'}: parameter 'district': "
            f"expected one of the districts in {data} (城东), found '城西'"
        )
        assert not (tmp_path / "ran").exists() and not outputs.exists()
    else:
        assert (tmp_path / "ran").exists()
