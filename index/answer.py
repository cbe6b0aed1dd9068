"""The one answer policy, for ask, chat, the bot and eval alike: what a question is searched as
(cut once, a date said in words retried without it), which passages are quoted, and the best
sentence of each marked."""
from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from .errors import BadQuery, NothingMatches
from .passage import Hit, Passage
from .query import asked_years, speaks_of
from .ranking import Method, relevant
from .search import MAX_QUERY_CHARS, readable
from .spelling import Spelling
from .spelling import notice as spelling_notice
from .store import DocumentRecord


class Retrieval(Protocol):
    """What the answer policy needs of a retriever (search.Retriever, or a test's stand-in)."""

    @property
    def model(self) -> str: ...

    @property
    def passage_count(self) -> int: ...

    def search(self, question: str, k: int = 5, *, method: Method = "hybrid", word_dates: bool = True,
               within: Collection[str] | None = None) -> list[Hit]: ...

    def emphasise(self, question: str, hits: list[Hit]) -> list[Hit]: ...

    def documents(self) -> list[DocumentRecord]: ...

    def context(self, passage: Passage, around: int = 1) -> list[Passage]: ...

    def missing(self, question: str) -> list[str]: ...

    def spelling(self, question: str) -> Spelling: ...

    def passage(self, passage_id: str) -> Passage | None: ...

    def document(self, passage: Passage) -> list[Passage]: ...


@dataclass(frozen=True)
class Answer:
    """A question as searched, the passages the policy quotes (`hits`), and what the user should know:
    a `notice` on how the question was read. `ranked` is everything the search returned, best first."""

    question: str
    hits: tuple[Hit, ...]
    notice: str | None = None
    ranked: tuple[Hit, ...] = field(default=(), repr=False)
    related: tuple[Hit, ...] = ()  # nearest passages, shown as related, not as the answer
    missing: tuple[str, ...] = ()  # the question's names or terms that no readout holds
    corrections: tuple[tuple[str, str], ...] = ()  # question words searched as the readouts spell them

    @property
    def answered(self) -> bool:
        return bool(self.hits)

    found = answered

    def to_json(self) -> dict:
        """`results`: what the policy quotes, then the related passages marked `"related": true`."""
        return {"query": self.question, "answered": self.answered, "missing": list(self.missing),
                "corrections": dict(self.corrections), "note": self.notice, "results": [hit.to_json() for hit in self.hits]
                + [{**hit.to_json(), "related": True} for hit in self.related]}


class Answerer:
    """The policy over one retriever: quote the passages relevant enough (ranking.relevant), unless
    the question names someone or something no readout mentions (coverage.py): then say so, and
    show the nearest passages as related only. `min_score`, when given, is the cosine a
    same-language passage must reach instead of the embedder's own bar (bars across scripts move
    with it)."""

    def __init__(self, retriever: Retrieval, *, max_results: int = 15, min_score: float | None = None,
                 first_page: int = 3) -> None:
        self.retriever = retriever
        self.max_results = max_results
        embedder = getattr(retriever, "embedder", None)
        self.shift = 0.0 if min_score is None or embedder is None else min_score - embedder.min_similarity
        self.first_page = first_page

    def answer(self, text: str, k: int | None = None, *, method: Method = "hybrid", emphasis: bool = True,
               within: Collection[str] | None = None) -> Answer:
        """Search for `text` and keep what is worth quoting. Raises BadQuery when there is nothing to
        search for, NothingMatches when its filters (dates, sources) exclude every readout. A date said
        in words that excludes them all may date the event asked about, not the readout ("what will
        Sweden chair in 2023?"): then every readout is searched, with a notice that says so. `within`
        limits the search to those documents (paths): an alert's look at what has just arrived."""
        question, notice = self.cut(text)
        spelling = self.retriever.spelling(question)
        question, notice = spelling.text, " ".join(filter(None, [notice, spelling_notice(spelling)])) or None
        options = {"method": method} if within is None else {"method": method, "within": within}
        try:
            hits = self.retriever.search(question, k or self.max_results, **options)
        except NothingMatches as error:
            if not error.worded:
                raise
            hits = self.retriever.search(question, k or self.max_results, word_dates=False, **options)
            notice = " ".join(filter(None, [notice, f"{error} So I searched them all for your words."]))
            years = asked_years(question)
        else:
            years = ()
        quoted = tuple(hit for hit in hits if relevant(hit, self.shift))
        absent = tuple(self.retriever.missing(question))
        if absent:  # no readout names what is asked about: the nearest passages are only related
            return Answer(question, (), notice, tuple(hits), related=quoted[: self.first_page], missing=absent,
                          corrections=spelling.corrections)
        if years:  # asked about years no readout is dated in: only a passage that speaks of them answers
            dated = tuple(hit for hit in quoted if speaks_of(hit.passage, years))
            if not dated:
                return Answer(question, (), notice, tuple(hits), related=quoted[: self.first_page],
                              corrections=spelling.corrections)
            quoted = dated
        answer = Answer(question, quoted, notice, tuple(hits), corrections=spelling.corrections)
        return self.emphasised(answer, range(min(self.first_page, len(quoted)))) if emphasis else answer

    @staticmethod
    def cut(text: str) -> tuple[str, str | None]:
        """The question as searched: readable, and no longer than MAX_QUERY_CHARS (cut between words,
        with a notice)."""
        question = readable(text).strip()
        if not question:
            raise BadQuery("Send me a question in words, e.g. “What did China say about the Fukushima water release?”")
        if len(question) <= MAX_QUERY_CHARS:
            return question, None
        question = question[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        return question, f"Your message is long, so I searched with its first {len(question):,} characters."

    def emphasised(self, answer: Answer, shown: range) -> Answer:
        """Mark the best sentence in the hits about to be shown (it costs an embedding per sentence,
        so later pages pay for it only when asked for), and link them to their quoted words."""
        answer = self.linked(answer, shown)
        todo = [i for i in shown if answer.hits[i].emphasis is None]
        if not todo:
            return answer
        marked = self.retriever.emphasise(answer.question, [answer.hits[i] for i in todo])
        hits = list(answer.hits)
        for i, hit in zip(todo, marked):
            hits[i] = hit
        return dataclasses.replace(answer, hits=tuple(hits))

    def linked(self, answer: Answer, shown: range) -> Answer:
        """The hits about to be shown, each with the link to its quoted words (citation.passage_link)
        when its readout has a url."""
        from .citation import passage_link

        todo = [i for i in shown if answer.hits[i].link is None and answer.hits[i].passage.url]
        if not todo:
            return answer
        hits = list(answer.hits)
        for i in todo:
            passage = hits[i].passage
            hits[i] = dataclasses.replace(hits[i], link=passage_link(passage, self.retriever.document(passage)))
        return dataclasses.replace(answer, hits=tuple(hits))
