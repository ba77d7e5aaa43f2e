"""`auditkit convert SRC DST` from the command line."""

from __future__ import annotations

import argparse

import pytest

from auditkit.cli import scale
from auditkit.data.partitioned import PartitionedDataset
from auditkit.errors import ParameterError


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="auditkit")
    scale.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def test_convert_writes_the_partitions_and_prints_them(utility, utility_folder, tmp_path, capsys):
    destination = tmp_path / "city"
    args = _parse("convert", str(utility_folder), str(destination), "--customers-per-part", "600")
    assert args.func(args) == 0
    converted = PartitionedDataset(destination)
    per_district = utility.customers["district"].value_counts()
    parts = int(sum(-(-count // 600) for count in per_district))  # ceil(customers / 600) each
    assert len(converted.partitions) == parts > 3
    printed = capsys.readouterr().out
    assert f"3 districts in {parts} partitions" in printed
    assert f"  {'customers':<16} {converted.rows('customers'):>14,} rows  (partitioned)" in printed
    assert "tariffs" in printed and "(file)" in printed


def test_convert_names_a_bad_part_size(utility_folder, tmp_path):
    args = _parse("convert", str(utility_folder), str(tmp_path / "x"), "--customers-per-part", "0")
    with pytest.raises(ParameterError, match="customers_per_part"):
        args.func(args)
    assert not (tmp_path / "x").exists()
