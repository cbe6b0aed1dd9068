"""Choosing the answer policy's levels by 5-fold cross-validation over every question set together.

Usage: python benchmarks/cv.py [--embedder minilm-int8] [--ranking NAME=VALUE ...] [--rule NAME=VALUE ...]
                               [--json FILE]

Each question is searched once per ranking setting (`--ranking` patches index.retrieve.ranking / fusion
constants or the embedder's dense_weight, e.g. `--ranking SPEAKER_WEIGHT=0 dense_weight=0.4`); what
is quoted then depends only on the bars, so every bar setting is judged offline from the ranked hits'
cosines and word evidence. Questions are split into five folds by a hash of their set and id; for
each fold, the setting that scores best on the other four is chosen and scored on it, beside the
project's current setting. A rule is kept only when it gains on at least four of the five folds:
`--rule` searches every question with and without it (the rule's setting against the `--ranking`
one) and compares the two fold by fold, each at the bars chosen on the other folds.

Utility of a question: answerable, (hit@1 + hit@3 + answered) / 3 over what the answer quotes;
unanswerable, 1 when it is left unanswered or a term is reported as held by no readout.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.heldout import question_sets, retriever_for  # noqa: E402
from index.answer.policy import Answerer  # noqa: E402
from index.errors import BadQuery, NothingMatches  # noqa: E402
from index.evaluate import is_gold, load_questions  # noqa: E402
from index.retrieve import fusion, ranking  # noqa: E402

RANKED = 15
FOLDS = 5


@dataclass
class Record:
    """One question searched: its ranked hits as (gold, cosine, evidence over all words, evidence over
    the words some readout holds, embedder bar), and what coverage reported."""

    key: str
    answerable: bool
    hits: list[tuple[bool, float, float, float]]
    missing: bool
    absent: float = 0.0  # share of the question's word weight (idf) that no readout holds
    keywords: bool = False  # typed as search terms (Query.keywords)


def fold_of(key: str) -> int:
    return hashlib.sha256(key.encode()).digest()[0] % FOLDS


def collect(embedder: str, corpora: list[str] | None = None) -> list[Record]:
    records = []
    retrievers = {}
    for name, corpus, path in question_sets():
        if corpora and corpus not in corpora:
            continue
        retriever = retrievers.setdefault(corpus, retriever_for(corpus, embedder))
        answerer = Answerer(retriever)
        for question in load_questions(path):
            key = f"{name}/{question.id}"
            try:
                answer = answerer.answer(question.q, RANKED, emphasis=False)
            except (BadQuery, NothingMatches):
                records.append(Record(key, bool(question.gold), [], False))
                continue
            query = retriever.parse(answer.question)  # what the ranker judges: operators and recency words out
            weights = retriever.index.lexical.term_weights(query.text)
            held = retriever.index.lexical.vocabulary
            absent = sum(w for term, w in weights.items() if term not in held) / (sum(weights.values()) or 1)
            passages = [hit.passage for hit in answer.ranked]
            ranking.EVIDENCE_KNOWN_ONLY = False
            every = ranking.evidence(retriever.index.lexical, query.text, passages)
            ranking.EVIDENCE_KNOWN_ONLY = True
            known = ranking.evidence(retriever.index.lexical, query.text, passages)
            ranking.EVIDENCE_KNOWN_ONLY = False
            records.append(Record(key, bool(question.gold), [
                (is_gold(hit.passage, question), hit.score, float(a), float(b))
                for hit, a, b in zip(answer.ranked, every, known)], bool(answer.missing), absent, query.keywords))
    return records


@dataclass(frozen=True)
class Bars:
    cosine: float  # a hit is quoted when its cosine reaches this ...
    evidence: float  # ... or its word evidence reaches this
    known_only: bool  # evidence over the words some readout holds only
    absent_lift: float = 0.0  # the cosine bar raised by this times the share of the question no readout holds
    keyword_lift: float = 0.0  # for keywords, raised by this times the share of their weight a passage lacks
    keyword_cut: float = 0.0  # for keywords, the evidence bar lowered by this


def quotes(record: Record, bars: Bars, cosine: float, every: float, known: float) -> bool:
    share = known if bars.known_only else every
    lift = bars.absent_lift * record.absent + (bars.keyword_lift * (1 - share) if record.keywords else 0.0)
    return cosine >= bars.cosine + lift or share >= bars.evidence - (bars.keyword_cut if record.keywords else 0.0)


def utility(record: Record, bars: Bars) -> float:
    quoted = [gold for gold, cosine, every, known in record.hits if quotes(record, bars, cosine, every, known)]
    answered = bool(quoted) and not record.missing
    if not record.answerable:
        return float(not answered)
    if not answered:
        return 0.0
    first = next((i for i, gold in enumerate(quoted, 1) if gold), 0)
    return ((first == 1) + (0 < first <= 3) + 1) / 3


def mean(records: list[Record], bars: Bars) -> float:
    return statistics.fmean(utility(r, bars) for r in records) if records else 0.0


GRID = [Bars(c, e, k, 0.0, w, cut) for c, e, k, w, cut in itertools.product(
    (0.35, 0.40, 0.45, 0.50, 0.55, 0.60, 0.65, 0.70, 2.0), (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.0), (False, True),
    (0.0, 0.1, 0.2, 0.3), (0.0, 0.1, 0.2, 0.3))]  # absent_lift is left at 0: dropped by CV (docs/quality-chat.md)


def cross_validate(records: list[Record], current: Bars) -> list[dict]:
    """Per fold: the best bars on the other folds, its utility on this fold, and the current one's."""
    folds = []
    for fold in range(FOLDS):
        train = [r for r in records if fold_of(r.key) != fold]
        test = [r for r in records if fold_of(r.key) == fold]
        best = max(GRID, key=lambda bars: (mean(train, bars), bars == current))
        folds.append({"fold": fold, "n": len(test), "chosen": best.__dict__, "chosen_utility": mean(test, best),
                      "current_utility": mean(test, current)})
    return folds


def patch(settings: list[str], embedder: str) -> None:
    """Set index.retrieve.ranking / fusion constants or the embedder's dense_weight by name."""
    from index.models.embed import EMBEDDERS

    for setting in settings:
        name, value = setting.split("=")
        if name == "dense_weight":
            EMBEDDERS[embedder].dense_weight = float(value)  # type: ignore[misc]
        else:
            module = ranking if hasattr(ranking, name) else fusion
            kind = type(getattr(module, name))
            setattr(module, name, value == "True" if kind is bool else kind(value))


def compare(base: list[Record], variant: list[Record]) -> list[tuple[float, float]]:
    """Per fold, the utility of each setting at the bars chosen for it on the other folds."""
    results = []
    for fold in range(FOLDS):
        scores = []
        for records in (base, variant):
            train = [r for r in records if fold_of(r.key) != fold]
            test = [r for r in records if fold_of(r.key) == fold]
            scores.append(mean(test, max(GRID, key=lambda bars: mean(train, bars))))
        results.append((scores[0], scores[1]))
    return results


def compare_bar(records: list[Record], name: str) -> list[tuple[float, float]]:
    """Per fold, the utility at the bars chosen on the other folds with the bar `name` held at 0, and
    with it free: whether a bar earns its place, judged as a rule is."""
    held = [bars for bars in GRID if getattr(bars, name) == 0]
    results = []
    for fold in range(FOLDS):
        train = [r for r in records if fold_of(r.key) != fold]
        test = [r for r in records if fold_of(r.key) == fold]
        without = max(held, key=lambda bars: mean(train, bars))
        free = max(GRID, key=lambda bars: (mean(train, bars), getattr(bars, name) == 0))
        results.append((mean(test, without), mean(test, free)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", default="minilm-int8")
    parser.add_argument("--ranking", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--rule", nargs="*", default=[], metavar="NAME=VALUE")
    parser.add_argument("--corpora", nargs="*", default=[], help="only the sets over these corpora (seeds state-dept)")
    parser.add_argument("--bar-rule", help="judge one bar of Bars (e.g. keyword_lift) as a rule: held at 0 or free")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from index.models.embed import embedder_named

    patch(args.ranking, args.embedder)
    if args.rule:
        base = collect(args.embedder, args.corpora)
        patch(args.rule, args.embedder)
        results = compare(base, collect(args.embedder, args.corpora))
        for fold, (before, after) in enumerate(results):
            print(f"  fold {fold}: {before:.4f} -> {after:.4f} ({after - before:+.4f})")
        gains = [after - before for before, after in results]
        print(f"rule {args.rule}: mean gain {statistics.fmean(gains):+.4f}, spread {statistics.pstdev(gains):.4f}, "
              f"folds gained {sum(g > 0 for g in gains)}/{FOLDS} -> {'keep' if sum(g > 0 for g in gains) >= 4 else 'drop'}")
        return
    default = embedder_named(args.embedder)
    current = Bars(default.min_similarity, ranking.EVIDENCE_BAR, ranking.EVIDENCE_KNOWN_ONLY,
                   keyword_lift=ranking.KEYWORD_LIFT)
    records = collect(args.embedder, args.corpora)
    if args.bar_rule:
        results = compare_bar(records, args.bar_rule)
        for fold, (before, after) in enumerate(results):
            print(f"  fold {fold}: {before:.4f} -> {after:.4f} ({after - before:+.4f})")
        gains = [after - before for before, after in results]
        print(f"bar {args.bar_rule}: mean gain {statistics.fmean(gains):+.4f}, spread {statistics.pstdev(gains):.4f}, "
              f"folds gained {sum(g > 0 for g in gains)}/{FOLDS} -> {'keep' if sum(g > 0 for g in gains) >= 4 else 'drop'}")
        for value in sorted({getattr(bars, args.bar_rule) for bars in GRID}):
            print(f"  current bars, {args.bar_rule} {value}: utility "
                  f"{mean(records, dataclasses.replace(current, **{args.bar_rule: value})):.4f}")
        return
    folds = cross_validate(records, current)
    gains = [f["chosen_utility"] - f["current_utility"] for f in folds]
    print(f"embedder {args.embedder}, ranking {args.ranking or 'as shipped'}, {len(records)} questions")
    print(f"current bars {current}: utility {mean(records, current):.4f}")
    for f in folds:
        print(f"  fold {f['fold']} (n={f['n']}): chosen {f['chosen']} {f['chosen_utility']:.4f} "
              f"vs current {f['current_utility']:.4f}")
    print(f"gain: mean {statistics.fmean(gains):+.4f}, spread {statistics.pstdev(gains):.4f}, "
          f"folds gained {sum(g > 0 for g in gains)}/{FOLDS}")
    best = max(GRID, key=lambda bars: mean(records, bars))
    print(f"best on all folds together: {best} utility {mean(records, best):.4f}")
    if args.json:
        args.json.write_text(json.dumps({"folds": folds, "ranking": args.ranking}, indent=1))


if __name__ == "__main__":
    main()
