"""The evaluation's conclusion in plain words for reviewers, in Chinese or English."""

from __future__ import annotations

from typing import TYPE_CHECKING

from auditkit.sampling import text

if TYPE_CHECKING:
    from auditkit.sampling.results import Evaluation


def conclusion_markdown(evaluation: Evaluation, lang: str = "zh") -> str:
    """A short markdown text: the verdict, the sample, the projection, and every caveat."""
    chinese = text.language(lang) == 0
    lines = [_verdict(evaluation, chinese), "", _sample_line(evaluation, lang)]
    lines.append(_projection_line(evaluation, chinese))
    if evaluation.direction == "understatement":
        lines.append(
            "- 此处“错报”指少计电费：核实金额高于账面（计费）金额。"
            if chinese
            else "- Misstatement here means under-billing: the audited amount exceeds the billed amount."
        )
    if evaluation.bayes_factor is not None:
        lines.append(_bayes_line(evaluation, chinese))
    lines += [f"- {text.note(note, lang)}" for note in evaluation.notes]
    return "\n".join(line for line in lines if line is not None)


def _verdict(evaluation: Evaluation, chinese: bool) -> str:
    confidence = text.pct(evaluation.confidence, 0)
    upper = text.pct(evaluation.upper, 3)
    materiality = text.pct(evaluation.materiality)
    if chinese:
        head = f"**结论：** 在{confidence}的置信水平下，总体错报率上限为 **{upper}**"
        if evaluation.conclusion is None:
            return head + "（未设定重要性水平，不作接受或拒绝判断）。"
        if evaluation.conclusion:
            return head + f"，低于重要性水平{materiality}：可以认为总体不存在重大错报。"
        return (
            head + f"，未低于重要性水平{materiality}：样本不能证明总体不存在重大错报，"
            "建议扩大样本或对总体进一步核查。"
        )
    head = f"**Conclusion.** At {confidence} confidence the misstatement rate of the population is at most **{upper}**"
    if evaluation.conclusion is None:
        return head + " (no materiality was given, so no accept or reject verdict)."
    if evaluation.conclusion:
        return head + f", below the materiality of {materiality}: the population can be accepted."
    return (
        head
        + f", not below the materiality of {materiality}: the sample does not show the population "
        "to be free of material misstatement. Extend the sample or examine the population further."
    )


def _sample_line(evaluation: Evaluation, lang: str) -> str:
    chinese = text.language(lang) == 0
    method = text.method_name(evaluation.method, lang)
    misstated = len(evaluation.errors) if evaluation.errors is not None else None
    found = text.number(evaluation.x, 4)
    if chinese:
        rows = f"{misstated}条记录有错报，" if misstated is not None else ""
        return f"- 样本：{evaluation.n}个抽样单位（方法：{method}），{rows}错报合计 {found}（个数或错报比例之和）。"
    rows = f"{misstated} misstated rows, " if misstated is not None else ""
    return f"- Sample: {evaluation.n} units (method: {method}); {rows}errors found {found} (count or sum of taints)."


def _projection_line(evaluation: Evaluation, chinese: bool) -> str | None:
    mle = text.pct(evaluation.mle)
    if evaluation.population_value is not None:
        projected = text.yuan(evaluation.projected_misstatement)
        upper = text.yuan(evaluation.upper_misstatement)
        total = text.yuan(evaluation.population_value)
        if chinese:
            return f"- 最可能错报率 {mle}，推断错报金额约 {projected}；错报金额上限 {upper}（总体金额 {total}）。"
        return f"- Most likely misstatement {mle}, about {projected}; upper limit of misstatement {upper} (population {total})."
    if evaluation.population_size is not None:
        items = text.number(evaluation.mle * evaluation.population_size, 1)
        upper_items = text.number(evaluation.upper * evaluation.population_size, 1)
        if chinese:
            return f"- 最可能错误率 {mle}，推断约 {items} 户有错误（上限 {upper_items} 户，总体 {evaluation.population_size:,} 户）。"
        return f"- Most likely error rate {mle}: about {items} erroneous items (at most {upper_items} of {evaluation.population_size:,})."
    return f"- 最可能错报率 {mle}。" if chinese else f"- Most likely misstatement rate {mle}."


def _bayes_line(evaluation: Evaluation, chinese: bool) -> str:
    factor = text.number(evaluation.bayes_factor, 2)
    probability = text.pct(evaluation.posterior_probability)
    if chinese:
        return f"- 贝叶斯分析（先验 {evaluation.prior}）：数据使“低于重要性水平”的几率提高 {factor} 倍（贝叶斯因子），后验概率 {probability}。"
    return (
        f"- Bayesian (prior {evaluation.prior}): the data multiply the odds of an immaterial population "
        f"by {factor} (Bayes factor BF-+); posterior probability {probability}."
    )
