"""Large corpora made from the real state-dept readouts, for the scale benchmark.

Each synthetic passage recombines 2-5 consecutive sentences of one real readout (sometimes with one
sentence of another), so word statistics stay those of real readouts. Its vector is the
normalized sum of the real embeddings of its sentences: computed, not embedded, which is what
lets the benchmark build a million-passage index in minutes. Seeded: the same size gives the
same corpus.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from index.ingest.documents import sentence_spans
from index.models.embed import Embedder
from index.passage import Passage
from index.store.generations import DocumentRecord, Index

PASSAGES_PER_DOCUMENT = (3, 8)
SENTENCES_PER_PASSAGE = (2, 6)
FOREIGN_SENTENCE = 0.3  # share of passages that take one sentence from another readout


@dataclass
class Material:
    """The real readouts split into sentences, with one vector per sentence."""

    records: list[DocumentRecord]
    texts: list[str]  # every sentence, document after document
    counts: np.ndarray  # sentences per document
    first: np.ndarray  # index of each document's first sentence in `texts` and `vectors`
    vectors: np.ndarray

    @classmethod
    def from_index(cls, index: Index, embedder: Embedder, vectors: np.ndarray | None = None) -> Material:
        """Sentences of the indexed readouts; their vectors are embedded unless given (a cache)."""
        sentences = []
        for _, passages in index.documents_with_passages():
            sentences.append([p.text[a:b] for p in passages for a, b in sentence_spans(p.text, 0, len(p.text))])
        texts = [s for document in sentences for s in document]
        counts = np.array([len(document) for document in sentences])
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        return cls(index.manifest.documents, texts, counts, first, embedder.embed(texts) if vectors is None else vectors)


@dataclass
class Corpus:
    records: list[DocumentRecord]
    passages: list[Passage]
    vectors: np.ndarray


def generate(material: Material, size: int, seed: int = 0) -> Corpus:
    rng = np.random.default_rng(seed)
    records: list[DocumentRecord] = []
    passages: list[Passage] = []
    vectors = np.zeros((size, material.vectors.shape[1]), dtype=np.float32)
    usable = np.flatnonzero(material.counts >= 2)
    while len(passages) < size:
        number = len(records)
        source_doc = int(rng.choice(usable))
        real = material.records[source_doc]
        content_hash = hashlib.sha256(f"synthetic-{seed}-{number}".encode()).hexdigest()
        day = (date.fromisoformat(real.date) + timedelta(days=int(rng.integers(-365, 366)))).isoformat() if real.date else None
        title = f"{real.title} ({number})"
        count = min(int(rng.integers(*PASSAGES_PER_DOCUMENT)), size - len(passages))
        for paragraph in range(1, count + 1):
            picks = _sentences(material, source_doc, rng, usable)
            row = len(passages)
            summed = material.vectors[picks].sum(axis=0)
            vectors[row] = summed / np.linalg.norm(summed)
            text = " ".join(material.texts[i] for i in picks)
            passages.append(Passage(f"{content_hash[:12]}-{paragraph}", f"synthetic-{number}.txt", text, title,
                                    real.source, day, real.url, paragraph))
        records.append(DocumentRecord(f"/synthetic/{seed}/{number}.txt", f"synthetic-{number}.txt", title, real.source,
                                      day, real.url, content_hash, content_hash, count))
    return Corpus(records, passages, vectors)


def _sentences(material: Material, document: int, rng: np.random.Generator, usable: np.ndarray) -> list[int]:
    """Sentence indices for one passage: a run from `document`, maybe one from elsewhere."""
    available = int(material.counts[document])
    length = min(int(rng.integers(*SENTENCES_PER_PASSAGE)), available)
    start = int(rng.integers(0, available - length + 1))
    picks = list(range(material.first[document] + start, material.first[document] + start + length))
    if rng.random() < FOREIGN_SENTENCE:
        other = int(rng.choice(usable))
        picks.append(int(material.first[other] + rng.integers(0, material.counts[other])))
    return picks
