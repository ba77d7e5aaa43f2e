"""The consumption statistics notebook shows the same-period loss and the digit tests."""

from __future__ import annotations

import pytest
from test_notebooks import errors, run, shown

from auditkit import synth


@pytest.mark.slow
def test_consumption_statistics_shows_network_loss_and_digit_tests(tmp_path, monkeypatch):
    config = synth.SynthConfig(customers=1500, districts=2, daily_days=70)
    folder = synth.write(synth.generate(config), tmp_path / "utility", config=config)
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run("consumption_statistics", tmp_path, data_dir=str(folder), lang="en")
    html = shown(notebook)
    assert "Same-period line loss by transformer area and feeder" in html
    assert "TQ000004" in html  # an area read by hand: no daily reads, listed, not computed
    assert "Last digit of hand-read registers, by meter reader" in html
    assert "Benford tests of adjustments" in html and "not tested" in html
    assert "the mix of customers" in html and "nan" not in html.lower()
    saved = (tmp_path / "files" / "network_loss.csv").read_text(encoding="utf-8-sig")
    assert saved.startswith("level,unit_id,district,period,customers,kwh_supplied,kwh_sold")
    assert not errors(notebook)
