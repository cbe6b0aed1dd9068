"""Where things live by default; the environment (or a flag) overrides."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
DEFAULT_INDEX = PROJECT_ROOT / ".readouts" / "index"


def index_dir(flag: str | None = None) -> Path:
    """--index, else READOUTS_INDEX, else the git-ignored folder in the project."""
    return Path(flag or os.environ.get("READOUTS_INDEX") or DEFAULT_INDEX).expanduser()
