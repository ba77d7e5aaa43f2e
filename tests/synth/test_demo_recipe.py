"""The demo dataset is made again when its recipe changes: config, version or generator code."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditkit import demo, synth

SMALL = synth.SynthConfig(customers=300, districts=2, months=24)


@pytest.fixture
def small_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUDITKIT_DATA", str(tmp_path))
    monkeypatch.setattr(demo, "DEMO_CONFIG", SMALL)
    return demo.demo_data_dir()


def _stamp(folder: Path) -> int:
    return (folder / "synthetic.json").stat().st_mtime_ns


def test_an_unchanged_recipe_reuses_the_demo(small_demo: Path) -> None:
    before = _stamp(small_demo)
    assert demo.demo_data_dir() == small_demo
    assert _stamp(small_demo) == before


def test_other_generator_code_makes_the_demo_again(
    small_demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _stamp(small_demo)
    monkeypatch.setattr(synth, "generator_fingerprint", lambda: "0" * 64)
    demo.demo_data_dir()
    assert _stamp(small_demo) != before
    assert '"generator_sha256": "' + "0" * 64 in (small_demo / "synthetic.json").read_text()


def test_the_fingerprint_follows_the_billing_conventions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = synth.generator_fingerprint()
    changed = tmp_path / "params"
    changed.mkdir()
    from auditkit.paths import params_dir

    text = (params_dir() / "billing.yaml").read_text(encoding="utf-8")
    (changed / "billing.yaml").write_text(text.replace("days_per_month: 30", "days_per_month: 31"))
    monkeypatch.setenv("AUDITKIT_PARAMS", str(changed))
    assert synth.generator_fingerprint() != original
