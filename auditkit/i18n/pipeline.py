"""Wording of the run pipeline: the run index, the report's title block and footer (zh, en).

`pipeline.status.` names a notebook's outcome in a run, `pipeline.reason.<kind>` why it failed or
timed out (`auditkit.pipeline.reasons`: the English wording is also the manifest's `error`, so it
stays as runs wrote it), `pipeline.study.<notebook stem>` a notebook in words; the district
heading and the headline figures are shared words (`common.district`, `auditkit.report.figures`).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    # the report's title block, contents and footer
    "pipeline.contents": ("目录", "Contents"),
    "pipeline.subject": ("对象", "Subject"),
    "pipeline.period": ("稽查期间", "Period"),
    "pipeline.run_id": ("运行编号", "Run id"),
    "pipeline.as_of": ("数据截至", "Data as of"),
    "pipeline.generated_at": ("生成时间", "Generated at"),
    "pipeline.reproducibility": ("可复现信息", "Reproducibility"),
    "pipeline.parameters": ("参数", "Parameters"),
    "pipeline.input_hashes": ("输入数据哈希 (SHA-256)", "Input hashes (SHA-256)"),
    "pipeline.versions": ("软件版本", "Versions"),
    "pipeline.commit": ("代码版本", "Commit"),
    "pipeline.name": ("名称", "Name"),
    "pipeline.value": ("取值", "Value"),
    "pipeline.table": ("数据表", "Table"),
    "pipeline.package": ("软件包", "Package"),
    "pipeline.back_to_index": ("← 返回本次运行索引", "← Back to the run index"),
    # the run index
    "pipeline.run_index": ("稽查运行索引", "Audit run index"),
    "pipeline.notebook": ("分析", "Notebook"),
    "pipeline.status": ("状态", "Status"),
    "pipeline.duration": ("耗时", "Elapsed"),
    "pipeline.table.search": ("搜索", "Search"),
    "pipeline.table.all": ("全部", "All"),
    "pipeline.table.shown": ("显示 {n} / {total} 行", "{n} of {total} rows shown"),
    "pipeline.table.sort": ("点击排序", "Click to sort"),
    "pipeline.table.wide": (
        "表格较宽：左右滚动可看到全部列 →",
        "Wide table: scroll sideways to see every column →",
    ),
    "pipeline.unit.seconds": ("秒", "s"),
    "pipeline.unit.minutes": ("分", "min"),
    "pipeline.unit.hours": ("小时", "h"),
    "pipeline.headline": ("主要指标", "Headline"),
    "pipeline.total_of": (
        "{n:,} 份报告，各项分别合计",
        "{n:,} reports, each figure summed on its own",
    ),
    "pipeline.links": ("链接", "Links"),
    "pipeline.report": ("报告", "Report"),
    "pipeline.executed_notebook": ("已执行的笔记本 (.ipynb)", "Executed notebook (.ipynb)"),
    "pipeline.started": ("开始", "Started"),
    "pipeline.finished": ("结束", "Finished"),
    "pipeline.status.ok": ("完成", "ok"),
    "pipeline.status.failed": ("失败", "failed"),
    "pipeline.status.timeout": ("超时", "timed out"),
    "pipeline.status.killed": ("中止", "killed"),
    "pipeline.reason.time_limit_in_cell": (
        "第 {cell} 个单元格超过 {seconds:g} 秒的时限",
        "time limit of {seconds:g} s exceeded in cell {cell}",
    ),
    "pipeline.reason.time_limit": (
        "超过 {seconds:g} 秒的时限",
        "time limit of {seconds:g} s exceeded",
    ),
    "pipeline.reason.cell_error": ("第 {cell} 个单元格出错：{detail}", "cell {cell}: {detail}"),
    "pipeline.reason.more": ("；另有 {more} 条", "; and {more} more"),
    "pipeline.reason.kernel_died": ("内核意外退出：{detail}", "kernel died: {detail}"),
    "pipeline.reason.kernel_failed": ("内核出错：{detail}", "{detail}"),
    "pipeline.reason.render_failed": ("报告生成失败：{detail}", "rendering failed: {detail}"),
    "pipeline.reason.worker_exited": (
        "作业进程退出（退出码 {code}），未留下结果",
        "worker exited with code {code} without a result",
    ),
    "pipeline.reason.hard_limit": (
        "运行 {seconds:g} 秒后被强制终止（硬时限）",
        "killed after {seconds:g} s (hard time limit)",
    ),
    "pipeline.reason.cluster_workers_died": (
        "在集群上运行它的工作进程接连退出（内存不足或被终止）",
        "on the cluster: the cluster workers running it died repeatedly (out of memory, or killed)",
    ),
    "pipeline.reason.cluster_error": ("在集群上出错：{detail}", "on the cluster: {detail}"),
    "pipeline.reason.worker_error": ("作业进程出错：{detail}", "{detail}"),
    "pipeline.reason.inputs_changed": (
        "运行期间输入文件有变动，报告可能来自与清单所记不同的数据：{detail}",
        "inputs changed during the run, so the report may come from other data than the "
        "manifest records: {detail}",
    ),
    "pipeline.study.district_audit": ("营销稽查报告", "District audit"),
    "pipeline.study.consumption_statistics": ("用电统计分析", "Consumption statistics"),
    "pipeline.study.cross_audit": ("横向交叉检查", "Cross-audits"),
    "pipeline.study.sampling_plan": ("统计抽样稽查", "Audit sampling"),
}
