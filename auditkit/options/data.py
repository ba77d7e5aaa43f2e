"""Defaults of storing a dataset as Parquet partitioned by district (`auditkit convert`)."""

#: Rows typed and routed at a time: a batch of bills takes a few hundred MB on its way.
DEFAULT_BATCH_ROWS = 1 << 20
#: Customers per part file within a district: parts of about this size balance a cluster's work
#: and keep each file's dictionary of customer ids small enough to stay dictionary-encoded.
DEFAULT_CUSTOMERS_PER_PART = 50_000
