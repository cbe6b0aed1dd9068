"""Embedding and question speed of each embedder, as ratios against minilm-int8 measured in the
same run, interleaved (this machine's speed varies with what else runs on it).

Usage: python benchmarks/speed.py [--models minilm-int8 use-multilingual e5-small] [--passages 240]
       [--questions 40] [--rounds 2]

Passages: the first N passages of the state-dept index (their embedding text, as ingest embeds
them), embedded in one call; e5-small also with its latent terms, as its ingest does. Questions:
the first N of state_fresh.jsonl, each searched (hybrid, top 5) over that model's state-dept index
under bench-results/fresh/ (built by benchmarks/fresh.py); the median of their times, after one
question to warm up. Each round measures every model once, in order.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fresh import FRESH, retriever_for  # noqa: E402

from index.evaluate import load_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["minilm-int8", "use-multilingual", "e5-small"])
    parser.add_argument("--passages", type=int, default=240)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    retrievers = {m: retriever_for("state-dept", m) for m in args.models}
    texts = [p.embedding_text for p in retrievers[args.models[0]].index.passages[: args.passages]]
    asked = [q.q for q in load_questions(FRESH / "state_fresh.jsonl")][: args.questions + 1]
    for r in retrievers.values():  # load every model before timing
        r.embedder.embed(texts[:8])
        r.search(asked[0], word_dates=False)
    print("| round | model | passages/s | × minilm-int8 | ms per question (median) | × minilm-int8 |")
    print("|---|---|---|---|---|---|")
    for round_ in range(1, args.rounds + 1):
        results = {}
        for model, r in retrievers.items():
            started = time.perf_counter()
            r.embedder.embed(texts)
            rate = len(texts) / (time.perf_counter() - started)
            latent_rate = None
            if r.embedder.embed_latent(texts[:1]) is not None:
                started = time.perf_counter()
                r.embedder.embed(texts), r.embedder.embed_latent(texts)
                latent_rate = len(texts) / (time.perf_counter() - started)
            times = []
            for q in asked[1:]:
                r._question_vector.cache_clear()
                started = time.perf_counter()
                r.search(q, word_dates=False)  # no date filter can empty the search
                times.append((time.perf_counter() - started) * 1000)
            results[model] = (rate, latent_rate, statistics.median(times))
        base_rate, _, base_ms = results[args.models[0]]
        for model, (rate, latent_rate, ms) in results.items():
            extra = f" ({latent_rate:.1f} with latent terms, × {latent_rate / base_rate:.3f})" if latent_rate else ""
            print(f"| {round_} | {model} | {rate:.1f}{extra} | {rate / base_rate:.3f} | {ms:.1f} | {ms / base_ms:.2f} |",
                  flush=True)


if __name__ == "__main__":
    main()
