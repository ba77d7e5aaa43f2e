"""Bills recomputed by parts and on a dask cluster: the frame of one recomputation of the whole."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from itemized_utility import itemized_utility

from auditkit.billing import recompute
from auditkit.billing.notes import Note
from auditkit.data.partitioned import PartitionedDataset, convert
from auditkit.engine.recompute import (
    combine_parts,
    merge_notes,
    recompute_by_parts,
    recompute_to_parquet,
)
from auditkit.engine.sources import MemorySource
from auditkit.errors import ParameterError


@pytest.fixture(scope="module")
def itemized():
    """The itemized utility, with TOU bills of a few customers lacking period registers (priced
    by the profile: a note with a count) and a tariff change from a category the schedule does
    not know (lines without a rate: a note with a count and the category)."""
    dataset = itemized_utility()
    bills = dataset.bills.copy()
    no_lines = ~bills["customer_id"].isin(dataset.bill_lines["customer_id"])
    tou = bills["kwh_critical"].notna()
    blind = bills.loc[no_lines & tou, "customer_id"].drop_duplicates().iloc[:4]
    bills.loc[bills["customer_id"].isin(blind), ["kwh_critical", "kwh_peak", "kwh_valley"]] = np.nan
    orders = dataset.work_orders.copy()
    first_com = dataset.customers.loc[
        dataset.customers["tariff_category"] == "COM", "customer_id"
    ].iloc[0]
    unknown = orders.iloc[:1].assign(
        order_id="O-OLD",
        customer_id=first_com,
        order_type="tariff_change",
        old_value="OLD",
        new_value="COM",
        effective_date=pd.Timestamp("2023-04-01"),
    )
    orders = pd.concat([orders, unknown], ignore_index=True)
    return replace(dataset, bills=bills, work_orders=orders)


@pytest.fixture(scope="module")
def whole(itemized) -> pd.DataFrame:
    return recompute(itemized)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, itemized) -> PartitionedDataset:
    destination = Path(tmp_path_factory.mktemp("recompute")) / "itemized"
    return convert(itemized, destination, customers_per_part=20)


def _six_parts(itemized) -> int:
    return -(-len(itemized.bills) // 6)


def test_the_utility_exercises_every_line_kind(whole):
    kinds = set(zip(whole["line_type"], whole["tou_period"].fillna("-"), strict=True))
    assert {("energy", p) for p in ("critical", "peak", "flat", "valley", "-")} <= kinds
    assert {("basic", "-"), ("loss", "-"), ("pf_adjustment", "-"), ("fund", "-")} <= kinds
    assert set(whole["tier"].dropna()) == {1, 2, 3}
    codes = {note.code: note.values for note in whole.attrs["notes"]}
    assert codes["tou_profile"]["count"] >= 4 * 12
    assert codes["no_rate"]["categories"] == ["OLD"]


def test_parts_in_memory_give_the_whole_recomputation(itemized, whole):
    source = MemorySource(itemized, _six_parts(itemized))
    assert len(source.partitions) == 6
    parts = recompute_by_parts(itemized, bills_per_part=_six_parts(itemized))
    pd.testing.assert_frame_equal(parts, whole)
    assert parts.attrs["notes"] == whole.attrs["notes"]
    # One part: the same frame too.
    pd.testing.assert_frame_equal(recompute_by_parts(itemized), whole)


def test_parts_of_a_converted_folder_give_the_whole_recomputation(folder, whole):
    assert len(folder.partitions) >= 6  # hashed parts: customers interleave across them
    parts = recompute_by_parts(folder, bills_per_part=-(-folder.rows("bills") // 6))
    pd.testing.assert_frame_equal(parts, whole)
    assert parts.attrs["notes"] == whole.attrs["notes"]


def _read_parts(folder: Path, like: pd.DataFrame) -> pd.DataFrame:
    """The written parts as one frame of `like`'s dtypes, in customer order."""
    frames = []
    for file in sorted(folder.glob("part-*.parquet")):
        frame = pd.read_parquet(file).astype(like.dtypes.to_dict())
        for name in like.columns:  # Parquet reads an empty text back as NaN, not None
            if pd.api.types.is_object_dtype(like[name]):
                frame[name] = frame[name].where(frame[name].notna(), None)
        frames.append(frame)
    return combine_parts(frames)


def test_parts_written_to_parquet_hold_the_whole_recomputation(itemized, folder, whole, tmp_path):
    notes = recompute_to_parquet(itemized, tmp_path / "memory", bills_per_part=_six_parts(itemized))
    assert notes == whole.attrs["notes"]
    assert len(list((tmp_path / "memory").glob("part-*.parquet"))) == 6
    pd.testing.assert_frame_equal(_read_parts(tmp_path / "memory", whole), whole)
    notes = recompute_to_parquet(folder, tmp_path / "stored", bills_per_part=700)
    assert notes == whole.attrs["notes"]
    pd.testing.assert_frame_equal(_read_parts(tmp_path / "stored", whole), whole)
    with pytest.raises(ParameterError, match="out"):
        recompute_to_parquet(itemized, tmp_path / "stored")


def test_as_of_and_params_reach_every_part(itemized):
    params = {"days_per_month": 31, "tou_profile.peak": 0.25, "tou_profile.flat": 0.40}
    expected = recompute(itemized, as_of="2024-03", params=params)
    assert expected["period"].max() == "2024-03"
    parts = recompute_by_parts(
        itemized, as_of="2024-03", params=params, bills_per_part=_six_parts(itemized)
    )
    pd.testing.assert_frame_equal(parts, expected)
    default = recompute(itemized, as_of="2024-03")
    assert not np.allclose(
        default["amount_due"].fillna(0), expected["amount_due"].fillna(0)
    )  # the parameters changed the basic charge of part months and the profile's peak


def test_engine_and_scheduler_are_checked(itemized):
    with pytest.raises(ParameterError, match="engine"):
        recompute_by_parts(itemized, engine="spark")
    with pytest.raises(ParameterError, match="scheduler"):
        recompute_by_parts(itemized, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ParameterError, match="dataset"):
        recompute_by_parts(object())
    with pytest.raises(ParameterError, match="params"):
        recompute_by_parts(itemized, params=0.9)


def test_notes_of_parts_merge_counts_and_lists():
    merged = merge_notes(
        [
            [Note("no_rate", {"count": 2, "categories": ["B"]})],
            [
                Note("not_recomputed", {"line_type": "loss", "missing": ["customers.x"]}),
                Note("no_rate", {"count": 3, "categories": ["A", "B"]}),
            ],
            [Note("not_recomputed", {"line_type": "loss", "missing": ["customers.x"]})],
        ]
    )
    assert merged == [
        Note("no_rate", {"count": 5, "categories": ["A", "B"]}),
        Note("not_recomputed", {"line_type": "loss", "missing": ["customers.x"]}),
    ]


@pytest.mark.slow
def test_on_dask_the_recomputation_is_the_whole_one(itemized, folder, whole, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        address = cluster.scheduler_address
        for dataset, per_part in ((itemized, _six_parts(itemized)), (folder, 700)):
            frame = recompute_by_parts(
                dataset, engine="dask", scheduler=address, bills_per_part=per_part
            )
            pd.testing.assert_frame_equal(frame, whole)
            assert frame.attrs["notes"] == whole.attrs["notes"]
        out = tmp_path / "written"
        notes = recompute_to_parquet(folder, out, engine="dask", scheduler=address)
        assert notes == whole.attrs["notes"]
        pd.testing.assert_frame_equal(_read_parts(out, whole), whole)


def test_a_part_that_raises_leaves_no_folder_of_some_parts(
    itemized, tmp_path, monkeypatch: pytest.MonkeyPatch
):
    """Six parts, the fourth raising: before, `out` kept parts 0-2 and looked complete; now
    neither `out` nor a hidden folder beside it is left, and an empty `out` given stays empty."""
    import auditkit.engine.recompute as recompute_module

    real_part = recompute_module.recompute_part
    calls: list[int] = []

    def fourth_raises(tables, as_of, params):
        calls.append(1)
        if len(calls) == 4:
            raise MemoryError("part 3")
        return real_part(tables, as_of, params)

    monkeypatch.setattr(recompute_module, "recompute_part", fourth_raises)
    with pytest.raises(MemoryError):
        recompute_to_parquet(itemized, tmp_path / "out", bills_per_part=_six_parts(itemized))
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "empty").mkdir()
    calls.clear()
    with pytest.raises(MemoryError):
        recompute_to_parquet(itemized, tmp_path / "empty", bills_per_part=_six_parts(itemized))
    assert [path.name for path in tmp_path.iterdir()] == ["empty"]
    assert list((tmp_path / "empty").iterdir()) == []
    monkeypatch.undo()  # the same run, complete, fills the empty folder
    recompute_to_parquet(itemized, tmp_path / "empty", bills_per_part=_six_parts(itemized))
    assert len(list((tmp_path / "empty").glob("part-*.parquet"))) == 6
    assert [path.name for path in tmp_path.iterdir()] == ["empty"]
