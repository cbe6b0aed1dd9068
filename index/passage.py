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
    """A passage returned for a question, with its rank and similarity score."""

    passage: Passage
    score: float
    rank: int
    emphasis: tuple[int, int] | None = field(default=None)  # span of the best sentence in text

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "score": round(self.score, 4), **self.passage.to_json()}
