"""Quality on the question sets written by people who never saw the code, each split once into a
tuning half and a frozen half (index.evaluate.half), for every ranking method.

Usage: python benchmarks/fresh.py [--embedder minilm-int8] [--snapshot FILE] [--compare FILE]

Prints hit@1/3/5 and MRR per set, half and method; on the unanswerable set, how many questions
were left unanswered. --snapshot writes every question's top five (doc, paragraph) to FILE;
--compare reports the questions whose top five differ from FILE's (a refactor must change none).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import store  # noqa: E402
from index.embed import embedder_named  # noqa: E402
from index.evaluate import evaluate, half, load_questions  # noqa: E402
from index.ingest import ingest  # noqa: E402
from index.search import METHODS, Retriever  # noqa: E402

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
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    retrievers = {corpus: retriever_for(corpus, args.embedder) for corpus in CORPORA}
    snapshot: dict[str, list] = {}
    print(f"embedder {args.embedder}")
    print(f"| set | half | n | method | hit@1 | hit@3 | hit@5 | MRR | answered |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, corpus, file, _ in SETS:
        retriever = retrievers[corpus]
        questions = load_questions(FRESH / file)
        for method in METHODS:
            def search(q, k, method=method, **options):
                hits = retriever.search(q, k, method=method, **options)
                snapshot[f"{corpus}|{method}|{q}"] = [(h.passage.doc, h.passage.paragraph) for h in hits[:5]]
                return hits
            for part in ("tuning", "frozen", "all"):
                chosen = [q for q in questions if part == "all" or half(q.id) == part]
                s = evaluate(chosen, search, min_similarity=retriever.min_similarity,
                             cross_lingual=retriever.cross_lingual_min_similarity)
                if s.off_topic:
                    print(f"| {name} | {part} | {s.off_topic} | {method} | | | | | "
                          f"{s.off_topic - s.abstained} answered |")
                else:
                    print(f"| {name} | {part} | {s.questions} | {method} | {s.hit_rate(1):.3f} | {s.hit_rate(3):.3f} "
                          f"| {s.hit_rate(5):.3f} | {s.mrr:.3f} | {s.answered_rate:.3f} |")
    if args.snapshot:
        args.snapshot.write_text(json.dumps(snapshot, indent=0, ensure_ascii=False))
    if args.compare:
        before = json.loads(args.compare.read_text())
        changed = [key for key in before if key in snapshot and [tuple(x) for x in before[key]] != snapshot[key]]
        print(f"\n{len(changed)} of {len(before)} rankings differ from {args.compare}")
        for key in changed[:20]:
            print(f"  {key}")


if __name__ == "__main__":
    main()
