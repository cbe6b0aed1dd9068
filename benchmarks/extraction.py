"""Pages per second of HTML extraction (index/ingest/sources/html.py) over the 500 shared fmprc pages, of the
whole conversion to a Document (passages cut by MiniLM's word pieces), and, beside them in the same
run, of embedding those pages' passages with the default embedder (on the first EMBEDDED pages).
Run: PYTHONPATH=. python benchmarks/extraction.py [FMPRC_DIR]"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.ingest.sources import html_document  # noqa: E402
from index.ingest.sources.html import extract  # noqa: E402
from index.models.embed import DEFAULT_EMBEDDER, embedder_named  # noqa: E402
from index.models.onnx_model import word_pieces  # noqa: E402

EMBEDDED = 40


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus" / "fmprc"
    pages = [(file, file.read_bytes()) for file in sorted((folder / "en").iterdir()) + sorted((folder / "zh").iterdir())]
    megabytes = sum(len(raw) for _, raw in pages) / 1e6
    html_document(pages[0][0], pages[0][1], count_tokens=word_pieces)  # imports and tokenizer loaded once
    started = time.perf_counter()
    for _, raw in pages:
        extract(raw)
    extraction = time.perf_counter() - started
    started = time.perf_counter()
    documents = [html_document(file, raw, count_tokens=word_pieces) for file, raw in pages]
    conversion = time.perf_counter() - started
    passages = sum(len(document.passages) for document in documents)
    sample = [p.embedding_text for document in documents[:EMBEDDED] for p in document.passages]
    embedder = embedder_named(DEFAULT_EMBEDDER)
    embedder.embed(sample[:8])  # the model loaded (and exported, the first time) before the clock
    started = time.perf_counter()
    embedder.embed(sample)
    embedding = time.perf_counter() - started
    print(f"{len(pages)} pages, {megabytes:.1f} MB")
    print(f"extraction  {len(pages) / extraction:7.1f} pages/s  ({megabytes / extraction:.2f} MB/s)")
    print(f"document    {len(pages) / conversion:7.1f} pages/s  ({passages} passages)")
    print(f"embedding   {EMBEDDED / embedding:7.1f} pages/s  ({len(sample) / embedding:.1f} passages/s, "
          f"{DEFAULT_EMBEDDER}, first {EMBEDDED} pages): extraction is "
          f"{(len(pages) / extraction) / (EMBEDDED / embedding):.0f}x faster")


if __name__ == "__main__":
    main()
