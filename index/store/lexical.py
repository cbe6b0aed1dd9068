"""BM25 ranking (bm25s, with English stemming): names, acronyms and set phrases that embeddings blur.

bm25s builds the index through its public API (`BM25.index`: every term's score in every passage
holding it, by term). The arrays are written here, with each term's passages also ordered by score
(impact order), and searched here without bm25s, so that a question imports neither it nor scipy.
A search is exact BM25 top-k: it reads each term's list only as deep as the other terms' scores
require (the threshold algorithm: Fagin, Lotem and Naor 2003), so a common word costs the few
passages where it weighs most; when that would read more than scoring every passage holding a
question word, it does that instead.
"""
from __future__ import annotations

import functools
import json
import logging
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import Stemmer

from index.text.acronyms import initialisms

from .arrays import save as save_array

if TYPE_CHECKING:
    from index.passage import Passage

_stemmer = Stemmer.Stemmer("english")

# bm25s.stopwords.STOPWORDS_EN_PLUS (NLTK's English list), written out because importing bm25s
# imports scipy, which a question does not need (docs/benchmarks.md, Start-up);
# tests/test_lexical.py checks it against bm25s's own.
BM25S_STOPWORDS_EN_PLUS = (
    'a', 'about', 'above', 'after', 'again', 'against', 'ain', 'all', 'am', 'an', 'and', 'any', 'are', 'aren', "aren't",
    'as', 'at', 'be', 'because', 'been', 'before', 'being', 'below', 'between', 'both', 'but', 'by', 'can', 'couldn',
    "couldn't", 'd', 'did', 'didn', "didn't", 'do', 'does', 'doesn', "doesn't", 'doing', 'don', "don't", 'down',
    'during', 'each', 'few', 'for', 'from', 'further', 'had', 'hadn', "hadn't", 'has', 'hasn', "hasn't", 'have',
    'haven', "haven't", 'having', 'he', 'her', 'here', 'hers', 'herself', 'him', 'himself', 'his', 'how', 'i', 'if',
    'in', 'into', 'is', 'isn', "isn't", 'it', "it's", 'its', 'itself', 'just', 'll', 'm', 'ma', 'me', 'mightn',
    "mightn't", 'more', 'most', 'mustn', "mustn't", 'my', 'myself', 'needn', "needn't", 'no', 'nor', 'not', 'now', 'o',
    'of', 'off', 'on', 'once', 'only', 'or', 'other', 'our', 'ours', 'ourselves', 'out', 'over', 'own', 're', 's',
    'same', 'shan', "shan't", 'she', "she's", 'should', "should've", 'shouldn', "shouldn't", 'so', 'some', 'such', 't',
    'than', 'that', "that'll", 'the', 'their', 'theirs', 'them', 'themselves', 'then', 'there', 'these', 'they', 'this',
    'those', 'through', 'to', 'too', 'under', 'until', 'up', 've', 'very', 'was', 'wasn', "wasn't", 'we', 'were',
    'weren', "weren't", 'what', 'when', 'where', 'which', 'while', 'who', 'whom', 'why', 'will', 'with', 'won', "won't",
    'wouldn', "wouldn't", 'y', 'you', "you'd", "you'll", "you're", "you've", 'your', 'yours', 'yourself', 'yourselves',
)

# The longer English list (it drops question words such as "what", "about", "did") plus the verbs
# of reported speech that every readout and most questions use.
STOPWORDS = sorted(set(BM25S_STOPWORDS_EN_PLUS) | {"say", "said", "says", "tell", "told", "according"})
_STOPWORD_SET = frozenset(STOPWORDS)
WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s' default token pattern
SURFACE_WORDS = "words.json"  # each word as the readouts spell it (lower case) -> passages holding it
HEADING_WORDS = "heading-words.json"  # the words (lower case) that passages hold in their headings only
ACRONYMS = "acronyms.json"  # the acronyms the passages spell out (acronyms.initialisms)


@functools.lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """BM25's terms in text order (bm25s.tokenize costs 0.1 ms a call in set-up alone). Kept for the
    passages that many questions bring back: the first in a bot's profile under load."""
    return tuple(_stemmer.stemWords([word for word in WORD.findall(text.lower()) if word not in _STOPWORD_SET]))


# Words a question uses to point at the readouts themselves ("what did the readouts say about
# Stoltenberg", "any news on Tigray"): they ask about no passage's content.
SCAFFOLDING = frozenset(_stemmer.stemWords(["readout", "readouts", "document", "documents", "mention", "mentions",
                                            "mentioned", "anything", "something", "news", "info", "information",
                                            "update", "updates"]))


def asked(question: str) -> tuple[str, ...]:
    """The question's BM25 terms, without the words that only point at the readouts (SCAFFOLDING)."""
    return tuple(word for word in _words(question) if word not in SCAFFOLDING)


def phrase_overlap(question: str, texts: Sequence[str]) -> np.ndarray:
    """Share of the question's adjacent content-word pairs ("view china", "china develop") that each
    text also has adjacent: word order, which BM25 ignores."""
    asked = _words(question)
    pairs = set(zip(asked, asked[1:]))
    if not pairs:
        return np.zeros(len(texts))
    return np.array([len(pairs & set(zip(words, words[1:]))) / len(pairs) for words in map(_words, texts)])


def weighted_overlap(weights: dict[str, float], texts: Sequence[str]) -> list[float]:
    """For each text, the summed weights of the terms it shares with `weights` (each counted once)."""
    return [sum(weights[word] for word in set(_words(text)) if word in weights) for text in texts]


def group_overlap(groups: Sequence[dict[str, float]], texts: Sequence[str]) -> np.ndarray:
    """For each text, the share of the groups' weight it holds. A group is a set of alternative terms
    (the senses of one word, glosses.py): it counts once, by its heaviest term the text holds, against
    its heaviest term."""
    groups = [group for group in groups if group]
    total = sum(max(group.values()) for group in groups)
    if not total:
        return np.zeros(len(texts))
    held = [set(_words(text)) for text in texts]
    return np.array([sum(max((w for term, w in group.items() if term in words), default=0.0) for group in groups)
                     for words in held]) / total


def surface_words(texts: Sequence[str]) -> dict[str, int]:
    """Each word of the texts in lower case (as BM25 cuts them, before stemming and stopwords), with
    how many texts hold it."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(WORD.findall(text.lower())))
    return dict(counts)



# A generation's BM25 files (store.LEXICAL): the arrays of bm25s's index, by term ("offsets" into the
# other two: a term's passages in row order and their scores), each term's passages by score, the
# vocabulary (term -> its number) and how the scores were made.
VOCABULARY, SCORES, ROWS, OFFSETS, IMPACT, PARAMS = (
    "vocabulary.json", "scores.npy", "rows.npy", "offsets.npy", "impact.npy", "params.json")
PLAIN_VARIANTS = ("lucene", "robertson", "atire")  # a passage without a term scores nothing for it
IMPACT_BATCH = 8_000_000  # postings ordered at a time when building: bounds the memory it takes
# What a search costs, in the time to add one posting to a score (measured at 1M passages,
# docs/benchmarks.md): looking one passage up in one term's list, and passing over one passage's score.
LOOKUP_COST = 32.0
PASS_COST = 0.3

SCRATCH_LIMIT = 1 << 22  # postings a search thread keeps buffers for (64 MB); a larger question gets its own
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
_local = threading.local()


def _scratch(size: int) -> tuple[np.ndarray, np.ndarray]:
    """This thread's buffers for `size` postings, as rows (intp) and scores (float64): the types
    bincount takes, so that copying the postings in is the only conversion."""
    rows: np.ndarray | None = getattr(_local, "rows", None)
    if rows is None or len(rows) < size:
        if size > SCRATCH_LIMIT:
            return np.empty(size, dtype=np.intp), np.empty(size)
        capacity = 1 << max(size - 1, 1).bit_length()
        _local.rows, _local.scores = np.empty(capacity, dtype=np.intp), np.empty(capacity)
    return _local.rows[:size], _local.scores[:size]


def impact_order(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """For each term (column), the positions of its postings within its column by score, highest
    first, equal scores by row."""
    impact = np.empty(len(data), dtype=np.int32)
    counts = np.diff(indptr)
    first = 0
    while first < len(counts):
        last = max(first + 1, int(np.searchsorted(indptr, indptr[first] + IMPACT_BATCH, side="right")) - 1)
        last = min(last, len(counts))
        a, b = int(indptr[first]), int(indptr[last])
        column = np.repeat(np.arange(last - first), counts[first:last])
        order = np.lexsort((indices[a:b], -np.asarray(data[a:b], dtype=np.float64), column))
        impact[a:b] = order - np.repeat(indptr[first:last] - a, counts[first:last])
        first = last
    return impact


def _by_row(data: np.ndarray, indices: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The postings with each column's rows in ascending order (a search looks rows up by bisection)."""
    if len(indices) < 2:
        return data, indices
    column_starts = np.zeros(len(indices), dtype=bool)
    column_starts[indptr[1:-1][indptr[1:-1] < len(indices)]] = True
    if bool(np.all((np.diff(indices.astype(np.int64)) > 0) | column_starts[1:])):
        return data, indices
    column = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    order = np.lexsort((indices, column))
    return data[order], indices[order]


class Lexical:
    """BM25 over the passages' lexical text: built by bm25s, searched here from its arrays (per-term
    score lists in CSC form: `indptr`, `indices` = rows, `data` = scores) and, when the generation
    has it, each term's list by score (`impact`); without it (a generation written before) every
    passage holding a question word is scored, with the same results."""

    def __init__(self, vocabulary: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 size: int, impact: np.ndarray | None = None, surface: dict[str, int] | None = None,
                 directory: Path | None = None, params: dict[str, Any] | None = None,
                 heading_only: frozenset[str] | None = None, acronyms: frozenset[str] | None = None) -> None:
        self.vocabulary = vocabulary
        self._heading_only = heading_only
        self._acronyms = acronyms
        self.data, self.indices, self.indptr = data, indices, indptr
        self.impact = impact
        self.size = size
        self._surface = surface
        self._directory = directory
        self._params = params or {}

    @property
    def surface(self) -> dict[str, int]:
        """Every word of the passages as they spell it (lower case), with how many passages hold it:
        what a misspelled question word is corrected to (spelling.py). Read on first use."""
        if self._surface is None:
            path = self._directory / SURFACE_WORDS if self._directory else None
            self._surface = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        return self._surface

    @property
    def heading_only(self) -> frozenset[str]:
        """The words (lower case) that passages hold in their headings and no passage in its text or
        title: a transcript's place, "Rzeszow". Read on first use; none for an index written before."""
        if self._heading_only is None:
            path = self._directory / HEADING_WORDS if self._directory else None
            self._heading_only = frozenset(json.loads(path.read_text(encoding="utf-8"))
                                           if path and path.is_file() else ())
        return self._heading_only

    @property
    def acronyms(self) -> frozenset[str] | None:
        """The acronyms the passages spell out as names ("UNGA" for "UN General Assembly"), beside the
        words they hold: whether the readouts hold an acronym a question types. Read on first use; None
        for an index written before, which cannot tell."""
        if self._acronyms is None and self._directory and (self._directory / ACRONYMS).is_file():
            self._acronyms = frozenset(json.loads((self._directory / ACRONYMS).read_text(encoding="utf-8")))
        return self._acronyms

    def text_of(self, passage: Passage) -> str:
        """What BM25 indexed of the passage: its lexical text, and the words of its heading that only
        headings hold."""
        if not passage.heading or not self.heading_only:
            return passage.lexical_text
        extra = [word for word in WORD.findall(passage.heading) if word.lower() in self.heading_only]
        return f"{passage.lexical_text}\n{' '.join(extra)}" if extra else passage.lexical_text

    @classmethod
    def build(cls, texts: Sequence[str], headings: Sequence[str | None] | None = None,
              prose: Sequence[str] | None = None) -> Lexical:
        """bm25s's index of the texts (its defaults: Lucene's BM25, k1 1.5, b 0.75), with the impact
        order. A text is indexed with the words of its heading (`headings`, one per text) that no text
        holds: they make a passage findable by what only its heading says (the place of a transcript)
        and change no ranking for words the texts hold. The acronyms spelled out are read from `prose`
        (the passages' own text, titles aside; by default the texts)."""
        if not texts:
            return cls.empty()
        acronyms = frozenset(initialisms(texts if prose is None else prose))
        surface = surface_words(texts)
        heading_only: frozenset[str] = frozenset()
        if headings:
            extra = [[word for word in WORD.findall(heading or "") if word.lower() not in surface] for heading in headings]
            if any(extra):
                heading_only = frozenset(word.lower() for words in extra for word in words)
                texts = [f"{text}\n{' '.join(words)}" if words else text for text, words in zip(texts, extra)]
                for words in extra:
                    for word in {word.lower() for word in words}:
                        surface[word] = surface.get(word, 0) + 1
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own level on import
        model = bm25s.BM25()
        model.index(bm25s.tokenize(list(texts), stopwords=STOPWORDS, stemmer=_stemmer, show_progress=False),
                    show_progress=False)
        data, indices, indptr = (np.asarray(model.scores[name]) for name in ("data", "indices", "indptr"))
        if data.size and not float(data.min()) > 0:
            raise ValueError(f"BM25 variant {model.method} gives passages scores of zero or less")
        indptr = indptr.astype(np.int64, copy=False)
        data, indices = _by_row(data.astype(np.float32, copy=False), indices.astype(np.int32, copy=False), indptr)
        params = {"method": model.method, "k1": model.k1, "b": model.b, "built_by": f"bm25s {bm25s.__version__}"}
        return cls(dict(model.vocab_dict), data, indices, indptr, len(texts), impact_order(data, indices, indptr),
                   surface, params=params, heading_only=heading_only, acronyms=acronyms)

    @classmethod
    def empty(cls) -> Lexical:
        nothing = np.zeros(0, dtype=np.float32)
        return cls({}, nothing, nothing.astype(np.int32), np.zeros(1, dtype=np.int64), 0)

    def save(self, directory: Path) -> None:
        """The arrays as .npy files, the vocabulary and parameters as JSON (nothing for no passages)."""
        if not self.size:
            return
        arrays = {SCORES: self.data, ROWS: self.indices, OFFSETS: self.indptr}
        if self.impact is not None:
            arrays[IMPACT] = self.impact
        for name, array in arrays.items():
            save_array(directory / name, np.asarray(array))
        (directory / VOCABULARY).write_text(json.dumps(self.vocabulary, ensure_ascii=False), encoding="utf-8")
        (directory / PARAMS).write_text(json.dumps(self._params), encoding="utf-8")
        (directory / SURFACE_WORDS).write_text(json.dumps(self.surface, ensure_ascii=False), encoding="utf-8")
        if self.acronyms is not None:
            (directory / ACRONYMS).write_text(json.dumps(sorted(self.acronyms)), encoding="utf-8")
        if self.heading_only:
            (directory / HEADING_WORDS).write_text(json.dumps(sorted(self.heading_only), ensure_ascii=False),
                                                   encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, size: int) -> Lexical:
        """The arrays, memory-mapped; a generation written before (bm25s's own files) is read by bm25s's
        `BM25.load`. ValueError when they are not BM25 of the plain kind or do not fit together."""
        if not size:
            return cls.empty()
        if not (directory / VOCABULARY).is_file():
            return cls._load_bm25s(directory, size)
        params = json.loads((directory / PARAMS).read_text(encoding="utf-8"))
        if params.get("method") not in PLAIN_VARIANTS:
            raise ValueError(f"BM25 variant {params.get('method')} scores absent terms too")
        vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
        data, indices, indptr, impact = (np.asarray(np.load(directory / name, mmap_mode="r"))
                                         for name in (SCORES, ROWS, OFFSETS, IMPACT))
        if not len(data) == len(indices) == len(impact) == int(indptr[-1]):
            raise ValueError("BM25 arrays of different lengths")
        return cls(vocabulary, data, indices, indptr, size, impact, directory=directory, params=params)

    @classmethod
    def _load_bm25s(cls, directory: Path, size: int) -> Lexical:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        model = bm25s.BM25.load(str(directory), mmap=True)
        if model.method not in PLAIN_VARIANTS:
            raise ValueError(f"BM25 variant {model.method} scores absent terms too")
        scores = model.scores
        data, indices, indptr = (np.asarray(scores[name]) for name in ("data", "indices", "indptr"))
        return cls(model.vocab_dict, data, indices, indptr, size, directory=directory,
                   params={"method": model.method, "k1": model.k1, "b": model.b})

    def term_weights(self, question: str, *, known_only: bool = False) -> dict[str, float]:
        """The question's terms (stemmed, stopwords aside) with their inverse document frequency in
        the corpus (BM25's idf; a term the corpus lacks weighs as if it were in no passage, or with
        `known_only` is left out)."""
        weights = {}
        for term in set(asked(question)):
            row = self.vocabulary.get(term)
            if known_only and row is None:
                continue
            frequency = 0 if row is None else int(self.indptr[row + 1] - self.indptr[row])
            weights[term] = math.log(1 + (self.size - frequency + 0.5) / (frequency + 0.5))
        return weights

    def known_share(self, text: str) -> float:
        """Share of the text's terms (stemmed, stopwords aside) that some passage holds; 0 for none."""
        terms = _words(text)
        return sum(term in self.vocabulary for term in terms) / len(terms) if terms else 0.0

    def together(self, words: Sequence[str], groups: np.ndarray | None = None) -> bool:
        """Whether one passage holds every term of these words (stopwords aside; words of no term
        ask nothing); with `groups` (each row's group: its readout), whether one group does."""
        terms = list(dict.fromkeys(term for word in words for term in _words(word)))
        if not terms or not self.size:
            return bool(self.size)
        if any(term not in self.vocabulary for term in terms):
            return False
        spans = sorted((self._span(self.vocabulary[term]) for term in terms), key=lambda span: span[1] - span[0])
        held = np.asarray(self.indices[spans[0][0]:spans[0][1]])
        if groups is not None:
            held = np.unique(groups[held])
        for start, end in spans[1:]:
            rows = np.asarray(self.indices[start:end])
            held = np.intersect1d(held, rows if groups is None else np.unique(groups[rows]), assume_unique=True)
            if not len(held):
                return False
        return True

    def search(self, query: str, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and BM25 scores of the best `k` passages (only rows where `allowed` is true), best first,
        equal scores by row; none when no word of the question is in the corpus. A passage's score is
        the sum of its terms' scores in the order the question has them (a repeated word counts again)."""
        tokens = [self.vocabulary[token] for token in asked(query) if token in self.vocabulary]
        if not tokens or not self.size or k <= 0:
            return _EMPTY
        if self.impact is None:
            rows, scores = self._every(tokens, k, allowed, None)
        else:
            rows, scores = self._threshold(tokens, k, allowed)
        return rows.astype(np.int64), scores.astype(np.float32)

    def holding(self, word: str, limit: int) -> np.ndarray:
        """Rows of up to `limit` passages that hold the word (its one BM25 term), first rows first;
        none for a word of no term or of several."""
        terms = _words(word)
        if len(terms) != 1 or terms[0] not in self.vocabulary:
            return np.zeros(0, dtype=np.int64)
        start, end = self._span(self.vocabulary[terms[0]])
        return np.asarray(self.indices[start:min(end, start + limit)], dtype=np.int64)

    def held_between(self, term: str, start: int, end: int) -> bool:
        """Whether a passage of rows `start` to `end` - 1 holds the (stemmed) term."""
        column = self.vocabulary.get(term)
        if column is None or start >= end:
            return False
        first, last = self._span(column)
        rows = np.asarray(self.indices[first:last])
        return bool(((rows >= start) & (rows < end)).any())

    def _span(self, term: int) -> tuple[int, int]:
        return int(self.indptr[term]), int(self.indptr[term + 1])

    def _threshold(self, tokens: list[int], k: int, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The threshold algorithm over the impact-ordered lists: score (exactly) the passages at the
        head of each term's list; the k-th best is a floor the answer must reach. A passage deeper in
        every list scores at most the sum of the scores where the lists were left, so the lists are
        read further, cheapest first, until that sum is under the floor. Then every passage that can
        reach it has been scored. Falls back on scoring every passage when that costs less."""
        spans = {term: self._span(term) for term in dict.fromkeys(tokens)}
        lengths = {term: b - a for term, (a, b) in spans.items()}
        share = 1.0 if allowed is None else int(np.count_nonzero(allowed)) / self.size
        if not share:
            return _EMPTY
        every = sum(lengths[term] for term in tokens) + PASS_COST * self.size  # the cost of scoring them all
        depth = {term: min(length, math.ceil(k / share)) for term, length in lengths.items()}
        if sum(depth.values()) * len(spans) * LOOKUP_COST > every:
            return self._every(tokens, k, allowed, None)
        rows = self._heads(spans, depth, np.zeros(0, dtype=self.indices.dtype), allowed)
        scores = self._score(tokens, spans, rows)
        if all(depth[term] == lengths[term] for term in spans):  # every passage holding a question word
            return _best(rows, scores, k)
        if len(rows) < k:  # too few allowed: no floor yet
            return self._every(tokens, k, allowed, None)
        floor = float(np.partition(scores, len(scores) - k)[len(scores) - k])
        at = functools.cache(lambda term, depth: self._next(spans[term], depth))
        deeper = dict(depth)
        added = 0
        while _bound(tokens, deeper, at) >= floor:
            term = _cheapest(tokens, deeper, lengths, at)
            step = min(lengths[term], 2 * deeper[term]) - deeper[term]
            deeper[term] += step
            added += step
            if added * len(spans) * LOOKUP_COST > every:
                return self._every(tokens, k, allowed, floor)
        more = self._heads(spans, deeper, rows, allowed, depth)
        if len(more):
            rows = np.concatenate([rows, more])
            scores = np.concatenate([scores, self._score(tokens, spans, more)])
        return _best(rows, scores, k)

    def _next(self, span: tuple[int, int], depth: int) -> float:
        """The score where a term's impact-ordered list is left at `depth` (0 when it is read through)."""
        a, b = span
        assert self.impact is not None
        return float(self.data[a + int(self.impact[a + depth])]) if a + depth < b else 0.0

    def _heads(self, spans: dict[int, tuple[int, int]], depth: dict[int, int], seen: np.ndarray,
               allowed: np.ndarray | None, start: dict[int, int] | None = None) -> np.ndarray:
        """The rows at the head of each term's impact-ordered list (from `start` to `depth`), allowed and
        not in `seen`, sorted."""
        assert self.impact is not None
        parts = []
        for term, (a, _) in spans.items():
            first = start[term] if start else 0
            if depth[term] > first:
                parts.append(self.indices[a + np.asarray(self.impact[a + first:a + depth[term]], dtype=np.int64)])
        rows = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=self.indices.dtype)
        if allowed is not None:
            rows = rows[allowed[rows]]
        if len(seen):
            rows = rows[~np.isin(rows, seen, assume_unique=True)]
        return rows

    def _score(self, tokens: list[int], spans: dict[int, tuple[int, int]], rows: np.ndarray) -> np.ndarray:
        """The BM25 scores of these (sorted, distinct) rows, each term's looked up in its row-ordered list
        and summed in the question's order (in float64, as `_every` sums them)."""
        total = np.zeros(len(rows))
        found: dict[int, np.ndarray] = {}
        for term in tokens:
            if term not in found:
                a, b = spans[term]
                held, scores = self.indices[a:b], self.data[a:b]
                values = np.zeros(len(rows))
                if len(rows) <= b - a:
                    at = np.minimum(np.searchsorted(held, rows), b - a - 1)
                    hit = held[at] == rows
                    values[hit] = scores[at[hit]]
                else:
                    at = np.searchsorted(rows, held)
                    inside = np.flatnonzero(at < len(rows))
                    hit = inside[rows[at[inside]] == held[inside]]
                    values[at[hit]] = scores[hit]
                found[term] = values
            total += found[term]
        return total

    def _every(self, tokens: list[int], k: int, allowed: np.ndarray | None,
               floor: float | None) -> tuple[np.ndarray, np.ndarray]:
        """Every passage holding a question word scored: each term's scores added to its rows, in the
        question's order. Only rows reaching a floor that k allowed passages reach are ranked: `floor`,
        else the k-th best of the rarest term's passages (listing every row with a score costs more
        than adding the scores up)."""
        spans = [self._span(term) for term in tokens]
        rows, weights = _scratch(sum(b - a for a, b in spans))
        np.concatenate([self.indices[a:b] for a, b in spans], out=rows, casting="same_kind")
        np.concatenate([self.data[a:b] for a, b in spans], out=weights, casting="same_kind")
        scores = np.bincount(rows, weights=weights, minlength=self.size)
        if floor is None:
            a, b = min((self._span(term) for term in tokens), key=lambda span: span[1] - span[0])
            sample = self.indices[a:b] if allowed is None else self.indices[a:b][allowed[self.indices[a:b]]]
            if len(sample) >= k:
                floor = float(np.partition(scores[sample], len(sample) - k)[len(sample) - k])
        rows = np.flatnonzero(scores) if floor is None else np.flatnonzero(scores >= floor)
        if allowed is not None:
            rows = rows[allowed[rows]]
        return _best(rows, scores[rows], k)


def _bound(tokens: list[int], depth: dict[int, int], at: Callable[[int, int], float]) -> float:
    """The most a passage beyond `depth` in every list can score (`at`: a list's score at a depth): summed
    in the question's order, as its score is (rounding is monotonic, so its score cannot exceed this)."""
    bound = 0.0
    for term in tokens:
        bound += at(term, depth[term])
    return bound


def _cheapest(tokens: list[int], depth: dict[int, int], lengths: dict[int, int], at: Callable[[int, int], float]) -> int:
    """The list whose next doubling lowers the bound most per passage read (the heaviest on a tie)."""
    best: tuple[float, float] | None = None
    chosen = -1
    for term in depth:
        if depth[term] >= lengths[term]:
            continue
        now = at(term, depth[term])
        deeper = min(lengths[term], 2 * depth[term])
        rank = (tokens.count(term) * (now - at(term, deeper)) / (deeper - depth[term]), now)
        if best is None or rank > best:
            best, chosen = rank, term
    return chosen


def _best(rows: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k highest scores, best first, equal scores by row."""
    if len(rows) > k:
        kth = np.partition(scores, len(scores) - k)[len(scores) - k]
        keep = scores >= kth
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((rows, -scores))[:k]
    return rows[order], scores[order]
