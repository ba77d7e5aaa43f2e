"""Report wording in Chinese and English: headings, table labels and figure names, by key."""

from __future__ import annotations

from auditkit.errors import ParameterError

LABELS: dict[str, tuple[str, str]] = {
    # title block, contents and footer
    "contents": ("目录", "Contents"),
    "subject": ("对象", "Subject"),
    "district": ("供电单位", "District"),
    "period": ("稽查期间", "Period"),
    "run_id": ("运行编号", "Run id"),
    "as_of": ("数据截至", "Data as of"),
    "generated_at": ("生成时间", "Generated at"),
    "reproducibility": ("可复现信息", "Reproducibility"),
    "parameters": ("参数", "Parameters"),
    "input_hashes": ("输入数据哈希 (SHA-256)", "Input hashes (SHA-256)"),
    "versions": ("软件版本", "Versions"),
    "commit": ("代码版本", "Commit"),
    "name": ("名称", "Name"),
    "value": ("取值", "Value"),
    "table": ("数据表", "Table"),
    "package": ("软件包", "Package"),
    "back_to_index": ("← 返回本次运行索引", "← Back to the run index"),
    # run index
    "run_index": ("稽查运行索引", "Audit run index"),
    "notebook": ("分析", "Notebook"),
    "status": ("状态", "Status"),
    "duration": ("耗时", "Elapsed"),
    "headline": ("主要指标", "Headline"),
    "links": ("链接", "Links"),
    "report": ("报告", "Report"),
    "executed_notebook": ("已执行的笔记本 (.ipynb)", "Executed notebook (.ipynb)"),
    "status_ok": ("完成", "ok"),
    "status_failed": ("失败", "failed"),
    "status_timeout": ("超时", "timed out"),
    "status_killed": ("中止", "killed"),
    "started": ("开始", "Started"),
    "study_district_audit": ("营销稽查报告", "District audit"),
    "study_consumption_statistics": ("用电统计分析", "Consumption statistics"),
    "study_cross_audit": ("横向交叉检查", "Cross-audits"),
    "study_sampling_plan": ("统计抽样稽查", "Audit sampling"),
    "finished": ("结束", "Finished"),
    # headline figures
    "findings": ("疑点数", "Findings"),
    "revenue_at_stake": ("涉及电费 (元)", "Revenue at stake (yuan)"),
    "customers": ("用户数", "Customers"),
    "customers_flagged": ("涉及用户数", "Customers flagged"),
    "rules_fired": ("触发规则数", "Rules fired"),
    "sample_size": ("样本量", "Sample size"),
    "upper_limit_pct": ("错报率上限 (%)", "Upper misstatement limit (%)"),
    "projected_misstatement": ("推断错报 (元)", "Projected misstatement (yuan)"),
    # tables
    "showing_rows": ("显示前 {shown} 行，共 {total} 行", "Showing {shown} of {total} rows"),
    "full_data": ("完整数据", "Full data"),
}

MONEY_FIGURES = frozenset({"revenue_at_stake", "projected_misstatement"})
LANGUAGES = ("zh", "en")


def label(key: str, lang: str) -> str:
    """The wording of `key` in `lang` ('zh' or 'en'); unknown keys are returned unchanged."""
    if lang not in ("zh", "en"):
        raise ParameterError("lang", "'zh' or 'en'", lang)
    pair = LABELS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def labels_for(lang: str) -> dict[str, str]:
    """Every label in one language, for templates."""
    return {key: label(key, lang) for key in LABELS}
