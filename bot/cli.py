"""`readouts bot` and `readouts chat`: subcommands the bot package adds to the `readouts` CLI."""
from __future__ import annotations

import argparse
from pathlib import Path

from index import settings as index_settings


def register(commands: argparse._SubParsersAction) -> None:
    index_help = "index directory (default: $READOUTS_INDEX or the seeds index)"
    p = commands.add_parser("bot", help="run the Telegram bot (settings from the environment or .env)")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=run_bot)
    p = commands.add_parser("chat", help="ask questions in the terminal, answered as the bot would")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=run_chat)


def _answerer(index_flag: str | None, settings):  # noqa: ANN001, ANN202
    """The answer policy over the index, following its new generations (index.Library)."""
    from index import Answerer, open_library

    library = open_library(index_flag or settings.index)
    library.check_every = settings.reload_seconds
    return Answerer(library, max_results=settings.max_results, min_score=settings.min_score,
                    first_page=settings.results_per_page)


def run_bot(args: argparse.Namespace) -> int:
    from telegram import Update

    from index import FeedbackLog

    from .app import build_application
    from .config import load_settings
    from .logs import configure_logging

    settings = load_settings()
    configure_logging(settings.token)
    answerer = _answerer(args.index, settings)
    directory = index_settings.index_dir(args.index or settings.index)
    state = Path(settings.state_file) if settings.state_file else directory.parent / "bot-state.pickle"
    application = build_application(settings, answerer, state, FeedbackLog(directory))
    if settings.webhook_url:
        application.run_webhook(**webhook_options(settings), allowed_updates=Update.ALL_TYPES)
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def webhook_options(settings) -> dict:  # noqa: ANN001
    """Where the webhook server listens and what Telegram is told (path /telegram, secret token)."""
    return {"listen": settings.webhook_listen, "port": settings.webhook_port, "url_path": "telegram",
            "webhook_url": settings.webhook_url, "secret_token": settings.webhook_secret}


def run_chat(args: argparse.Namespace) -> int:
    """A terminal REPL over the same answer policy as the bot (chat.py)."""
    from . import chat
    from .config import load_settings

    settings = load_settings(require_token=False)
    return chat.run(_answerer(args.index, settings), settings.results_per_page)
