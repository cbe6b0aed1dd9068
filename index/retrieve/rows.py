"""The rows of an index: which document each passage row belongs to, and the filters a question's
dates and sources make of them. Filters are per document, spread to its rows."""
from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np

from index.errors import NothingMatches
from index.passage import Passage
from index.store.generations import Manifest

from .query import Query


class Rows:
    def __init__(self, manifest: Manifest) -> None:
        self.documents = manifest.documents
        self.counts = np.array([record.passages for record in self.documents], dtype=np.int64)
        self.dates = np.repeat(np.array([date.fromisoformat(record.date).toordinal() if record.date else 0
                                         for record in self.documents], dtype=np.int64), self.counts)
        first_rows = np.cumsum(self.counts) - self.counts
        self._first_row = {record.content_hash[:12]: int(row) for record, row in zip(self.documents, first_rows)}
        self.document_of_row = np.repeat(np.arange(len(self.documents)), self.counts)

    def of(self, passage: Passage) -> int:
        """The row of a passage: its document's first row plus its place in the document."""
        return self._first_row[passage.id.rpartition("-")[0]] + passage.paragraph - 1

    def of_id(self, passage_id: str) -> int | None:
        """The row a passage id names, or None when no document of the index has it."""
        document, _, number = passage_id.rpartition("-")
        first = self._first_row.get(document)
        if first is None or not number.isascii() or not number.isdigit():
            return None
        paragraph = int(number)
        count = int(self.counts[self.document_of_row[first]])
        return first + paragraph - 1 if 1 <= paragraph <= count else None

    def of_document(self, passage: Passage) -> range:
        """The rows of the passage's whole document."""
        first = self._first_row[passage.id.rpartition("-")[0]]
        return range(first, first + int(self.counts[self.document_of_row[first]]))

    def of_documents(self, paths: Collection[str]) -> np.ndarray:
        """The rows of the documents whose paths (identities) are given."""
        wanted = set(paths)
        return np.repeat(np.array([record.path in wanted for record in self.documents], dtype=bool), self.counts)

    def allowed(self, query: Query) -> np.ndarray | None:
        """The rows the question's filters leave (None: all of them); NothingMatches when none."""
        if not query.has_filters:
            return None
        allowed = np.ones(len(self.dates), dtype=bool)
        if query.start:
            allowed &= self.dates >= query.start.toordinal()
        if (end := query.published_before) is not None:
            allowed &= (self.dates > 0) & (self.dates < end.toordinal())
        if query.sources:
            wanted = [source.lower() for source in query.sources]
            chosen = [any(w in record.source.lower() for w in wanted) for record in self.documents]
            allowed &= np.repeat(np.array(chosen, dtype=bool), self.counts)
        if not allowed.any():
            raise NothingMatches(f"No readouts are {query.describe()}. {self.coverage()}", worded=query.worded)
        return allowed

    def day_after_readouts(self, month: int, day: int, today: date) -> date | None:
        """The day a question names without its year ("the October 7 attack"), read as its latest
        occurrence by `today`, when that is after the newest readout and no readout in any year is dated
        on that day: a question about what came after the readouts (else None: the day is left to the
        words, since a readout of March 5 answers "kuleba march 5" whatever its year)."""
        dated = {date.fromisoformat(record.date) for record in self.documents if record.date}
        if not dated:
            return None
        years = range(today.year, today.year - 3, -1)
        latest = next((d for y in years if (d := _day(y, month, day)) is not None and d <= today), None)
        if latest is None or latest <= max(dated) or any((d.month, d.day) == (month, day) for d in dated):
            return None
        return latest

    def coverage(self) -> str:
        """The span of dates and the sources the readouts have, for a filter that excludes them all."""
        dated = self.dates[self.dates > 0]
        sources = sorted({record.source for record in self.documents})
        span = (f"run from {_month(int(dated.min()))} to {_month(int(dated.max()))}" if dated.size else "are undated")
        shown = ", ".join(sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
        return f"The readouts {span}, from {shown}."


def _month(ordinal: int) -> str:
    """"May 2021": the month of a day, as the range of the readouts is told."""
    return date.fromordinal(ordinal).strftime("%B %Y")


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # February 29 of a common year
        return None
