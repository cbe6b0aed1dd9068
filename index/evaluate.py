"""Retrieval quality on a question set: hit@k and MRR, with every miss listed.

Question format (see ../shared/eval/README.md): {"id", "q", "gold": [[doc prefix, snippet], ...]};
a returned passage is a hit when its file name starts with the prefix and its text contains
the snippet (whitespace collapsed, case-insensitive). A question with an empty gold list is
off-topic: the right answer is none at all.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .answer.policy import Answerer
from .errors import NothingMatches
from .passage import Passage
from .retrieve.ranking import Method


@dataclass(frozen=True)
class Question:
    id: str
    q: str
    gold: tuple[tuple[str, str], ...]


@dataclass
class Scores:
    questions: int = 0
    hits_at: dict[int, int] = field(default_factory=dict)
    reciprocal_ranks: float = 0.0
    misses: list[tuple[Question, str]] = field(default_factory=list)  # (question, what came first)
    answered: int = 0  # on-topic questions that got an answer above the threshold
    off_topic: int = 0
    abstained: int = 0  # off-topic questions correctly left unanswered

    def hit_rate(self, k: int) -> float:
        return self.hits_at.get(k, 0) / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.questions if self.questions else 0.0

    @property
    def answered_rate(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    @property
    def abstained_rate(self) -> float:
        return self.abstained / self.off_topic if self.off_topic else 0.0


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                record = json.loads(line)
                questions.append(Question(str(record["id"]), record["q"], tuple(tuple(g) for g in record["gold"])))
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"{path}:{number}: not a question line ({type(error).__name__})") from error
    return questions


def half(question_id: str) -> str:
    """The fixed split of a question set: "tuning" (weights and thresholds are chosen on it) or
    "frozen" (only reported), by the first byte of the id's SHA-256, so no one chooses it."""
    return "tuning" if hashlib.sha256(question_id.encode()).digest()[0] % 2 == 0 else "frozen"


def _squash(text: str) -> str:
    return " ".join(text.split()).lower()


def is_gold(passage: Passage, question: Question) -> bool:
    return any(passage.doc.startswith(doc) and _squash(snippet) in _squash(passage.text) for doc, snippet in question.gold)


def evaluate(questions: Sequence[Question], answerer: Answerer, k: int = 5, cutoffs: Sequence[int] = (1, 3, 5),
             *, method: Method = "hybrid") -> Scores:
    """Rank metrics over questions with gold answers, and abstention over those without (off-topic),
    through the answer policy that ask, chat and the bot use."""
    scores = Scores(hits_at={cutoff: 0 for cutoff in cutoffs})
    for question in questions:
        try:
            answer = answerer.answer(question.q, max(k, *cutoffs), method=method, emphasis=False)
            hits, answered = list(answer.ranked), answer.answered
        except NothingMatches:
            hits, answered = [], False
        if not question.gold:
            scores.off_topic += 1
            scores.abstained += not answered
            continue
        scores.answered += answered
        rank = next((hit.rank for hit in hits if is_gold(hit.passage, question)), None)
        scores.questions += 1
        for cutoff in cutoffs:
            scores.hits_at[cutoff] += rank is not None and rank <= cutoff
        scores.reciprocal_ranks += 1 / rank if rank else 0.0
        if rank != 1:
            first = f"{hits[0].passage.doc} ¶{hits[0].passage.paragraph}: {hits[0].passage.text[:90]}" if hits else "nothing"
            scores.misses.append((question, first + (f" (gold at rank {rank})" if rank else " (gold not in top)")))
    return scores
