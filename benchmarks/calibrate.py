"""An embedder's levels, chosen on the TUNING half of the fresh question sets (index.evaluate.half)
and the older off-topic set only; the frozen half is never read here.

Usage: python benchmarks/calibrate.py [--embedder use-multilingual]

Prints, for the indexes benchmarks/fresh.py builds under bench-results/fresh/:
- duplicate levels, from the state-dept corpus alone (no questions): the lowest cosine between the
  same paragraph under two titles (`same_text_similarity` goes below it), and how many pairs of
  different paragraphs reach each level (`duplicate_similarity`: where about as few remain as
  MiniLM's 0.95 lets through, 110);
- min_similarity: for each threshold, the tuning on-topic questions answered and the off-topic
  ones (off_topic.jsonl over both corpora, the tuning half of unanswerable_fresh) abstained on;
- dense_weight and the duplicate levels: hybrid hit@1/3/5 and MRR on the tuning half.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from fresh import FRESH, retriever_for  # noqa: E402

from index.answer.policy import Answerer  # noqa: E402
from index.errors import NothingMatches  # noqa: E402
from index.evaluate import evaluate, half, load_questions  # noqa: E402
from index.retrieve.ranking import EVIDENCE_BAR, evidence  # noqa: E402


def answerable(question: str, hits: list, level: float, lexical) -> list:
    """The hits a bar of `level` (cosine) would quote: as the answer policy does (ranking.judge), the
    cosine at the bar or the question's words held (evidence)."""
    held = evidence(lexical, question, [hit.passage for hit in hits])
    return [hit for hit, share in zip(hits, held) if hit.score >= level or share >= EVIDENCE_BAR]

OFF_TOPIC = ROOT / "tests" / "questions" / "off_topic.jsonl"


def tuning(file: Path) -> list:
    return [q for q in load_questions(file) if half(q.id) == "tuning"]


def duplicate_levels(retriever) -> None:
    index = retriever.index
    vectors = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    texts = [" ".join(p.text.split()) for p in index.passages]
    docs = [p.doc for p in index.passages]
    by_text: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        by_text.setdefault(text, []).append(row)
    same = [float(vectors[a] @ vectors[b]) for rows in by_text.values() for i, a in enumerate(rows)
            for b in rows[i + 1:] if docs[a] != docs[b]]
    print(f"same paragraph under two titles: {len(same)} pairs, cosine min {min(same):.3f}, "
          f"5th percentile {np.percentile(same, 5):.3f}" if same else "no paragraph under two titles")
    levels = np.round(np.arange(0.80, 1.0001, 0.005), 3)
    counts = np.zeros(len(levels), dtype=np.int64)
    text_id = np.array([id(by_text[t]) for t in texts])
    for start in range(0, len(vectors), 512):
        block = vectors[start:start + 512] @ vectors.T
        rows = np.arange(start, min(start + 512, len(vectors)))
        upper = np.arange(len(vectors))[None, :] > rows[:, None]
        different = text_id[rows][:, None] != text_id[None, :]
        values = block[upper & different]
        counts += np.array([(values >= level).sum() for level in levels])
    n = len(vectors)
    print(f"pairs of different paragraphs ({n * (n - 1) // 2} pairs in all) at or above:")
    print("  " + ", ".join(f"{level:.3f}: {count}" for level, count in zip(levels, counts) if count < 20000))


def thresholds(retrievers) -> None:
    on_topic = [("seeds", q) for q in tuning(FRESH / "seeds_fresh.jsonl")] + \
               [("state-dept", q) for q in tuning(FRESH / "state_fresh.jsonl")]
    off_topic = [(c, q) for c in ("seeds", "state-dept") for q in load_questions(OFF_TOPIC)] + \
                [(c, q) for c in ("seeds", "state-dept") for q in tuning(FRESH / "unanswerable_fresh.jsonl")]
    hits = {}
    for corpus, q in on_topic + off_topic:
        try:
            hits[corpus, q.id, q.q] = retrievers[corpus].search(q.q, 5)
        except NothingMatches as error:  # as evaluate and the bot's answerer do
            hits[corpus, q.id, q.q] = retrievers[corpus].search(q.q, 5, word_dates=False) if error.worded else []
    print(f"min_similarity over {len(on_topic)} tuning on-topic and {len(off_topic)} off-topic (question, corpus):")
    print("| threshold | on-topic answered | off-topic abstained | sum |")
    print("|---|---|---|---|")
    for level in np.round(np.arange(0.20, 0.80, 0.02), 2):
        answered = sum(bool(answerable(q.q, hits[c, q.id, q.q], level, retrievers[c].index.lexical))
                       for c, q in on_topic)
        abstained = sum(not answerable(q.q, hits[c, q.id, q.q], level, retrievers[c].index.lexical)
                        for c, q in off_topic)
        print(f"| {level:.2f} | {answered}/{len(on_topic)} | {abstained}/{len(off_topic)} | {answered + abstained} |")


def ranking(retrievers, embedder, weights, duplicates) -> None:
    sets = [("seeds", tuning(FRESH / "seeds_fresh.jsonl")), ("state-dept", tuning(FRESH / "state_fresh.jsonl"))]
    print("| dense_weight | same_text / duplicate | " + " | ".join(f"{c} hit@1/3/5 MRR" for c, _ in sets) + " |")
    print("|---|---|" + "---|" * len(sets))
    for same_text, duplicate in duplicates:
        for weight in weights:
            embedder.dense_weight, embedder.same_text_similarity, embedder.duplicate_similarity = weight, same_text, duplicate
            cells = []
            for corpus, questions in sets:
                r = retrievers[corpus]
                s = evaluate(questions, Answerer(r))
                cells.append(f"{s.hit_rate(1):.3f} / {s.hit_rate(3):.3f} / {s.hit_rate(5):.3f} {s.mrr:.3f}")
            print(f"| {weight} | {same_text} / {duplicate} | " + " | ".join(cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--weights", type=float, nargs="+", default=[0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7])
    parser.add_argument("--duplicates", nargs="+", default=[],
                        help="same_text/duplicate pairs to try, e.g. 0.8/0.95 (default: the embedder's own)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["duplicates", "thresholds", "ranking"])
    args = parser.parse_args()
    retrievers = {corpus: retriever_for(corpus, args.embedder) for corpus in ("seeds", "state-dept")}
    embedder = retrievers["seeds"].embedder
    retrievers["state-dept"].embedder = embedder  # one instance, so the levels set below reach both
    if "duplicates" not in args.skip:
        duplicate_levels(retrievers["state-dept"])
    if "thresholds" not in args.skip:
        thresholds(retrievers)
    if "ranking" not in args.skip:
        pairs = [tuple(map(float, p.split("/"))) for p in args.duplicates] or \
                [(embedder.same_text_similarity, embedder.duplicate_similarity)]
        ranking(retrievers, embedder, args.weights, pairs)


if __name__ == "__main__":
    main()
