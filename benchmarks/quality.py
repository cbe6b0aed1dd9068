"""Every question set x embedder x ranking method, with each embedder's ingest and question speed.

Usage: python benchmarks/quality.py [--embedders minilm-int8 minilm e5-small] [--snapshot FILE] [--compare FILE]

Builds (or reuses, when unchanged) an index of the seeds and one of the state-dept corpus per
embedder under bench-results/quality/, then prints a Markdown table and writes
bench-results/quality.json. --snapshot writes every question's top five (doc, paragraph, score)
per embedder and method; --compare lists the rankings that differ from such a file (a refactor
must change none). The state-dept ingest with e5-small (vectors and latent terms) takes
about 13 minutes here.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Collection
from datetime import date
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import settings  # noqa: E402
from index.answer.policy import Answerer  # noqa: E402
from index.errors import BadQuery, NothingMatches  # noqa: E402
from index.evaluate import evaluate, load_questions  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import EMBEDDERS, embedder_named  # noqa: E402
from index.passage import Hit  # noqa: E402
from index.retrieve.query import Query  # noqa: E402
from index.retrieve.ranking import Method  # noqa: E402
from index.retrieve.search import METHODS, Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

RANKINGS: dict[str, list] = {}  # "embedder|set|method|question|options" -> top five, for --snapshot
SHARED = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared"))
QUESTIONS = ROOT / "tests" / "questions"
SETS = [  # (name, corpus, question file)
    ("seeds", "seeds", QUESTIONS / "seeds.jsonl"),
    ("dev (shared)", "seeds", SHARED / "eval" / "dev_questions.jsonl"),
    ("state-dept", "state-dept", QUESTIONS / "state_dept.jsonl"),
    ("Chinese/Japanese", "seeds", QUESTIONS / "cjk_seeds.jsonl"),
    ("Chinese/Japanese held out", "seeds", QUESTIONS / "cjk_heldout.jsonl"),  # written after names.py (README)
    ("Chinese/Japanese held out 2", "seeds", QUESTIONS / "cjk_heldout2.jsonl"),  # written before latent terms
    ("Chinese/Japanese held out 3", "seeds", QUESTIONS / "cjk_heldout3.jsonl"),  # written before glosses
    ("Japanese held out 4", "seeds", QUESTIONS / "cjk_heldout4.jsonl"),  # written after them, measured once
    ("Chinese/Japanese held out 5", "seeds", QUESTIONS / "cjk_heldout5.jsonl"),  # measured before and after translation
    ("Japanese held out 6", "seeds", QUESTIONS / "cjk_heldout6.jsonl"),  # measured before a change that was dropped
    ("Japanese held out 7", "seeds", QUESTIONS / "cjk_heldout7.jsonl"),  # written before Japanese words were read by unidic
    ("Chinese/Japanese held out 8", "seeds", QUESTIONS / "cjk_heldout8.jsonl"),  # written before names left the words
    ("Chinese/Japanese state-dept", "state-dept", QUESTIONS / "cjk_state_dept.jsonl"),
    ("Japanese state-dept held out", "state-dept", QUESTIONS / "cjk_state_dept2.jsonl"),  # likewise
    ("Chinese/Japanese state-dept held out", "state-dept", QUESTIONS / "cjk_state_dept3.jsonl"),  # as held out 8
    ("Chinese/Japanese state-dept held out 2", "state-dept", QUESTIONS / "cjk_state_dept4.jsonl"),  # written after the last change
    ("Chinese/Japanese state-dept held out 3", "state-dept", QUESTIONS / "cjk_state_dept5.jsonl"),  # measured before and after this round
    ("Chinese/Japanese state-dept held out 4", "state-dept", QUESTIONS / "cjk_state_dept6.jsonl"),  # as held out 3
    ("Chinese/Japanese state-dept held out 5", "state-dept", QUESTIONS / "cjk_state_dept7.jsonl"),  # written after round 14
    ("Chinese/Japanese state-dept held out 6", "state-dept", QUESTIONS / "cjk_state_dept8.jsonl"),  # written in round 15
    ("fresh seeds", "seeds", QUESTIONS / "fresh" / "seeds_fresh.jsonl"),  # written by people who never saw the code
    ("fresh state-dept", "state-dept", QUESTIONS / "fresh" / "state_fresh.jsonl"),
    ("fresh unanswerable (seeds)", "seeds", QUESTIONS / "fresh" / "unanswerable_fresh.jsonl"),
    ("fresh unanswerable (state-dept)", "state-dept", QUESTIONS / "fresh" / "unanswerable_fresh.jsonl"),
    ("off-topic (seeds)", "seeds", QUESTIONS / "off_topic.jsonl"),
    ("off-topic (state-dept)", "state-dept", QUESTIONS / "off_topic.jsonl"),
    ("off-topic Chinese/Japanese", "seeds", QUESTIONS / "cjk_off_topic.jsonl"),
    ("off-topic Chinese/Japanese (state-dept)", "state-dept", QUESTIONS / "cjk_off_topic.jsonl"),
    ("off-topic Chinese/Japanese 2", "seeds", QUESTIONS / "cjk_off_topic2.jsonl"),  # written in round 14
    ("off-topic Chinese/Japanese 2 (state-dept)", "state-dept", QUESTIONS / "cjk_off_topic2.jsonl"),
]
WORKDIR = ROOT / "bench-results" / "quality"


def build(choice: str) -> tuple[dict[str, Retriever], dict]:
    embedder = embedder_named(choice)
    retrievers, speed = {}, {}
    for corpus, paths in (("seeds", [settings.SEEDS]), ("state-dept", [SHARED / "corpus" / "state-dept"])):
        directory = WORKDIR / f"{choice}-{corpus}"
        fresh = not store.has_index(directory)
        started = time.perf_counter()
        report = ingest(paths, directory, embedder)
        if corpus == "state-dept" and fresh:  # timed only when built from nothing
            speed["ingest_passages_per_s"] = round(report.passages / (time.perf_counter() - started), 1)
        retrievers[corpus] = Retriever(store.load(directory), embedder)
    asked = [q.q for q in load_questions(QUESTIONS / "state_dept.jsonl")]
    retrievers["state-dept"].search(asked[0])
    times = []
    for question in asked:
        started = time.perf_counter()
        try:
            retrievers["state-dept"].search(question, 5)
        except NothingMatches:
            pass
        times.append((time.perf_counter() - started) * 1000)
    speed["question_ms_p50"] = round(statistics.median(times), 1)
    if embedder.multilingual:  # the first such question also reads the names of the corpus (names.py)
        speed |= question_times(retrievers["state-dept"], QUESTIONS / "cjk_seeds.jsonl", "cjk_question")
    return retrievers, speed


def question_times(retriever: Retriever, questions: Path, label: str) -> dict[str, float]:
    times = []  # of questions searched in full (a date filter the corpus lacks ends one at once)
    for question in load_questions(questions):
        started = time.perf_counter()
        try:
            retriever.search(question.q, 5)
        except NothingMatches:
            continue
        times.append((time.perf_counter() - started) * 1000)
    return {f"{label}_first_ms": round(times[0], 1), f"{label}_ms_p50": round(statistics.median(times[1:]), 1)}


class Recording(Retriever):
    """The retriever, with every ranking it returns kept for --snapshot, under the question as the
    answer policy read it (`parse`) and whether dates said in words filtered: the answer policy
    searches once per question read, and again without those dates when they excluded everything."""

    def __init__(self, retriever: Retriever, label: str) -> None:
        super().__init__(retriever.index, retriever.embedder)
        self.label, self.asked, self.searches = label, "", 0

    def parse(self, question: str, today: date | None = None, word_dates: bool = True) -> Query:
        self.asked, self.searches = question, 0
        return super().parse(question, today, word_dates)

    def find(self, query: Query, k: int = 5, *, method: Method = "hybrid",
             within: Collection[str] | None = None) -> list[Hit]:
        self.searches += 1
        options = {} if self.searches == 1 else {"word_dates": False}
        try:
            hits = super().find(query, k, method=method, within=within)
        except BadQuery:  # an English-only model refuses questions in other scripts
            hits = []
        RANKINGS[f"{self.label}|{method}|{self.asked}|{options}"] = [
            [hit.passage.doc, hit.passage.paragraph, round(hit.score, 4)] for hit in hits[:5]]
        return hits


def measure(retriever: Retriever, questions: Path, label: str = "") -> dict[str, dict]:
    loaded = load_questions(questions)
    figures = {}
    answerer = Answerer(Recording(retriever, label))
    for method in METHODS:
        scores = evaluate(loaded, answerer, method=method)
        figures[method] = {"hit@1": scores.hit_rate(1), "hit@3": scores.hit_rate(3), "hit@5": scores.hit_rate(5),
                           "mrr": scores.mrr, "answered": scores.answered_rate, "abstained": scores.abstained_rate,
                           "off_topic": scores.off_topic}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", nargs="+", choices=EMBEDDERS, default=list(EMBEDDERS))
    parser.add_argument("--snapshot", type=Path)
    parser.add_argument("--compare", type=Path)
    args = parser.parse_args()
    WORKDIR.mkdir(parents=True, exist_ok=True)
    results = {"date": time.strftime("%Y-%m-%d"), "embedders": {}}
    for choice in args.embedders:
        retrievers, speed = build(choice)
        sets = {name: measure(retrievers[corpus], path, f"{choice}|{name}") for name, corpus, path in SETS}
        results["embedders"][choice] = {**speed, "sets": sets}
        print(choice, json.dumps(speed), flush=True)
    (ROOT / "bench-results" / "quality.json").write_text(json.dumps(results, indent=1))
    if args.snapshot:
        args.snapshot.write_text(json.dumps(RANKINGS, ensure_ascii=False, indent=0))
    if args.compare:
        before = json.loads(args.compare.read_text())
        changed = [key for key, ranking in RANKINGS.items() if key in before and before[key] != ranking]
        print(f"{len(changed)} of {len(RANKINGS)} rankings differ from {args.compare} "
              f"({sum(key in before for key in RANKINGS)} compared)")
        for key in changed[:30]:
            print(f"  {key}: {before[key]} -> {RANKINGS[key]}")
    print("| set | embedder | method | hit@1 | hit@3 | hit@5 | MRR | answered / abstained |")
    print("|---|---|---|---|---|---|---|---|")
    for name, _, _ in SETS:
        for choice, figures in results["embedders"].items():
            for method, m in figures["sets"][name].items():
                rate = f"{m['abstained']:.3f} abstained" if m["off_topic"] else f"{m['answered']:.3f}"
                ranks = ("-",) * 4 if m["off_topic"] else tuple(f"{m[key]:.3f}" for key in ("hit@1", "hit@3", "hit@5", "mrr"))
                print(f"| {name} | {choice} | {method} | " + " | ".join(ranks) + f" | {rate} |")
    for choice, figures in results["embedders"].items():
        cjk = (f", Chinese/Japanese question first {figures['cjk_question_first_ms']} ms, then p50 "
               f"{figures['cjk_question_ms_p50']} ms" if "cjk_question_ms_p50" in figures else "")
        print(f"{choice}: ingest {figures.get('ingest_passages_per_s', '(reused)')} passages/s, "
              f"question p50 {figures['question_ms_p50']} ms{cjk}")


if __name__ == "__main__":
    main()
