"""`readouts bot` and `readouts chat`: subcommands the bot package adds to the `readouts` CLI."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import settings as index_settings

if TYPE_CHECKING:
    from index import Answerer, Library

    from .config import Settings

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    index_help = "index directory (default: $READOUTS_INDEX or the seeds index)"
    p = commands.add_parser("bot", help="run the Telegram bot (settings from the environment or .env)")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=run_bot)
    p = commands.add_parser("chat", help="ask questions in the terminal, answered as the bot would")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=run_chat)


def _answerer(index_flag: str | None, settings: Settings) -> tuple[Answerer, Library]:
    """The answer policy over the index, and the index itself, following its new generations."""
    from index import Answerer, open_library

    library = open_library(index_flag or settings.index)
    library.check_every = settings.reload_seconds
    return Answerer(library, max_results=settings.max_results, min_score=settings.min_score,
                    first_page=settings.results_per_page), library


def run_bot(args: argparse.Namespace) -> int:
    from telegram import Update

    from index import FeedbackLog

    from .app import build_application
    from .config import load_settings
    from .logs import configure_logging, redact_in_logs
    from .state import LEGACY_STATE_FILE, state_file

    settings = load_settings()
    configure_logging(settings.token)
    answerer, library = _answerer(args.index, settings)
    directory = index_settings.index_dir(args.index or settings.index)
    if settings.state_file:
        state, legacy = Path(settings.state_file), None
    else:
        state, legacy = state_file(directory, settings.token), directory.parent / LEGACY_STATE_FILE
    application = build_application(settings, answerer, state, FeedbackLog(directory), legacy_state=legacy,
                                    library=library)
    if settings.webhook_url:
        options = webhook_options(settings)
        redact_in_logs(options["secret_token"])
        if settings.webhook_secret_generated:
            log.warning("WEBHOOK_SECRET is not set: Telegram is given a secret made for this run, and updates "
                        "without it are refused. Set WEBHOOK_SECRET to choose one")
        log.info("webhook: listening on %s:%d for %s", options["listen"], options["port"], settings.webhook_url)
        application.run_webhook(**options, allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Where the webhook server listens and what Telegram is told (path /telegram, secret token). A
    webhook without a secret would act on any POST to its URL: refused."""
    from .config import ConfigError

    if not settings.webhook_secret:
        raise ConfigError("a webhook needs a secret: set WEBHOOK_SECRET (1 to 256 characters from A-Z, a-z, "
                          "0-9, _ and -)")
    return {"listen": settings.webhook_listen, "port": settings.webhook_port, "url_path": "telegram",
            "webhook_url": settings.webhook_url, "secret_token": settings.webhook_secret}


def run_chat(args: argparse.Namespace) -> int:
    """A terminal REPL over the same answer policy as the bot (chat.py)."""
    from . import chat
    from .config import load_settings

    settings = load_settings(require_token=False)
    answerer, library = _answerer(args.index, settings)
    return chat.run(answerer, settings.results_per_page, library)
