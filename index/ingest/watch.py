"""Watched sources: a TOML file of pages, feeds and listings, each refreshed into the index on its schedule.

The file holds `[[source]]` tables with `name`, `url`, `kind` ("page", "feed", "listing" or "auto",
the default) and `interval` ("30m", "2h", "1d" or seconds, from a minute to a year). `readouts watch`
and the bot share `Watcher.refresh`, one ingest of a source's URL (conditional GETs keep unchanged
pages unfetched). Each source is refreshed on its own: a slow one delays no other, and `Watcher.stop`
ends the refreshes in flight within a fraction of a second.
"""
from __future__ import annotations

import logging
import math
import queue
import re
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index import settings
from index.errors import IndexBusy, NothingToIngest, ReadoutsError
from index.urls import split_credentials, without_credentials

from .sources.web import KINDS, FetchCancelled, Fetcher, origin

if TYPE_CHECKING:
    from index.models.embed import Embedder

log = logging.getLogger(__name__)
MIN_INTERVAL = 60.0  # seconds: no source is fetched more often
MAX_INTERVAL = 365 * 86400.0  # a year: beyond, a schedule is a mistake (and overflows the clocks)
DEFAULT_INTERVAL = "1h"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FIELDS = ("name", "url", "kind", "interval")
BUSY_RETRY = 60.0  # seconds before a source whose ingest met another writer is tried again
STOP_GRACE = 0.5  # seconds `run` gives cancelled refreshes to end after Ctrl-C
# The longest the main thread waits at a time: a Ctrl-C the kernel hands to another thread (a fetch's)
# trips Python's flag but wakes no wait, so the main thread must come round to see it.
WAKE = 0.25


class SourcesInvalid(ReadoutsError):
    """A sources file that cannot be used; the message names the file, line and field."""

    exit_code = 2


@dataclass(frozen=True)
class Source:
    name: str
    url: str  # without credentials: what is shown and stored
    kind: str
    interval: float  # seconds
    userinfo: str | None = field(default=None, repr=False, compare=False)  # the URL's credentials, for its site only


def parse_interval(value: object) -> float:
    """Seconds in "30m", "2h", "1d", "45s", or a number of seconds; ValueError otherwise (nan, inf
    and numbers too large for a float included). The range is checked by the caller."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        if abs(value) > 10 ** 18:
            raise ValueError
        return float(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError
        return value
    match = re.fullmatch(r"\s*(\d{1,18}(?:\.\d{1,18})?)\s*([smhd]?)\s*", value if isinstance(value, str) else "")
    if not match:
        raise ValueError
    return float(match[1]) * UNITS[match[2] or "s"]


def load_sources(path: Path) -> list[Source]:
    """The sources a file lists, checked; SourcesInvalid says where it is wrong and how, in one line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourcesInvalid(f"cannot read the sources file {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourcesInvalid(f"{path} is not valid TOML: {' '.join(str(error).split())}") from None
    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise SourcesInvalid(f"{path}: unknown key {unknown[0]!r} at the top level; list sources as [[source]] tables")
    tables = data.get("source", [])
    if not isinstance(tables, list) or not tables:
        raise SourcesInvalid(f"{path} lists no sources: add [[source]] tables with name, url, kind and interval")
    lines = [number for number, line in enumerate(text.splitlines(), start=1)
             if re.match(r"\s*\[\[\s*source\s*\]\]", line)]
    sources: list[Source] = []
    for number, table in enumerate(tables):
        where = f"{path}, source {number + 1}" + (f" (line {lines[number]})" if number < len(lines) else "")
        if not isinstance(table, dict):
            raise SourcesInvalid(f"{where}: not a table; list sources as [[source]] tables")
        source = _source(table, where)
        if any(other.name == source.name for other in sources):
            raise SourcesInvalid(f"{where}: name {source.name!r} is used twice; each source needs its own")
        sources.append(source)
    return sources


def _source(table: dict, where: str) -> Source:
    """One [[source]] table as a Source; SourcesInvalid naming `where` and the field."""
    unknown = sorted(set(table) - set(FIELDS))
    if unknown:
        raise SourcesInvalid(f"{where}: unknown field {unknown[0]!r} (the fields are {', '.join(FIELDS)})")
    for name in ("name", "url"):
        if not isinstance(table.get(name), str) or not table[name].strip():
            raise SourcesInvalid(f"{where}: field {name!r} is missing or empty")
    url, userinfo = split_credentials(table["url"].strip())
    if not re.match(r"https?://[^/\s]+", url, re.I):
        raise SourcesInvalid(f"{where}: field 'url' must start with http:// or https://, not {_shown(url)}")
    if origin(url) is None or re.search(r"[\x00-\x20\x7f]", url):
        raise SourcesInvalid(f"{where}: field 'url' is not a valid URL: {_shown(url)}")
    kind = table.get("kind", "auto")
    if not isinstance(kind, str) or kind not in KINDS:
        raise SourcesInvalid(f"{where}: field 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    raw = table.get("interval", DEFAULT_INTERVAL)
    try:
        interval = parse_interval(raw)
    except ValueError:
        raise SourcesInvalid(f"{where}: field 'interval' must be like \"30m\", \"2h\", \"1d\" or a number of "
                             f"seconds, not {_shown(raw)}") from None
    if interval < MIN_INTERVAL:
        raise SourcesInvalid(f"{where}: field 'interval' is {_shown(raw)}; sources are fetched at most once a minute")
    if interval > MAX_INTERVAL:
        raise SourcesInvalid(f"{where}: field 'interval' is {_shown(raw)}; it must be at most a year (365d)")
    return Source(table["name"].strip(), url, kind, interval, userinfo)


def _shown(value: object) -> str:
    """A value of the file as an error message shows it: its repr, cut short, with any URL's
    credentials left out wherever it was written."""
    text = repr(without_credentials(value) if isinstance(value, str) else value)
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass(frozen=True)
class Outcome:
    """One refresh of a source, as a progress line says it."""

    source: str
    at: float  # time.time()
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failures: tuple[str, ...] = ()  # the reason of each page that failed
    error: str | None = None  # the whole refresh failed
    busy: bool = False  # because another ingest was writing the index

    @property
    def failed(self) -> bool:
        """Nothing of the source could be had: the refresh failed, or every page it tried did."""
        return self.error is not None or (bool(self.failures) and not (
            self.new or self.updated or self.unchanged or self.duplicates))

    def line(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.at))
        if self.error:
            return f"[{stamp}] {self.source}: failed ({self.error})"
        parts = [f"{self.new} new"] + ([f"{self.updated} updated"] if self.updated else [])
        parts.append(f"{self.unchanged} unchanged")
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate" + ("s" if self.duplicates > 1 else ""))
        parts.append(f"{len(self.failures)} failed")
        if self.failures:
            reasons = Counter(self.failures)
            parts[-1] += " (" + ", ".join(reason + (f" ×{n}" if n > 1 else "") for reason, n in reasons.most_common(3))
            parts[-1] += (", …" if len(reasons) > 3 else "") + ")"
        return f"[{stamp}] {self.source}: " + ", ".join(parts)


class Watcher:
    """Refreshes sources into one index directory, each on its own: refreshes of different sources
    fetch and embed side by side (their writes take turns at the index's write lock); one source is
    never refreshed twice at once. `stop` cancels the refreshes in flight."""

    def __init__(self, directory: Path, embedder: Embedder, fetcher: Callable[[], Fetcher] | None = None,
                 deadline: float | None = None, *, progress: bool = False) -> None:
        self.directory, self.embedder = directory, embedder
        self.progress = progress  # embedding progress on stderr: a bar on a terminal, lines in a log
        self.deadline = settings.fetch_seconds() if deadline is None else deadline  # checked now, not at the first refresh
        self.fetcher = fetcher or (lambda: Fetcher(deadline=self.deadline))
        self._guard = threading.Lock()
        self._refreshing: dict[str, Fetcher] = {}  # source name → the fetcher of its refresh in flight
        self._stopped = threading.Event()

    def refresh(self, source: Source) -> Outcome:
        """Ingest the source's URL (and what its feed or listing links to); never raises (a failure, a stop,
        another refresh of the same source in flight are Outcomes with an error)."""
        from .update import ingest

        with self._guard:
            if self._stopped.is_set():
                return Outcome(source.name, time.time(), error="stopped")
            if source.name in self._refreshing:
                return Outcome(source.name, time.time(), error="its previous refresh is still running", busy=True)
            fetcher = self._refreshing[source.name] = self.fetcher()
        try:
            if source.userinfo is not None:
                fetcher.authorize(source.url, source.userinfo)
            report = ingest([], self.directory, self.embedder, urls=[source.url], fetcher=fetcher,
                            kinds={source.url: source.kind}, progress=self.progress)
        except FetchCancelled:
            return Outcome(source.name, time.time(), error="stopped")
        except NothingToIngest as error:  # every page failed and the index is empty: failures all the same
            return Outcome(source.name, time.time(), failures=tuple(reason for _, reason in error.skipped))
        except ReadoutsError as error:
            return Outcome(source.name, time.time(), error=str(error), busy=isinstance(error, IndexBusy))
        except Exception as error:  # a long-running watch outlives one source's bug; the traceback is logged
            log.exception("refreshing %s failed", source.name)
            return Outcome(source.name, time.time(), error=f"{type(error).__name__}: {error}")
        finally:
            with self._guard:
                del self._refreshing[source.name]
            fetcher.close()
        duplicates = [reason for _, reason in report.skipped if reason.startswith("duplicate of")]
        failures = tuple(reason for _, reason in report.skipped if not reason.startswith("duplicate of"))
        return Outcome(source.name, time.time(), len(report.added), len(report.updated), len(report.unchanged),
                       len(duplicates), failures)

    def stop(self) -> None:
        """Cancel the refreshes in flight (their fetches end within a fraction of a second and they write
        nothing) and refuse new ones."""
        self._stopped.set()
        with self._guard:
            for fetcher in self._refreshing.values():
                fetcher.cancel()

    def run(self, sources: Sequence[Source], *, once: bool = False, report: Callable[[Outcome], None] = print,
            clock: Callable[[], float] = time.monotonic,
            sleep: Callable[[float], object] | None = None) -> list[Outcome]:
        """Refresh each source when it is due, each in a thread of its own, until `stop`; with `once`, every
        source once, reported in the file's order, and their outcomes returned. Ctrl-C (KeyboardInterrupt,
        raised in the caller's thread) stops the refreshes in flight and is raised again within a second."""
        sleep = sleep or self._wait
        by_name = {source.name: source for source in sources}
        due = {source.name: clock() for source in sources}
        running: set[str] = set()
        finished: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        done: dict[str, Outcome] = {}
        reported = 0
        try:
            while True:
                if self._stopped.is_set():
                    _drain(finished, len(running), STOP_GRACE)
                    return [done[source.name] for source in sources if source.name in done]
                for source in sources:
                    if source.name not in running and source.name not in done and due[source.name] <= clock():
                        running.add(source.name)
                        threading.Thread(target=self._refresh_into, args=(source, finished), daemon=True,
                                         name=f"readouts-watch {source.name}").start()
                if once and len(done) == len(sources):
                    return [done[source.name] for source in sources]
                if not running:
                    sleep(max(0.0, min(due.values()) - clock()))
                    continue
                waiting = [due[name] for name in due if name not in running and name not in done]
                try:
                    outcome = finished.get(timeout=min(WAKE, max(0.0, min(waiting) - clock())) if waiting else WAKE)
                except queue.Empty:
                    continue
                running.discard(outcome.source)
                if self._stopped.is_set():  # cut short by the stop: not a refresh to report
                    continue
                source = by_name[outcome.source]
                due[source.name] = clock() + (min(BUSY_RETRY, source.interval) if outcome.busy else source.interval)
                if not once:
                    report(outcome)
                    continue
                done[source.name] = outcome
                while reported < len(sources) and sources[reported].name in done:  # in the file's order
                    report(done[sources[reported].name])
                    reported += 1
        except BaseException:
            self.stop()
            _drain(finished, len(running), STOP_GRACE)
            raise

    def _wait(self, seconds: float) -> None:
        """Sleep `seconds`, or until stopped, coming round every WAKE seconds to see a Ctrl-C."""
        until = time.monotonic() + seconds
        while not self._stopped.wait(max(0.0, min(WAKE, until - time.monotonic()))) and time.monotonic() < until:
            pass

    def _refresh_into(self, source: Source, finished: queue.SimpleQueue[Outcome]) -> None:
        finished.put(self.refresh(source))


def _drain(finished: queue.SimpleQueue[Outcome], count: int, seconds: float) -> None:
    """Wait up to `seconds` for `count` cancelled refreshes to end (they write nothing once cancelled)."""
    until = time.monotonic() + seconds
    for _ in range(count):
        try:
            finished.get(timeout=max(0.0, until - time.monotonic()))
        except queue.Empty:
            return
