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
    from index import Answer, Answerer, FeedbackLog, Library, Watcher

    from .config import Settings
    from .throttle import QuestionLimiter

SEARCH_THREADS = 2
SENT_KEPT = 5000  # passages an alert remembers having sent
MESSAGES_KEPT = 200  # answer messages a chat remembers, for replies and reactions to them


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
    feedback: FeedbackLog | None = None  # where 👍/👎 are kept (beside the index)

    async def answer(self, question: str, within: Collection[str] | None = None) -> Answer:
        """The answer policy's answer, in a search thread; `within` limits it to those documents."""
        search = functools.partial(self.answerer.answer, question, within=within)
        return await asyncio.get_running_loop().run_in_executor(self.executor, search)

    async def emphasised(self, answer: Answer, shown: range) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.emphasised, answer, shown)

    async def linked(self, answer: Answer, shown: range) -> Answer:
        """The shown hits linked to their quoted words (reading their readouts, in a search thread)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.linked, answer, shown)


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
    """context.chat_data (persisted): the chat's latest answers, by the key their buttons carry; which
    message showed which answer (for a reply or a reaction to it); its alerts; its citation style and the
    passages it cited."""

    searches: OrderedDict[str, Answer] = field(default_factory=OrderedDict)
    alerts: list[Alert] = field(default_factory=list)
    messages: OrderedDict[int, tuple[str, int]] = field(default_factory=OrderedDict)  # message -> (answer key, page)
    cite_style: str = "plain"
    cited: list[str] = field(default_factory=list)  # ids of the passages cited here, oldest first: what /export sends
    language: str | None = None  # the Telegram language last seen here, for updates that do not say it

    @classmethod
    def loaded(cls, data: object) -> ChatData:
        """Chat data as a state file holds it: a ChatData (perhaps from before some field existed), or
        the dict that earlier versions kept."""
        if isinstance(data, cls):
            fresh = cls()
            for name in cls.__dataclass_fields__:
                if not hasattr(data, name):
                    setattr(data, name, getattr(fresh, name))
            return data
        searches = data.get("searches") if isinstance(data, dict) else None
        return cls(OrderedDict(searches or {}))

    def shown(self, message_id: int, key: str, page: int = 0) -> None:
        """Remember that message `message_id` shows page `page` of the answer kept under `key`."""
        self.messages[message_id] = (key, page)
        self.messages.move_to_end(message_id)
        while len(self.messages) > MESSAGES_KEPT:
            self.messages.popitem(last=False)

    def answer_in(self, message_id: int) -> tuple[str, Answer, int] | None:
        """The key, answer and page that message `message_id` shows, while the chat still keeps them."""
        key, page = self.messages.get(message_id, ("", 0))
        answer = self.searches.get(key)
        return (key, answer, page) if answer is not None else None


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
