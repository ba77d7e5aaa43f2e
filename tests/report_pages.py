"""Checks of rendered pages shared by the report and pipeline tests: live markup, stable text."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def normalized_report(html: str, run_id: str) -> str:
    """A report page without what may differ between two runs: run id and timestamps."""
    html = html.replace(run_id, "RUN-ID")
    return re.sub(r'(class="ak-timestamp">)[^<]*', r"\1T", html)


def live_markup(page: str) -> list[str]:
    """Elements and attributes in `page` that would run script: script/svg/iframe/object tags
    (auditkit's own inline tables script excepted), `on*` handlers and `javascript:` URLs
    (parsed as a browser tokenizes, not searched as text)."""
    found: list[str] = []

    class Scanner(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            own_script = (
                tag == "script"
                and ("id", "ak-tables-script") in attrs
                and all(name == "id" or name.startswith("data-") for name, _ in attrs)
            )
            if tag in ("script", "svg", "iframe", "object", "embed") and not own_script:
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"<{tag} {name}>")
                if value and value.strip().lower().startswith(("javascript:", "vbscript:")):
                    found.append(f"<{tag} {name}={value}>")

    Scanner().feed(page)
    return found
