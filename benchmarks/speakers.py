"""Speakers read at ingest (index/text/turns.py), over a corpus: how many documents and passages get one,
the speakers most often named, and a random sample of labelled passages, each printed with the label
line that opened its turn in the document, for checking by hand.

Usage: python benchmarks/speakers.py PATH [--sample 30] [--seed 27]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.ingest.corpus import load_corpus  # noqa: E402
from index.models.onnx_model import word_pieces  # noqa: E402
from index.text.turns import LABEL  # noqa: E402


def opening_label(text: str, start: int) -> str:
    """The last line before `start` (or the passage's own first line) that opens with a label."""
    end = text.find("\n", start)
    lines = text[: end if end >= 0 else len(text)].splitlines()
    for line in reversed(lines):
        if LABEL.match(line) or re.match(r"^[A-Z][A-Z .'’-]{1,60}[:：]", line):
            return line[:100]
    return "(no label above)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=27)
    args = parser.parse_args()
    documents = load_corpus([args.path], word_pieces).documents
    passages = [(d, p) for d in documents for p in d.passages]
    spoken = [(d, p) for d, p in passages if p.speaker]
    print(f"documents {len(documents)}, with a speaker {sum(any(p.speaker for p in d.passages) for d in documents)}")
    print(f"passages {len(passages)}, with a speaker {len(spoken)} ({len(spoken) / max(1, len(passages)):.1%})")
    print(f"distinct speakers {len({p.speaker for _, p in spoken})}")
    for speaker, count in Counter(p.speaker for _, p in spoken).most_common(12):
        print(f"  {count:5} {speaker}")
    print(f"\n{args.sample} random labelled passages (seed {args.seed}):")
    for number, (document, passage) in enumerate(random.Random(args.seed).sample(spoken, min(args.sample, len(spoken))), 1):
        start = document.text.index(passage.text)
        print(f"\n{number}. {document.name} ¶{passage.paragraph}\n   speaker: {passage.speaker}\n"
              f"   label:   {opening_label(document.text, start)}\n   text:    {passage.text[:140]!r}")


if __name__ == "__main__":
    main()
