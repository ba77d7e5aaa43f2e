"""Whether a folder is a dataset folder, so a command's output is not written into one (a file
there would join the data it was computed from)."""

from __future__ import annotations

from pathlib import Path

from auditkit.data.schema import TABLES
from auditkit.paths import checked_outside_data


def holds_dataset_tables(folder: Path) -> bool:
    """Whether `folder` holds every required table of a dataset (customers, bills, tariffs: names
    intake reads, any case, in a format it reads), so a file written there would join the data;
    a population table alone (a frame named bills.csv) is no dataset."""
    from auditkit.data.readers import FORMATS  # heavy: not on the CLI's parser path

    if not folder.is_dir():
        return False
    present = {
        entry.stem.lower()
        for entry in folder.iterdir()
        if entry.suffix.lower() in FORMATS and entry.is_file()
    }
    return all(name in present for name, spec in TABLES.items() if spec.required)


def checked_outside_dataset(out: Path | None, data_dir: Path | None, flag: str, kind: str) -> None:
    """`checked_outside_data` against `data_dir`, and against the folder `out` goes in when that
    holds a dataset's tables (`holds_dataset_tables`): a command given no --data may still be
    pointed into a dataset."""
    checked_outside_data(out, data_dir, flag, kind)
    if out is not None and holds_dataset_tables(out.resolve().parent):
        checked_outside_data(out, out.resolve().parent, flag, kind)
