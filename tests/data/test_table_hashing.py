"""Table content hashes: canonical, order-sensitive, independent of threads and storage."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from auditkit.data import Dataset, hashing
from auditkit.data.hashing import table_hash
from auditkit.data.schema import TABLES

SUPPLY = TABLES["district_supply"]


def supply(values: list[float], districts: list[str] | None = None) -> pd.DataFrame:
    frame = Dataset.from_frames(
        {
            "customers": pd.DataFrame(
                {
                    "customer_id": ["C1"],
                    "district": ["城东"],
                    "usage_type": ["residential"],
                    "tariff_category": ["居民"],
                    "voltage_kv": [0.4],
                    "status": ["active"],
                    "connection_date": ["2020-01-01"],
                    "basic_charge_basis": ["none"],
                    "meter_id": ["M1"],
                    "ct_ratio": [1.0],
                    "pt_ratio": [1.0],
                }
            ),
            "bills": pd.DataFrame(
                {
                    "customer_id": ["C1"],
                    "period": ["2024-01"],
                    "register_start": [0.0],
                    "register_end": [1.0],
                    "multiplier_billed": [1.0],
                    "kwh_billed": [1.0],
                    "tariff_billed": ["居民"],
                    "energy_rate": [0.5],
                    "energy_charge": [0.5],
                    "amount": [0.5],
                    "read_type": ["actual"],
                }
            ),
            "tariffs": pd.DataFrame(
                {
                    "tariff_category": ["居民"],
                    "usage_type": ["residential"],
                    "energy_rate": [0.5],
                    "valid_from": ["2020-01-01"],
                }
            ),
            "district_supply": pd.DataFrame(
                {
                    "district": districts or ["城东"] * len(values),
                    "period": [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))],
                    "kwh_supplied": values,
                }
            ),
        },
        validate=False,
    )
    return frame.district_supply


def test_digest_follows_the_documented_format() -> None:
    """Rebuild the digest by hand from the format in docs/data.md (manifests store these)."""

    def block(*parts: bytes) -> bytes:
        return hashlib.sha256(b"".join(parts)).digest()

    no_missing = np.packbits([False, False]).tobytes()
    lengths = np.asarray([6, 6], dtype="<i8").tobytes()  # 城东 is 6 bytes of UTF-8
    expected = hashlib.sha256(
        b"auditkit-table-hash-v1\ndistrict_supply\n2\n"
        b"district:text\nperiod:period\nkwh_supplied:number\n"
        + np.asarray([1, 1, 1], dtype="<i8").tobytes()
        + block(no_missing, lengths, "城东城东".encode())
        + block(no_missing, np.asarray([7, 7], dtype="<i8").tobytes(), b"2024-012024-02")
        + block(no_missing, np.asarray([100.0, 250.5], dtype="<f8").tobytes())
    ).hexdigest()

    assert table_hash(supply([100.0, 250.5]), SUPPLY) == expected


def test_negative_zero_hashes_as_zero_and_values_matter() -> None:
    assert table_hash(supply([0.0, 1.0]), SUPPLY) == table_hash(supply([-0.0, 1.0]), SUPPLY)
    assert table_hash(supply([0.0, 1.0]), SUPPLY) != table_hash(supply([0.0, 1.5]), SUPPLY)


def test_row_order_matters() -> None:
    forward = supply([1.0, 2.0], ["城东", "城西"])
    backward = forward.iloc[::-1].reset_index(drop=True)
    assert table_hash(forward, SUPPLY) != table_hash(backward, SUPPLY)


def test_text_boundaries_matter() -> None:
    """Lengths are hashed: ('ab', 'c') and ('a', 'bc') differ although their bytes concatenate alike."""
    first = supply([1.0, 2.0], ["ab", "c"])
    second = supply([1.0, 2.0], ["a", "bc"])
    assert table_hash(first, SUPPLY) != table_hash(second, SUPPLY)


def test_missing_differs_from_zero() -> None:
    zero = supply([0.0])
    missing = zero.assign(kwh_supplied=[float("nan")])
    assert table_hash(zero, SUPPLY) != table_hash(missing, SUPPLY)


@pytest.mark.parametrize("workers", [1, 3])
def test_digest_does_not_depend_on_threads_or_blocks_seen(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    frame = supply([float(value) for value in range(40)], [f"D{value % 7}" for value in range(40)])
    expected = table_hash(frame, SUPPLY)
    monkeypatch.setattr(hashing, "GIL_FREE_THREADS", workers)
    assert table_hash(frame, SUPPLY) == expected


def test_many_blocks_are_all_covered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hashing, "BLOCK_ROWS", 4)
    values = [float(value) for value in range(10)]
    districts = [f"D{value}" for value in range(10)]
    base = table_hash(supply(values, districts), SUPPLY)
    for position in (0, 5, 9):
        changed = list(districts)
        changed[position] += "x"
        assert table_hash(supply(values, changed), SUPPLY) != base
