"""The real python-telegram-bot Application against the fake Bot API, two ways: polling with its
JobQueue running (`running`), or fed one update at a time (`processing`)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conftest import TEST_TOKEN
from fakebotapi import Call, FakeBotApi
from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.app import build_application
from bot.config import Settings
from bot.logs import redact_in_logs
from index import Answerer, FeedbackLog, Library, Retriever


def application_for(api: FakeBotApi, index: Library | Retriever, state_file: Path, feedback: FeedbackLog | None = None,
                    *, follow: bool = False, **overrides: object) -> Application:
    """The bot's Application over `index`, talking to `api`, keeping votes in `feedback`, with settings
    overridden; with `follow`, `index` is a Library whose new generations the bot loads (its reload job)."""
    settings = Settings(token=TEST_TOKEN, api_base_url=api.url, **overrides)  # type: ignore[arg-type]
    answerer = Answerer(index, max_results=settings.max_results, min_score=settings.min_score,
                        first_page=settings.results_per_page)
    redact_in_logs(settings.token)
    return build_application(settings, answerer, state_file, feedback,
                             library=index if follow else None)  # type: ignore[arg-type]


@asynccontextmanager
async def running(application: Application) -> AsyncIterator[Application]:
    """Started and polling, as `readouts bot` runs it; stopped and shut down afterwards."""
    async with application:
        await application.post_init(application)
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
            await application.post_shutdown(application)


@dataclass
class Processing:
    """An initialised Application fed updates one at a time, straight to process_update (no polling)."""

    application: Application
    api: FakeBotApi
    errors: list[BaseException] = field(default_factory=list)

    async def process(self, content: dict) -> list[Call]:
        """Handle one update; the Bot API calls it caused (every handler has returned by then)."""
        before = len(self.api.calls)
        await self.application.process_update(Update.de_json(self.api.update(content), self.application.bot))
        return self.api.calls[before:]


@asynccontextmanager
async def processing(application: Application, api: FakeBotApi) -> AsyncIterator[Processing]:
    """Initialised, recording every error that reaches an error handler, without polling or jobs."""
    fed = Processing(application, api)

    async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        fed.errors.append(context.error)

    application.add_error_handler(record)
    async with application:
        try:
            yield fed
        finally:
            await application.post_shutdown(application)
