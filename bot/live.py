"""The bot's jobs (python-telegram-bot's JobQueue): look for a new index generation every few seconds,
refresh the watched sources on their schedules; the loading, fetching and embedding run in threads.

Each source's refresh runs in a daemon thread of its own, so a slow source delays no other, and when
the bot stops (SIGTERM, Ctrl-C) the refreshes in flight are cancelled: PTB waits for running jobs,
and nothing waits for those threads at exit."""
from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, cast

from telegram.ext import Application

from index import Library, ReadoutsError, Watcher, load_sources

from .alerts import deliver
from .context import Context, Services

if TYPE_CHECKING:
    from index import Outcome, Source

log = logging.getLogger(__name__)
WATCH_STAGGER = 5.0  # seconds between the first refreshes of the sources
STOPPING_POLL = 0.2  # seconds between two looks, during a refresh, at whether the bot is stopping
STOP_GRACE = 2.0  # seconds a cancelled refresh is given to end before the job returns without it


def schedule(application: Application, services: Services) -> None:
    """Add the reload job (when the answerer follows a Library) and one job per watched source."""
    jobs = application.job_queue
    if services.library is None:
        if services.settings.sources:
            log.warning("READOUTS_SOURCES is set but the answerer does not follow its index: no source is watched")
        return
    if jobs is None:
        raise RuntimeError('the JobQueue is missing: install "python-telegram-bot[job-queue]"')
    interval = services.settings.reload_seconds
    jobs.run_repeating(reload_job, interval=interval, first=interval, name="reload")
    if not services.settings.sources:
        return
    sources = load_sources(Path(services.settings.sources))
    services.watcher = Watcher(services.library.directory, services.library.embedder,
                               deadline=services.settings.fetch_seconds)
    for number, source in enumerate(sources):
        jobs.run_repeating(watch_job, interval=source.interval, first=1 + number * WATCH_STAGGER, data=source,
                           name=f"watch {source.name}")
    log.info("watching %d sources into %s", len(sources), services.library.directory)


async def reload(application: Application) -> None:
    """Swap in a new generation if there is one, then send the alerts it fires."""
    library: Library = application.bot_data.services.library
    try:
        change = await asyncio.to_thread(library.refresh)
    except ReadoutsError as error:
        log.warning("kept %s: the new generation cannot be used (%s)", library.generation, error)
        return
    if change is not None and change.documents:
        sent = await deliver(application, change)
        if sent:
            log.info("sent %d alert messages for %d new or changed readouts", sent, len(change.documents))


async def reload_job(context: Context) -> None:
    await reload(context.application)


async def watch_job(context: Context) -> None:
    """Refresh one source, then answer from what it brought without waiting for the next reload."""
    watcher, source = cast(Watcher, context.services.watcher), cast("Source", context.job.data)  # set by schedule
    outcome = await refresh(context.application, watcher, source)
    if outcome is None:
        return
    log.info("%s", outcome.line())
    await reload(context.application)


async def refresh(application: Application, watcher: Watcher, source: Source) -> Outcome | None:
    """`watcher.refresh(source)` in a daemon thread; None when the application stopped meanwhile (the
    refresh is then cancelled and given STOP_GRACE seconds to end)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Outcome] = loop.create_future()

    def run() -> None:
        outcome = watcher.refresh(source)

        def settle() -> None:
            if not done.done():
                done.set_result(outcome)

        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:  # the loop closed meanwhile: nobody waits for this outcome
            pass

    threading.Thread(target=run, name=f"readouts-watch {source.name}", daemon=True).start()
    while not done.done():
        if not application.running:
            watcher.stop()
            await asyncio.wait([done], timeout=STOP_GRACE)
            return None
        await asyncio.wait([done], timeout=STOPPING_POLL)
    return done.result()
