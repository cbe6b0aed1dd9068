"""The real python-telegram-bot Application against the fake Bot API, two ways: polling with its
JobQueue running (`running`), or fed one update at a time (`processing`); and a load of questions
asked while the index changes under the bot (`under_hot_reload`)."""
from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
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
from bot.texts import ENGLISH
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


CHANGING_READOUT = """Wang Yi Holds Talks with the Foreign Minister of Zembla on Tidal Observatories

On March 3, 2025, Foreign Minister Wang Yi held talks in Beijing with the Foreign Minister of Zembla.

Wang Yi said that China and Zembla agreed to build {count} tidal observatories on the Zembla coast and to share their sea-level records with all coastal states.
"""


def changing_readouts(corpus: Path, directory: Path, embedder: object) -> Callable[[int], None]:
    """What writes generation n of the index of `corpus` in `directory`: a readout of its own added (its
    number of observatories tells it apart) and the one added two generations before removed, so
    that passages earlier answers quoted leave the index too."""
    from index.ingest.update import ingest

    def ingest_next(n: int) -> None:
        (corpus / f"extra-{n}.txt").write_text(CHANGING_READOUT.format(count=n + 4), encoding="utf-8")
        (corpus / f"extra-{n - 2}.txt").unlink(missing_ok=True)
        ingest([corpus], directory, embedder)  # type: ignore[arg-type]
    return ingest_next


@dataclass
class HotReload:
    """What `under_hot_reload` saw: questions asked and answered (each once, as an answer), buttons
    pressed on earlier answers, new generations written, and every reply that said something went wrong."""

    seconds: float
    asked: int = 0
    answered: int = 0
    pressed: int = 0
    ingests: int = 0
    sorry: int = 0
    errors: list[BaseException] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)  # question sent -> its answer sent

    def line(self) -> str:
        latencies = sorted(self.latencies_ms)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        return (f"{self.asked} questions in {self.seconds:.0f} s, {self.answered} answered, {self.pressed} buttons "
                f"pressed, {self.ingests} generations written, {self.sorry} 'something went wrong', "
                f"{len(self.errors)} errors; answer latency p50 "
                f"{statistics.median(latencies) if latencies else float('nan'):.0f} ms, p95 {p95:.0f} ms")


async def under_hot_reload(api: FakeBotApi, library: Library, state_file: Path, ingest_next: Callable[[int], None],
                           questions: Sequence[str], *, seconds: float, per_second: float = 20,
                           ingest_every: float = 2.0, press_every: int = 10, settle: float = 60.0) -> HotReload:
    """The bot over `library`, polling `api` with its reload job running every half second, asked
    `per_second` questions (from `questions`, in turn, by users who each ask one every four seconds:
    within the question limit) for `seconds`, while `ingest_next(n)` writes generation n every
    `ingest_every` seconds in a thread; every `press_every`-th question also presses More or Context
    under an earlier answer. Waits up to `settle` seconds for every answer. Bounded: the loops end
    with the run."""
    application = application_for(api, library, state_file, follow=True, reload_seconds=0.5,
                                  outgoing_per_second=1000)
    report = HotReload(seconds)

    async def record(update: object, context) -> None:  # noqa: ANN001
        report.errors.append(context.error)

    application.add_error_handler(record)
    users = [200_000 + n for n in range(max(1, round(4 * per_second)))]
    pushed: defaultdict[int, list[float]] = defaultdict(list)
    stop = threading.Event()

    def ingesting() -> None:
        while not stop.wait(ingest_every):
            ingest_next(report.ingests)
            report.ingests += 1

    writer = threading.Thread(target=ingesting, name="ingest every 2 s", daemon=True)
    async with running(application):
        writer.start()
        try:
            started = time.monotonic()
            for tick in range(round(seconds * per_second)):
                await asyncio.sleep(max(0.0, started + tick / per_second - time.monotonic()))
                user = users[tick % len(users)]
                pushed[user].append(time.monotonic())
                api.message(user, questions[tick % len(questions)])
                report.asked += 1
                if press_every and tick % press_every == press_every - 1:
                    report.pressed += _press_a_button(api, tick)
        finally:
            stop.set()
            await asyncio.to_thread(writer.join)
        deadline = time.monotonic() + settle
        while len(_answers(api)) < report.asked and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # the last buttons' replies
    answers = _answers(api)
    report.answered = len(answers)
    by_chat: defaultdict[int, list[float]] = defaultdict(list)
    for call in answers:
        by_chat[int(call.params["chat_id"])].append(call.at)
    for chat, sent in by_chat.items():
        report.latencies_ms += [(done - asked) * 1000 for asked, done in zip(pushed[chat], sorted(sent))]
    report.sorry = sum(ENGLISH.sorry in str(call.params.get("text", "")) for call in api.calls
                       if call.method in ("sendMessage", "answerCallbackQuery", "editMessageText"))
    return report


def _answers(api: FakeBotApi) -> list[Call]:
    """The answers sent so far (an answer's message, or its found-nothing message, begins with the question)."""
    with api._changed:
        return [call for call in api.calls if call.method == "sendMessage" and call.status == 200
                and str(call.params.get("text", "")).startswith("<b>Q:</b>")]


def _press_a_button(api: FakeBotApi, tick: int) -> int:
    """Press More (or, every other time, Context 1) under the latest answer that has one; 1 if pressed."""
    for call in reversed(_answers(api)):
        rows = (call.params.get("reply_markup") or {}).get("inline_keyboard") or []
        data = [button["callback_data"] for row in rows for button in row if "callback_data" in button]
        wanted = ([d for d in data if d.startswith("more:" if tick % 2 else "ctx:")]
                  or [d for d in data if d.startswith(("more:", "ctx:"))])
        if wanted:
            chat = int(call.params["chat_id"])
            api.callback(chat, wanted[0], int(call.params["message_id"]), chat)
            return 1
    return 0
