"""Where things live by default, and the names of the choices a user makes; the environment (or a
flag) overrides. Nothing here imports a model stack: `readouts --help` reads it."""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from .errors import SettingInvalid

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
# The model a new index is built with (READOUTS_EMBEDDER, --embedder): all-mpnet-base-v2 int8 scored
# higher than MiniLM on every fold of the question sets (docs/quality-chat.md), at 6x its compute.
DEFAULT_EMBEDDER = "mpnet-int8"
Method = Literal["hybrid", "dense", "lexical"]
METHODS: tuple[Method, ...] = ("hybrid", "dense", "lexical")  # rankings a question can be searched by (ranking.py)

FETCH_SECONDS = 20.0  # READOUTS_FETCH_SECONDS: the most one URL's fetch may take, retries included
FETCH_SECONDS_RANGE = (1.0, 600.0)
PROGRESS_SECONDS = 5.0  # READOUTS_PROGRESS_SECONDS: how often ingest and watch write a progress line to a log
PROGRESS_SECONDS_RANGE = (0.001, 3600.0)


def number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    """The setting `name` as a finite number within [low, high], else `default` when unset;
    SettingInvalid naming it otherwise (nan, inf, 1e300 and words included)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except (ValueError, OverflowError):
        raise SettingInvalid(f"{name} must be a number of seconds, not {raw[:40]!r}") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SettingInvalid(f"{name} must be between {low:g} and {high:g}, not {raw[:40]!r}")
    return value


def fetch_seconds(env: Mapping[str, str] | None = None) -> float:
    """How long one URL may take to fetch, from READOUTS_FETCH_SECONDS (default 20 s)."""
    return number(os.environ if env is None else env, "READOUTS_FETCH_SECONDS", FETCH_SECONDS, *FETCH_SECONDS_RANGE)


def progress_seconds(env: Mapping[str, str] | None = None) -> float:
    """How often a progress line is written when stderr is not a terminal, from READOUTS_PROGRESS_SECONDS
    (default 5 s)."""
    return number(os.environ if env is None else env, "READOUTS_PROGRESS_SECONDS", PROGRESS_SECONDS,
                  *PROGRESS_SECONDS_RANGE)


def default_embedder(env: Mapping[str, str] | None = None) -> str:
    """The embedder a new index is built with: READOUTS_EMBEDDER when set (one of EMBEDDERS), else
    DEFAULT_EMBEDDER; SettingInvalid naming the choices otherwise."""
    raw = (os.environ if env is None else env).get("READOUTS_EMBEDDER", "").strip()
    if not raw:
        return DEFAULT_EMBEDDER
    if raw not in EMBEDDERS:
        raise SettingInvalid(f"READOUTS_EMBEDDER must be one of {', '.join(EMBEDDERS)}, not {raw[:40]!r}")
    return raw
