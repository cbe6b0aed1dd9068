"""The one record that flows through the system: a verbatim passage and a scored hit."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Passage":
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Hit:
    """A passage returned for a question: its rank, its cosine similarity to the question, the span of
    its best-matching sentence, and near-identical passages from other documents ("also")."""

    passage: Passage
    score: float
    rank: int
    emphasis: tuple[int, int] | None = None
    also: tuple[Passage, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        data = {"rank": self.rank, "score": round(self.score, 4), **self.passage.to_json()}
        if self.also:
            data["also"] = [{"doc": p.doc, "source": p.source, "date": p.date, "url": p.url} for p in self.also]
        return data
