"""`auditkit convert SRC DST` from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from auditkit import synth
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
    with pytest.raises(ParameterError, match="'--customers-per-part'"):
        args.func(args)
    assert not (tmp_path / "x").exists()


@pytest.fixture(scope="module")
def small_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 customers in 3 districts as a folder of Parquet files: batches of 97 rows split
    every table many times over (the utility's 3,000 took a minute in such batches)."""
    tables = synth.generate(customers=240, districts=3, seed=7)
    return synth.write(tables, tmp_path_factory.mktemp("small") / "utility")


def test_convert_in_small_batches_reads_back_the_same_tables(small_folder, tmp_path):
    whole = _parse("convert", str(small_folder), str(tmp_path / "whole"))
    batched = _parse("convert", str(small_folder), str(tmp_path / "batched"), "--batch-rows", "97")
    assert whole.func(whole) == 0 and batched.func(batched) == 0
    first = PartitionedDataset(tmp_path / "whole").dataset()
    second = PartitionedDataset(tmp_path / "batched").dataset()
    for name, frame in first.tables().items():
        pd.testing.assert_frame_equal(frame, second.tables()[name], obj=name)


def test_convert_names_a_bad_batch_size(utility_folder, tmp_path):
    args = _parse("convert", str(utility_folder), str(tmp_path / "x"), "--batch-rows", "0")
    with pytest.raises(ParameterError, match="'--batch-rows'"):
        args.func(args)
    assert not (tmp_path / "x").exists()


def test_convert_refuses_a_destination_inside_its_source_or_holding_it(small_folder, tmp_path):
    """`convert small small/sub` wrote the copy into the dataset it copied; a converted dataset
    converted onto itself would be replaced by a copy of itself, read as it was being deleted."""
    before = sorted(path.name for path in small_folder.iterdir())
    inside = _parse("convert", str(small_folder), str(small_folder / "sub"))
    with pytest.raises(ParameterError) as caught:
        inside.func(inside)
    assert str(caught.value) == (
        "parameter 'DST': expected a folder outside the source dataset "
        f"{small_folder} and not holding it, found {str(small_folder / 'sub')!r}"
    )
    assert sorted(path.name for path in small_folder.iterdir()) == before
    converted = tmp_path / "converted"
    once = _parse("convert", str(small_folder), str(converted))
    assert once.func(once) == 0
    onto_itself = _parse("convert", str(converted), str(converted))
    with pytest.raises(ParameterError, match="outside the source dataset"):
        onto_itself.func(onto_itself)
    assert PartitionedDataset(converted).rows("customers") == 240
