"""Progress of a long step (embedding an ingest's passages): a tqdm bar when stderr is a terminal,
else a plain line every few seconds (READOUTS_PROGRESS_SECONDS) for a log or a service, which a bar
would fill with carriage returns or leave silent; lines go to a redirected stdout as well."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol, TextIO

from . import settings

Done = Callable[[Sequence[int]], object]  # told the positions of texts just embedded (Embedder.embed)


class Tracker(Protocol):
    def update(self, n: int = 1, *, documents: int = 0) -> object: ...

    def close(self) -> None: ...


class _Silent:
    def update(self, n: int = 1, *, documents: int = 0) -> None:
        pass

    def close(self) -> None:
        pass


class ProgressLines:
    """`done/total` of `unit`s (and of the documents they belong to, when counted), their rate and the
    time left, as a line on `stream` at most every `interval` seconds and once at the end; safe to update
    from several threads (onnx_model.run_many)."""

    def __init__(self, total: int, desc: str, unit: str, interval: float, stream: TextIO, *,
                 documents: int = 0) -> None:
        self.total, self.desc, self.unit, self.interval, self.stream = total, desc, unit, interval, stream
        self.documents = documents
        self.done = self.documents_done = 0
        self.start = self.last = time.monotonic()
        self._lock = threading.Lock()

    def update(self, n: int = 1, *, documents: int = 0) -> None:
        with self._lock:
            self.done = min(self.total, self.done + n)
            self.documents_done = min(self.documents, self.documents_done + documents)
            now = time.monotonic()
            if now - self.last >= self.interval and self.done < self.total:
                self.last = now
                self._write(now)

    def close(self) -> None:
        with self._lock:
            self._write(time.monotonic())

    def line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        rate = self.done / elapsed
        left = f"about {(self.total - self.done) / rate:,.0f} s left" if rate and self.done < self.total else (
            f"done in {elapsed:,.1f} s" if self.done >= self.total else "time left unknown")
        units = (f"{self.done:,}/{self.total:,} {self.unit}s ({100 * self.done // max(self.total, 1)}%)")
        if self.documents:
            return (f"{self.desc}: {self.documents_done:,}/{self.documents:,} documents, {units}, "
                    f"{rate:,.1f} {self.unit}s/s, {self.documents - self.documents_done:,} documents left, {left}")
        return f"{self.desc}: {units}, {rate:,.1f} {self.unit}s/s, {self.total - self.done:,} left, {left}"

    def _write(self, now: float) -> None:
        print(self.line(now), file=self.stream, flush=True)


class _Bar:
    """A tqdm bar of `unit`s for a terminal, its postfix counting the documents done when they are counted."""

    def __init__(self, total: int, desc: str, unit: str, documents: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=desc, unit=unit)
        self.documents, self.documents_done = documents, 0

    def update(self, n: int = 1, *, documents: int = 0) -> None:
        if documents:
            self.documents_done = min(self.documents, self.documents_done + documents)
            self.bar.set_postfix_str(f"{self.documents_done:,}/{self.documents:,} documents", refresh=False)
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


class _Both:
    """A bar for the person at the terminal and lines for the log their output goes to."""

    def __init__(self, *trackers: Tracker) -> None:
        self.trackers = trackers

    def update(self, n: int = 1, *, documents: int = 0) -> None:
        for each in self.trackers:
            each.update(n, documents=documents)

    def close(self) -> None:
        for each in self.trackers:
            each.close()


def tracker(total: int, desc: str, *, unit: str = "passage", enabled: bool = True, documents: int = 0) -> Tracker:
    """A tqdm bar on a terminal's stderr, progress lines on any other stderr, nothing when not `enabled`;
    when stderr is a terminal but stdout is not (`readouts ingest … > log`), the bar and lines in the log
    too. With `documents`, each also counts the documents done."""
    if not enabled or total <= 0:
        return _Silent()
    interval = settings.progress_seconds(os.environ)
    if not sys.stderr.isatty():
        return ProgressLines(total, desc, unit, interval, sys.stderr, documents=documents)
    bar = _Bar(total, desc, unit, documents)
    if sys.stdout.isatty():
        return bar
    return _Both(bar, ProgressLines(total, desc, unit, interval, sys.stdout, documents=documents))


class DocumentsDone:
    """Counts the documents whose new texts are all embedded, as the model reports the texts it has
    done (`done`, an Embedder.embed callback), and shows both on `tracker`: the counts a log of a long
    ingest needs. `holders[i]` are the documents holding text i (a text shared by two is embedded once)."""

    def __init__(self, holders: Sequence[Sequence[int]], documents: int, progress: Tracker) -> None:
        self.holders, self.progress = holders, progress
        self.waiting = [0] * documents
        for held_by in holders:
            for document in held_by:
                self.waiting[document] += 1
        self._lock = threading.Lock()
        progress.update(0, documents=self.waiting.count(0))  # nothing new to embed: done already

    def done(self, texts: Sequence[int]) -> None:
        finished = 0
        with self._lock:
            for text in texts:
                for document in self.holders[text]:
                    self.waiting[document] -= 1
                    finished += self.waiting[document] == 0
        self.progress.update(len(texts), documents=finished)
