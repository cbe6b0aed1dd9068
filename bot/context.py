"""Typed context for the handlers (python-telegram-bot's ContextTypes): what the bot shares, what a chat keeps.

ChatData is pickled by the persistence: keep its module path and its fields loadable, or old
state files stop loading.
"""
from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:
    from index import Answer, Answerer, Library, Watcher

    from .config import Settings
    from .throttle import QuestionLimiter

SEARCH_THREADS = 2
SENT_KEPT = 5000  # passages an alert remembers having sent


@dataclass
class Services:
    """What the handlers share: settings, the answerer and its worker threads, the question limit, and
    what follows the index (the library, the watched sources)."""

    settings: Settings
    answerer: Answerer
    limiter: QuestionLimiter
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="search"))

    library: Library | None = None  # set when the answerer follows the index's new generations
    watcher: Watcher | None = None  # set when READOUTS_SOURCES names sources to refresh

    async def answer(self, question: str, within: Collection[str] | None = None) -> Answer:
        """The answer policy's answer, in a search thread; `within` limits it to those documents."""
        search = functools.partial(self.answerer.answer, question, within=within)
        return await asyncio.get_running_loop().run_in_executor(self.executor, search)

    async def emphasised(self, answer: Answer, shown: range) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.emphasised, answer, shown)


@dataclass
class BotData:
    """context.bot_data (never persisted); PTB makes it empty, build_application fills it."""

    services: Services | None = None


@dataclass
class Alert:
    """A saved search: new readouts that answer `question` are sent to the chat, each passage once."""

    key: str  # what its Remove button carries
    question: str
    user_id: int | None  # who saved it (None: a chat speaking as itself); the allow lists check it
    sent: dict[str, None] = field(default_factory=dict)  # keys of the passages sent (alerts.sent_key), oldest first

    def remember(self, key: str) -> None:
        self.sent[key] = None
        while len(self.sent) > SENT_KEPT:
            del self.sent[next(iter(self.sent))]


@dataclass
class ChatData:
    """context.chat_data (persisted): the chat's latest answers, by the key their buttons carry, and its alerts."""

    searches: OrderedDict[str, Answer] = field(default_factory=OrderedDict)
    alerts: list[Alert] = field(default_factory=list)

    @classmethod
    def loaded(cls, data: object) -> ChatData:
        """Chat data as a state file holds it: a ChatData (perhaps from before alerts), or the dict that
        earlier versions kept."""
        if isinstance(data, cls):
            if not hasattr(data, "alerts"):
                data.alerts = []
            return data
        searches = data.get("searches") if isinstance(data, dict) else None
        return cls(OrderedDict(searches or {}))


class Context(CallbackContext[ExtBot, dict, ChatData, BotData]):
    """The context every handler gets."""

    @property
    def services(self) -> Services:
        if self.bot_data.services is None:
            raise RuntimeError("the services are set by build_application")
        return self.bot_data.services

    @property
    def searches(self) -> OrderedDict[str, Answer]:
        """This chat's answers; none for an update without a chat (inline)."""
        return self.chat_data.searches if self.chat_data is not None else OrderedDict()


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData, chat_data=ChatData)
