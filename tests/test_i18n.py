"""The wording catalogue: every text once, in both languages, one lookup."""

from __future__ import annotations

import re
import string
from collections import defaultdict

import pytest

from auditkit import formatting, i18n
from auditkit.data import schema
from auditkit.errors import ParameterError


def test_every_wording_has_both_languages():
    assert not [key for key, (zh, en) in i18n.WORDS.items() if not zh or not en]


#: Wordings whose languages may take different placeholders, each saying the same by its own idiom.
PLACEHOLDERS_APART = {
    # 等 7 条规则 counts every rule listed, "and 2 more" those past the named: either follows
    # from the other and the rules named
    "cycle.sentence.more_rules",
}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_both_languages_of_a_wording_take_the_same_placeholders():
    """A figure in one language only is information the other language's reader never sees."""
    apart = {
        key: (placeholders(zh), placeholders(en))
        for key, (zh, en) in i18n.WORDS.items()
        if placeholders(zh) != placeholders(en)
    }
    assert set(apart) == PLACEHOLDERS_APART, apart


def test_no_wording_is_defined_under_two_keys():
    """'district' was defined five times, 'public' as 公共 in one place and 公用 in another."""
    keys_of = defaultdict(list)
    for key, pair in i18n.WORDS.items():
        if not key.startswith("evidence."):  # each rule's template may share another's shape
            keys_of[pair].append(key)
    assert not {pair: keys for pair, keys in keys_of.items() if len(keys) > 1}


def test_no_english_word_has_two_chinese_wordings():
    chinese_of = defaultdict(set)
    for key, (zh, en) in i18n.WORDS.items():
        if key.startswith(("common.", "usage.", "area.", "severity.")):
            chinese_of[en.lower()].add(zh)
    assert not {en: zh for en, zh in chinese_of.items() if len(zh) > 1}


@pytest.mark.parametrize(
    ("group", "codes"),
    [
        ("usage", schema.USAGE_TYPES),
        ("order", schema.ORDER_TYPES),
        ("tou", schema.TOU_PERIODS),
        ("billing.line", schema.LINE_TYPES),
    ],
)
def test_every_code_of_the_data_schema_is_named_in_both_languages(group, codes):
    """A zh report names a work order (工单 ...（过户）) in Chinese, not by its English code."""
    assert not [code for code in codes if not i18n.has(f"{group}.{code}")]


def test_lookup_defaults_to_chinese_and_refuses_other_languages():
    assert i18n.text("common.district") == "供电单位"
    assert i18n.text("common.district", "en") == "District"
    with pytest.raises(ParameterError, match="'lang'"):
        i18n.text("common.district", "fr")
    assert i18n.text("usage.unheard_of", "en", default="unheard_of") == "unheard_of"
    with pytest.raises(KeyError):
        i18n.text("no.such.key", "zh")


def test_a_key_defined_in_two_parts_is_refused():
    with pytest.raises(ValueError, match="defined twice"):
        i18n._merged({"a": ("甲", "a")}, {"a": ("乙", "b")})


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1234.5, "1,234.50"), (float("nan"), "—"), (None, "—"), ("已退补", "已退补"), (0, "0.00")],
)
def test_money(value, shown):
    assert formatting.money(value) == shown


def test_numbers_counts_percentages_and_p_values_share_one_missing_mark():
    assert formatting.number(1234567) == "1,234,567"
    assert formatting.number(0.375) == "0.38"
    assert formatting.number(2.5, 0) == "2"
    assert formatting.number(float("inf")) == "∞"
    assert formatting.count(12345.0) == "12,345"
    assert formatting.percent(0.1234) == "12.3%"
    assert formatting.p_value(0.0004) == "<0.001"
    assert formatting.p_value(0.01234) == "0.012"
    missing = {formatting.number(None), formatting.percent(float("nan")), formatting.p_value(None)}
    assert missing == {formatting.MISSING}


def test_a_p_value_in_a_sentence_reads_as_in_the_tables():
    """Sentences showed 'p = 0.000987' beside '<0.001' in the table below them."""
    assert formatting.p_clause(0.000987) == "p < 0.001"
    assert formatting.p_clause(0.0881) == "p = 0.088"
    assert formatting.p_clause(None) == f"p = {formatting.MISSING}"


def test_a_note_lists_things_as_its_language_does():
    from auditkit.stats.notes import Note

    note = Note("missing_months", {"district": "甲", "months": ["2024-01", "2024-02"]})
    assert "2024-01、2024-02" in note.text("zh")
    assert "2024-01, 2024-02" in note.text("en")


#: Placeholders that hold text in the wordings named, though the same name is a count elsewhere
#: (a count is given as a number and written by its wording with separators: `{count:,}`).
TEXT_PLACEHOLDERS = {
    **{f"theft.reason.{how}": {"before"} for how in ("day_fell", "day_rose", "month_fell",
                                                        "month_rose", "profile_level",
                                                        "profile_reversed")},  # kWh, one decimal
    "stats.chart.customer_series": {"customers"},  # the customers listed
    "stats.sentence.daily_gap": {"customers"},  # counted with their noun: "548 户"
    "stats.note.missing_months": {"months"},  # the months listed
    "stats.note.interpolated": {"months"},
    "cycle.sentence.mostly_false": {"rules"},  # the rules named
    "cycle.sentence.overstated": {"rules"},
    "sampling.explain.plan": {"errors"},  # expected errors, a sum of taints with decimals
    "sampling.line.sample": {"rows", "found"},  # a clause; a sum of taints
    "sampling.line.projection_value": {"total"},  # yuan
    "sampling.sheet.line.sampling": {"units"},  # the sampling units in words
    "pipeline.table.shown": {"n", "total"},  # filled in by the reports' table script
}  # fmt: skip


def placeholder_specs(text: str) -> dict[str, str]:
    return {name: spec for _, name, spec, _ in string.Formatter().parse(text) if name}


def test_a_count_is_written_with_separators_in_every_wording_and_language():
    """'3852 条台区/线路供电量…' beside '1,949' elsewhere: a name written `{name:,}` in one
    wording is a count, and every wording quoting it renders 1234567 as '1,234,567'."""
    counts = {
        name
        for zh, en in i18n.WORDS.values()
        for text in (zh, en)
        for name, spec in placeholder_specs(text).items()
        if "," in spec
    }
    bare = []
    for key, (zh, en) in i18n.WORDS.items():
        if key.startswith("evidence."):  # typed templates: auditkit.rules.evidence formats them
            continue
        for text in (zh, en):
            specs = placeholder_specs(text)
            quoted = set(specs) & counts
            quoted -= TEXT_PLACEHOLDERS.get(key, set())
            values = {name: 1234567 if name in quoted else _filler(spec)
                      for name, spec in specs.items()}  # fmt: skip
            shown = text.format(**values)
            if quoted and ("1234567" in shown or "1,234,567" not in shown):
                bare.append((key, sorted(name for name in quoted if "," not in specs[name])))
    assert bare == []


def _filler(spec: str) -> object:
    """A value that a placeholder of format `spec` accepts."""
    return 0.5 if spec else "x"


def test_a_number_beside_chinese_is_set_off_by_a_space():
    """'396 个单元·月中324 个已计算': a figure placeholder touches no Chinese character."""
    touching = []
    for key, (zh, _) in i18n.WORDS.items():
        for match in re.finditer(r"\{[a-z_0-9]+:[^{}]*[,%fg]\}", zh):
            around = zh[match.start() - 1 : match.start()] + zh[match.end() : match.end() + 1]
            if re.search(r"[\u4e00-\u9fff]", around):
                touching.append((key, match.group()))
    assert touching == []


def test_counts_in_sentences_read_with_separators_in_both_languages():
    note = "stats.note.network_months_outside"
    values = {"count": 3852, "period_from": "2025-10", "period_to": "2025-12"}
    assert i18n.text(note, "zh").format(**values).startswith("3,852 条台区/线路供电量不在")
    assert i18n.text(note, "en").format(**values).startswith("3,852 area or feeder supply rows")
    level = {"period_from": "2025-10", "period_to": "2025-12", "level": "台区", "units": 1320,
             "unit_months": 3960, "computed": 3240, "loss": "4.7%", "high": 0, "negative": 0,
             "low": 720, "high_loss_rate": "10%"}  # fmt: skip
    assert "3,960 个单元·月中 3,240 个已计算" in i18n.text("network.sentence.level", "zh").format(
        **level
    )
    assert "3,240 of 3,960 unit-months computed" in i18n.text(
        "network.sentence.level", "en"
    ).format(**level | {"level": "transformer areas"})


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        ("/work/main/data/demo", "/work/main/data/demo", "/work/main/data/demo"),
        ("", "—", "—"),
        (True, "是", "yes"),
        (False, "否", "no"),
        ({}, "—", "—"),
        ({"城东": 4, "城西": 2.5}, "城东 4、城西 2.5", "城东 4, 城西 2.5"),
        (["voltage_loss", "cover_open"], "voltage_loss、cover_open", "voltage_loss, cover_open"),
        (20240601, "20240601", "20240601"),  # a seed keeps its digits
        (0.95, "0.95", "0.95"),
        (None, "—", "—"),
    ],
)
def test_a_parameter_value_reads_as_a_reader_expects_not_as_python_writes_it(value, zh, en):
    assert (i18n.value_text(value, "zh"), i18n.value_text(value, "en")) == (zh, en)
