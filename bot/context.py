"""Typed context for the handlers (python-telegram-bot's ContextTypes): what the bot shares, what a chat keeps.

ChatData is pickled by the persistence: keep its module path and its fields loadable, or old
state files stop loading.
"""
from __future__ import annotations

import asyncio
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:
    from index import Answer, Answerer
    from .config import Settings
    from .throttle import QuestionLimiter

SEARCH_THREADS = 2


@dataclass
class Services:
    """What the handlers share: settings, the answerer and its worker threads, the question limit."""

    settings: Settings
    answerer: Answerer
    limiter: QuestionLimiter
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="search"))

    async def answer(self, question: str) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.answer, question)

    async def emphasised(self, answer: Answer, shown: range) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.emphasised, answer, shown)


@dataclass
class BotData:
    """context.bot_data (never persisted); PTB makes it empty, build_application fills it."""

    services: Services | None = None


@dataclass
class ChatData:
    """context.chat_data (persisted): the chat's latest answers, by the key their buttons carry."""

    searches: OrderedDict[str, Answer] = field(default_factory=OrderedDict)

    @classmethod
    def loaded(cls, data: object) -> ChatData:
        """Chat data as a state file holds it: a ChatData, or the dict that earlier versions kept."""
        if isinstance(data, cls):
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
