"""Bot settings from the environment or a `.env` file, with errors that say what to fix."""
from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from index import ReadoutsError
from index import settings as index_settings

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather in Telegram (/newbot), then put "
    "TELEGRAM_BOT_TOKEN=... in .env or the environment. To try the bot without Telegram, run `readouts chat`."
)


class ConfigError(ReadoutsError):
    exit_code = 2


@dataclass(frozen=True)
class Settings:
    token: str
    api_base_url: str = "https://api.telegram.org"
    index: str | None = None
    allowed_user_ids: frozenset[int] = frozenset()
    allowed_chat_ids: frozenset[int] = frozenset()
    questions_per_minute: int = 20
    outgoing_per_second: int = 30  # Telegram's flood limit for a bot's messages overall
    results_per_page: int = 3
    max_results: int = 15
    min_score: float | None = None  # None: the threshold calibrated for the index's embedder
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"  # behind a reverse proxy; WEBHOOK_LISTEN=0.0.0.0 to take Telegram's calls directly
    webhook_port: int = 8443
    webhook_secret: str | None = None  # what Telegram sends in X-Telegram-Bot-Api-Secret-Token; set with a webhook_url
    webhook_secret_generated: bool = False  # WEBHOOK_SECRET was not set: this one was made for this run
    state_file: str | None = None
    sources: str | None = None  # a sources file (TOML) the bot refreshes into its index (index/ingest/watch.py)
    reload_seconds: float = 5.0  # how often the bot looks for a new index generation
    fetch_seconds: float = 20.0  # the most one URL of a watched source may take to fetch (index.settings)
    alerts_per_chat: int = 10

    def __repr__(self) -> str:  # the token and the webhook secret never appear in logs or tracebacks
        return f"Settings(api_base_url={self.api_base_url!r}, index={self.index!r}, token=<hidden>)"

    @property
    def bot_api_url(self) -> str:
        """python-telegram-bot appends the token: <root>/bot<token>/<method>."""
        return self.api_base_url.rstrip("/") + "/bot"

    @property
    def file_api_url(self) -> str:
        return self.api_base_url.rstrip("/") + "/file/bot"


def environment(env_file: Path | None = Path(".env")) -> dict[str, str]:
    """`.env` values, overridden by the real environment."""
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None} if env_file and env_file.is_file() else {}
    return {**values, **os.environ}


def _ids(name: str, raw: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in raw.replace(" ", "").split(",") if part)
    except ValueError:
        raise ConfigError(f"{name} must be comma-separated numeric ids, e.g. 12345,67890") from None


def _number(env: Mapping[str, str], name: str, default: Any, kind: type = int, low: float = 0,
            high: float = 1e9) -> Any:
    """The setting `name` as a finite `kind` within [low, high] (nan, inf, 1e300 refused), else `default`
    when unset; ConfigError naming it otherwise."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except (ValueError, OverflowError):
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw[:40]!r}") from None
    if (kind is float and not math.isfinite(value)) or not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, not {raw[:40]!r}")
    return value


WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a webhook's secret_token


def _webhook_secret(env: Mapping[str, str]) -> tuple[str | None, bool]:
    """WEBHOOK_SECRET, checked; with WEBHOOK_URL and no secret, one made for this run (True): a webhook
    never takes updates from whoever finds its URL."""
    secret = env.get("WEBHOOK_SECRET", "").strip()
    if secret:
        if not WEBHOOK_SECRET.fullmatch(secret):
            raise ConfigError("WEBHOOK_SECRET must be 1 to 256 characters from A-Z, a-z, 0-9, _ and -")
        return secret, False
    if env.get("WEBHOOK_URL"):
        return secrets.token_urlsafe(32), True
    return None, False


def load_settings(env: Mapping[str, str] | None = None, *, require_token: bool = True) -> Settings:
    env = environment() if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if require_token and not token:
        raise ConfigError(NO_TOKEN)
    base = env.get("TELEGRAM_API_BASE_URL", "").strip() or Settings.api_base_url
    if not base.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    webhook_url = env.get("WEBHOOK_URL") or None
    secret, generated = _webhook_secret(env)
    return Settings(
        token=token,
        api_base_url=base,
        index=env.get("READOUTS_INDEX") or None,
        allowed_user_ids=_ids("ALLOWED_USER_IDS", env.get("ALLOWED_USER_IDS", "")),
        allowed_chat_ids=_ids("ALLOWED_CHAT_IDS", env.get("ALLOWED_CHAT_IDS", "")),
        questions_per_minute=_number(env, "READOUTS_QUESTIONS_PER_MINUTE", 20, low=1),
        outgoing_per_second=_number(env, "TELEGRAM_OUTGOING_PER_SECOND", 30, low=1),
        results_per_page=_number(env, "READOUTS_RESULTS_PER_PAGE", 3, low=1),
        max_results=_number(env, "READOUTS_MAX_RESULTS", 15, low=1),
        min_score=_number(env, "READOUTS_MIN_SCORE", None, float, low=-1, high=1),
        webhook_url=webhook_url,
        webhook_listen=env.get("WEBHOOK_LISTEN") or Settings.webhook_listen,
        webhook_port=_number(env, "WEBHOOK_PORT", 8443, low=1, high=65535),
        webhook_secret=secret,
        webhook_secret_generated=generated,
        state_file=env.get("READOUTS_BOT_STATE") or None,
        sources=env.get("READOUTS_SOURCES") or None,
        reload_seconds=_number(env, "READOUTS_RELOAD_SECONDS", 5.0, float, low=0.5, high=86400),
        fetch_seconds=_number(env, "READOUTS_FETCH_SECONDS", index_settings.FETCH_SECONDS, float,
                              *index_settings.FETCH_SECONDS_RANGE),
        alerts_per_chat=_number(env, "READOUTS_ALERTS_PER_CHAT", 10, low=0),
    )
