"""Questions over real pages: the questions of tests/data/fmprc_truth.jsonl (written by reading the
pages) asked of an index of the shared fmprc pages, English with the default embedder over all
250 English pages, Chinese with e5-small over the truth set's Chinese pages; hit@1/3/5.

Usage: python benchmarks/pages.py
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answer.policy import Answerer  # noqa: E402
from index.evaluate import Question, evaluate  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402
from index.retrieve.search import Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

FMPRC = Path(os.environ.get("READOUTS_SHARED", ROOT.parent / "shared")) / "corpus" / "fmprc"
TRUTH = ROOT / "tests" / "data" / "fmprc_truth.jsonl"
WORK = ROOT / "bench-results" / "pages"


def main() -> None:
    rows = [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines() if line.strip()]
    zh_pages = WORK / "zh-pages"
    shutil.rmtree(zh_pages, ignore_errors=True)
    zh_pages.mkdir(parents=True)
    for row in rows:
        if row["file"].startswith("zh/"):
            shutil.copy(FMPRC / row["file"], zh_pages / Path(row["file"]).name)
    for language, folder, embedder_name in (("en", FMPRC / "en", "minilm-int8"), ("zh", zh_pages, "e5-small")):
        embedder = embedder_named(embedder_name)
        directory = WORK / f"{language}-{embedder_name}"
        ingest([folder], directory, embedder)
        retriever = Retriever(store.load(directory), embedder)
        questions = [Question(f"{row['file']}#{n}", q["q"], ((Path(row["file"]).name, q["snippet"]),))
                     for row in rows if row["file"].startswith(f"{language}/") for n, q in enumerate(row["questions"])]
        scores = evaluate(questions, Answerer(retriever))
        print(f"{language} ({embedder_name}, {len(retriever.documents())} pages): {scores.questions} questions, "
              f"hit@1 {scores.hit_rate(1):.3f} hit@3 {scores.hit_rate(3):.3f} hit@5 {scores.hit_rate(5):.3f} "
              f"MRR {scores.mrr:.3f} answered {scores.answered_rate:.3f}", flush=True)
        for question, first in scores.misses[:10]:
            print(f"  miss {question.id}: {question.q}\n    first {first}")


if __name__ == "__main__":
    main()
