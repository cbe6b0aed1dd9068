"""Quality on every question set, as a user meets it: what the answer quotes (not what was merely
ranked), how often an answerable question is denied, and how often an unanswerable one is told so.

Usage: python benchmarks/heldout.py [--embedder minilm-int8] [--methods hybrid dense lexical]
                                    [--sets PATTERN ...] [--json FILE] [--misses]

Sets: every JSONL file in tests/questions/chat/ (written from the corpora alone, by people who never
read the code, before the changes they measure; README there) and the older sets. A file's corpus
is told by its name: seeds_* over seeds/, sd_* and state_* over the State Department readouts,
fmprc_* over the ministry's English pages (../shared, or READOUTS_SHARED). Indexes are built once
under bench-results/indexes/ and reused.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answer.policy import Answerer  # noqa: E402
from index.errors import BadQuery, NothingMatches  # noqa: E402
from index.evaluate import Question, is_gold, load_questions  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402
from index.retrieve.search import METHODS, Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

SHARED = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared"))
QUESTIONS = ROOT / "tests" / "questions"
CORPORA = {"seeds": ROOT / "seeds", "state-dept": SHARED / "corpus" / "state-dept",
           "fmprc-en": SHARED / "corpus" / "fmprc" / "en"}
PREFIXES = {"seeds": "seeds", "sd": "state-dept", "state": "state-dept", "fmprc": "fmprc-en",
            "unanswerable": "seeds"}


def question_sets() -> list[tuple[str, str, Path]]:
    """(name, corpus, file) of every set: the chat sets, then the older ones."""
    sets = []
    for path in sorted((QUESTIONS / "chat").glob("*.jsonl")):
        sets.append((f"chat/{path.stem}", PREFIXES[path.stem.split("_")[0]], path))
    sets += [("seeds", "seeds", QUESTIONS / "seeds.jsonl"), ("state_dept", "state-dept", QUESTIONS / "state_dept.jsonl"),
             ("off_topic", "seeds", QUESTIONS / "off_topic.jsonl")]
    for path in sorted((QUESTIONS / "fresh").glob("*.jsonl")):
        sets.append((f"fresh/{path.stem}", PREFIXES[path.stem.split("_")[0]], path))
    return sets


def retriever_for(corpus: str, embedder_name: str) -> Retriever:
    directory = ROOT / "bench-results" / "indexes" / f"{corpus}-{embedder_name}"
    embedder = embedder_named(embedder_name)
    if not (directory / "CURRENT").exists():
        ingest([CORPORA[corpus]], directory, embedder)
    return Retriever(store.load(directory), embedder)


@dataclass
class Outcome:
    """One question under one method: where its first gold passage stands among what the answer
    quotes (0: not quoted) and among everything ranked, and what the answer said."""

    set: str
    id: str
    style: str
    method: str
    gold: bool  # an answerable question
    quoted_rank: int
    ranked_rank: int
    answered: bool
    missing: list[str]
    corrected: str | None
    error: str | None = None
    quoted: list[str] = field(default_factory=list)  # the first five quoted passages, "doc#paragraph"
    related: int = 0  # passages shown as related, not as an answer (when nothing is quoted)
    related_rank: int = 0  # where the first gold passage stands among them (0: not there)

    @property
    def told_so(self) -> bool:
        """For an unanswerable question: not answered, or a term reported as held by no readout."""
        return not self.answered or bool(self.missing)


def run(question: Question, style: str, set_name: str, answerer: Answerer, method: str, k: int = 5) -> Outcome:
    try:
        answer = answerer.answer(question.q, k, method=method, emphasis=False)  # type: ignore[arg-type]
    except (BadQuery, NothingMatches) as error:
        return Outcome(set_name, question.id, style, method, bool(question.gold), 0, 0, False, [], None, str(error))
    quoted = next((i for i, hit in enumerate(answer.hits, 1) if is_gold(hit.passage, question)), 0)
    ranked = next((i for i, hit in enumerate(answer.ranked, 1) if is_gold(hit.passage, question)), 0)
    return Outcome(set_name, question.id, style, method, bool(question.gold), quoted, ranked, answer.answered,
                   list(answer.missing), ", ".join(f"{typed}->{held}" for typed, held in answer.corrections) or None,
                   quoted=[f"{hit.passage.doc}#{hit.passage.paragraph}" for hit in answer.hits[:5]],
                   related=len(answer.related),
                   related_rank=next((i for i, hit in enumerate(answer.related, 1) if is_gold(hit.passage, question)), 0))


def related_line(outcomes: list[Outcome]) -> str:
    """What the unanswered answers show as related (hybrid): how many answerable ones show the answer
    there, and how many written to have no answer show anything."""
    hybrid = [o for o in outcomes if o.method == "hybrid" and not o.answered and not o.error]
    answerable = [o for o in hybrid if o.gold]
    other = [o for o in hybrid if not o.gold]
    return (f"unanswered (hybrid): answerable {len(answerable)}, showing related {sum(o.related > 0 for o in answerable)}, "
            f"the answer among them {sum(o.related_rank > 0 for o in answerable)}; unanswerable {len(other)}, showing "
            f"related {sum(o.related > 0 for o in other)}")


def styles_of(path: Path) -> dict[str, str]:
    return {record["id"]: record.get("style", "") for record in map(json.loads, filter(str.strip, path.open()))}


def evaluate_all(embedder: str, methods: list[str], patterns: list[str]) -> list[Outcome]:
    retrievers: dict[str, Retriever] = {}
    outcomes = []
    for name, corpus, path in question_sets():
        if patterns and not any(fnmatch.fnmatch(name, p) for p in patterns):
            continue
        if corpus not in retrievers:
            retrievers[corpus] = retriever_for(corpus, embedder)
        answerer = Answerer(retrievers[corpus])
        styles = styles_of(path)
        for question in load_questions(path):
            for method in methods:
                outcomes.append(run(question, styles.get(question.id, ""), name, answerer, method))
    return outcomes


def table(outcomes: list[Outcome]) -> list[str]:
    lines = ["| set | method | n | hit@1 | hit@3 | hit@5 | denied | unanswerable told so |", "|---|---|---|---|---|---|---|---|"]
    keys = list(dict.fromkeys((o.set, o.method) for o in outcomes))
    for set_name, method in keys:
        chosen = [o for o in outcomes if o.set == set_name and o.method == method]
        answerable = [o for o in chosen if o.gold]
        other = [o for o in chosen if not o.gold]
        n = len(answerable)
        hits = [sum(0 < o.quoted_rank <= k for o in answerable) for k in (1, 3, 5)]
        denied = sum(not o.answered for o in answerable)
        told = f"{sum(o.told_so for o in other)}/{len(other)}" if other else "–"
        cells = " | ".join(f"{h} ({h / n:.2f})" for h in hits) if n else "– | – | –"
        lines.append(f"| {set_name} | {method} | {n} | {cells} | {denied if n else '–'} | {told} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="minilm-int8")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--sets", nargs="*", default=[], help="glob patterns over set names (chat/sd_*)")
    parser.add_argument("--json", type=Path, help="write every question's outcome here")
    parser.add_argument("--misses", action="store_true", help="list hybrid misses at 3 and denials")
    args = parser.parse_args()
    outcomes = evaluate_all(args.embedder, args.methods, args.sets)
    print(f"embedder {args.embedder}")
    print("\n".join(table(outcomes)))
    if "hybrid" in args.methods:
        print(related_line(outcomes))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=0))
    if args.misses:
        for o in outcomes:
            if o.method == args.methods[0] and (o.gold and not 0 < o.quoted_rank <= 3 or not o.gold and not o.told_so):
                print(f"  {o.set} {o.id} [{o.style}] quoted@{o.quoted_rank} ranked@{o.ranked_rank} "
                      f"answered={o.answered} missing={o.missing} {o.error or ''}")


if __name__ == "__main__":
    main()
