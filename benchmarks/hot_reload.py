"""Issue 28's bar: the bot under hot reload. A new index generation is written every 2 s (a readout
added, the one added two generations before removed) while 20 questions a second are asked for a
minute, and every tenth question More or Context is pressed under an earlier answer; the real bot
(python-telegram-bot's Application, polling, its reload job every half second) talks to the fake
Bot API on 127.0.0.1 (tests/fakebotapi.py) and answers with the real model over a copy of seeds/.
Every question must be answered, none with "something went wrong"; the exit code says whether.

Usage: PYTHONPATH=. python benchmarks/hot_reload.py [--seconds 60] [--per-second 20] [--ingest-every 2]
                                                    [--embedder minilm-int8]
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from index import Library, settings  # noqa: E402

os.environ.setdefault("READOUTS_CACHE", str(settings.cache_dir()))  # the models exported once, not per run

from botharness import changing_readouts, under_hot_reload  # noqa: E402
from conftest import TEST_TOKEN  # noqa: E402
from fakebotapi import FakeBotApi  # noqa: E402

from index.evaluate import load_questions  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402

QUESTIONS = [q.q for q in load_questions(ROOT / "tests" / "questions" / "seeds.jsonl")] + [
    "tidal observatories on the Zembla coast", "What did Wang Yi say about the Zembla coast?"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--per-second", type=float, default=20.0)
    parser.add_argument("--ingest-every", type=float, default=2.0)
    parser.add_argument("--embedder", default=settings.DEFAULT_EMBEDDER, choices=settings.EMBEDDERS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    embedder = embedder_named(args.embedder)
    with tempfile.TemporaryDirectory(prefix="hot-reload-") as work:
        corpus, directory = Path(work) / "corpus", Path(work) / "index"
        shutil.copytree(settings.SEEDS, corpus)
        ingest([corpus], directory, embedder)
        library = Library(directory, embedder)
        api = FakeBotApi(TEST_TOKEN).start()
        try:
            report = asyncio.run(under_hot_reload(
                api, library, Path(work) / "state.json", changing_readouts(corpus, directory, embedder), QUESTIONS,
                seconds=args.seconds, per_second=args.per_second, ingest_every=args.ingest_every))
        finally:
            api.stop()
            library.close()
    print(f"{args.embedder}: {report.line()}")
    for error in report.errors[:5]:
        print(f"  error: {error!r}")
    return 0 if report.answered == report.asked and not report.sorry and not report.errors else 1


if __name__ == "__main__":
    sys.exit(main())
