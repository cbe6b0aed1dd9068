"""The bot's jobs (python-telegram-bot's JobQueue): look for a new index generation every few seconds,
refresh the watched sources on their schedules; the loading, fetching and embedding run in threads."""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from telegram.ext import Application

from index import Library, ReadoutsError, Watcher, load_sources

from .alerts import deliver
from .context import Context, Services

if TYPE_CHECKING:
    from index import Source

log = logging.getLogger(__name__)
WATCH_STAGGER = 5.0  # seconds between the first refreshes of the sources


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
    services.watcher = Watcher(services.library.directory, services.library.embedder)
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
    watcher, source = context.services.watcher, cast("Source", context.job.data)  # the job was made with it
    outcome = await asyncio.to_thread(watcher.refresh, source)
    log.info("%s", outcome.line())
    await reload(context.application)
