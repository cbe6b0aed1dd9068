"""How often an undeclared legacy charset is read right, refused, or read wrong (index/ingest/charsets.py).

Real readouts (the shared State Department texts and MFA pages, as extracted) are encoded in the legacy
charsets their languages were published in, with no declaration, and decoded as a file would be: whole
documents, and their first paragraph alone (short texts are where detection guesses). A wrong reading
is a quote that is not verbatim; refusing is the safe failure.

    python benchmarks/charsets.py [--shared ../shared] [--limit 250]
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.ingest.charsets import Undecodable, decode  # noqa: E402
from index.ingest.sources.html import extract  # noqa: E402

CHARSETS = {"en": ("cp1252", "latin-1"), "zh": ("gb18030", "gbk", "gb2312", "big5")}


def texts(shared: Path, limit: int) -> dict[str, list[str]]:
    """Whole documents by language: State Department texts with non-ASCII letters and MFA English pages, MFA
    Chinese pages."""
    english = [text for file in sorted((shared / "corpus" / "state-dept").glob("*.txt"))[:limit]
               if not (text := file.read_text(encoding="utf-8")).isascii()]
    for language, folder in (("en", "en"), ("zh", "zh")):
        pages = ["\n".join(p.text for p in extract(file.read_bytes()).paragraphs)
                 for file in sorted((shared / "corpus" / "fmprc" / folder).glob("*.html"))[:limit]]
        if language == "en":
            english += [page for page in pages if not page.isascii()]
        else:
            chinese = pages
    return {"en": english, "zh": chinese}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    parser.add_argument("--limit", type=int, default=250)
    args = parser.parse_args()
    corpus = texts(Path(args.shared), args.limit)
    print("| language | charset | length | texts | read right | refused | read wrong |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for language, charsets in CHARSETS.items():
        for charset in charsets:
            for length in ("whole", "first paragraph"):
                outcome: Counter[str] = Counter()
                for text in corpus[language]:
                    text = text if length == "whole" else next((line for line in text.splitlines() if line.strip()), "")
                    try:
                        data = text.encode(charset)
                    except UnicodeEncodeError:
                        continue  # not in this charset's repertoire
                    if data.isascii():
                        continue  # UTF-8 reads it
                    try:
                        outcome["right" if decode(data) == text else "wrong"] += 1
                    except Undecodable:
                        outcome["refused"] += 1
                total = sum(outcome.values())
                print(f"| {language} | {charset} | {length} | {total} | {outcome['right']} | {outcome['refused']} "
                      f"| {outcome['wrong']} |")


if __name__ == "__main__":
    main()
