"""Ingest against the bare model, in one run: `readouts ingest` of a corpus into a fresh index beside
the same passages embedded by the model alone, alternating (raw, ingest, raw by default), and the
ratio of their throughputs (issue 25's bar: ingest at ≥ 0.9 × raw with the default embedder).

Usage: python benchmarks/throughput.py [--embedder minilm-int8] [--corpus ../shared/corpus/state-dept]
       [--readouts N] [--order raw ingest raw] [--profile FILE.prof] [--keep DIR]

The raw side is the model and its tokenizer, nothing of the project's embedding code: the texts
ingest embeds (each distinct `Passage.embedding_text`, the title then the paragraph, read from the
corpus by the same reader before any timing), sorted by length and cut into batches of the
embedder's batch size, tokenized by the model's tokenizer.json (truncated where sentence-transformers
cuts, padded to the longest of the batch) and run by onnxruntime on its int8 (or fp32) graph, one
single-thread session per core (the fastest arrangement measured on 2 cores, docs/benchmarks.md),
in one process that has loaded the model before the clock starts. The ingest side is the command
a user runs, in a process of its own, from start to exit (imports, reading, splitting, the model's
loading, embedding, BM25, FAISS, writes). Both embed the same texts; the ratio is raw seconds ÷
ingest seconds. After the runs, the index's vectors are compared with the raw ones, text by text.

--readouts N takes the first N readouts by file name (with their metadata.jsonl lines), copied to a
temporary folder: a subset for a slow model. --profile runs each ingest under cProfile (its main
thread: everything but the embedding workers) and writes the last one's statistics to FILE.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.ingest.corpus import METADATA_FILE, load_corpus  # noqa: E402
from index.ingest.update import text_key  # noqa: E402
from index.models import onnx_model  # noqa: E402
from index.models.embed import DEFAULT_EMBEDDER, EMBEDDERS, OnnxEmbedder, embedder_named  # noqa: E402
from index.models.onnx_model import word_pieces  # noqa: E402
from index.store import generations as store  # noqa: E402

STATE_DEPT = ROOT.parent / "shared" / "corpus" / "state-dept"


class BareModel:
    """The embedder's ONNX graph and tokenizer, run as plainly as they run fast: see the module's docstring."""

    def __init__(self, embedder: OnnxEmbedder) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        spec = onnx_model.SPECS[embedder.model_name]
        self.batch_size, self.dimension = embedder.batch_size, embedder.dimension
        self.tokenizer = Tokenizer.from_file(str(spec.directory() / "tokenizer.json"))
        pad = (self.tokenizer.padding or {}).get("pad_token", "[PAD]")
        self.tokenizer.enable_truncation(spec.max_tokens())
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad), pad_token=pad)
        path = onnx_model.ensure_model(embedder.quantized, spec)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        self.sessions = [onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
                         for _ in range(min(4, os.cpu_count() or 1))]
        self.inputs = {i.name for i in self.sessions[0].get_inputs()}

    def _run(self, texts: list[str], session) -> np.ndarray:  # noqa: ANN001
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        given = {"input_ids": ids, "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                 "token_type_ids": np.zeros_like(ids)}
        return session.run(None, {k: v for k, v in given.items() if k in self.inputs})[0]

    def embed(self, texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [order[i: i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)

        def work(worker: int) -> None:
            for batch in batches[worker::len(self.sessions)]:
                vectors[batch] = self._run([texts[i] for i in batch], self.sessions[worker])

        threads = [threading.Thread(target=work, args=(n,)) for n in range(len(self.sessions))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return vectors


def subset(corpus: Path, count: int, into: Path) -> Path:
    """The first `count` readouts of `corpus` by file name, and their metadata lines, copied into `into`."""
    files = sorted(p for p in corpus.iterdir() if p.is_file() and p.suffix in (".txt", ".md"))[:count]
    for file in files:
        shutil.copy2(file, into / file.name)
    names = {file.name for file in files}
    metadata = corpus / METADATA_FILE
    if metadata.is_file():
        lines = [line for line in metadata.read_text(encoding="utf-8").splitlines()
                 if line.strip() and json.loads(line).get("file") in names]
        (into / METADATA_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return into


def embedded_texts(corpus: Path) -> list[str]:
    """The distinct texts an ingest of `corpus` into an empty index embeds, in its order (ingest._gather)."""
    texts = {text_key(p.embedding_text): p.embedding_text
             for document in load_corpus([corpus], word_pieces).documents for p in document.passages}
    return list(texts.values())


def timed_ingest(corpus: Path, index: Path, embedder: str, profile: Path | None) -> tuple[float, float, float | None]:
    """Wall-clock and CPU seconds of `readouts ingest CORPUS --embedder E --index INDEX` in a new process,
    and the seconds of its embedding step, as its last progress line gives them."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, *(["-m", "cProfile", "-o", str(profile)] if profile else []), "-m", "index.cli",
               "ingest", str(corpus), "--embedder", embedder, "--index", str(index)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    embedding = re.findall(r"^Embedding: .* done in ([\d,.]+) s$", done.stderr, re.M)
    return (seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            float(embedding[-1].replace(",", "")) if embedding else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default=DEFAULT_EMBEDDER, choices=[n for n, f in EMBEDDERS.items()
                                                                         if issubclass(f, OnnxEmbedder)])
    parser.add_argument("--corpus", type=Path, default=STATE_DEPT)
    parser.add_argument("--readouts", type=int, help="only the first N readouts by file name")
    parser.add_argument("--order", nargs="+", choices=("raw", "ingest"), default=["raw", "ingest", "raw"])
    parser.add_argument("--profile", type=Path, help="cProfile each ingest; the last one's statistics here")
    parser.add_argument("--keep", type=Path, help="move the last index built here (to compare two versions' output)")
    args = parser.parse_args()
    embedder = embedder_named(args.embedder)
    assert isinstance(embedder, OnnxEmbedder)
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}; {args.embedder}; {' '.join(sys.argv)}", flush=True)

    with tempfile.TemporaryDirectory(prefix="throughput-") as work:
        corpus = subset(args.corpus, args.readouts, Path(work)) if args.readouts else args.corpus
        texts = embedded_texts(corpus)  # also warms the file cache for the ingest
        model = BareModel(embedder)
        model.embed(texts[:4 * model.batch_size])  # warm the sessions before any timing
        print(f"{corpus.name if not args.readouts else f'first {args.readouts} readouts of {args.corpus.name}'}: "
              f"{len(texts):,} distinct passage texts to embed", flush=True)
        rows, raw_vectors, embedding = [], None, None
        for number, step in enumerate(args.order):
            load = os.getloadavg()[0]
            if step == "raw":
                started, cpu = time.perf_counter(), time.process_time()
                raw_vectors = model.embed(texts)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                passages = len(texts)
            else:
                index = Path(work) / f"index-{number}"
                seconds, cpu, embedding = timed_ingest(corpus, index, args.embedder, args.profile)
                with store.load(index) as built:
                    passages = len(built.passages)
                    stored = {text_key(p.embedding_text): row for row, p in enumerate(built.passages)}
                    if set(stored) != {text_key(text) for text in texts}:
                        raise SystemExit("the index embedded other texts than the raw side: the comparison is void")
                    ingest_vectors = built.all_vectors()[[stored[text_key(text)] for text in texts]]
            rows.append((step, seconds, cpu, passages, load))
            within = (f" (its embedding step {embedding:.1f} s, the rest {seconds - embedding:.1f} s)"
                      if step == "ingest" and embedding else "")
            print(f"  {step}: {seconds:.1f} s{within}, {len(texts) / seconds:.1f} texts/s ({passages:,} passages), "
                  f"CPU {cpu:.0f} s, load average before {load:.2f}", flush=True)
        if args.keep and "ingest" in args.order:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.move(index, args.keep)
        if raw_vectors is not None and "ingest" in args.order:
            cosine = np.sum(raw_vectors * ingest_vectors, axis=1)
            print(f"vectors, ingest against raw: max |difference| {np.abs(raw_vectors - ingest_vectors).max():.2e}, "
                  f"min cosine {cosine.min():.6f}")

    raw = [r for r in rows if r[0] == "raw"]
    ingests = [r for r in rows if r[0] == "ingest"]
    if raw and ingests:
        ratios = [raw_seconds / ingest_seconds for _, raw_seconds, *_ in raw for _, ingest_seconds, *_ in ingests]
        median_ratio = statistics.median(r[1] for r in raw) / statistics.median(r[1] for r in ingests)
        cpu_ratio = statistics.median(r[2] for r in raw) / statistics.median(r[2] for r in ingests)
        print(f"ingest ÷ raw throughput: {median_ratio:.3f} (medians; each ingest against each raw run: "
              f"{', '.join(f'{r:.3f}' for r in ratios)}); CPU time raw ÷ ingest {cpu_ratio:.3f}; "
              f"load average at end {os.getloadavg()[0]:.2f}")
        print(json.dumps({"embedder": args.embedder, "readouts": args.readouts, "texts": len(texts),
                          "runs": [dict(zip(("step", "seconds", "cpu_s", "passages", "load"), r)) for r in rows],
                          "ratio": round(median_ratio, 3), "ratios": [round(r, 3) for r in ratios],
                          "cpu_ratio": round(cpu_ratio, 3)}))


if __name__ == "__main__":
    main()
