"""Typed context for the handlers (python-telegram-bot's ContextTypes): what the bot shares, and what a
chat keeps, as plain data: questions, passage ids, generation ids (bot/state.py writes it as JSON)."""
from __future__ import annotations

import asyncio
import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, TypeAdapter
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from index import Answer, Hit, Passage

if TYPE_CHECKING:
    from index import Answerer, FeedbackLog, Library, Retriever, Watcher

    from .config import Settings
    from .throttle import QuestionLimiter

SEARCH_THREADS = 2
SENT_KEPT = 5000  # passages an alert remembers having sent
MESSAGES_KEPT = 200  # answer messages a chat remembers, for replies and reactions to them


@dataclass
class Services:
    """What the handlers share: settings, the answerer and its worker threads, the question limit, and
    what follows the index (the live library, the watched sources). Whatever reads the index takes
    one snapshot of it (`snapshot`) and reads only that."""

    settings: Settings
    answerer: Answerer
    limiter: QuestionLimiter
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=SEARCH_THREADS, thread_name_prefix="search"))

    library: Library | None = None  # the answerer's index, when it follows the directory's new generations
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

    def snapshot(self) -> AbstractContextManager[Retriever]:
        """The index as it is now, one generation, for as long as the block that reads it."""
        return self.answerer.library.snapshot()

    async def rebuilt(self, search: Search) -> Rebuilt:
        """A kept search as an Answer over the index as it is now (looking its passages up, in a search thread)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._rebuild, search)

    def _rebuild(self, search: Search) -> Rebuilt:
        hits: list[Hit] = []
        positions: list[int] = []
        with self.snapshot() as snapshot:
            for position, quoted in enumerate(search.quoted):
                hit = self._hit(snapshot, quoted, rank=len(hits) + 1)
                if hit is not None:
                    hits.append(hit)
                    positions.append(position)
            generation = snapshot.generation
        answer = Answer(search.question, tuple(hits), search.notice, generation=generation)
        return Rebuilt(answer, tuple(positions), len(search.quoted) - len(hits))

    @staticmethod
    def _hit(snapshot: Retriever, quoted: Quoted, rank: int) -> Hit | None:
        """The passage as the index holds it now, or None when it has left the index."""
        passage = snapshot.passage(quoted.passage)
        if passage is None:
            return None
        span = quoted.emphasis
        if span is not None and not 0 <= span[0] < span[1] <= len(passage.text):
            span = None  # marked by another version's sentence splitting: marked again when shown
        also = tuple(p for p in map(snapshot.passage, quoted.also) if p is not None)
        return Hit(passage, score=0.0, rank=rank, emphasis=span, also=also)

    async def in_context(self, search: Search, position: int, around: int = 1) -> tuple[Hit, list[Passage]] | None:
        """Passage `position` of a kept search as a hit linked to its quoted words, with up to `around`
        paragraphs on each side, all read from one snapshot; None when it has left the index."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, self._in_context, search, position,
                                                                around)

    def _in_context(self, search: Search, position: int, around: int) -> tuple[Hit, list[Passage]] | None:
        with self.snapshot() as snapshot:
            hit = self._hit(snapshot, search.quoted[position], position + 1)
            if hit is None:
                return None
            hit = dataclasses.replace(hit, link=self.answerer.link(hit.passage, snapshot))
            return hit, snapshot.context(hit.passage, around)


@dataclass
class BotData:
    """context.bot_data (never persisted); PTB makes it empty, build_application fills it."""

    services: Services | None = None


Key = Annotated[str, Field(pattern=r"^[0-9a-f]{1,16}$")]  # what a search's or an alert's buttons carry
Count = Annotated[int, Field(ge=0)]


@dataclass
class Alert:
    """A saved search: new readouts that answer `question` are sent to the chat, each passage once."""

    key: Key  # what its Remove button carries
    question: str
    user_id: int | None  # who saved it (None: a chat speaking as itself); the allow lists check it
    sent: dict[str, None] = field(default_factory=dict)  # keys of the passages sent (alerts.sent_key), oldest first

    def remember(self, key: str) -> None:
        self.sent[key] = None
        while len(self.sent) > SENT_KEPT:
            del self.sent[next(iter(self.sent))]


@dataclass
class Quoted:
    """One passage an answer quotes, as a chat keeps it: by id (the index holds its words), with the span
    of its best sentence once marked and the ids of the same passage published elsewhere."""

    passage: str
    emphasis: tuple[Count, Count] | None = None
    also: tuple[str, ...] = ()


@dataclass
class Search:
    """An answer as a chat keeps it, for its buttons and for replies to it: the question as searched, the
    passages quoted (by id), its notice, the index generation it was answered from, and `subject`: the
    question a follow-up to it is read with (its own, or for a follow-up the one its chain began with)."""

    question: str
    subject: str
    quoted: list[Quoted] = field(default_factory=list)
    notice: str | None = None
    generation: str | None = None

    @classmethod
    def of(cls, answer: Answer, subject: str, generation: str | None) -> Search:
        return cls(answer.question, subject, [Quoted(hit.passage.id, hit.emphasis, tuple(p.id for p in hit.also))
                                              for hit in answer.hits], answer.notice, generation)


@dataclass(frozen=True)
class Rebuilt:
    """A kept search as an Answer over the index as it is now: the passages it still holds (`positions`:
    where each of them sits in the search), and how many have left it since."""

    answer: Answer
    positions: tuple[int, ...]
    gone: int


@dataclass
class ChatData:
    """context.chat_data (persisted, as JSON: bot/state.py): the chat's latest searches, by the key their
    buttons carry; which message showed which search (for a reply or a reaction to it); its alerts; its
    citation style; the language last seen. Data only (ids and words, never index objects), so that a
    change to the index's types never breaks a saved chat."""

    searches: OrderedDict[Key, Search] = field(default_factory=OrderedDict)
    alerts: list[Alert] = field(default_factory=list)
    messages: OrderedDict[int, tuple[Key, Count]] = field(default_factory=OrderedDict)  # message -> (search key, page)
    cite_style: str = "plain"
    language: str | None = None  # the Telegram language last seen here, for updates that do not say it
    cited: list[str] = field(default_factory=list)  # ids of the passages cited here, oldest first: what /export sends

    def shown(self, message_id: int, key: str, page: int = 0) -> None:
        """Remember that message `message_id` shows page `page` of the search kept under `key`."""
        self.messages[message_id] = (key, page)
        self.messages.move_to_end(message_id)
        while len(self.messages) > MESSAGES_KEPT:
            self.messages.popitem(last=False)

    def search_in(self, message_id: int) -> tuple[str, Search, int] | None:
        """The key, search and page that message `message_id` shows, while the chat still keeps them."""
        key, page = self.messages.get(message_id, ("", 0))
        search = self.searches.get(key)
        return (key, search, page) if search is not None else None


CHAT_DATA = TypeAdapter(ChatData)  # chat data <-> JSON-able values, validated (bot/state.py)


class Context(CallbackContext[ExtBot, dict, ChatData, BotData]):
    """The context every handler gets."""

    @property
    def services(self) -> Services:
        if self.bot_data.services is None:
            raise RuntimeError("the services are set by build_application")
        return self.bot_data.services

    @property
    def searches(self) -> OrderedDict[str, Search]:
        """This chat's searches; none for an update without a chat (inline)."""
        return self.chat_data.searches if self.chat_data is not None else OrderedDict()


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData, chat_data=ChatData)
