"""The choices of audit sampling (`auditkit sample`, `auditkit.sampling`): how a sample is
planned, selected and evaluated, and from which customers of a district it is drawn."""

#: How the units of a sample are selected (`select`).
SELECTION_METHODS = ("interval", "cell", "random", "sieve")
#: How a sample size is shared over strata (`select`).
ALLOCATIONS = ("proportional", "neyman")
#: The error distributions a sample is planned and evaluated by (`likelihoods`).
LIKELIHOODS = ("binomial", "poisson", "hypergeometric")
#: The Stringer bounds, each with the likelihood of its factors.
STRINGER_METHODS = {"stringer": "binomial", "stringer.poisson": "poisson"}
#: The classical variables estimators of the audited total (`variables`).
ESTIMATORS = ("direct", "difference", "ratio", "regression")
#: Variables evaluations: mean per unit on the taints, then the estimators.
VARIABLES_METHODS = ("mpu", *ESTIMATORS)
#: How a sample is evaluated (`evaluate`).
EVALUATION_METHODS = (*LIKELIHOODS, *STRINGER_METHODS, *VARIABLES_METHODS)
#: The misstatement evaluated: over-billing, or under-billing (the revenue lost, the default).
DIRECTIONS = ("overstatement", "understatement")
DEFAULT_DIRECTION = "understatement"
#: What a sample's units are: accounts (items) or the yuan of their bills (values).
UNITS = ("items", "values")
#: The priors a Bayesian plan or evaluation may name (`priors.resolve_prior`).
PRIORS = ("default", "impartial")
#: The customers of a district a sample is drawn from: all, or those the rules flagged or not.
STRATA = ("all", "flagged", "unflagged")
#: The kinds of audit an inspection belongs to: a district's self-audit, another district's
#: cross-audit, or a special audit (inspections.audit_kind).
AUDIT_KINDS = ("self", "cross", "special")
