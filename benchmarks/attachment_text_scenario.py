"""The `attachment_text` run of the sync benchmark: a first sync of `attachments` alone with
`attachment_text` on, so every attachment of a chosen type is downloaded (the double serves a real
file per attachment: PDF, docx, xlsx, pptx, text, CSV) and read in the connector's worker process.
Compared with the `full` run's attachments, it prices one download and one extraction per version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCENARIO = "attachment_text"
STREAM = "attachments"
DOWNLOADS = "/download/attachments/"


def prepare(config: dict[str, Any], workdir: Path, base_catalog: Path) -> tuple[dict[str, Any], Path]:
    """The run's config (attachment_text on) and catalog (attachments only)."""
    catalog = json.loads(base_catalog.read_text())
    catalog["streams"] = [s for s in catalog["streams"] if s["stream"]["name"] == STREAM]
    path = workdir / "catalog-attachments-only.json"
    path.write_text(json.dumps(catalog))
    return {**config, "attachment_text": True}, path


def is_download(path: str) -> bool:
    return DOWNLOADS in path
