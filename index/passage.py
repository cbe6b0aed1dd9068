"""The one record that flows through the system: a verbatim passage and a scored hit."""
from __future__ import annotations

import functools
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from typing import Any

from .text.elisions import joined
from .urls import without_credentials

# Names what `Passage.embedding_text` feeds the model; stored vectors are reused only under the same recipe.
EMBEDDING_RECIPE = "title+text/1"


@functools.lru_cache(maxsize=4096)  # readouts share dates; strftime showed in the bot's profile
def _date_words(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%B %-d, %Y") if iso else ""


@functools.lru_cache(maxsize=8192)  # BM25's text of a passage is read several times for each question
def _elided(text: str) -> str:
    """A last line of the text's words with an inner apostrophe, joined (elisions.py), or nothing."""
    words = joined(text)
    return f"\n{' '.join(words)}" if words else ""


@dataclass(frozen=True)
class Passage:
    """A paragraph of a readout, quoted verbatim, with what is needed to cite it."""

    id: str
    doc: str  # the file's base name
    text: str  # an exact substring of the document as read
    title: str
    source: str
    date: str | None  # ISO YYYY-MM-DD, or None when the text gives no full date
    url: str | None
    paragraph: int  # 1-based position of the passage within its document
    # Who speaks, as the transcript labels the turn ("Foreign Minister Baerbock (via interpreter)",
    # "Question (CCTV)"; turns.py); None in a narrative readout. Not embedded: vectors stay reusable.
    speaker: str | None = None
    # The short lines just before the paragraph, not quoted, joined by " · " ("Antony J. Blinken,
    # Secretary of State · Rzeszow, Poland · Hotel Bristol"): shown with a first paragraph, and searched
    # for the words no passage's own text holds (Lexical.build); never embedded.
    heading: str | None = None

    @property
    def cited_heading(self) -> str | None:
        """The heading shown where the passage is cited: a first paragraph's (a transcript's byline,
        place and venue); above a later paragraph the short lines are turns or sign-offs, no place."""
        return self.heading if self.paragraph == 1 else None

    def __post_init__(self) -> None:
        if self.url and "@" in self.url:  # credentials are never shown, cited or stored (urls.py)
            object.__setattr__(self, "url", without_credentials(self.url))

    @property
    def embedding_text(self) -> str:
        """What the dense model reads: the title gives a paragraph the context its document holds
        (who met whom, about what), which the paragraph alone often omits."""
        return f"{self.title}\n{self.text}"

    @property
    def lexical_text(self) -> str:
        """What BM25 indexes: title, the date in words (so "March 2022" matches) and the text, then the
        words written with an inner apostrophe as readers type them ("Sana’a" as "Sanaa"; elisions.py)."""
        text = f"{self.title}\n{_date_words(self.date)}\n{self.text}"
        return text + _elided(text)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}  # asdict() is 5x slower

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        """A passage from its JSON line; a field with a default may be missing (an index written before
        passages had a `speaker` loads with none)."""
        return cls(**{name: data[name] for name in _FIELDS if name in data or name in _REQUIRED})


_FIELDS = tuple(Passage.__dataclass_fields__)
_REQUIRED = frozenset(f.name for f in fields(Passage) if f.default is MISSING and f.default_factory is MISSING)


@dataclass(frozen=True)
class Hit:
    """A passage returned for a question: its rank, its cosine similarity to the question, the span of
    its best-matching sentence, near-identical passages from other documents ("also"), its
    relevance: how far its strongest evidence clears the bar of the strategy that ranked it (at least
    0: close enough to quote; ranking.py), and its `link`: the url with a text fragment that scrolls
    to the quoted words (citation.py), once the answer policy has made it."""

    passage: Passage
    score: float
    rank: int
    emphasis: tuple[int, int] | None = None
    also: tuple[Passage, ...] = field(default=())
    relevance: float = 0.0
    link: str | None = None

    def best_sentence(self) -> str:
        """The sentence that stands for the passage in one line: the emphasised one when marked, else
        the first (abbreviations such as "U.S." do not end it)."""
        from .text.sentences import sentence_spans
        from .text.turns import without_label

        text = self.passage.text
        spans = [self.emphasis] if self.emphasis else sentence_spans(text, 0, len(text))
        a, b = spans[0] if spans else (0, len(text))
        sentence = text[a:b].strip()
        return without_label(sentence) if self.passage.speaker else sentence  # the speaker is shown beside it

    def to_json(self) -> dict[str, Any]:
        data = {"rank": self.rank, "score": round(self.score, 4), "relevance": round(self.relevance, 4),
                **self.passage.to_json()}
        if self.link:
            data["link"] = self.link
        if self.also:
            data["also"] = [{"doc": p.doc, "source": p.source, "date": p.date, "url": p.url} for p in self.also]
        return data
