"""The benchmark questions: the project's question sets, plus openings of real sentences."""
from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from index.evaluate import load_questions

SETS = [Path(__file__).resolve().parent.parent / "tests" / "questions" / f"{name}.jsonl"
        for name in ("seeds", "state_dept", "off_topic")]


def distinct_questions(sentences: Sequence[str], count: int = 200, seed: int = 1) -> list[str]:
    """The project's sets (134 questions) and the first 5-10 words of `count` sentences of eight
    words or more, as keyword-style questions; in a fixed order, without repeats."""
    asked = [q.q for path in SETS for q in load_questions(path)]
    rng = random.Random(seed)
    long_enough = [sentence.split() for sentence in sentences if len(sentence.split()) >= 8]
    asked += [" ".join(words[: rng.randint(5, 10)]) for words in rng.sample(long_enough, min(count, len(long_enough)))]
    return list(dict.fromkeys(asked))
