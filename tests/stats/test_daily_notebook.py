"""The consumption statistics notebook shows daily smart-meter reads when the utility has them."""

from __future__ import annotations

import pytest
from test_notebooks import errors, run, shown

from auditkit import synth


@pytest.mark.slow
def test_consumption_statistics_with_daily_reads(tmp_path, monkeypatch):
    config = synth.SynthConfig(customers=300, daily_days=75)
    folder = synth.write(synth.generate(config), tmp_path / "utility", config=config)
    monkeypatch.setenv("AUDITKIT_REPORT_DIR", str(tmp_path / "files"))
    notebook = run("consumption_statistics", tmp_path, data_dir=str(folder), lang="en")
    html = shown(notebook)
    assert "Daily smart-meter reads" in html and "Weekend / weekday" in html
    assert "Billed − read (kWh)" in html and "nan" not in html.lower()
    reconciliation = (tmp_path / "files" / "daily_reconciliation.csv").read_text(
        encoding="utf-8-sig"
    )
    assert reconciliation.startswith("district,period,customers,kwh_read,kwh_billed")
    assert len(reconciliation.splitlines()) > 1
    assert not errors(notebook)
