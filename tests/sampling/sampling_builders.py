"""Builders the sampling tests share: populations of accounts and bills, a synthetic utility."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from auditkit import synth


def accounts(count: int, district: str = "城南", prefix: str = "A") -> pd.DataFrame:
    """`count` accounts of one district, ids A0, A1 ... (a population to sample by items)."""
    return pd.DataFrame(
        {"customer_id": [f"{prefix}{i}" for i in range(count)], "district": district}
    )


def bills(
    amounts: Sequence[float],
    district: object = "城东",
    period: str = "2025-06",
    prefix: str = "C",
    width: int = 3,
) -> pd.DataFrame:
    """One bill per amount, ids C000, C001 ... (a population to sample by values)."""
    return pd.DataFrame(
        {
            "customer_id": [f"{prefix}{i:0{width}d}" for i in range(len(amounts))],
            "district": district,
            "period": period,
            "amount": [float(amount) for amount in amounts],
        }
    )


def utility(folder: Path, customers: int, seed: int) -> Path:
    """A small synthetic utility (2 districts, 24 months) written as Parquet into `folder`, with
    10 % of its customers irregular so that each district has flagged accounts and misstated
    bills to sample."""
    config = synth.SynthConfig(
        customers=customers, districts=2, months=24, seed=seed, irregular_share=0.1
    )
    return Path(synth.write(synth.generate(config), folder, fmt="parquet", config=config))


def first_district(utility_dir: Path) -> str:
    """The first district (in sort order) of a utility written by `utility`."""
    return str(sorted(pd.read_parquet(utility_dir / "customers.parquet")["district"].unique())[0])
