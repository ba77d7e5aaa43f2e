"""Bills recomputed by parts of the customers, in this process or on a Dask cluster.

    recompute_by_parts(dataset)                                  # local, one part at a time
    recompute_by_parts(load(path, lazy=True))                    # local, parts read from files
    recompute_by_parts(dataset, engine="dask")                   # a LocalCluster for the run
    recompute_by_parts(load(path, lazy=True), engine="dask", scheduler="tcp://10.0.0.5:8786")
    recompute_to_parquet(load(path, lazy=True), "out/recomputed")  # a city: one file per part

A bill's recomputation reads only its own customer's archive row, bills (the tier year's earlier
bills), bill lines, transformers and work orders, and the whole tariff schedule. So the parts are
those the rules run on (`auditkit.engine.sources`: whole customers, every customer-keyed table of
the part, tariffs whole), each part is recomputed by `auditkit.billing.recompute` as it stands,
and the parts' frames, put in customer order, are the frame of one recomputation of the whole
dataset (tests/engine compare them with `pd.testing.assert_frame_equal`). The notes of the parts
are merged: counts summed, lists joined. A city's recomputation (10^7 lines per 200,000
customers) outgrows one machine's memory as one frame: `recompute_to_parquet` writes each part's
frame to a file of its own where it is computed, and only the notes come back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from auditkit.atomic import folder_written_whole, write_atomic
from auditkit.billing import BillingParams, recompute
from auditkit.billing.notes import Note
from auditkit.billing.params import resolve_params
from auditkit.data import Dataset
from auditkit.data.partitioned import PartitionedDataset
from auditkit.engine.partition import ITEMIZED_TABLES, Tables
from auditkit.engine.sources import (
    BILLS_PER_PART,
    MemorySource,
    StoredSource,
    check_engine,
    largest_first,
    source_of,
)
from auditkit.errors import ParameterError

if TYPE_CHECKING:
    from distributed import Future


def recompute_by_parts(
    dataset: object,
    as_of: str | None = None,
    params: BillingParams | Mapping[str, object] | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    bills_per_part: int = BILLS_PER_PART,
) -> pd.DataFrame:
    """`auditkit.billing.recompute(dataset, as_of, params)` by parts of about `bills_per_part`
    bills, on the local engine or on the dask cluster at `scheduler` (a LocalCluster when None).

    `dataset` is a Dataset or a converted folder (`load(path, lazy=True)`). The frame is the one
    a single recomputation of the whole dataset gives, with its notes in `attrs["notes"]`.
    """
    check_engine(engine, scheduler)
    settings = resolve_params(params)  # resolved here: workers need no params/ folder
    source = _source(dataset, bills_per_part)
    if engine == "local":
        frames = [
            recompute_part(source.part(index), as_of, settings)
            for index in range(len(source.partitions))
        ]
    else:
        frames = _on_cluster(source, as_of, settings, scheduler)
    return combine_parts(frames)


def recompute_to_parquet(
    dataset: object,
    out: str | Path,
    as_of: str | None = None,
    params: BillingParams | Mapping[str, object] | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    bills_per_part: int = BILLS_PER_PART,
) -> list[Note]:
    """The recomputation of `recompute_by_parts`, each part's frame written where it is computed
    to `out`/part-NNNN.parquet (a new or empty folder; on a cluster, one all workers reach),
    memory bounded by a part. The files hold each customer's rows in one file, in order; read
    together and put in customer order (`combine_parts`) they are the frame of the whole.
    The parts are written to a hidden folder beside `out`, renamed to `out` once all are: a run
    interrupted or failing (a part that raises) leaves no `out` holding some of the parts.
    Returns the notes of the whole dataset."""
    check_engine(engine, scheduler)
    folder = Path(out)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ParameterError("out", "a new or empty folder", str(folder))
    settings = resolve_params(params)
    source = _source(dataset, bills_per_part)
    with folder_written_whole(folder) as parts:  # in place once every part is written
        if engine == "local":
            notes = [
                _write_part(source.part(index), as_of, settings, parts, index)
                for index in range(len(source.partitions))
            ]
        else:
            notes = _on_cluster(source, as_of, settings, scheduler, parts)
    return merge_notes(notes)


def _write_part(
    tables: Tables, as_of: str | None, params: BillingParams, folder: Path, index: int
) -> list[Note]:
    frame = recompute_part(tables, as_of, params)
    notes = list(frame.attrs.get("notes", []))
    frame.attrs = {}  # the notes come back; Parquet keeps no Python objects
    write_atomic(
        folder / f"part-{index:04d}.parquet", lambda path: frame.to_parquet(path, index=False)
    )
    return notes


def _source(dataset: object, bills_per_part: int) -> MemorySource | StoredSource:
    source = source_of(dataset)  # checks what `dataset` is
    if isinstance(dataset, PartitionedDataset):
        return StoredSource(dataset, bills_per_part)
    return source if bills_per_part == BILLS_PER_PART else MemorySource(dataset, bills_per_part)


def recompute_part(tables: Tables, as_of: str | None, params: BillingParams) -> pd.DataFrame:
    """The recomputation of one part's tables."""
    part = Dataset(
        customers=tables.customers,
        bills=tables.bills,
        tariffs=tables.tariffs,
        work_orders=tables.work_orders,
        **{table: getattr(tables, table) for table in ITEMIZED_TABLES},
    )
    return recompute(part, as_of, params)


def combine_parts(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The parts' frames as the one frame of the whole dataset: rows in customer order (each
    customer's rows come from one part, already in order), notes merged."""
    order = sorted(
        (index for index, frame in enumerate(frames) if len(frame)),
        key=lambda index: frames[index]["customer_id"].iloc[0],
    )
    chosen = [frames[index] for index in order] or frames[:1]
    combined = pd.concat(chosen, ignore_index=True) if len(chosen) > 1 else chosen[0].copy()
    if not _in_customer_order(chosen):  # parts whose customers interleave (hashed partitions)
        codes, _ = pd.factorize(combined["customer_id"], sort=True)
        combined = combined.take(np.argsort(codes, kind="stable")).reset_index(drop=True)
    combined.attrs["notes"] = merge_notes([frame.attrs.get("notes", []) for frame in frames])
    return combined


def _in_customer_order(frames: list[pd.DataFrame]) -> bool:
    """Whether each frame's customers all come after the previous frame's (frames sorted)."""
    bounds = [(frame["customer_id"].min(), frame["customer_id"].max()) for frame in frames]
    return all(bounds[i][1] < bounds[i + 1][0] for i in range(len(bounds) - 1))


def merge_notes(parts: list[list[Note]]) -> list[Note]:
    """The notes of the whole dataset from the parts' notes: one note per code and line type,
    its `count` summed and its lists joined (sorted, without repeats), other values as found.
    Notes come in the order the parts give them."""
    merged: dict[tuple[str, Any], dict[str, Any]] = {}
    kinds: dict[tuple[str, Any], type[Note]] = {}
    for notes in parts:
        for note in notes:
            key = (note.code, note.values.get("line_type"))
            kinds.setdefault(key, type(note))
            values = merged.setdefault(key, {})
            for name, value in note.values.items():
                if name == "count" and name in values:
                    values[name] += value
                elif isinstance(value, list | tuple) and name in values:
                    values[name] = sorted(set(values[name]) | set(value))
                else:
                    values.setdefault(name, value)
    return [kinds[key](key[0], values) for key, values in merged.items()]


# ----------------------------------------------------------------------------------------- dask


def _on_cluster(
    source: MemorySource | StoredSource,
    as_of: str | None,
    params: BillingParams,
    scheduler: str | None,
    folder: Path | None = None,
) -> list:
    """Every part's frame, each part a task (largest first); a converted folder's parts are read
    where they run, a Dataset's are sent from here to the worker with the fewest so far. With a
    `folder`, each task writes its frame there and returns its notes."""
    from auditkit.engine.dask import (
        check_workers_reach,
        connect,
        gather,
        scatter_to_least_busy,
    )

    run = uuid.uuid4().hex[:8]
    with connect(scheduler) as client:
        order = largest_first(source)
        if isinstance(source, StoredSource):
            check_workers_reach(client, source.dataset.root)
        send = None if isinstance(source, StoredSource) else scatter_to_least_busy(client)
        tasks: dict[str, Future] = {}
        for rank, index in enumerate(order):
            name = f"part {source.partitions[index]}"
            key = f"auditkit-recompute-{run}-{index}"
            priority = len(order) - rank
            tables = (source, index) if send is None else (send(source.part(index)),)
            tasks[name] = client.submit(
                _recompute_task, tables, as_of, params, folder, index, key=key, priority=priority
            )
        lost = "no recomputation was returned (a partial one would look complete)"
        results = dict(zip(tasks, gather(client, tasks, lost), strict=True))
    in_order = [results[f"part {source.partitions[index]}"] for index in range(len(order))]
    return in_order if folder is not None else [unpacked(result) for result in in_order]


def _recompute_task(
    tables: tuple, as_of: str | None, params: BillingParams, folder: Path | None, index: int
) -> PackedFrame | list[Note]:
    """On a worker: the part (read here from a converted folder, or as sent), recomputed, and
    written to `folder` (its notes returned) or packed to travel back."""
    part = tables[0].part(tables[1]) if len(tables) == 2 else tables[0]
    if folder is not None:
        return _write_part(part, as_of, params, folder, index)
    return packed(recompute_part(part, as_of, params))


@dataclass(frozen=True)
class PackedFrame:
    """A recomputed part as it travels from a worker: each text column as integer codes and its
    few distinct texts (millions of Python strings pickle slowly), the other columns as they are."""

    columns: dict[str, object]
    texts: dict[str, tuple[np.ndarray, np.ndarray]]
    order: tuple[str, ...]
    notes: list[Note]


def packed(frame: pd.DataFrame) -> PackedFrame:
    columns, texts = {}, {}
    for name in frame.columns:
        values = frame[name]
        if values.dtype == object:
            codes, distinct = pd.factorize(values)
            # the code -1 (an empty cell) takes the last entry: None
            texts[name] = (codes, np.append(np.asarray(distinct, dtype=object), None))
        else:
            columns[name] = values.array
    return PackedFrame(columns, texts, tuple(frame.columns), list(frame.attrs.get("notes", [])))


def unpacked(part: PackedFrame) -> pd.DataFrame:
    """The frame `packed` was given (object text columns with None where empty)."""
    data = dict(part.columns)
    for name, (codes, distinct) in part.texts.items():
        data[name] = pd.Series(distinct[codes], dtype=object, copy=False)
    frame = pd.DataFrame({name: data[name] for name in part.order}, copy=False)
    frame.attrs["notes"] = part.notes
    return frame
