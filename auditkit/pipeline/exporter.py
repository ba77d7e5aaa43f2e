"""nbconvert's HTML exporter with the `auditkit` template and markdown that cannot carry live HTML.

Imported only where a report is rendered (nbconvert is slow to import). The template escapes every
value it interpolates (`{% autoescape true %}` in each of its blocks); this exporter adds what the
template cannot do itself: markdown outputs and cells are rendered with raw HTML escaped and
`javascript:`, `data:`, `file:` links refused, because a notebook may build markdown from data
(a district name, a file path).
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

from auditkit.pipeline.templates_dir import TEMPLATES


class ReportExporter(HTMLExporter):  # type: ignore[misc]
    """HTML for reviewers: auditkit template, code hidden, markdown without raw HTML."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            template_name="auditkit", extra_template_basedirs=[str(TEMPLATES)], **kwargs
        )
        self.exclude_input = True
        self.exclude_input_prompt = True
        self.exclude_output_prompt = True

    @pass_context
    def markdown2html(self, _context: Any, source: str) -> str:
        """Markdown to HTML with raw HTML shown as text and harmful link schemes dropped."""
        renderer = IPythonRenderer(
            escape=True,
            allow_harmful_protocols=False,
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
        )
        return MarkdownWithMath(renderer=renderer).render(source)
