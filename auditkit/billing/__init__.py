"""Bills recomputed from the tariff and the archive: what each bill line should have been."""

from auditkit.billing.params import BillingParams, load_billing_params

__all__ = ["BillingParams", "load_billing_params"]
