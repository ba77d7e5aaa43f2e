"""Converted folders' manifests edited on purpose by tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from auditkit.data.partitioned import MANIFEST_NAME, manifest_digest


def write_manifest(root: Path, manifest: dict[str, Any]) -> None:
    """`manifest` written into the converted folder `root` with its own sha256 recorded anew, as
    convert would have written it: a test editing sizes or digests on purpose reaches the checks
    that come after the manifest's own."""
    if isinstance(manifest.get("checked"), dict):
        manifest["checked"]["manifest"] = manifest_digest(manifest)
    (root / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
