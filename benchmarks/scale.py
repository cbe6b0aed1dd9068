"""How the index scales: build, size, memory, load time and question latency from 1k to 1M passages.

Usage: python benchmarks/scale.py [--sizes 1000 10000 100000 1000000]

Corpora come from benchmarks/synthetic.py (real state-dept sentences recombined, vectors computed
from real sentence embeddings). Measured at each size, each in its own process so peak RSS is its
own: vector index build, BM25 build and write (store.save), size on disk, recall@10 of the vector
index against exact search for the benchmark questions; then, in a fresh process, load time, RSS
while serving and question latency (embed, vector search, BM25, the rest of Retriever.search:
fusion, filters, duplicates). Embedding and read/clean are measured once on real readouts and
extrapolated (marked "est."): embedding a million passages per run would take hours.
Writes bench-results/scale.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.questions import distinct_questions  # noqa: E402
from benchmarks.synthetic import Material, generate  # noqa: E402
from index.errors import NothingMatches  # noqa: E402
from index.ingest.corpus import load_corpus  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import DEFAULT_EMBEDDER, embedder_named  # noqa: E402
from index.models.onnx_model import word_pieces  # noqa: E402
from index.retrieve.search import Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402
from index.store import vectors as vector_index  # noqa: E402

STATE_DEPT = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared")) / "corpus" / "state-dept"
WORKDIR = ROOT / "bench-results" / "scale"


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    at = lambda p: ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": round(statistics.median(values), 2), "p95": round(at(95), 2), "p99": round(at(99), 2)}


def peak_rss_mb() -> float:
    """This process's peak RSS. Not getrusage's ru_maxrss: Linux carries it across exec, so a child
    would report its parent's peak whenever that was higher."""
    status = Path("/proc/self/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024, 1)


def questions(material: Material) -> list[str]:
    return distinct_questions(material.texts)


def base_index(embedder) -> store.Index:
    """The real corpus, ingested once (later runs find it unchanged)."""
    directory = WORKDIR / "state-dept"
    ingest([STATE_DEPT], directory, embedder)
    return store.load(directory)


def base_material(index: store.Index, embedder) -> Material:
    cache = WORKDIR / f"material-{embedder.name}-{index.manifest.passage_count}.npy"
    if cache.exists():
        return Material.from_index(index, embedder, np.load(cache))
    material = Material.from_index(index, embedder)
    np.save(cache, material.vectors)
    return material


def rates(index: store.Index, embedder) -> dict[str, float]:
    """Read/clean and embedding speed per passage, on the real readouts."""
    started = time.perf_counter()
    corpus = load_corpus([STATE_DEPT], word_pieces)
    clean_rate = sum(len(d.passages) for d in corpus.documents) / (time.perf_counter() - started)
    sample = [p.embedding_text for p in index.passages[:500]]
    embedder.embed(sample[:8])
    started = time.perf_counter()
    embedder.embed(sample)
    embed_rate = len(sample) / (time.perf_counter() - started)
    return {"read_clean_passages_per_s": round(clean_rate), "embed_passages_per_s": round(embed_rate, 1)}


def build(size: int, directory: Path, embedder, material: Material, asked: list[str]) -> dict:
    started = time.perf_counter()
    corpus = generate(material, size)
    generated = time.perf_counter() - started
    shutil.rmtree(directory, ignore_errors=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    store.save(directory, embedder.name, corpus.records, corpus.passages, corpus.vectors, timings)
    saved = time.perf_counter() - started
    index = store.load(directory)
    query_vectors = np.stack([embedder.embed_query(q) for q in asked])
    truth, _ = faiss.knn(query_vectors, corpus.vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)
    found = np.stack([np.pad(vector_index.search(index.vectors, v, 10), (0, 10), constant_values=-1)[:10]
                      for v in query_vectors])
    return {"passages": size, "documents": len(corpus.records), "generate_s": round(generated, 1),
            "vector_index_s": round(timings["vector_index"], 1), "bm25_index_s": round(timings["bm25_index"], 1),
            "write_s": round(timings["write"], 1), "save_s": round(saved, 1),
            "index_passages_per_s": round(size / saved), "vector_index": vector_index.describe(index.vectors),
            "recall_at_10": round(vector_index.recall(query_vectors, corpus.vectors, found, truth), 3),
            "disk_mb": round(index.size_on_disk() / 1e6, 1), "build_peak_rss_mb": peak_rss_mb()}


def serve(directory: Path, embedder, asked: list[str]) -> dict:
    started = time.perf_counter()
    retriever = Retriever(store.load(directory), embedder)
    loaded = time.perf_counter() - started
    rss_loaded = peak_rss_mb()
    retriever.search("warm up the model", 5)
    parts: dict[str, list[float]] = {"embed": [], "vector": [], "bm25": [], "rest": [], "total": []}
    for question in asked:
        t0 = time.perf_counter()
        vector = embedder.embed_query(question)
        t1 = time.perf_counter()
        vector_index.search(retriever.index.vectors, vector, 50)
        t2 = time.perf_counter()
        retriever.index.lexical.search(question, 50)
        t3 = time.perf_counter()
        try:
            retriever.search(question, 5)
        except NothingMatches:  # a date in the question excluding every readout is an answer too
            pass
        t4 = time.perf_counter()
        total = (t4 - t3) * 1000
        parts["embed"].append((t1 - t0) * 1000)
        parts["vector"].append((t2 - t1) * 1000)
        parts["bm25"].append((t3 - t2) * 1000)
        parts["total"].append(total)
        parts["rest"].append(max(0.0, total - (t3 - t0) * 1000))
    return {"load_s": round(loaded, 2), "rss_after_load_mb": rss_loaded, "serving_peak_rss_mb": peak_rss_mb(),
            "questions": len(asked), "latency_ms": {name: percentiles(values) for name, values in parts.items()}}


def child(argv: list[str]) -> None:
    """`scale.py build SIZE DIR` or `scale.py serve DIR`: one measurement in a fresh process."""
    embedder = embedder_named(DEFAULT_EMBEDDER)
    material = base_material(base_index(embedder), embedder)
    asked = questions(material)
    if argv[0] == "build":
        result = build(int(argv[1]), Path(argv[2]), embedder, material, asked)
    else:
        result = serve(Path(argv[1]), embedder, asked)
    print(json.dumps(result))


def run_child(*args: str) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true", help="keep the built indexes under bench-results/scale")
    args = parser.parse_args()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    embedder = embedder_named(DEFAULT_EMBEDDER)
    index = base_index(embedder)
    material = base_material(index, embedder)
    speeds = rates(index, embedder)
    results = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d"), "model": embedder.name,
               "sentences": len(material.texts), "questions": len(questions(material)), **speeds, "sizes": []}
    print(json.dumps(speeds))
    for size in args.sizes:
        directory = WORKDIR / f"index-{size}"
        built = run_child("build", str(size), str(directory))
        served = run_child("serve", str(directory))
        row = {**built, **served,
               "embed_s_est": round(size / speeds["embed_passages_per_s"]),
               "read_clean_s_est": round(size / speeds["read_clean_passages_per_s"], 1)}
        results["sizes"].append(row)
        print(json.dumps(row), flush=True)
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    (ROOT / "bench-results" / "scale.json").write_text(json.dumps(results, indent=1))
    print_table(results)


def print_table(results: dict) -> None:
    print(f"\n{results['model']}, {results['machine']}, {results['date']}; read/clean {results['read_clean_passages_per_s']} "
          f"passages/s, embed {results['embed_passages_per_s']} passages/s (measured on real readouts)")
    header = ("passages", "index", "recall@10", "build s", "disk MB", "load s", "RSS MB", "embed p50", "vector p50",
              "bm25 p50", "total p50", "p95", "p99")
    print(" | ".join(header))
    for row in results["sizes"]:
        latency = row["latency_ms"]
        print(" | ".join(str(v) for v in (
            f"{row['passages']:,}", row["vector_index"], row["recall_at_10"], row["save_s"], row["disk_mb"], row["load_s"],
            row["serving_peak_rss_mb"], latency["embed"]["p50"], latency["vector"]["p50"], latency["bm25"]["p50"],
            latency["total"]["p50"], latency["total"]["p95"], latency["total"]["p99"])))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("build", "serve"):
        child(sys.argv[1:])
    else:
        main()
