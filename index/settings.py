"""Where things live by default, and the names of the choices a user makes; the environment (or a
flag) overrides. Nothing here imports a model stack: `readouts --help` reads it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
DEFAULT_INDEX = PROJECT_ROOT / ".readouts" / "index"


def index_dir(flag: str | None = None) -> Path:
    """--index, else READOUTS_INDEX, else the git-ignored folder in the project."""
    return Path(flag or os.environ.get("READOUTS_INDEX") or DEFAULT_INDEX).expanduser()


def cache_dir() -> Path:
    """READOUTS_CACHE, else ~/.cache/readouts: models exported or unpacked once (onnx_model, split_model)."""
    return Path(os.environ.get("READOUTS_CACHE") or Path.home() / ".cache" / "readouts")


EMBEDDERS = ("minilm", "minilm-int8", "e5-small", "use-multilingual", "mpnet", "mpnet-int8")  # the models `--embedder` chooses (embed.EMBEDDERS)
DEFAULT_EMBEDDER = "minilm-int8"  # as good as fp32 on the question sets, twice as fast (docs/quality.md)
Method = Literal["hybrid", "dense", "lexical"]
METHODS: tuple[Method, ...] = ("hybrid", "dense", "lexical")  # rankings a question can be searched by (ranking.py)
