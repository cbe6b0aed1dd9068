"""Links to the quoted words, checked over a whole index: for every passage with a url, does the text
fragment that index.answer.citation makes land, in a browser's matching (tests/test_citation.py's, written
apart from the module), exactly on the passage within its page (title, then the passages)? Also how
long the links and the citations are, and how many citations fit Telegram's 256-character copy button.

Usage: python benchmarks/fragments.py INDEX_DIR
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_citation import browser_span  # noqa: E402

from index.answer.citation import PARAGRAPH_BREAK, STYLES, cite, passage_link  # noqa: E402
from index.store import generations as store  # noqa: E402


def main(directory: Path) -> None:
    index = store.load(directory)
    landed = inside = missed = 0
    link_lengths, fits = [], dict.fromkeys(STYLES, 0)
    references = {(style, kind): 0 for style in STYLES for kind in ("fragment", "url")}
    seconds = 0.0
    for record, passages in index.documents_with_passages():
        if not record.url:
            continue
        page = PARAGRAPH_BREAK.join([record.title, *(p.text for p in passages)])
        offset = len(record.title) + len(PARAGRAPH_BREAK)
        for passage in passages:
            started = time.perf_counter()
            link = passage_link(passage, passages)
            seconds += time.perf_counter() - started
            assert link is not None
            span = browser_span(link, page)
            end = offset + len(passage.text)
            exact = span == (offset, end)
            within = not exact and span is not None and span[0] == offset and span[1] <= end  # a closing mark short
            landed, inside, missed = landed + exact, inside + within, missed + (not exact and not within)
            offset += len(passage.text) + len(PARAGRAPH_BREAK)
            link_lengths.append(len(link))
            for style in STYLES:
                fits[style] += len(cite(passage, style, accessed=date.today(), link=link)) <= 256
                for kind, url in (("fragment", link), ("url", passage.url)):
                    references[style, kind] += len(cite(passage, style, accessed=date.today(), link=url,
                                                        quoted=False)) <= 256
    total = landed + inside + missed
    print(f"passages with a url: {total}")
    print(f"links landing exactly on their passage: {landed} ({landed / total:.1%}); on it but ending a few "
          f"characters short: {inside}; elsewhere or nowhere: {missed}")
    print(f"link length: median {statistics.median(link_lengths):.0f}, max {max(link_lengths)} characters")
    print(f"time per link: {seconds / total * 1000:.2f} ms")
    for style in STYLES:
        print(f"{style} citations within 256 characters (copy button): {fits[style]} ({fits[style] / total:.1%}); "
              f"references without the quote: with the fragment link {references[style, 'fragment'] / total:.1%}, "
              f"with the page's url {references[style, 'url'] / total:.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
