"""auditkit: reproducible electricity marketing audit (营销稽查).

Load and validate a utility's tables, run the audit rule library, compute consumption statistics,
plan and evaluate statistical samples, organise cross-audits, and render reports for reviewers.
"""

from auditkit.errors import AuditkitError, ParameterError

__version__ = "0.1.0"

__all__ = ["AuditkitError", "ParameterError", "__version__"]
