"""The district audit study: the audit rules run on one district, as its notebook shows them.

`auditkit.audit.study.build(dataset, district)` computes it; `auditkit.audit.charts` draws it.
"""

from auditkit.audit.study import DistrictAudit, build

__all__ = ["DistrictAudit", "build"]
