"""Building answers from the retriever: shared by the Telegram bot and the terminal chat."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

from index.errors import BadQuery, NothingMatches
from index.passage import Hit, Passage
from index.search import answerable

MAX_QUESTION_CHARS = 1000


class Retrieval(Protocol):
    """What the bot needs from the index package; it knows nothing of how search is done."""

    model: str
    passage_count: int
    min_similarity: float
    cross_lingual_min_similarity: float | None

    def search(self, query: str, k: int = 5, *, word_dates: bool = True) -> list[Hit]: ...

    def emphasise(self, query: str, hits: list[Hit]) -> list[Hit]: ...

    def documents(self) -> list: ...

    def context(self, passage: Passage, around: int = 1) -> list[Passage]: ...


@dataclass(frozen=True)
class Answer:
    question: str
    hits: tuple[Hit, ...]  # only hits scoring at least the threshold
    notice: str | None = None  # something the user should know about how the question was read

    @property
    def found(self) -> bool:
        return bool(self.hits)


class Answerer:
    def __init__(self, retriever: Retrieval, *, max_results: int = 15, min_score: float | None = None,
                 first_page: int = 3) -> None:
        self.retriever = retriever
        self.max_results = max_results
        self.min_score = retriever.min_similarity if min_score is None else min_score
        self.cross_lingual_min_score = retriever.cross_lingual_min_similarity if min_score is None else None
        self.first_page = first_page

    def answer(self, text: str) -> Answer:
        """Search for `text`; raises BadQuery when there is nothing to search for, NothingMatches when its
        filters (dates, sources) exclude every readout. A date said in words that excludes them all
        may date the event asked about, not the readout ("what will Sweden chair in 2023?"): then
        every readout is searched, with a notice that says so."""
        question = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
        if not question:
            raise BadQuery("Send me a question in words, e.g. “What did China say about the Fukushima water release?”")
        notice = None
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]
            notice = f"Your message is long, so I searched with its first {len(question):,} characters."
        try:
            hits = self.retriever.search(question, self.max_results)
        except NothingMatches as error:
            if not error.worded:
                raise
            hits = self.retriever.search(question, self.max_results, word_dates=False)
            notice = " ".join(filter(None, [notice, f"{error} So I searched them all for your words."]))
        relevant = tuple(answerable(question, hits, self.min_score, self.cross_lingual_min_score))
        return self.emphasised(Answer(question, relevant, notice), range(min(self.first_page, len(relevant))))

    def emphasised(self, answer: Answer, shown: range) -> Answer:
        """Mark the best sentence in the hits about to be shown (it costs an embedding per sentence,
        so later pages pay for it only when asked for)."""
        todo = [i for i in shown if answer.hits[i].emphasis is None]
        if not todo:
            return answer
        marked = self.retriever.emphasise(answer.question, [answer.hits[i] for i in todo])
        hits = list(answer.hits)
        for i, hit in zip(todo, marked):
            hits[i] = hit
        return dataclasses.replace(answer, hits=tuple(hits))
