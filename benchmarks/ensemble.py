"""Dense rankings of two embedders fused, on the fresh question sets (tuning and frozen halves).

Usage: python benchmarks/ensemble.py [--models minilm-int8 use-multilingual]

Loads (building when missing) the two models' indexes of each corpus under bench-results/fresh/
(as benchmarks/fresh.py does), takes each model's dense ranking of a question (its top 50, after
the question's filters and the folding of duplicates), and fuses them: reciprocal-rank fusion
(k=60), and the mean of the two cosines, each min-max scaled over the union of the two lists (a
passage missing from one list gets that list's minimum). Standalone: no production code uses it.
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fresh import FRESH, retriever_for  # noqa: E402

from index.answer.policy import Answerer  # noqa: E402
from index.evaluate import evaluate, half, load_questions  # noqa: E402

DEPTH = 50
SETS = [("seeds fresh", "seeds", "seeds_fresh.jsonl"), ("state-dept fresh", "state-dept", "state_fresh.jsonl")]


def rrf(lists, k: int = 60) -> list:
    scores: dict[str, float] = {}
    first: dict[str, object] = {}
    for hits in lists:
        for rank, hit in enumerate(hits, start=1):
            scores[hit.passage.id] = scores.get(hit.passage.id, 0.0) + 1 / (k + rank)
            first.setdefault(hit.passage.id, hit)
    return [first[i] for i in sorted(scores, key=lambda i: -scores[i])]


def mean_scaled(lists) -> list:
    scores: dict[str, float] = {}
    first: dict[str, object] = {}
    ids = list(dict.fromkeys(h.passage.id for hits in lists for h in hits))
    for hits in lists:
        by_id = {h.passage.id: h.score for h in hits}
        values = np.array(list(by_id.values())) if by_id else np.zeros(1)
        low, high = float(values.min()), float(values.max())
        for i in ids:
            scores[i] = scores.get(i, 0.0) + (by_id.get(i, low) - low) / ((high - low) or 1.0)
        for h in hits:
            first.setdefault(h.passage.id, h)
    return [first[i] for i in sorted(ids, key=lambda i: -scores[i])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs=2, default=["minilm-int8", "use-multilingual"])
    args = parser.parse_args()
    print(f"dense rankings of {args.models[0]} and {args.models[1]} fused")
    print("| set | half | n | ranking | hit@1 | hit@3 | hit@5 | MRR |")
    print("|---|---|---|---|---|---|---|---|")
    for name, corpus, file in SETS:
        retrievers = [retriever_for(corpus, model) for model in args.models]
        questions = load_questions(FRESH / file)
        cache: dict[tuple, list] = {}

        def dense_lists(q, word_dates=True, cache=cache, retrievers=retrievers):
            key = (q, word_dates)
            if key not in cache:
                cache[key] = [r.search(q, DEPTH, method="dense", word_dates=word_dates) for r in retrievers]
            return cache[key]

        rankings = {args.models[0]: lambda lists: lists[0], args.models[1]: lambda lists: lists[1],
                    "RRF": rrf, "mean of min-max cosines": mean_scaled}
        for label, fuse in rankings.items():
            class Fused:
                def missing(self, question):
                    return []

                def search(self, q, k, method="dense", word_dates=True, fuse=fuse):
                    fused = fuse(dense_lists(q, word_dates))[:k]
                    return [dataclasses.replace(h, rank=rank) for rank, h in enumerate(fused, start=1)]
            for part in ("tuning", "frozen", "all"):
                chosen = [q for q in questions if part == "all" or half(q.id) == part]
                s = evaluate(chosen, Answerer(Fused()))
                print(f"| {name} | {part} | {s.questions} | {label} | {s.hit_rate(1):.3f} | {s.hit_rate(3):.3f} "
                      f"| {s.hit_rate(5):.3f} | {s.mrr:.3f} |", flush=True)


if __name__ == "__main__":
    main()
