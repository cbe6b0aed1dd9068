"""The retriever: a question in, ranked passages out (dense, lexical or both fused), with filters."""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from datetime import date
from typing import Literal

import numpy as np
import scipy.sparse as sparse

from . import glosses
from . import vectors as vector_index
from .documents import sentence_spans
from .embed import Embedder, embedder_for
from .errors import BadQuery, IndexEmpty, IndexMismatch, NothingMatches
from .lexical import covers, group_overlap, phrase_overlap, weighted_overlap
from .names import Names
from .passage import Hit, Passage
from .query import Query, parse_query
from .store import DocumentRecord, Index

Method = Literal["hybrid", "dense", "lexical"]
METHODS: tuple[Method, ...] = ("hybrid", "dense", "lexical")
MAX_QUERY_CHARS = 1000
CANDIDATES = 50  # from each ranking, before fusion
# Hybrid score = w x cosine + (1 - w) x BM25, each min-max scaled over the candidates, with w the
# embedder's `dense_weight` (README: the blend beat reciprocal-rank fusion, and both rankings
# alone, on every set); a question sharing no word with the corpus has no BM25 side, so the dense
# ranking alone orders it.
# The fused head is then re-ranked with a bonus for the question's word pairs found in order.
# A question in another script than Latin, to an index with latent terms, is ranked otherwise
# (`_across_order`): its words are not the corpus's, so names and dictionary glosses stand in for BM25.
RERANKED = 10
PHRASE_WEIGHT = 0.1
# A passage in another script than the question's that holds none of its names and under SUPPORTED of
# its dictionary words (Hit.support) must clear bars raised by UNSUPPORTED_RAISE (on the cosine, on the
# English's cosine): over state-dept, the 7 of 30 off-topic Chinese/Japanese questions it answered sat
# at 0.776-0.812 and 0.785-0.835, with no name and at most 0.29 of their words (docs/multilingual.md).
SUPPORTED = 0.3
UNSUPPORTED_RAISE = (0.02, 0.01)
QUESTIONS_CACHED = 256
PASSAGES_CACHED = 4096  # sentence vectors of this many passages: 4096 x ~4 x 1.5 KB = 25 MB at most


def answerable(question: str, hits: list[Hit], min_similarity: float, cross_lingual: float | None = None) -> list[Hit]:
    """The hits worth quoting: similar enough to the question (`cross_lingual`, when given, is the bar
    for a passage in another script than the question, which the question's English may clear at the
    same-language bar instead; both a little higher for a passage without the question's names or
    words, `UNSUPPORTED_RAISE`), or holding every word it asks about (a rare term such as "dual-track"
    that the small embedding model does not know)."""
    terms = parse_query(question, date.today()).text
    foreign = _mostly_non_latin(terms)

    def similar(hit: Hit) -> bool:
        if cross_lingual is None or _mostly_non_latin(hit.passage.text) == foreign:
            return hit.score >= min_similarity
        unsupported = hit.support is not None and hit.support < SUPPORTED  # known for non-Latin questions only
        raise_cosine, raise_english = UNSUPPORTED_RAISE if unsupported else (0.0, 0.0)
        return (hit.score >= cross_lingual + raise_cosine
                or (hit.english_score or 0.0) >= min_similarity + raise_english)

    return [hit for hit in hits if similar(hit) or covers(terms, hit.passage.lexical_text)]


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
    def __init__(self, index: Index, embedder: Embedder | None = None) -> None:
        self.index = index
        self.embedder = embedder or embedder_of(index)
        if self.embedder.name != index.manifest.model:
            raise IndexMismatch(f"index built with {index.manifest.model}, embedder is {self.embedder.name}")
        # Passages carry their document's date and source: filters are per document, spread to rows.
        documents = index.manifest.documents
        self._counts = np.array([record.passages for record in documents], dtype=np.int64)
        self._dates = np.repeat(np.array([date.fromisoformat(record.date).toordinal() if record.date else 0
                                          for record in documents], dtype=np.int64), self._counts)
        first_rows = np.cumsum(self._counts) - self._counts
        self._first_row = {record.content_hash[:12]: int(row) for record, row in zip(documents, first_rows)}
        self._document_of_row = np.repeat(np.arange(len(documents)), self._counts)
        # A question is embedded again by its answer's later pages, and emphasis embeds the sentences
        # of a passage whose sentences tie on words; both repeat, so both are kept.
        self._question_vector = functools.lru_cache(maxsize=QUESTIONS_CACHED)(self.embedder.embed_query)
        self._sentence_vectors = functools.lru_cache(maxsize=PASSAGES_CACHED)(self._embed_sentences)
        self._latent_query = functools.lru_cache(maxsize=QUESTIONS_CACHED)(lambda text: self.embedder.embed_latent([text]))
        # BM25's terms and the cross-lingual ranking both need a question's names (names.py): read once.
        self._question_reading = functools.lru_cache(maxsize=QUESTIONS_CACHED)(
            lambda text: tuple(self._names.read(text)))

    @property
    def model(self) -> str:
        return self.index.manifest.model

    @property
    def min_similarity(self) -> float:
        return self.embedder.min_similarity

    @property
    def cross_lingual_min_similarity(self) -> float | None:
        return self.embedder.cross_lingual_min_similarity

    @property
    def passage_count(self) -> int:
        return self.index.manifest.passage_count

    def documents(self) -> list[DocumentRecord]:
        return list(self.index.manifest.documents)

    def search(self, question: str, k: int = 5, *, method: Method = "hybrid", today: date | None = None,
               word_dates: bool = True) -> list[Hit]:
        """The best `k` passages, one per fact; raises NothingMatches when the question's filters exclude all.
        With `word_dates` False, dates the question says in words do not filter (query.py)."""
        if not self.passage_count:
            raise IndexEmpty(f"the index at {self.index.directory} holds no readouts: add some with "
                             "`readouts ingest PATH...`")
        query = parse_query(clean_query(question), today or date.today(), word_dates)
        if not self.embedder.multilingual and _mostly_non_latin(query.text):
            raise BadQuery(
                f"This index uses {self.model}, which reads English only. To ask in other languages, rebuild it "
                "with the multilingual model: readouts ingest --rebuild --embedder e5-small PATH..."
            )
        if not re.search(r"\w", query.text):
            raise BadQuery("ask a question in words as well as filters, e.g. Fukushima water source:Xinhua")
        allowed = self._allowed(query)
        vector = self._question_vector(query.text)
        pool = max(CANDIDATES, 4 * k)
        across = self.embedder.multilingual and self.index.latent is not None and _mostly_non_latin(query.text)
        latent = self._latent_query(query.text) if across and method != "lexical" else None
        dense = self._dense(vector, pool, allowed) if method != "lexical" else np.zeros(0, dtype=np.int64)
        latent_rows = self.index.latent.search(latent, pool, allowed) if latent is not None else np.zeros(0, dtype=np.int64)
        lexical, bm25 = (self.index.lexical.search(self._lexical_terms(query.text), pool, allowed) if method != "dense"
                         else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)))
        rows = np.array(list(dict.fromkeys([*map(int, dense), *map(int, latent_rows), *map(int, lexical)])), dtype=np.int64)
        candidates = self._vectors(rows)
        similarities = candidates @ vector
        english = self._english_vector(query.text) if latent is not None else None
        words = self._gloss_weights(query.text) if latent is not None else []
        order = None
        if latent is not None:
            order = self._across_order(query.text, rows, candidates, similarities, latent, english, words, method)
        elif method == "hybrid" and len(lexical):
            order = self._fused_order(query.text, rows, similarities, lexical, bm25)
        if order is not None:
            rows, similarities, candidates = rows[order], similarities[order], candidates[order]
        hits = self._unique(rows, similarities, candidates, k if not query.latest else pool)
        if english is not None:
            english_of = dict(zip(rows.tolist(), (candidates @ english).tolist()))
            hits = [dataclasses.replace(hit, english_score=english_of[self._row_of(hit.passage)]) for hit in hits]
        if latent is not None:
            hits = self._supported(query.text, hits, words)
        if query.latest:  # newest first among the passages relevant enough to quote
            relevant = answerable(question, hits, self.min_similarity, self.cross_lingual_min_similarity) or hits[:k]
            hits = sorted(relevant, key=lambda hit: hit.passage.date or "", reverse=True)[:k]
        return [dataclasses.replace(hit, rank=rank) for rank, hit in enumerate(hits, start=1)]

    def _fused_order(self, text: str, rows: np.ndarray, similarities: np.ndarray, lexical: np.ndarray,
                     bm25: np.ndarray) -> np.ndarray:
        """Hybrid order of the candidates: cosine and BM25 blended, the head re-ranked by word pairs."""
        bm25_of = dict(zip(map(int, lexical), bm25))
        fused = _blend(similarities, np.array([bm25_of.get(int(r), 0.0) for r in rows]), self.embedder.dense_weight)
        head = np.argsort(-fused, kind="stable")[:RERANKED]
        fused[head] += PHRASE_WEIGHT * phrase_overlap(text, [self.index.passages[int(r)].lexical_text for r in rows[head]])
        return np.argsort(-fused, kind="stable")

    def _across_order(self, text: str, rows: np.ndarray, candidates: np.ndarray, similarities: np.ndarray,
                      latent: sparse.csr_matrix, english: np.ndarray | None, words: list[dict[str, float]],
                      method: Method) -> np.ndarray:
        """Order of the candidates for a question in another script: the model's own ranking (the cosines
        of the question, of its latent terms and of its word-by-word English, equally), and for hybrid
        its blend with names and dictionary glosses, equally. A passage in the question's own script
        needs no English: there the question's cosine stands in for it."""
        members = [_scaled(similarities), _scaled(self.index.latent.similarities(latent, rows))]
        passages = [self.index.passages[int(row)] for row in rows]
        if english is not None:
            own_script = np.array([_mostly_non_latin(passage.text) for passage in passages], dtype=bool)
            members.append(np.where(own_script, members[0], _scaled(candidates @ english)))
        score = np.mean(members, axis=0)
        if method == "hybrid":
            lexical = 0.5 * self._name_evidence(self._question_names(text), rows) + 0.5 * group_overlap(
                words, [passage.lexical_text for passage in passages])
            score = self.embedder.dense_weight * score + (1 - self.embedder.dense_weight) * lexical
        return np.argsort(-score, kind="stable")

    def _supported(self, text: str, hits: list[Hit], words: list[dict[str, float]]) -> list[Hit]:
        """Each hit with its support (Hit): 1 if its readout holds a name of the question, else the
        share of the question's dictionary words (`words`, _gloss_weights) it holds."""
        rows = np.array([self._row_of(hit.passage) for hit in hits], dtype=np.int64)
        named = self._name_evidence(self._question_names(text), rows)
        glossed = group_overlap(words, [hit.passage.lexical_text for hit in hits])
        return [dataclasses.replace(hit, support=1.0 if name > 0 else float(gloss))
                for hit, name, gloss in zip(hits, named, glossed)]

    def _question_names(self, text: str) -> tuple[str, ...]:
        """The readouts' spellings of the question's names (names.py), read once per question."""
        return tuple(dict.fromkeys(spelling for _, spelling in self._question_reading(text)))

    def _written_names(self, text: str) -> list[str]:
        """The question's names as it writes them (王毅, 布林肯): not to be read as words too."""
        return [surface for surface, _ in self._question_reading(text)]

    def _english_vector(self, text: str) -> np.ndarray | None:
        """The question's word-by-word English (glosses.english), embedded as a question; None when the
        dictionary reads none of it."""
        english = glosses.english(text, self._question_names(text), self.index.lexical.known_share,
                                  self._written_names(text))
        return self._question_vector(english) if english else None

    def _row_of(self, passage: Passage) -> int:
        return self._first_row[passage.id.rpartition("-")[0]] + passage.paragraph - 1

    def _lexical_terms(self, text: str) -> str:
        """What BM25 looks for: the question, and for one written in Chinese or Japanese to an index
        that can answer it, the names it holds as the readouts spell them (names.py)."""
        if not (self.embedder.multilingual and _mostly_non_latin(text)):
            return text
        return " ".join([text, *self._question_names(text)])

    def _name_evidence(self, names: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """For each row, the weight of the question's names that its document holds (names.py)."""
        if not names:
            return np.zeros(len(rows))
        return self._names.document_weights(list(names))[self._document_of_row[rows]]

    def _gloss_weights(self, text: str) -> list[dict[str, float]]:
        """The question's dictionary words (glosses.py), each a group of English alternatives weighted by
        their idf in the corpus; read once per search, for the ranking and for the hits' support."""
        return [self.index.lexical.term_weights(senses, known_only=True)
                for senses in glosses.groups(text, self._written_names(text))]

    @functools.cached_property
    def _names(self) -> Names:
        return Names(("\n".join(passage.lexical_text for passage in passages)
                      for _, passages in self.index.documents_with_passages()), dictionary=glosses.names_in)

    def _allowed(self, query: Query) -> np.ndarray | None:
        if not query.has_filters:
            return None
        allowed = np.ones(len(self._dates), dtype=bool)
        if query.start:
            allowed &= self._dates >= query.start.toordinal()
        if query.end:
            allowed &= (self._dates > 0) & (self._dates < query.end.toordinal())
        if query.sources:
            wanted = [s.lower() for s in query.sources]
            chosen = [any(w in record.source.lower() for w in wanted) for record in self.index.manifest.documents]
            allowed &= np.repeat(np.array(chosen, dtype=bool), self._counts)
        if not allowed.any():
            raise NothingMatches(f"No readouts are {query.describe()}. {self._coverage()}", worded=query.worded)
        return allowed

    def _coverage(self) -> str:
        dated = self._dates[self._dates > 0]
        sources = sorted({record.source for record in self.index.manifest.documents})
        span = (f"dated {date.fromordinal(int(dated.min()))} to {date.fromordinal(int(dated.max()))}"
                if dated.size else "undated")
        shown = ", ".join(sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
        return f"The readouts are {span}, from {shown}."

    def _dense(self, vector: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
        return vector_index.search(self.index.vectors, vector, k, allowed)

    def _vectors(self, rows: np.ndarray) -> np.ndarray:
        if not len(rows):
            return np.zeros((0, self.index.vectors.d), dtype=np.float32)
        return self.index.vectors.reconstruct_batch(rows)

    def _unique(self, rows: np.ndarray, similarities: np.ndarray, candidates: np.ndarray, k: int) -> list[Hit]:
        """One hit per fact: a passage nearly identical to a better one is folded into it as "also".

        Each kept hit's vector is compared with every candidate's at once; only candidates close to
        a kept hit (or kept themselves) are read from disk, to compare words when titles made the
        vectors differ. The levels are the embedder's own (their cosines sit on different scales)."""
        same_text, duplicate = self.embedder.same_text_similarity, self.embedder.duplicate_similarity
        closeness: dict[int, list[float]] = {}  # a kept position's cosine to every candidate
        kept: list[int] = []  # positions in rows
        folded: dict[int, list[Passage]] = {}
        passage_at = functools.cache(lambda position: self.index.passages[int(rows[position])])
        words_at = functools.cache(lambda position: passage_at(position).text.split())
        for position in range(len(rows)):
            near = [i for i in kept if closeness[i][position] >= same_text]
            twin = next((i for i in near if closeness[i][position] >= duplicate
                         or words_at(i) == words_at(position)), None)
            if twin is not None:
                if passage_at(position).doc != passage_at(twin).doc:
                    folded.setdefault(twin, []).append(passage_at(position))
            elif len(kept) < k:
                kept.append(position)
                closeness[position] = (candidates @ candidates[position]).tolist()
        return [Hit(passage_at(i), float(similarities[i]), rank, also=tuple(folded.get(i, ())))
                for rank, i in enumerate(kept, start=1)]

    def context(self, passage: Passage, around: int = 1) -> list[Passage]:
        """The passage with up to `around` neighbours on each side from the same document."""
        row = self._row_of(passage)
        rows = range(max(0, row - around), min(len(self.index.passages), row + around + 1))
        return [self.index.passages[r] for r in rows if self.index.passages[r].doc == passage.doc]

    def emphasise(self, query: str, hits: list[Hit]) -> list[Hit]:
        """Mark in each hit of several sentences the one closest to the question.

        The sentence sharing the question's rarest words wins outright (measured on the gold
        snippets of the question sets: it finds the answering sentence more often than cosine does,
        53 against 46 of 72); cosine to the question breaks ties, and decides alone when no word is
        shared (a question in another language). Embedding sentences costs what searching does,
        several times over, so it is paid only for ties."""
        text = parse_query(clean_query(query), date.today()).text
        weights = self.index.lexical.term_weights(text)
        marked = []
        for hit in hits:
            spans = sentence_spans(hit.passage.text, 0, len(hit.passage.text))
            if len(spans) > 1:
                overlap = np.array(weighted_overlap(weights, [hit.passage.text[a:b] for a, b in spans]))
                tied = np.flatnonzero(overlap == overlap.max())
                if len(tied) > 1:
                    closeness = self._sentence_vectors(hit.passage.text)[tied] @ self._question_vector(text)
                    tied = tied[[int(np.argmax(closeness))]]
                hit = dataclasses.replace(hit, emphasis=spans[int(tied[0])])
            marked.append(hit)
        return marked

    def _embed_sentences(self, text: str) -> np.ndarray:
        return self.embedder.embed([text[a:b] for a, b in sentence_spans(text, 0, len(text))])


def _mostly_non_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ord(ch) > 0x24F for ch in letters) > len(letters) / 2


def _scaled(values: np.ndarray) -> np.ndarray:
    """Min-max scaled to [0, 1] over the candidates (all zero when they tie)."""
    spread = float(np.ptp(values)) if len(values) else 0.0
    return (values - values.min()) / spread if spread else np.zeros_like(values, dtype=np.float64)


def _blend(similarities: np.ndarray, bm25: np.ndarray, dense_weight: float) -> np.ndarray:
    """Convex blend of min-max scaled cosine and BM25 scores of the same candidates."""
    return dense_weight * _scaled(similarities) + (1 - dense_weight) * _scaled(bm25.astype(np.float64))
