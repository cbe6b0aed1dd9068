"""The one answer policy, for ask, chat, the bot and eval alike. A question is read once (a Query) and
answered from one snapshot of the index: spelled as the readouts spell it, searched (a date said in
words retried without it), its coverage judged, the passages worth quoting kept, and the best sentence
of each marked and linked, all from the same generation."""
from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from index.errors import BadQuery, NothingMatches
from index.passage import Hit, Passage
from index.retrieve.live import Library
from index.retrieve.query import Query, asked_years, speaks_of, speaks_of_months
from index.retrieve.ranking import Method, relevant
from index.retrieve.search import MAX_QUERY_CHARS, Retriever, readable
from index.retrieve.spelling import notice as spelling_notice


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
    generation: str | None = None  # the index generation it was answered from

    @property
    def answered(self) -> bool:
        return bool(self.hits)

    found = answered

    def to_json(self) -> dict:
        """`results`: what the policy quotes, then the related passages marked `"related": true`."""
        return {"query": self.question, "answered": self.answered, "missing": list(self.missing),
                "corrections": dict(self.corrections), "note": self.notice, "results": [hit.to_json() for hit in self.hits]
                + [{**hit.to_json(), "related": True} for hit in self.related]}


TIMELINE_POOL = 60  # passages a timeline chooses its readouts from: an answer's first pages and more
# A question nothing clears the bar for still shows, as related and not as an answer, the passages that
# came within this much of it (relevance, in the cosine's units): a paraphrase's answer often lies just
# under the bar, an off-topic question's nearest passages far below it (docs/quality-chat.md).
NEAR_MISS = 0.1


def quotable(hits: Sequence[Hit], shift: float = 0.0) -> tuple[Hit, ...]:
    """The hits worth quoting: those relevant at `shift`, and every hit ranked above the first of them.
    The answer never passes over a passage the ranking put first to quote one it put lower."""
    first = next((at for at, hit in enumerate(hits) if relevant(hit, shift)), None)
    if first is None:
        return ()
    return tuple(hits[:first]) + tuple(hit for hit in hits[first:] if relevant(hit, shift))


class Answerer:
    """The policy over an index: quote the passages relevant enough (ranking.relevant) and those ranked
    above them (quotable), unless the question names someone or something no readout mentions
    (coverage.py): then say so, and show the
    nearest passages as related only; when nothing is close enough to quote, the passages within
    NEAR_MISS of the bar are shown as related too. `library` is what it takes snapshots of: a
    live.Library that follows its directory, or a Retriever over one generation. `min_score`, when given, is the cosine
    a same-language passage must reach instead of the embedder's own bar (bars across scripts move
    with it)."""

    def __init__(self, library: Library | Retriever, *, max_results: int = 15, min_score: float | None = None,
                 first_page: int = 3) -> None:
        self.library = library
        self.max_results = max_results
        self.shift = 0.0 if min_score is None else min_score - library.embedder.min_similarity
        self.first_page = first_page

    def answer(self, text: str, k: int | None = None, *, method: Method = "hybrid", emphasis: bool = True,
               within: Collection[str] | None = None) -> Answer:
        """Search for `text` and keep what is worth quoting, all from one snapshot of the index. Raises
        BadQuery when there is nothing to search for, NothingMatches when its filters (dates, sources)
        exclude every readout. A date said in words that excludes them all may date the event asked
        about, not the readout ("what will Sweden chair in 2023?"): then every readout is searched, with
        a notice that says so. `within` limits the search to those documents (paths): an alert's look
        at what has just arrived."""
        question, notice = self.cut(text)
        with self.library.snapshot() as snapshot:
            spelling = snapshot.spelling(question)
            question, notice = spelling.text, " ".join(filter(None, [notice, spelling_notice(spelling)])) or None
            query = snapshot.parse(question)
            try:
                hits = snapshot.find(query, k or self.max_results, method=method, within=within)
            except NothingMatches as error:
                if not error.worded:
                    raise
                hits = snapshot.find(query.without_word_dates(), k or self.max_results, method=method, within=within)
                searched_all = True
                notice = " ".join(filter(None, [notice, f"{error} So I searched them all for your words."]))
                years = asked_years(question)
                months = ((query.start, query.end) if query.start and query.end and (query.end - query.start).days < 365
                          else None)  # a month or a season: a readout of that year may not speak of it
            else:
                years, months, searched_all = (), None, False
            quoted = quotable(hits, self.shift)
            if not quoted and query.has_dates and not searched_all:
                hits, quoted, notice = self._undated(snapshot, query, k, method, within, hits, notice)
            absent = tuple(snapshot.missing(query))
            if absent:  # no readout names what is asked about: the nearest passages are only related
                return Answer(question, (), notice, tuple(hits), related=quoted[: self.first_page], missing=absent,
                              corrections=spelling.corrections, generation=snapshot.generation)
            if years or months:  # asked about a time no readout is dated in: only a passage that speaks of it answers
                dated = tuple(hit for hit in quoted if (speaks_of_months(hit.passage, *months) if months
                                                        else speaks_of(hit.passage, years)))
                if not dated:
                    return Answer(question, (), notice, tuple(hits), related=quoted[: self.first_page],
                                  corrections=spelling.corrections, generation=snapshot.generation)
                quoted = dated
            if not quoted:  # nothing to quote: the passages that came near are shown as related only
                near = tuple(hit for hit in hits if relevant(hit, self.shift - NEAR_MISS))
                return Answer(question, (), notice, tuple(hits), related=near[: self.first_page],
                              corrections=spelling.corrections, generation=snapshot.generation)
            answer = Answer(question, quoted, notice, tuple(hits), corrections=spelling.corrections,
                            generation=snapshot.generation)
            if not emphasis:
                return answer
            return self._emphasised(snapshot, answer, range(min(self.first_page, len(quoted))), query)

    def _undated(self, snapshot: Retriever, query: Query, k: int | None, method: Method,
                 within: Collection[str] | None, hits: list[Hit], notice: str | None,
                 ) -> tuple[list[Hit], tuple[Hit, ...], str | None]:
        """A dated question that no dated readout in range answers, searched in the readouts that give
        no date (no date filter can place them): their hits, what to quote and a notice saying so when
        they answer, else the hits as they were and nothing to quote."""
        undated = [path for path in snapshot.undated() if within is None or path in within]
        found = snapshot.find(query.without_dates(), k or self.max_results, method=method, within=undated) if undated else []
        quoted = quotable(found, self.shift)
        if not quoted:
            return hits, (), notice
        said = f"No readout {query.describe()} answers this; these readouts give no date."
        return found, quoted, " ".join(filter(None, [notice, said]))

    def timeline(self, text: str, k: int, *, pool: int = TIMELINE_POOL) -> Answer:
        """The passages that answer `text` traced over time: of the best `pool`, each readout's best
        passage, oldest first; when more than `k` readouts, `k` of them spread evenly over that order,
        the oldest and the newest kept, so that a timeline spans the readouts' years, not the best few."""
        answer = self.answer(text, pool, emphasis=False)
        best: dict[str, Hit] = {}
        for hit in answer.hits:
            best.setdefault(hit.passage.doc, hit)
        dated = sorted(best.values(), key=lambda h: (h.passage.date is None, h.passage.date or "", h.passage.doc))
        if len(dated) > k > 1:
            dated = [dated[round(i * (len(dated) - 1) / (k - 1))] for i in range(k)]
        return dataclasses.replace(answer, hits=tuple(dated[:k]))

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
        so later pages pay for it only when asked for), and link them to their quoted words, from a
        snapshot of the index as it is now."""
        with self.library.snapshot() as snapshot:
            return self._emphasised(snapshot, answer, shown)

    def linked(self, answer: Answer, shown: range) -> Answer:
        """The hits about to be shown, each with the link to its quoted words (`link`) when its
        readout has a url, from a snapshot of the index as it is now."""
        with self.library.snapshot() as snapshot:
            return self._linked(snapshot, answer, shown)

    def _emphasised(self, snapshot: Retriever, answer: Answer, shown: range, query: Query | None = None) -> Answer:
        answer = self._linked(snapshot, answer, shown)
        todo = [i for i in shown if answer.hits[i].emphasis is None]
        if not todo:
            return answer
        marked = snapshot.emphasise(query or snapshot.parse(answer.question), [answer.hits[i] for i in todo])
        hits = list(answer.hits)
        for i, hit in zip(todo, marked):
            hits[i] = hit
        return dataclasses.replace(answer, hits=tuple(hits))

    def _linked(self, snapshot: Retriever, answer: Answer, shown: range) -> Answer:
        todo = [i for i in shown if answer.hits[i].link is None and answer.hits[i].passage.url]
        if not todo:
            return answer
        hits = list(answer.hits)
        for i in todo:
            hits[i] = dataclasses.replace(hits[i], link=self.link(hits[i].passage, snapshot))
        return dataclasses.replace(answer, hits=tuple(hits))

    def link(self, passage: Passage, snapshot: Retriever | None = None) -> str | None:
        """The link to the passage's quoted words on its readout's page (citation.passage_link), made
        unique within its readout as `snapshot` (else a snapshot of its own) holds it; None without a
        url. A passage read from an earlier generation whose readout has changed or left since (an
        answer's later page, a button, after a reload) is linked by its own words alone."""
        from .citation import passage_link

        if not passage.url:
            return None
        taken: AbstractContextManager[Retriever] = (nullcontext(snapshot) if snapshot is not None
                                                    else self.library.snapshot())
        with taken as reading:
            held = reading.passage(passage.id) is not None
            return passage_link(passage, reading.document(passage) if held else ())
