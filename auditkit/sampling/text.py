"""Numbers and labels as reviewers read them, in Chinese or English (`lang` = "zh" or "en")."""

from __future__ import annotations

import math

from auditkit.sampling.checks import choice

LANGUAGES = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "n": ("样本量", "Sample size"),
    "likelihood": ("概率模型", "Likelihood"),
    "confidence": ("置信水平", "Confidence"),
    "materiality": ("重要性水平（可容忍错报率）", "Materiality (tolerable rate)"),
    "min_precision": ("要求精度", "Required precision"),
    "expected": ("预期错报", "Expected errors"),
    "expected_errors": ("样本中预期错报数", "Expected errors in the sample"),
    "tolerable_errors": ("可容忍的样本错报数", "Errors the sample may hold"),
    "upper": ("错报率上限", "Upper limit of misstatement rate"),
    "lower": ("错报率下限", "Lower limit of misstatement rate"),
    "mle": ("最可能错报率", "Most likely misstatement rate"),
    "precision": ("精度（上限−最可能值）", "Precision (upper - most likely)"),
    "population_size": ("总体数量", "Population size"),
    "population_value": ("总体金额（元）", "Population value (yuan)"),
    "prior": ("先验分布", "Prior"),
    "posterior": ("后验分布", "Posterior"),
    "bayes_factor": ("贝叶斯因子 BF-+", "Bayes factor BF-+"),
    "posterior_probability": ("低于重要性的后验概率", "Posterior P(below materiality)"),
    "units": ("抽样单位", "Sampling units"),
    "method": ("方法", "Method"),
    "seed": ("随机种子", "Seed"),
    "interval": ("抽样间隔", "Interval"),
    "start": ("起点", "Start"),
    "selected_rows": ("抽中记录数", "Rows selected"),
    "set_aside": ("剔除（零或负值）", "Set aside (zero or negative)"),
    "x": ("发现错报（个数或错报比例之和）", "Errors found (count or sum of taints)"),
    "p_value": ("p 值", "p-value"),
    "conclusion": ("结论", "Conclusion"),
    "projected": ("推断错报金额（元）", "Projected misstatement (yuan)"),
    "upper_yuan": ("错报金额上限（元）", "Upper limit of misstatement (yuan)"),
    "projected_errors": ("推断错误户数", "Projected erroneous items"),
    "direction": ("错报方向", "Direction"),
    "item": ("项目", "Item"),
    "value": ("数值", "Value"),
    "stratum": ("层", "Stratum"),
}

CONCLUSIONS = {
    True: ("低于重要性水平：总体可以接受", "below materiality: the population is accepted"),
    False: ("未能证明低于重要性水平", "not shown to be below materiality"),
    None: ("未设定重要性水平", "no materiality given"),
}

DIRECTIONS = {
    "overstatement": ("多计（账面高于核实值）", "overstatement (book above audited)"),
    "understatement": (
        "少计（账面低于核实值，即少收电费）",
        "understatement (book below audited: under-billing)",
    ),
}

# Method codes (selection, likelihood, evaluation) as reviewers read them.
METHOD_NAMES = {
    "interval": ("固定间隔抽样", "fixed-interval selection"),
    "cell": ("分组随机抽样", "cell selection"),
    "random": ("简单随机抽样", "random selection"),
    "sieve": ("筛选抽样", "sieve selection"),
    "binomial": ("二项分布", "binomial"),
    "poisson": ("泊松分布", "Poisson"),
    "hypergeometric": ("超几何分布", "hypergeometric"),
    "stringer": ("Stringer 上限（二项系数）", "Stringer bound (binomial factors)"),
    "stringer.poisson": ("Stringer 上限（泊松系数）", "Stringer bound (Poisson factors)"),
    "mpu": ("单位平均估计", "mean per unit"),
    "direct": ("直接估计", "direct estimator"),
    "difference": ("差额估计", "difference estimator"),
    "ratio": ("比率估计", "ratio estimator"),
    "regression": ("回归估计", "regression estimator"),
}

UNITS = {
    "items": ("按户（项目）", "items (accounts)"),
    "values": ("按金额（货币单位）", "values (monetary units)"),
}


def language(lang: str) -> int:
    """Index into the (zh, en) pairs; raises ParameterError for another language."""
    return LANGUAGES.index(choice("lang", lang, LANGUAGES))


def label(key: str, lang: str) -> str:
    """The label of `key` in `lang`."""
    return LABELS[key][language(lang)]


def pick(pair: tuple[str, str], lang: str) -> str:
    """The `lang` half of a (zh, en) pair."""
    return pair[language(lang)]


def method_name(code: str, lang: str) -> str:
    """A method code ('stringer.poisson') in words; an unknown code is returned as it is."""
    pair = METHOD_NAMES.get(code)
    return code if pair is None else pick(pair, lang)


class Note(str):
    """A note on a result: the string is its English wording, `zh` the Chinese one."""

    zh: str

    def __new__(cls, en: str, zh: str = "") -> Note:
        note = super().__new__(cls, en)
        note.zh = zh or en
        return note


def note(value: str, lang: str) -> str:
    """A result's note in `lang` (notes without a Chinese wording stay as they are)."""
    return getattr(value, "zh", value) if language(lang) == 0 else str(value)


def pct(rate: float | None, digits: int = 2) -> str:
    """A rate as a percentage ('4.87%'); '-' when absent."""
    if rate is None or (isinstance(rate, float) and math.isnan(rate)):
        return "-"
    return f"{rate * 100:.{digits}f}%"


def yuan(amount: float | None) -> str:
    """An amount in yuan with thousands separators ('¥12,345'); '-' when absent."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "-"
    return f"¥{amount:,.0f}"


def number(value: float | None, digits: int = 2) -> str:
    """A plain number without trailing zeros ('3', '0.37'); '-' when absent."""
    if value is None:
        return "-"
    if math.isinf(value):
        return "∞"
    return (
        f"{value:.{digits}f}".rstrip("0").rstrip(".")
        if not float(value).is_integer()
        else f"{value:.0f}"
    )
