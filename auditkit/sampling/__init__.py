"""Statistical audit sampling in three verbs: plan -> select -> evaluate, and the field loop.

plan() sizes the sample (binomial, Poisson or hypergeometric; classical or Bayesian), select()
draws it by items or by monetary units, the field sheet carries it to the inspectors and back,
and evaluate() turns their findings into a most likely error, an upper limit and a conclusion
against materiality. Every result answers `summary()`, `explain(lang)`, `to_table(lang)` and
`plot(lang)` (`auditkit.results.Result`); `study.build(dataset, district, ...)` runs the whole
field loop for the sampling report. The methods and formulas are in docs/sampling.md.
"""

from auditkit.sampling.errors import FieldSheetError, SampleDataError
from auditkit.sampling.evaluate import evaluate
from auditkit.sampling.fieldsheet import FieldResults, read_field_sheet, write_field_sheet
from auditkit.sampling.plan import plan
from auditkit.sampling.priors import Prior
from auditkit.sampling.results import Evaluation, Plan, Selection
from auditkit.sampling.select import select

__all__ = [
    "Evaluation",
    "FieldResults",
    "FieldSheetError",
    "Plan",
    "Prior",
    "SampleDataError",
    "Selection",
    "evaluate",
    "plan",
    "read_field_sheet",
    "select",
    "write_field_sheet",
]
