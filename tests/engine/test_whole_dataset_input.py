"""The whole-dataset rules' input read from a converted folder in one pass: the parts' shares
gathered, frame for frame; and the rule context's lookups on its categorical bills."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from converted_manifests import write_manifest
from plans import plan_for

from auditkit.data.partitioned import MANIFEST_NAME, PartitionedDataset
from auditkit.data.problems import DataValidationError
from auditkit.engine.local import whole_dataset_groups
from auditkit.engine.partition import (
    Tables,
    gather_whole_dataset,
    whole_dataset_share,
    with_empty_columns,
)
from auditkit.engine.shares import _TextCodes
from auditkit.engine.sources import StoredSource
from auditkit.errors import ParameterError
from auditkit.periods import month_number, period_text
from auditkit.rules.context import (
    RuleContext,
    _bill_months,
    archive_rows,
    customer_positions,
    run_starts,
)

TABLE_NAMES = ("customers", "bills", "tariffs", "work_orders", "daily_reads", "adjustments")


def _in_parts(converted: PartitionedDataset) -> StoredSource:
    """The folder in parts of several partitions each (a part's partitions need not follow each
    other in the folder's order)."""
    source = StoredSource(converted, -(-converted.rows("bills") // 4))
    assert len(source.partitions) >= 3
    assert any(len(part) > 1 for part in source.part_partitions)
    return source


def _shares_gathered(source: StoredSource, plan: object, rule_ids: object = None) -> Tables:
    """The input as parts make it: each part read whole, its share cut, the shares joined."""
    shares = [
        whole_dataset_share(source.part(index), plan, rule_ids)
        for index in range(len(source.partitions))
    ]
    return gather_whole_dataset(shares)


def _assert_same_input(found: Tables, expected: Tables) -> None:
    """Equal tables, categoricals with the same categories in the same order and codes dtype."""
    for name in TABLE_NAMES:
        mine, theirs = getattr(found, name), getattr(expected, name)
        if theirs is None:
            assert mine is None, name
            continue
        if theirs.columns.empty:  # a table no rule of the input reads a column of
            assert mine.columns.empty, name
            continue
        pd.testing.assert_frame_equal(mine, theirs, check_exact=True)
        for column in mine.columns:
            if isinstance(theirs[column].dtype, pd.CategoricalDtype):
                assert mine[column].cat.categories.equals(theirs[column].cat.categories), column
                assert mine[column].cat.categories.dtype == theirs[column].cat.categories.dtype
                assert mine[column].cat.codes.dtype == theirs[column].cat.codes.dtype, column


#: An earlier audit month and short lookbacks: bills before and after them are left out.
FEW_MONTHS = {
    "as_of": "2025-09",
    "params": {
        "consumption_drop": {"lookback_months": 6},
        "unbilled_account": {"lookback_months": 4},
    },
}


@pytest.mark.parametrize("options", [{}, FEW_MONTHS])  # {}: every month (consumption_drop: 37)
def test_the_input_read_in_one_pass_is_the_parts_shares_gathered(converted, options):
    source = _in_parts(converted)
    plan = plan_for(source, **options)
    for group, _ in whole_dataset_groups(plan):
        found = source.whole_dataset_input(plan, group)
        _assert_same_input(found, _shares_gathered(source, plan, group))
    everything = source.whole_dataset_input(plan)
    _assert_same_input(everything, _shares_gathered(source, plan))
    months = everything.bills["period"].cat.categories
    first, last = source.periods()
    if options:  # the first billed month (duplicate_account), then from consumption_drop's 7th
        # month before 2025-09 on (the bills after the audit month are left out by the context)
        later = range(month_number(["2025-03"])[0], month_number([last])[0] + 1)
        assert list(months) == [first, *(period_text(month) for month in later)]
    else:
        assert len(months) == 36


def test_daily_reads_of_the_lookback_months_are_read_with_the_bills(daily_converted):
    source = _in_parts(daily_converted)
    daily = {"source": "daily_reads", "daily_lookback_months": 6}  # of the year of reads
    plan = plan_for(source, params={"consumption_drop": daily})
    found = source.whole_dataset_input(plan)
    shares = [
        source.whole_dataset_part(index, plan, source.part(index))
        for index in range(len(source.partitions))
    ]
    _assert_same_input(found, gather_whole_dataset(shares))
    days = found.daily_reads["date"]  # the 6 months up to the audit month's end
    assert days.min() == pd.Timestamp(period_text(plan.as_of_month - 5) + "-01")
    assert days.max() <= pd.Timestamp(period_text(plan.as_of_month + 1) + "-01")


def test_a_bills_column_stored_otherwise_is_typed_as_a_parts_is(converted, tmp_path: Path):
    """amount rewritten as whole numbers (int64) in one file of many row groups: no longer as
    convert writes it, so that column is read typed (and checked) as a part reads it, the
    others from storage, row group by row group."""
    folder = shutil.copytree(converted.root, tmp_path / "edited")
    manifest_path = folder / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = manifest["partitions"][1]
    relative = converted.partitions[1].relative_path("bills")
    bills = pq.read_table(folder / relative)
    amount = bills.schema.get_field_index("amount")
    whole = bills.column(amount).to_numpy().round().astype(np.int64)
    edited = bills.set_column(amount, "amount", pa.array(whole))
    pq.write_table(edited, folder / relative, row_group_size=1000)
    assert pq.ParquetFile(folder / relative).metadata.num_row_groups > 5
    entry["bytes"]["bills"] = (folder / relative).stat().st_size
    digest = hashlib.sha256((folder / relative).read_bytes()).hexdigest()
    manifest["checked"]["files"][relative] = digest  # as if convert had checked these bytes
    write_manifest(folder, manifest)
    source = _in_parts(PartitionedDataset(folder))
    plan = plan_for(source, **FEW_MONTHS)
    found = source.whole_dataset_input(plan)
    _assert_same_input(found, _shares_gathered(source, plan))
    assert found.bills["amount"].dtype == np.float64
    whole_amounts = (found.bills["amount"] == found.bills["amount"].round()).sum()
    assert whole_amounts >= entry["rows"]["bills"] * 8 / 36  # its bills of the months read


def test_bills_beyond_the_rows_recorded_are_an_error_naming_the_file(converted, tmp_path):
    folder = shutil.copytree(converted.root, tmp_path / "recorded")
    manifest_path = folder / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["partitions"][-1]["rows"]["bills"] -= 1
    write_manifest(folder, manifest)
    source = StoredSource(PartitionedDataset(folder))
    with pytest.raises(DataValidationError) as raised:
        source.whole_dataset_input(plan_for(source))
    problem = raised.value.problems[0]
    assert problem.file == converted.partitions[-1].relative_path("bills")
    assert problem.expected.startswith(f"at most {converted.rows('bills') - 1:,} bills")


def test_text_chunks_become_one_categorical_of_the_texts_kept_sorted():
    # 'q' is in the first dictionary but no row; 'zz' only in a row left out.
    first = pa.DictionaryArray.from_arrays(
        pa.array([0, 1, 0, None], pa.int32()), pa.array(["b", "a", "q"])
    )
    second = pa.array(["c", "zz", "a", "c"])
    codes = _TextCodes(9)  # room for more rows than are read
    codes.add(pa.chunked_array([first]), None)
    codes.add(
        pa.chunked_array([pa.array(["b"]), second]), np.array([False, True, False, True, True])
    )
    found = codes.categorical()
    assert list(found.categories) == ["a", "b", "c"]
    np.testing.assert_array_equal(found.codes, [1, 0, 1, -1, 2, 0, 2])
    assert found.codes.dtype == np.int8
    assert found.categories.dtype == pd.Series(["x"], dtype="str").dtype


def _straight_categorical(texts: list[str | None]) -> pd.Categorical:
    """The categorical of `texts` with the sorted texts present as categories."""
    return pd.Categorical(texts, categories=sorted({text for text in texts if text is not None}))


@pytest.mark.parametrize("distinct", [0, 1, 126, 127, 128, 1_000_000])
def test_text_codes_widen_as_the_texts_grow_and_map_in_place(distinct):
    # Row groups of 100 rows, each a dictionary of its own: the codes start as int8 and widen
    # where the texts read outgrow it (first bounded by the dictionaries' sizes, then counted).
    rng = np.random.default_rng(distinct)
    texts = [f"t{number:07d}" for number in rng.integers(0, max(distinct, 1), 50_000)]
    if distinct == 0:
        texts = [None] * 300
    else:
        texts[::7] = [None] * len(texts[::7])
    keep = rng.random(len(texts)) < 0.9
    codes = _TextCodes(len(texts))
    for start in range(0, len(texts), 1000):  # a file of ten row groups
        groups = [
            pa.array(texts[group : group + 100]).dictionary_encode()
            for group in range(start, min(start + 1000, len(texts)), 100)
        ]
        codes.add(pa.chunked_array(groups), keep[start : start + 1000])
    found = codes.categorical()
    expected = _straight_categorical([text for text, kept in zip(texts, keep, strict=True) if kept])
    assert list(found.categories) == list(expected.categories)
    np.testing.assert_array_equal(found.codes, expected.codes)
    assert found.codes.dtype == expected.codes.dtype


def test_text_codes_number_every_entry_of_a_dictionary_that_repeats_its_texts():
    # 200 entries, 100 texts: a row's entry (up to 200) outgrows int8 before it is mapped to
    # one of the 100 categories.
    dictionary = pa.array([f"t{entry % 100:03d}" for entry in range(200)])
    indices = pa.array([199, 0, 150, None, 128, 99], pa.int32())
    codes = _TextCodes(len(indices))
    codes.add(pa.chunked_array([pa.DictionaryArray.from_arrays(indices, dictionary)]), None)
    found = codes.categorical()
    expected = _straight_categorical(["t099", "t000", "t050", None, "t028", "t099"])
    assert list(found.categories) == list(expected.categories)
    np.testing.assert_array_equal(found.codes, expected.codes)


def test_text_codes_of_no_rows_are_an_empty_categorical():
    codes = _TextCodes(0)
    found = codes.categorical()
    assert len(found) == 0 and len(found.categories) == 0
    assert found.codes.dtype == np.int8


def test_text_codes_of_a_one_row_plain_text_column():
    codes = _TextCodes(1)
    codes.add(pa.chunked_array([pa.array(["only"])]), None)
    found = codes.categorical()
    assert list(found.categories) == ["only"]
    np.testing.assert_array_equal(found.codes, [0])


def test_categorical_ids_start_runs_and_find_their_customers_by_code():
    ids = pd.Series(pd.Categorical(["A", "A", None, None, "B", "A", "A"]))
    np.testing.assert_array_equal(run_starts(ids), [0, 2, 3, 4, 5])
    assert len(run_starts(pd.Series(pd.Categorical([])))) == 0
    bill_ids = pd.Series(
        pd.Categorical(["C2", "C2", "X", None, "C1"], categories=["C1", "C2", "X", "Y"])
    )
    customer_ids = pd.Series(["C1", "C2"], dtype="str")
    positions = customer_positions(bill_ids, customer_ids)
    np.testing.assert_array_equal(positions, [1, 1, -1, -1, 0])
    assert positions.dtype == np.int32
    np.testing.assert_array_equal(customer_positions(bill_ids, pd.Index(customer_ids)), positions)


def test_the_bills_columns_a_whole_dataset_input_lacks_are_added_empty():
    bills = pd.DataFrame({"customer_id": ["A", "B", "B"], "period": ["2024-01"] * 3})
    filled = with_empty_columns(bills, "bills")
    assert list(filled.columns[:2]) == ["customer_id", "period"]
    assert {"kwh_billed", "tariff_billed", "read_from"} <= set(filled.columns)
    pd.testing.assert_frame_equal(filled[["customer_id", "period"]], bills)
    for column in filled.columns[2:]:
        assert isinstance(filled[column].dtype, pd.CategoricalDtype)
        assert filled[column].isna().all() and len(filled[column]) == 3


def test_categorical_periods_become_month_numbers_by_code():
    periods = pd.Series(
        pd.Categorical(["2024-02", "2024-01", "2024-02"], categories=["2024-01", "2024-02", "x"])
    )
    months = _bill_months(periods)  # "x" is no bill's period
    np.testing.assert_array_equal(months, [2024 * 12 + 1, 2024 * 12, 2024 * 12 + 1])
    assert months.dtype == np.int32
    with pytest.raises(ParameterError, match="oops"):  # the first bad period of the bills
        _bill_months(pd.Series(pd.Categorical(["oops", "2024-13"])))


def test_ids_are_found_in_the_archive_as_pandas_index_finds_them():
    archive = pd.Series(["C1", "C2", "C3"], dtype="str")
    wanted = pd.Series(["C3", None, "X", "C1", "C3"], dtype="str")
    rows = archive_rows(archive, wanted)
    np.testing.assert_array_equal(rows, [2, -1, -1, 0, 2])
    assert rows.dtype == pd.Index(archive).get_indexer(wanted).dtype
    np.testing.assert_array_equal(archive_rows(archive.astype(object), wanted), rows)
    np.testing.assert_array_equal(archive_rows(archive, pd.Index(["C2"], dtype="str")), [1])
    nothing = archive_rows(archive, wanted.iloc[:0])
    assert len(nothing) == 0 and nothing.dtype == rows.dtype
    repeated = pd.Series(["C1", "C2", "C1"], dtype="str")
    with pytest.raises(pd.errors.InvalidIndexError):  # as the index refuses a repeated id
        archive_rows(repeated, wanted)


def test_a_bill_on_a_tariff_the_schedule_lacks_is_priced_on_the_archives():
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "tariff_category": ["RES", "COM"]})
    bills = pd.DataFrame(
        {
            "customer_id": ["C1", "C1", "C2", "C2"],
            "period": ["2024-01", "2024-02", "2024-01", "2024-02"],
            "tariff_billed": ["RES", "OLD", None, "COM"],  # OLD: not in the schedule
        },
        dtype="str",
    )
    tariffs = pd.DataFrame({"tariff_category": ["RES", "COM"]})
    data = SimpleNamespace(customers=customers, bills=bills, tariffs=tariffs, work_orders=None)
    context = RuleContext.at_month(data, 2024 * 12 + 1)
    np.testing.assert_array_equal(context.bill_tariff, [0, -1, -1, 1])
    np.testing.assert_array_equal(context.bill_tariff_due, [0, 0, 1, 1])
    assert context.bill_tariff_due.dtype == np.int32
