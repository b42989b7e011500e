"""Where the demo finds real data: ../shared/data beside the repository when it is there."""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path | None:
    configured = os.environ.get("MINQING_SHARED_DATA")
    candidates = [Path(configured)] if configured else [REPO_DIR.parent / "shared" / "data"]
    for path in candidates:
        if (path / "divisions").is_dir():
            return path
    return None
