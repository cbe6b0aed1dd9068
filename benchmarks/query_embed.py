"""One question embedded by mpnet-int8: int8 graphs and onnxruntime session options against each
other, as ratios measured in one run (each question is run by every variant in turn, the order
rotating from one question to the next, since this machine's speed varies with what else runs on
it), and each graph's vectors against sentence-transformers fp32.

Usage: python benchmarks/query_embed.py [--graphs A.onnx B.onnx ...] [--options 1 2 1-spin 2-spin]
                                        [--reps 3] [--passages 200] [--questions 100] [--no-fidelity]
                                        [--bulk 200]

--graphs defaults to the int8 graph of the previous recipe (the projections with outliers left in
float), when the cache holds it, and the current one; the first variant is the base of every ratio.
--options: intra-op threads, "-spin" to let them spin. Times are wall-clock and CPU (all threads
of the process) per `session.run`, and the whole `embed_query` once per question for the current graph.
Fidelity: `--passages` state-dept passages (title and paragraph, as ingest embeds them; two from
each of randomly chosen readouts) and `--questions` of the project's questions, embedded as
`embed` does (batches of 8 of similar length, padded), cosine to sentence-transformers.
--bulk N: N passages embedded as an ingest does, CPU time per passage, graphs alternating.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from index.evaluate import load_questions  # noqa: E402
from index.ingest.documents import parse_document  # noqa: E402
from index.models import onnx_model  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402

STATE_DEPT = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared")) / "corpus" / "state-dept"
QUESTIONS = ROOT / "tests" / "questions"


def questions() -> list[str]:
    """Every distinct question of the project's sets, in a fixed order."""
    paths = sorted((QUESTIONS / "chat").glob("*.jsonl")) + sorted(QUESTIONS.glob("*.jsonl"))
    return list(dict.fromkeys(q.q for path in paths for q in load_questions(path)))


def passages(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    chosen: list[str] = []
    for path in rng.sample(sorted(STATE_DEPT.glob("*.txt")), len(list(STATE_DEPT.glob("*.txt")))):
        found = parse_document(path, path.read_text()).passages
        chosen += [p.embedding_text for p in rng.sample(found, min(2, len(found)))]
        if len(chosen) >= count:
            return chosen[:count]
    return chosen


def session(graph: Path, option: str):  # noqa: ANN201
    import onnxruntime

    threads, _, spin = option.partition("-")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = int(threads)
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin == "spin" else "0")
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def timing(graphs: list[Path], options: list[str], asked: list[str], reps: int) -> None:
    embedder = embedder_named("mpnet-int8")
    model = embedder.model
    tokenizer = model.tokenizer
    variants = [(graph, option, session(graph, option)) for graph in graphs for option in options]
    feeds = []
    for question in asked:
        ids = np.array([tokenizer.encode(question).ids], dtype=np.int64)
        feeds.append({"input_ids": ids, "attention_mask": np.ones_like(ids)})
    for _, _, run in variants:
        for feed in feeds[:5]:
            run.run(None, feed)
    embedder.embed_query("warm up")
    wall: list[list[float]] = [[] for _ in variants]
    cpu: list[list[float]] = [[] for _ in variants]
    whole: list[float] = []
    turn = 0
    for _ in range(reps):
        for question, feed in zip(asked, feeds):
            order = list(range(len(variants)))
            order = order[turn % len(order):] + order[: turn % len(order)]
            turn += 1
            for i in order:
                cpu_started, started = time.process_time(), time.perf_counter()
                variants[i][2].run(None, feed)
                wall[i].append((time.perf_counter() - started) * 1000)
                cpu[i].append((time.process_time() - cpu_started) * 1000)
            started = time.perf_counter()
            embedder.embed_query(question)
            whole.append((time.perf_counter() - started) * 1000)
    tokens = [feed["input_ids"].shape[1] for feed in feeds]
    print(f"\n{len(asked)} questions ({statistics.median(tokens):.0f} pieces at p50, {max(tokens)} at most), "
          f"{reps} rounds; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| graph | threads | wall p50 / p90 ms | × first (p50) | paired ratio p50 | CPU p50 ms | × first |")
    print("|---|---|---|---|---|---|---|")
    base_wall, base_cpu = statistics.median(wall[0]), statistics.median(cpu[0])
    for (graph, option, _), times, cpus in zip(variants, wall, cpu):
        paired = statistics.median(a / b for a, b in zip(times, wall[0]))
        p50, p90 = statistics.median(times), sorted(times)[int(0.9 * len(times))]
        print(f"| {graph.name} | {option} | {p50:.2f} / {p90:.2f} | {p50 / base_wall:.3f} | {paired:.3f} | "
              f"{statistics.median(cpus):.2f} | {statistics.median(cpus) / base_cpu:.3f} |")
    print(f"\n`embed_query` (tokenizer, Python and {model.path.name} on its own session): "
          f"p50 {statistics.median(whole):.2f} ms")


def batches_of(texts: list[str], tokenizer) -> list[dict[str, np.ndarray]]:  # noqa: ANN001
    """The model's inputs for `texts` as `embed` makes them: batches of 8 of similar length, padded."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    feeds = []
    for start in range(0, len(order), 8):
        encodings = tokenizer.encode_batch([texts[i] for i in order[start:start + 8]])
        feeds.append({"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                      "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64)})
    return feeds


def bulk(graphs: list[Path], count: int, rounds: int = 2) -> None:
    """Passages embedded as an ingest does (batches of 8), on one single-thread session per graph, the
    graphs taking turns to go first: CPU time per passage."""
    texts = passages(count)
    feeds = batches_of(texts, embedder_named("mpnet-int8").model.tokenizer)
    sessions = [session(graph, "1") for graph in graphs]
    print(f"\n{len(texts)} state-dept passages in batches of 8, one thread; CPU ms per passage\n")
    print("| round | " + " | ".join(graph.name for graph in graphs) + " | × first |")
    print("|---|" + "---|" * len(graphs) + "---|")
    for round_ in range(rounds):
        cpu = [0.0] * len(graphs)
        for i in (range(len(graphs)) if round_ % 2 == 0 else reversed(range(len(graphs)))):
            started = time.process_time()
            for feed in feeds:
                sessions[i].run(None, feed)
            cpu[i] = (time.process_time() - started) * 1000 / len(texts)
        print(f"| {round_ + 1} | " + " | ".join(f"{c:.1f}" for c in cpu) + " | "
              + ", ".join(f"{c / cpu[0]:.3f}" for c in cpu[1:]) + " |")


def fidelity(graphs: list[Path], count: int, asked: list[str]) -> None:
    from sentence_transformers import SentenceTransformer

    texts = passages(count) + asked
    reference = SentenceTransformer(str(onnx_model.MPNET.directory()), device="cpu")
    expected = reference.encode(texts, normalize_embeddings=True, batch_size=8)
    tokenizer = embedder_named("mpnet-int8").model.tokenizer
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    feeds = batches_of(texts, tokenizer)
    found = {}
    print(f"\ncosine to sentence-transformers fp32: {len(texts) - len(asked)} state-dept passages, "
          f"{len(asked)} questions\n")
    print("| graph | passages mean / min / 5th pct | questions mean / min |")
    print("|---|---|---|")
    for graph in graphs:
        run = session(graph, "2")
        vectors = np.zeros_like(expected)
        for start, feed in zip(range(0, len(order), 8), feeds):
            vectors[order[start:start + 8]] = run.run(None, feed)[0]
        found[graph] = vectors
        cosine = np.sum(vectors * expected, axis=1)
        near, far = cosine[: len(texts) - len(asked)], cosine[len(texts) - len(asked):]
        print(f"| {graph.name} | {near.mean():.4f} / {near.min():.4f} / {np.percentile(near, 5):.4f} | "
              f"{far.mean():.4f} / {far.min():.4f} |")
    first = graphs[0]
    for graph in graphs[1:]:
        between = np.sum(found[first] * found[graph], axis=1)
        print(f"\n{graph.name} against {first.name}: cosine mean {between.mean():.4f}, min {between.min():.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    previous = onnx_model.cache_path(False, onnx_model.MPNET).with_name(
        onnx_model.cache_path(False, onnx_model.MPNET).name.replace("-fp32", "-int8"))
    parser.add_argument("--graphs", type=Path, nargs="+")
    parser.add_argument("--options", nargs="+", default=["1"])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--no-fidelity", action="store_true")
    parser.add_argument("--bulk", type=int, default=0, help="also time this many passages embedded as ingest does")
    args = parser.parse_args()
    current = onnx_model.ensure_model(True, onnx_model.MPNET)
    graphs = args.graphs or ([previous] if previous.is_file() and previous != current else []) + [current]
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
    asked = questions()
    timing(graphs, args.options, asked, args.reps)
    if args.bulk:
        bulk(graphs, args.bulk)
    if not args.no_fidelity:
        fidelity(graphs, args.passages, asked[:: max(1, len(asked) // args.questions)][: args.questions])


if __name__ == "__main__":
    main()
