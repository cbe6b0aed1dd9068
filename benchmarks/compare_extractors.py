"""Compare main-text extractors on the shared fmprc pages: title, date, first and last paragraph, furniture, speed.

The reference for all 500 pages is read from the site's own template (the heading element, the
News_Body_Time element or the title's date, the first and last paragraph of div.content): a
site-specific yardstick that the project's extractor does not use. Figures go to docs/ingestion.md.
Run: PYTHONPATH=. python benchmarks/compare_extractors.py [FMPRC_DIR]
"""
from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.ingest.sources.html import blocks, clean, extract  # noqa: E402
from index.text.dates import full_dates  # noqa: E402

FURNITURE = ("suggest to a friend", "copyright", "版权所有", "打印本页", "字体：", "related news", "please enter",
             "home >", "首页 >", "español", "русский", "简体中文", "appendix:", "联系我们", "京icp备")

Result = tuple[str | None, str | None, list[str]]  # title, date, paragraphs


def normal(text: str) -> str:
    return clean(text).lower()


def reference(raw: bytes) -> dict:
    """What the page's template says its title, date and first and last paragraph are."""
    root = lxml.html.fromstring(raw)
    heading = clean(root.xpath("//h2[@class='title'] | //*[@id='News_Body_Title']")[0].text_content())
    time_line = clean(root.xpath("//*[@id='News_Body_Time']")[0].text_content())
    stated = full_dates(time_line) or full_dates(re.sub(r"([a-z])(\d)", r"\1 \2", heading))
    content = root.xpath("//div[contains(concat(' ', @class, ' '), ' content ')]")[0]
    paragraphs = [p for p in (clean(e.text_content()) for e in content.iter("p", "P")) if re.search(r"\w", p)]
    return {"title": heading, "date": stated[0][1].isoformat() if stated else None,
            "first": paragraphs[0], "last": paragraphs[-1]}


def ours(raw: bytes) -> Result:
    page = extract(raw)
    return page.title, page.date, [p.text for p in page.paragraphs]


def with_trafilatura(raw: bytes) -> Result:
    import trafilatura

    document = trafilatura.bare_extraction(raw, with_metadata=True)
    if document is None:
        return None, None, []
    return document.title, document.date, [line for line in (document.text or "").split("\n") if line.strip()]


def with_readability(raw: bytes) -> Result:
    from readability import Document

    document = Document(raw)
    summary = lxml.html.fromstring(document.summary(html_partial=True))
    return document.short_title(), None, [p.text for p in blocks(summary)]


def with_justext(raw: bytes) -> Result:
    import justext

    chinese = "外交部" in raw[:2000].decode("utf-8", "ignore")
    stoplist = frozenset() if chinese else justext.get_stoplist("English")
    paragraphs = justext.justext(raw, stoplist, **({"stopwords_low": 0, "stopwords_high": 0} if chinese else {}))
    return None, None, [p.text for p in paragraphs if not p.is_boilerplate]


EXTRACTORS: dict[str, Callable[[bytes], Result]] = {
    "lxml rules (ours)": ours, "trafilatura 2.3.1": with_trafilatura,
    "readability-lxml 0.9": with_readability, "jusText 3.0.2": with_justext,
}


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "fmprc"
    files = sorted((folder / "en").iterdir()) + sorted((folder / "zh").iterdir())
    pages = [(file, file.read_bytes()) for file in files]
    references = [reference(raw) for _, raw in pages]
    print(f"{len(pages)} pages ({sum(1 for f, _ in pages if f.parent.name == 'en')} en)")
    print(f"{'extractor':22} {'title':>6} {'date':>6} {'first':>6} {'last':>6} {'furniture':>9} {'pages/s':>8}")
    for name, run in EXTRACTORS.items():
        scores = {"title": 0, "date": 0, "first": 0, "last": 0, "furniture": 0}
        started = time.perf_counter()
        results = [run(raw) for _, raw in pages]
        speed = len(pages) / (time.perf_counter() - started)
        for expected, (title, date, paragraphs) in zip(references, results):
            texts = [normal(p) for p in paragraphs]
            scores["title"] += bool(title) and normal(title) == normal(expected["title"])
            scores["date"] += date == expected["date"]
            scores["first"] += bool(texts) and texts[0] == normal(expected["first"])
            scores["last"] += bool(texts) and texts[-1] == normal(expected["last"])
            scores["furniture"] += any(f in t for t in texts for f in FURNITURE)
        share = {key: value / len(pages) for key, value in scores.items()}
        print(f"{name:22} {share['title']:6.1%} {share['date']:6.1%} {share['first']:6.1%} {share['last']:6.1%} "
              f"{scores['furniture']:9d} {speed:8.1f}")


if __name__ == "__main__":
    main()
