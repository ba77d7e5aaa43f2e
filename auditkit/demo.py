"""The built-in demo utility: generated once on first use, then reused while its recipe is unchanged.

Its findings register, with three months of simulated field outcomes, is built by
`auditkit.register.demo` (the register is a layer above the data)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from auditkit import synth
from auditkit.paths import demo_folder

#: The default utility with the last quarter's smart-meter daily reads (92 days, 1.5 M rows),
#: so the statistics report shows the same-period line loss per transformer area and feeder.
DEMO_CONFIG = synth.SynthConfig(daily_days=92)


def demo_data_dir(regenerate: bool = False) -> Path:
    """Folder of the demo dataset (6 districts, 20,000 customers, 36 months, 92 days of daily
    reads), generated if needed.

    The folder's `synthetic.json` records the recipe; a folder made by another recipe, auditkit
    version or generator code (`synth.generator_fingerprint`) is regenerated, so the demo never silently mixes old and new data.
    """
    folder = demo_folder()
    if regenerate or not _is_current(folder):
        synth.write(synth.generate(DEMO_CONFIG), folder, fmt="parquet", config=DEMO_CONFIG)
    return folder


def _is_current(folder: Path) -> bool:
    meta_file = folder / "synthetic.json"
    if not meta_file.is_file():
        return False
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    expected = {
        "auditkit_version": synth.__version__,
        "generator_sha256": synth.generator_fingerprint(),
        **asdict(DEMO_CONFIG),
    }
    return all(meta.get(key) == value for key, value in expected.items())
