"""Bills recomputed from the tariff and the archive: what each bill line should have been.

`recompute(dataset, as_of=None, params=None)` gives one row per bill and line kind with the billed
and the due quantity, rate and amount (RECOMPUTE_COLUMNS); `load_billing_params` reads the
conventions of params/billing.yaml into a `BillingParams`. See docs/billing.md.
"""

from auditkit.billing.params import BillingParams, load_billing_params
from auditkit.billing.recompute import RECOMPUTE_COLUMNS, recompute

__all__ = ["RECOMPUTE_COLUMNS", "BillingParams", "load_billing_params", "recompute"]
