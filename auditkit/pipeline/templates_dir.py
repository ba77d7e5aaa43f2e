"""Where the report template lives (the HTML frame, its stylesheet and the table script)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
