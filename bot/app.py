"""Wire the Application: handlers, access gate, error handler, rate limiter, persistence (bot/state.py),
command menu, and the jobs that follow the index (bot/live.py)."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    MessageReactionHandler,
    TypeHandler,
    filters,
)

from index import Answerer, FeedbackLog, Library

from . import alerts, buttons, cite, handlers, live, votes
from .config import ConfigError, Settings
from .context import CONTEXT_TYPES, Services
from .logs import REDACTED
from .state import ChatStatePersistence
from .texts import BY_LANGUAGE, ENGLISH
from .throttle import QuestionLimiter

log = logging.getLogger(__name__)
# A request the Bot API refuses for a while is retried long enough to carry an answer through:
FLOOD_RETRIES = 8  # HTTP 429 with retry_after: PTB's AIORateLimiter waits what Telegram asks, each time
SERVER_ERROR_RETRIES = 6  # HTTP 5xx (and 429 without retry_after): waits that double...
SERVER_ERROR_FIRST_WAIT = 0.25  # seconds...
SERVER_ERROR_MAX_WAIT = 4.0  # ...up to this
COMMANDS = ENGLISH.menu()


class RetryingRateLimiter(AIORateLimiter):
    """PTB's limiter (flood limits, RetryAfter) that also retries a request the server failed (HTTP 5xx).

    Only plain NetworkError is retried: BadRequest, Forbidden and TimedOut are subclasses and are
    not, so a request that may already have been delivered is never sent twice.
    """

    def __init__(self, max_retries: int = FLOOD_RETRIES, server_error_retries: int = SERVER_ERROR_RETRIES,
                 first_wait: float = SERVER_ERROR_FIRST_WAIT, max_wait: float = SERVER_ERROR_MAX_WAIT,
                 **kwargs) -> None:
        super().__init__(max_retries=max_retries, **kwargs)
        self.server_error_retries = server_error_retries
        self.first_wait, self.max_wait = first_wait, max_wait

    def wait_before(self, retry: int) -> float:
        """Seconds to wait before server-error retry `retry` (0 first)."""
        return min(self.first_wait * 2**retry, self.max_wait)

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):  # noqa: ANN001, ANN201
        for attempt in range(self.server_error_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if type(error) is not NetworkError or attempt == self.server_error_retries:
                    raise
                wait = self.wait_before(attempt)
                log.warning("%s failed (%s); retry %d of %d in %.2f s", endpoint, error, attempt + 1,
                            self.server_error_retries, wait)
                await asyncio.sleep(wait)


TOKEN_REFUSED = ("Telegram refused the bot token (TELEGRAM_BOT_TOKEN). Copy it again from @BotFather "
                 "(/mybots, your bot, API Token) into .env or the environment.")


class TokenRefused(ConfigError):
    """Telegram refused the token; the message never holds it."""


class TelegramUnreachable(ConfigError):
    """The Bot API could not be reached when the bot started."""


class ReadoutsApplication(Application):
    """PTB's Application, but a start that fails ends in one line that does not hold the token: PTB's
    InvalidToken names it ("The token `…` was rejected by the server"), and that message reached the
    terminal as a traceback's last line; a Bot API out of reach was a traceback too."""

    async def initialize(self) -> None:
        try:
            await super().initialize()
            return
        except InvalidToken:
            failure: ConfigError = TokenRefused(TOKEN_REFUSED)
        except TelegramError as error:  # NetworkError, TimedOut: nothing answered getMe
            reason = str(error).replace(self.bot.token, REDACTED) if self.bot.token else str(error)
            failure = TelegramUnreachable(f"the Bot API (TELEGRAM_API_BASE_URL) failed the bot's first request: {reason}")
        # Raised outside the except blocks, so that no traceback chains PTB's message to this one.
        await self.bot.shutdown()
        raise failure


async def _post_init(application: Application) -> None:
    """The command menu, in English and in each language the bot's replies are written in."""
    await application.bot.set_my_commands(COMMANDS)
    for language, texts in BY_LANGUAGE.items():
        await application.bot.set_my_commands(texts.menu(), language_code=language)


async def _post_shutdown(application: Application) -> None:
    application.bot_data.services.executor.shutdown(wait=False, cancel_futures=True)


def build_application(settings: Settings, answerer: Answerer, state_file: Path,
                      feedback: FeedbackLog | None = None, *, legacy_state: Path | None = None,
                      library: Library | None = None) -> Application:
    """The bot over `answerer`, keeping chats' state in `state_file` (starting from `legacy_state`, the
    file earlier versions kept, when there is none yet) and 👍/👎 in `feedback` (none: no vote buttons).
    `library`, the live index the answerer reads when it follows a directory, is refreshed by a job
    (and the watched sources are ingested into its directory); without it the index never changes."""
    application = (
        ApplicationBuilder()
        .application_class(ReadoutsApplication)
        .token(settings.token)
        .base_url(settings.bot_api_url)
        .base_file_url(settings.file_api_url)
        .rate_limiter(RetryingRateLimiter(overall_max_rate=settings.outgoing_per_second))
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(64)
        .persistence(ChatStatePersistence(state_file, legacy=legacy_state))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    services = Services(settings, answerer, QuestionLimiter(settings.questions_per_minute), library=library,
                        feedback=feedback)
    application.bot_data.services = services
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handlers([
        CommandHandler("start", handlers.start),
        CommandHandler("help", handlers.help_command),
        CommandHandler("about", handlers.about),
        CommandHandler("sources", handlers.sources),
        CommandHandler("ask", handlers.ask_command),
        CommandHandler("alert", alerts.alert_command),
        CommandHandler("alerts", alerts.alerts_command),
        CommandHandler("citestyle", cite.citestyle_command),
        CommandHandler("export", cite.export_command),
        CommandHandler("timeline", handlers.timeline_command),
        # PTB hands a query with empty data to the first handler with a pattern: make it this one.
        CallbackQueryHandler(handlers.expired_button, pattern=buttons.unreadable),
        CallbackQueryHandler(handlers.more_results, pattern=buttons.of_kind(buttons.More)),
        CallbackQueryHandler(handlers.sources_more, pattern=buttons.of_kind(buttons.Sources)),
        CallbackQueryHandler(handlers.more_context, pattern=buttons.of_kind(buttons.Context)),
        CallbackQueryHandler(alerts.remove_alert, pattern=buttons.of_kind(buttons.Unalert)),
        CallbackQueryHandler(cite.cite_button, pattern=buttons.of_kind(buttons.Cite)),
        CallbackQueryHandler(cite.style_button, pattern=buttons.of_kind(buttons.Style)),
        CallbackQueryHandler(votes.vote_button, pattern=buttons.of_kind(buttons.Vote)),
        CallbackQueryHandler(handlers.timeline_button, pattern=buttons.of_kind(buttons.Timeline)),
        InlineQueryHandler(handlers.inline_query),
        ChatMemberHandler(handlers.joined, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageReactionHandler(votes.reaction),
        MessageHandler(filters.TEXT & filters.REPLY & ~filters.COMMAND, handlers.reply),
        MessageHandler(private & filters.TEXT & ~filters.COMMAND, handlers.private_text),
        MessageHandler(filters.ChatType.GROUPS & filters.TEXT & filters.Entity("mention"), handlers.mention),
        MessageHandler(private & filters.COMMAND, handlers.unknown_command),
        MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, handlers.not_text),
        CallbackQueryHandler(handlers.expired_button),  # every other query (a game's, say) is answered too
    ])
    application.add_error_handler(handlers.error_handler)
    live.schedule(application, services)
    return application
