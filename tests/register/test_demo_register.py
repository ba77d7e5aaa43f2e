"""The demo's own register: three months before the latest one, built once (also by processes at
the same time), kept while current (later runs recorded in it included), built again when its
recipe changes, and never left half built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from auditkit import data, demo, rules, synth
from auditkit.register import Register, fieldwork
from auditkit.register import demo as register_demo

SMALL = synth.SynthConfig(customers=400, districts=2, months=24, irregular_share=0.09)
#: SMALL runs from 2023-01 for 24 months: its latest billing month and the three before it.
LATEST, MONTHS = "2024-12", ["2024-09", "2024-10", "2024-11"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data home with the small demo and its register, built once for the module."""
    home = tmp_path_factory.mktemp("demo-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUDITKIT_DATA", str(home))
        patch.setattr(demo, "DEMO_CONFIG", SMALL)
        register_demo.demo_register_url()
    return home


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built data home, as AUDITKIT_DATA, with the small demo's recipe."""
    copy = tmp_path / "home"
    shutil.copytree(built, copy)
    monkeypatch.setenv("AUDITKIT_DATA", str(copy))
    monkeypatch.setattr(demo, "DEMO_CONFIG", SMALL)
    return copy


def _register_file(home: Path) -> Path:
    return home / "demo-register" / "register.sqlite"


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_ino, status.st_mtime_ns


def test_the_demo_register_holds_each_district_in_the_three_months_before_the_latest(
    home: Path,
) -> None:
    url = register_demo.demo_register_url()
    assert url == f"sqlite:///{_register_file(home).resolve()}"
    with Register.open(url) as register:
        runs, outcomes = register.runs(), register.outcomes()
    districts = sorted(pd.read_parquet(home / "demo" / "customers.parquet")["district"].unique())
    assert len(districts) == 2
    assert sorted(runs["run_id"]) == sorted(f"demo {m} {d}" for m in MONTHS for d in districts)
    assert (runs["run_id"] == "demo " + runs["as_of"] + " " + runs["district"]).all()
    assert set(outcomes["event"]) == {"sent", "confirmed", "false_alarm", "rectified",
                                      "recovered", "archive_corrected"}  # fmt: skip
    assert outcomes["happened_at"].max() <= pd.Timestamp(f"{LATEST}-31")
    month = outcomes["source"].str.split(" ").str[2]
    assert set(month) == set(MONTHS)
    # The middle month is the cross-audit: the only one whose teams are other districts'.
    assert set(month[outcomes["auditor"].notna()]) == {MONTHS[1]}
    recipe = json.loads((home / "demo-register" / "register.json").read_text(encoding="utf-8"))
    assert recipe["field"] == fieldwork.FieldRecipe().as_dict()
    assert recipe["months"] == 3


def test_asking_again_reuses_the_register_with_the_later_month_a_run_recorded_in_it(
    home: Path,
) -> None:
    url = register_demo.demo_register_url()
    dataset = data.load(home / "demo")
    with Register.open(url) as register:  # what `auditkit demo` records for month M
        for district in dataset.districts:
            findings = rules.run(dataset.for_district(district), as_of=None)
            assert findings.attrs["as_of"] == LATEST
            register.record_run(
                findings, run_id=f"demo {LATEST} {district}", as_of=LATEST, district=district
            )
    before = _stamp(_register_file(home))
    assert register_demo.demo_register_url() == url
    assert _stamp(_register_file(home)) == before
    with Register.open(url) as register:
        assert sorted(set(register.runs()["as_of"])) == [*MONTHS, LATEST]


def test_another_field_recipe_builds_the_register_again(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = register_demo.demo_register_url()
    with Register.open(url) as register:
        before = register.outcomes()
    stamp = _stamp(_register_file(home))
    other = fieldwork.FieldRecipe(seed=7, self_audit_miss_share=0.5)
    monkeypatch.setattr(register_demo, "demo_field_recipe", lambda: other)
    assert register_demo.demo_register_url() == url
    assert _stamp(_register_file(home)) != stamp
    recipe = json.loads((home / "demo-register" / "register.json").read_text(encoding="utf-8"))
    assert recipe["field"]["seed"] == 7 and recipe["field"]["self_audit_miss_share"] == 0.5
    with Register.open(url) as register:
        after = register.outcomes()
        assert len(register.runs()) == 6
    assert not after.drop(columns=["outcome_id", "recorded_at"]).equals(
        before.drop(columns=["outcome_id", "recorded_at"])
    )
    assert sorted(path.name for path in (home / "demo-register").iterdir()) == [
        ".build.lock", "register.json", "register.sqlite"]  # fmt: skip


def test_regenerating_builds_again_and_a_build_killed_half_way_leaves_the_register_as_it_was(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register_file = _register_file(home)
    content = register_file.read_bytes()
    calls = []

    def fails_on_the_third_run(*args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("killed half way")
        return original(*args, **kwargs)

    original = rules.run
    monkeypatch.setattr(rules, "run", fails_on_the_third_run)
    with pytest.raises(RuntimeError, match="killed half way"):
        register_demo.demo_register_url(regenerate=True)  # current, yet built again: the rules ran
    assert len(calls) == 3
    assert register_file.read_bytes() == content
    assert sorted(path.name for path in (home / "demo-register").iterdir()) == [
        ".build.lock", "register.json", "register.sqlite"]  # fmt: skip


BUILD_AND_LOG = textwrap.dedent(
    """
    import sys
    from auditkit import demo, synth
    from auditkit.register import demo as register_demo

    demo.DEMO_CONFIG = synth.SynthConfig(customers=400, districts=2, months=24,
                                         irregular_share=0.09)
    build = register_demo._build_register

    def logged(*args):
        with open(sys.argv[1], "a", encoding="utf-8") as log:
            log.write("built\\n")
        build(*args)

    register_demo._build_register = logged
    print(register_demo.demo_register_url())
    """
)


def test_two_processes_asking_at_once_build_the_register_once(tmp_path: Path) -> None:
    script, log = tmp_path / "build.py", tmp_path / "builds.log"
    script.write_text(BUILD_AND_LOG, encoding="utf-8")
    environment = {**os.environ, "AUDITKIT_DATA": str(tmp_path / "home")}
    processes = [
        subprocess.Popen([sys.executable, str(script), str(log)], env=environment,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]  # fmt: skip
    results = [process.communicate(timeout=300) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], results
    urls = {stdout.strip() for stdout, _stderr in results}
    assert urls == {f"sqlite:///{(tmp_path / 'home' / 'demo-register' / 'register.sqlite')}"}
    assert log.read_text(encoding="utf-8") == "built\n"
    with Register.open(urls.pop()) as register:
        assert len(register.runs()) == 6
