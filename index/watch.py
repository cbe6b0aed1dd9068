"""Watched sources: a TOML file of pages, feeds and listings, each refreshed into the index on its schedule.

The file holds `[[source]]` tables with `name`, `url`, `kind` ("page", "feed", "listing" or "auto",
the default) and `interval` ("30m", "2h", "1d" or seconds). `readouts watch` and the bot share
`Watcher.refresh`, one ingest of a source's URL (conditional GETs keep unchanged pages unfetched).
"""
from __future__ import annotations

import re
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import IndexBusy, ReadoutsError
from .sources.web import KINDS, Fetcher

if TYPE_CHECKING:
    from .embed import Embedder

MIN_INTERVAL = 60.0  # seconds: no source is fetched more often
DEFAULT_INTERVAL = "1h"
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
FIELDS = ("name", "url", "kind", "interval")
BUSY_RETRY = 60.0  # seconds before a source whose ingest met another writer is tried again


class SourcesInvalid(ReadoutsError):
    """A sources file that cannot be used; the message names the file, line and field."""

    exit_code = 2


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    kind: str
    interval: float  # seconds


def parse_interval(value: object) -> float:
    """Seconds in "30m", "2h", "1d", "45s", or a number of seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float)):
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value if isinstance(value, str) else "")
    if not match:
        raise ValueError
    return float(match[1]) * UNITS[match[2] or "s"]


def load_sources(path: Path) -> list[Source]:
    """The sources a file lists, checked; SourcesInvalid says where it is wrong and how."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SourcesInvalid(f"cannot read the sources file {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SourcesInvalid(f"{path} is not valid TOML: {error}") from None
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
    url = table["url"].strip()
    if not re.match(r"https?://[^/\s]+", url):
        raise SourcesInvalid(f"{where}: field 'url' must start with http:// or https://, not {url!r}")
    kind = table.get("kind", "auto")
    if kind not in KINDS:
        raise SourcesInvalid(f"{where}: field 'kind' must be one of {', '.join(KINDS)}, not {kind!r}")
    raw = table.get("interval", DEFAULT_INTERVAL)
    try:
        interval = parse_interval(raw)
    except ValueError:
        raise SourcesInvalid(f"{where}: field 'interval' must be like \"30m\", \"2h\", \"1d\" or a number of "
                             f"seconds, not {raw!r}") from None
    if interval < MIN_INTERVAL:
        raise SourcesInvalid(f"{where}: field 'interval' is {raw!r}; sources are fetched at most once a minute")
    return Source(table["name"].strip(), url, kind, interval)


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
    """Refreshes sources into one index directory, one ingest at a time."""

    def __init__(self, directory: Path, embedder: Embedder, fetcher: Callable[[], Fetcher] = Fetcher) -> None:
        self.directory, self.embedder, self.fetcher = directory, embedder, fetcher
        self._one_at_a_time = threading.Lock()

    def refresh(self, source: Source) -> Outcome:
        """Ingest the source's URL (and what its feed or listing links to); never raises a ReadoutsError."""
        from .ingest import ingest

        with self._one_at_a_time:
            fetcher = self.fetcher()
            try:
                report = ingest([], self.directory, self.embedder, urls=[source.url], fetcher=fetcher,
                                kinds={source.url: source.kind})
            except ReadoutsError as error:
                return Outcome(source.name, time.time(), error=str(error), busy=isinstance(error, IndexBusy))
            finally:
                fetcher.close()
        duplicates = [reason for _, reason in report.skipped if reason.startswith("duplicate of")]
        failures = tuple(reason for _, reason in report.skipped if not reason.startswith("duplicate of"))
        return Outcome(source.name, time.time(), len(report.added), len(report.updated), len(report.unchanged),
                       len(duplicates), failures)

    def run(self, sources: Sequence[Source], *, once: bool = False, report: Callable[[Outcome], None] = print,
            clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        """Refresh each source when it is due, for ever (Ctrl-C stops it between or during refreshes);
        with `once`, every source once, then return."""
        due = {source.name: clock() for source in sources}
        while True:
            for source in sources:
                if clock() < due[source.name]:
                    continue
                outcome = self.refresh(source)
                report(outcome)
                due[source.name] = clock() + (min(BUSY_RETRY, source.interval) if outcome.busy else source.interval)
            if once:
                return
            sleep(max(0.0, min(due.values()) - clock()))
