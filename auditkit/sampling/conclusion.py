"""The evaluation's conclusion in plain words for reviewers (markdown), in the report's language."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from auditkit import formatting, i18n
from auditkit.sampling.notes import method_name
from auditkit.sampling.results import confidence_level
from auditkit.sampling.variables import MIN_DIFFERENCES

if TYPE_CHECKING:
    from auditkit.sampling.results import Evaluation


def conclusion_markdown(evaluation: Evaluation, lang: str = "zh") -> str:
    """A short markdown text: the verdict, the sample, the projection, and every caveat."""
    lines = [_verdict(evaluation, lang), "", _sample_line(evaluation, lang)]
    lines.append(_projection_line(evaluation, lang))
    if evaluation.direction == "understatement":
        lines.append(i18n.text("sampling.line.understatement", lang))
    if evaluation.bayes_factor is not None:
        known = not math.isnan(evaluation.bayes_factor)  # undefined: a note says why
        lines.append(
            i18n.text(
                "sampling.line.bayes" if known else "sampling.line.bayes_undefined", lang
            ).format(
                prior=evaluation.prior.describe(lang),
                factor=formatting.compact(evaluation.bayes_factor, 2),
                probability=formatting.percent(evaluation.posterior_probability, 2),
            )
        )
    lines += [f"- {note.text(lang)}" for note in evaluation.notes]
    return "\n".join(lines)


def _verdict(evaluation: Evaluation, lang: str) -> str:
    head = i18n.text("sampling.verdict.head", lang).format(
        confidence=confidence_level(evaluation.confidence),
        upper=formatting.percent_against(evaluation.upper, evaluation.materiality),
    )
    code = evaluation.conclusion_code
    if code == "not_shown" and _examined_in_full(evaluation):
        code = "census_not_accepted"
    elif code == "not_shown" and not evaluation.bound_reliable:
        code = "too_few_differences"
    tail = i18n.text(f"sampling.verdict.{code}", lang)
    return head + tail.format(
        materiality=formatting.percent(evaluation.materiality, 2),
        differences=evaluation.differences,
        least=MIN_DIFFERENCES,
    )


def _examined_in_full(evaluation: Evaluation) -> bool:
    """Was every unit of the population examined (a census, or every stratum one)? Its verdict
    then states the misstatement found: no sample to extend, no sampling risk."""
    codes = {note.code: note for note in evaluation.notes}
    if "census" in codes:
        return True
    strata = codes.get("census_strata")
    return (
        strata is not None
        and evaluation.strata is not None
        and len(strata.values["strata"]) == len(evaluation.strata)
    )


def _sample_line(evaluation: Evaluation, lang: str) -> str:
    rows = ""
    if evaluation.errors is not None:
        rows = i18n.text("sampling.line.misstated_rows", lang).format(count=len(evaluation.errors))
    return i18n.text("sampling.line.sample", lang).format(
        n=evaluation.n,
        method=method_name(evaluation.method, lang),
        rows=rows,
        found=formatting.compact(evaluation.x, 4),
    )


def _projection_line(evaluation: Evaluation, lang: str) -> str:
    mle = formatting.percent(evaluation.mle, 2)
    if evaluation.population_value is not None:
        return i18n.text("sampling.line.projection_value", lang).format(
            mle=mle,
            projected=formatting.money(evaluation.projected_misstatement),
            upper=formatting.money(evaluation.upper_misstatement),
            total=formatting.money(evaluation.population_value),
        )
    if evaluation.population_size is not None:
        return i18n.text("sampling.line.projection_items", lang).format(
            mle=mle,
            items=formatting.compact(evaluation.mle * evaluation.population_size, 1),
            upper=formatting.compact(evaluation.upper * evaluation.population_size, 1),
            total=int(evaluation.population_size),
        )
    return i18n.text("sampling.line.projection_rate", lang).format(mle=mle)
