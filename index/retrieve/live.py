"""An index that follows its directory: the live generation's retriever, swapped for a newer one when
CURRENT names another generation, without failing a search in flight."""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.errors import ReadoutsError
from index.models.embed import Embedder
from index.store import generations as store
from index.store.generations import Manifest

from .search import Retriever, embedder_of

log = logging.getLogger(__name__)
CHECK_EVERY = 5.0  # seconds between looks at CURRENT, for `refresh_if_due`


@dataclass(frozen=True)
class Change:
    """A reload: the generation before and after, and the documents (paths) new or changed in between."""

    before: str
    after: str
    documents: tuple[str, ...]
    document_count: int
    passage_count: int


def changed_documents(before: Manifest, after: Manifest) -> tuple[str, ...]:
    """Paths of the documents whose records are new in `after`, or differ from those in `before`."""
    old = {record.path: record for record in before.documents}
    return tuple(record.path for record in after.documents if old.get(record.path) != record)


class Library:
    """A directory's live generation, as snapshots: the answer policy takes one per answer (`snapshot`)
    and reads everything from it.

    `refresh` loads a newer generation and swaps it in; a retriever swapped out is closed (its reader
    lock let go) when the last snapshot that was using it ends."""

    def __init__(self, directory: Path, embedder: Embedder | None = None, *, check_every: float = CHECK_EVERY) -> None:
        self.directory = directory
        self.check_every = check_every
        index = store.load(directory)
        try:
            self._retriever = Retriever(index, embedder)
        except BaseException:
            index.close()
            raise
        self._users: dict[int, int] = {}  # id of a retriever -> snapshots of it open now
        self._retired: dict[int, Retriever] = {}  # swapped out, closed when no longer used
        self._state = threading.Lock()
        self._loading = threading.Lock()
        self._checked = time.monotonic()
        self._failed: str | None = None  # a generation that would not load: not tried again

    @property
    def generation(self) -> str:
        return self._retriever.index.generation

    @property
    def embedder(self) -> Embedder:
        return self._retriever.embedder

    @contextmanager
    def snapshot(self) -> Iterator[Retriever]:
        """The retriever of the generation live now, for one answer: everything done with it in the
        block reads that generation, whose files stay open (its reader lock held) until the block ends
        even if a refresh swaps in a newer one meanwhile."""
        with self._state:
            retriever = self._retriever
            self._users[id(retriever)] = self._users.get(id(retriever), 0) + 1
        try:
            yield retriever
        finally:
            with self._state:
                self._users[id(retriever)] -= 1
                done = not self._users[id(retriever)]
                if done:
                    del self._users[id(retriever)]
                retired = self._retired.pop(id(retriever), None) if done else None
            if retired is not None:
                retired.index.close()

    def refresh(self) -> Change | None:
        """Swap in the live generation if CURRENT names a new one; the change, or None. Raises the
        ReadoutsError of a generation that cannot be used (the current one stays)."""
        with self._loading:
            self._checked = time.monotonic()
            name = store.live_generation(self.directory)
            if name is None or name in (self.generation, self._failed):
                return None
            try:
                index = store.load(self.directory)
            except ReadoutsError:
                self._failed = name
                raise
            if index.generation == self.generation:
                index.close()
                return None
            try:
                embedder = self.embedder if index.manifest.model == self.embedder.name else embedder_of(index)
                retriever = Retriever(index, embedder)
            except BaseException:
                self._failed = index.generation
                index.close()
                raise
            old = self._retriever
            with self._state:
                self._retriever = retriever
                in_use = id(old) in self._users
                if in_use:
                    self._retired[id(old)] = old
            if not in_use:
                old.index.close()
            manifest = index.manifest
            change = Change(old.index.generation, index.generation, changed_documents(old.index.manifest, manifest),
                            len(manifest.documents), manifest.passage_count)
            log.info("now answering from %s: %d readouts, %d passages (%d new or changed)", index.generation,
                     change.document_count, change.passage_count, len(change.documents))
            return change

    def refresh_if_due(self) -> Change | None:
        """`refresh`, when `check_every` seconds have passed since the last look; a generation that
        cannot be used is logged and the current one kept."""
        if time.monotonic() - self._checked < self.check_every:
            return None
        try:
            return self.refresh()
        except ReadoutsError as error:
            log.warning("kept %s: the new generation cannot be used (%s)", self.generation, error)
            return None

    def close(self) -> None:
        """Let the current generation go (searches after this fail)."""
        self._retriever.index.close()
