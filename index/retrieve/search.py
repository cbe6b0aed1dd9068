"""The retriever: a question in, ranked passages out. One pipeline: parse → filter → candidates →
rank (a strategy chosen once per question) → one hit per fact → relevance."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

import numpy as np

from index.errors import BadQuery, IndexEmpty, IndexMismatch
from index.models.embed import Embedder, embedder_for
from index.passage import Hit, Passage
from index.store import vectors as vector_index
from index.store.generations import DocumentRecord, Index
from index.store.lexical import surface_words
from index.text.sentences import sentence_spans

from .crosslingual import strategy_for
from .dedupe import unique
from .emphasis import emphasise
from .query import Query, day_without_year, parse_query
from .ranking import EVIDENCE_BAR, METHODS, Candidates, Method, Ranker, SameLanguage, evidence, relevant
from .rows import Rows
from .spelling import Spelling, spell

__all__ = ["METHODS", "Method", "Retriever", "clean_query", "embedder_of", "readable"]
MAX_QUERY_CHARS = 1000
CANDIDATES = 50  # from each index, before ranking
QUESTIONS_CACHED = 256
PASSAGES_CACHED = 4096  # passages whose sentence vectors are kept (emphasis)
NAME_SAMPLE = 40  # passages read to tell whether the readouts write a word as a name


def embedder_of(index: Index) -> Embedder:
    """Questions are embedded by the model that embedded the index, never another."""
    try:
        return embedder_for(index.manifest.model)
    except KeyError:
        raise IndexMismatch(
            f"index at {index.directory} was built with {index.manifest.model}, which this version cannot load; "
            "rebuild it with `readouts ingest --rebuild PATH...`"
        ) from None


def readable(text: str) -> str:
    """Text with undecodable bytes (surrogates left by argv's decoding) replaced, and control
    characters dropped: what the tokenizer and the terminal can take."""
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text
                   if ch.isprintable() or ch.isspace())


def clean_query(query: str) -> str:
    text = " ".join(readable(query).split())
    if not re.search(r"\w", text):
        raise BadQuery("ask a question in words, e.g. What did China say about the Fukushima water release?")
    return text[:MAX_QUERY_CHARS]


class Retriever:
    """Search over one index generation: a question in, ranked passages out, and what an answer reads
    beside them (coverage, spelling, emphasis, a passage's context and document)."""

    def __init__(self, index: Index, embedder: Embedder | None = None) -> None:
        self.index = index
        self.embedder = embedder or embedder_of(index)
        if self.embedder.name != index.manifest.model:
            raise IndexMismatch(f"index built with {index.manifest.model}, embedder is {self.embedder.name}")
        self.rows = Rows(index.manifest)
        # A question is embedded again by its answer's later pages, and emphasis embeds the sentences
        # of a passage whose sentences tie on words; both repeat, so both are kept.
        self.question_vector = functools.lru_cache(maxsize=QUESTIONS_CACHED)(self.embedder.embed_query)
        self._sentence_vectors = functools.lru_cache(maxsize=PASSAGES_CACHED)(self._embed_sentences)
        self.same_language = SameLanguage(self.embedder, index.passages, index.lexical, self.rows.of, self.written_as_name)

    @property
    def model(self) -> str:
        return self.index.manifest.model

    @property
    def passage_count(self) -> int:
        return self.index.manifest.passage_count

    def documents(self) -> list[DocumentRecord]:
        return list(self.index.manifest.documents)

    def undated(self) -> list[str]:
        """The paths of the readouts that give no date: no date filter can place them."""
        return [record.path for record in self.index.manifest.documents if not record.date]

    def ranker_for(self, text: str) -> Ranker:
        """The strategy for this question, chosen once (crosslingual.strategy_for)."""
        return strategy_for(text, self.embedder, self.same_language, lambda: self.cross_lingual)

    @functools.cached_property
    def cross_lingual(self) -> Ranker:
        """Across scripts: with the model's latent terms when the index has them, else the
        same-language fusion with the question's names read for BM25."""
        from .crosslingual.ranker import CrossLingual, NamedFusion, NameReader

        names = NameReader(self.index)
        if self.index.latent is None:
            return NamedFusion(self.same_language, names)
        return CrossLingual(self.index, self.index.latent, self.embedder, self.question_vector, self.rows, names)

    @property
    def generation(self) -> str:
        """The index generation this retriever reads (the gen-* folder it was loaded from)."""
        return self.index.generation

    @contextmanager
    def snapshot(self) -> Iterator[Retriever]:
        """This retriever, for one answer: its generation never changes, so it is its own snapshot
        (live.Library's snapshot is the retriever of the generation live when it was taken)."""
        yield self

    def parse(self, question: str, today: date | None = None, word_dates: bool = True) -> Query:
        """The question read once into a Query: its words (cleaned: clean_query) and its filters (query.py).
        A day named without its year that falls after the newest readout filters on that day, so the
        answer says when the readouts end (Rows.day_after_readouts)."""
        today = today or date.today()
        query = parse_query(clean_query(question), today, word_dates)
        asked = day_without_year(query.text) if word_dates and query.start is None and query.end is None else None
        if asked and (day := self.rows.day_after_readouts(*asked, today)) is not None:
            query = dataclasses.replace(query, start=day, end=day + timedelta(days=1), worded=True, end_worded=True,
                                        yearless=True)
        return query

    def search(self, question: str, k: int = 5, *, method: Method = "hybrid", today: date | None = None,
               word_dates: bool = True, within: Collection[str] | None = None) -> list[Hit]:
        """`find` for a question not yet read (parse); with `word_dates` False, dates said in words do
        not filter."""
        self._not_empty()
        return self.find(self.parse(question, today, word_dates), k, method=method, within=within)

    def find(self, query: Query, k: int = 5, *, method: Method = "hybrid",
             within: Collection[str] | None = None) -> list[Hit]:
        """The best `k` passages for the query, one per fact, each with its relevance; raises
        NothingMatches when its filters exclude all. With `within`, only the passages of those
        documents (paths) are searched."""
        self._not_empty()
        if not re.search(r"\w", query.text):
            raise BadQuery("ask a question in words as well as filters, e.g. Fukushima water source:Xinhua")
        ranker = self.ranker_for(query.text)
        allowed = self.rows.allowed(query)
        if within is not None:
            among = self.rows.of_documents(within)
            allowed = among if allowed is None else allowed & among
            if not allowed.any():
                return []
        pool = max(CANDIDATES, 4 * k)
        candidates = self._candidates(ranker, query.text, pool, allowed, method)
        wanted = k if not query.latest else pool
        hits = ranker.rank(query.text, candidates, method, lambda rows, similarities, vectors: unique(
            rows, similarities, vectors, wanted, self.index.passages, self.embedder), keywords=query.keywords)
        if query.latest:  # newest first among the passages that hold the question's words, else the relevant
            held = evidence(self.index.lexical, query.text, [hit.passage for hit in hits])
            hits = ([hit for hit, share in zip(hits, held) if share >= EVIDENCE_BAR]
                    or [hit for hit in hits if relevant(hit)] or hits[:k])
            hits = sorted(hits, key=lambda hit: hit.passage.date or "", reverse=True)[:k]
        return [dataclasses.replace(hit, rank=rank) for rank, hit in enumerate(hits, start=1)]

    def _not_empty(self) -> None:
        if not self.passage_count:
            raise IndexEmpty(f"the index at {self.index.directory} holds no readouts: add some with "
                             "`readouts ingest PATH...`")

    def _candidates(self, ranker: Ranker, text: str, pool: int, allowed: np.ndarray | None,
                    method: Method) -> Candidates:
        """Rows from the dense index, the strategy's own, and BM25, in that order without repeats."""
        vector = self.question_vector(text)
        none = np.zeros(0, dtype=np.int64)
        dense = vector_index.search(self.index.vectors, vector, pool, allowed) if method != "lexical" else none
        extra = ranker.extra_rows(text, pool, allowed, method)
        lexical, bm25 = (self.index.lexical.search(ranker.lexical_query(text), pool, allowed) if method != "dense"
                         else (none, np.zeros(0, dtype=np.float32)))
        rows = np.array(list(dict.fromkeys([*map(int, dense), *map(int, extra), *map(int, lexical)])), dtype=np.int64)
        vectors = (self.index.vectors.reconstruct_batch(rows) if len(rows)
                   else np.zeros((0, self.index.vectors.d), dtype=np.float32))
        return Candidates(rows, vectors, vectors @ vector, lexical, bm25)

    def missing(self, query: Query) -> list[str]:
        """The question's names and key terms that no readout holds (coverage.py)."""
        from .coverage import missing

        return missing(query.text, self.index.lexical, self.surface) if self.passage_count else []

    @functools.cached_property
    def surface(self) -> dict[str, int]:
        """The readouts' words as they spell them, with the passages holding each (written at ingest;
        counted here for an index written before)."""
        return self.index.lexical.surface or surface_words([passage.lexical_text for passage in self.index.passages])

    def spelling(self, question: str) -> Spelling:
        """The question with the words no readout holds spelled as the readouts spell them (spelling.py)."""
        return (spell(question, self.surface, self.index.lexical.together, self.written_as_name, self.same_readout)
                if self.passage_count
                else Spelling(question))

    def same_readout(self, words: Sequence[str]) -> bool:
        """Whether one readout holds every one of the words (in any of its passages)."""
        return self.index.lexical.together(words, self.rows.document_of_row)

    def written_as_name(self, word: str) -> bool:
        """Whether the readouts write the word capitalised where no sentence begins, in most of its
        uses in the first NAME_SAMPLE passages that hold it: a name ("kyiv", "biden"), not a common
        word ("mile", "urban")."""
        capitals = uses = 0
        for row in self.index.lexical.holding(word, NAME_SAMPLE):
            text = self.index.passages[int(row)].text
            for match in re.finditer(rf"\b{re.escape(word)}\b", text, re.I):
                before = text[:match.start()].rstrip()
                if before and before[-1] not in ".!?:\"“(":
                    uses += 1
                    capitals += match.group(0)[0].isupper()
        return 2 * capitals > uses

    def context(self, passage: Passage, around: int = 1) -> list[Passage]:
        """The passage with up to `around` neighbours on each side from the same document. The passage
        is one this generation holds (read from it, or looked up by id with `passage`)."""
        row = self.rows.of(passage)
        rows = range(max(0, row - around), min(len(self.index.passages), row + around + 1))
        return [self.index.passages[r] for r in rows if self.index.passages[r].doc == passage.doc]

    def passage(self, passage_id: str) -> Passage | None:
        """The passage with this id (what a shared link or a button carries), or None when the index
        no longer holds it."""
        row = self.rows.of_id(passage_id)
        passage = self.index.passages[row] if row is not None else None
        return passage if passage is not None and passage.id == passage_id else None

    def document(self, passage: Passage) -> list[Passage]:
        """Every passage of the passage's document, in order: the readout as published. The passage is
        one this generation holds (read from it, or looked up by id with `passage`)."""
        rows = self.rows.of_document(passage)
        return list(self.index.passages[rows.start:rows.stop])

    def emphasise(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """Each hit with its best-matching sentence marked (emphasis.py)."""
        text = query.text
        return emphasise(text, hits, self.index.lexical, self._sentence_vectors, lambda: self.question_vector(text))

    def _embed_sentences(self, text: str) -> np.ndarray:
        return self.embedder.embed([text[a:b] for a, b in sentence_spans(text, 0, len(text))])
