"""Quality on the question sets written by people who never saw the code, each split once into a
tuning half and a frozen half (index.evaluate.half), for every ranking method.

Usage: python benchmarks/fresh.py [--embedder minilm-int8]

Prints hit@1/3/5 and MRR per set, half and method; on the unanswerable set, how many questions
were answered anyway (benchmarks/quality.py also measures these sets, and snapshots rankings).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answer.policy import Answerer  # noqa: E402
from index.evaluate import evaluate, half, load_questions  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402
from index.retrieve.search import METHODS, Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

SHARED = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared"))
FRESH = ROOT / "tests" / "questions" / "fresh"
CORPORA = {"seeds": ROOT / "seeds", "state-dept": SHARED / "corpus" / "state-dept"}
SETS = [  # (name, corpus, file, k of the bar)
    ("seeds fresh", "seeds", "seeds_fresh.jsonl", 3),
    ("state-dept fresh", "state-dept", "state_fresh.jsonl", 5),
    ("unanswerable (seeds)", "seeds", "unanswerable_fresh.jsonl", 5),
    ("unanswerable (state-dept)", "state-dept", "unanswerable_fresh.jsonl", 5),
]


def retriever_for(corpus: str, embedder_name: str) -> Retriever:
    directory = ROOT / "bench-results" / "fresh" / f"{corpus}-{embedder_name}"
    embedder = embedder_named(embedder_name)
    ingest([CORPORA[corpus]], directory, embedder)
    return Retriever(store.load(directory), embedder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="minilm-int8")
    args = parser.parse_args()
    retrievers = {corpus: retriever_for(corpus, args.embedder) for corpus in CORPORA}
    print(f"embedder {args.embedder}")
    print("| set | half | n | method | hit@1 | hit@3 | hit@5 | MRR | answered |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, corpus, file, _ in SETS:
        retriever = retrievers[corpus]
        questions = load_questions(FRESH / file)
        answerer = Answerer(retriever)
        for method in METHODS:
            for part in ("tuning", "frozen", "all"):
                chosen = [q for q in questions if part == "all" or half(q.id) == part]
                s = evaluate(chosen, answerer, method=method)
                if s.off_topic:
                    print(f"| {name} | {part} | {s.off_topic} | {method} | | | | | "
                          f"{s.off_topic - s.abstained} answered |")
                else:
                    print(f"| {name} | {part} | {s.questions} | {method} | {s.hit_rate(1):.3f} | {s.hit_rate(3):.3f} "
                          f"| {s.hit_rate(5):.3f} | {s.mrr:.3f} | {s.answered_rate:.3f} |")


if __name__ == "__main__":
    main()
