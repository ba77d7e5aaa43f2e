"""How a month's worklist chooses the findings each district checks (`auditkit worklist --by`,
`register.worklist.select_worklist`)."""

SELECTIONS = ("revenue", "score", "high", "sample")
