"""Progress where no terminal is (index/progress.py): `readouts ingest` writes a progress line every
READOUTS_PROGRESS_SECONDS to a stderr that is a log, with documents and passages done, their rate and what
is left."""
from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index import cli
from index.models.embed import MiniLMEmbedder
from index.progress import ProgressLines

LINE = re.compile(r"^Embedding: ([\d,]+)/([\d,]+) documents, ([\d,]+)/([\d,]+) passages \(\d+%\), "
                  r"([\d,.]+) passages/s, ([\d,]+) documents left, (.+)$")


def number(text: str) -> int:
    return int(text.replace(",", ""))


class SlowModel:
    """Stands in for the ONNX model: deterministic vectors, a few milliseconds a batch."""

    def run(self, texts: list[str]) -> np.ndarray:
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), MiniLMEmbedder.dimension)).astype(np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def run_many(self, batches: list[list[str]], done: Callable[[], object] | None = None) -> list[np.ndarray]:
        results = []
        for batch in batches:
            time.sleep(0.01)
            results.append(self.run(batch))
            if done:
                done()
        return results


def test_ingest_into_a_log_writes_progress_lines(run, tmp_path: Path, tests_corpus: Path, monkeypatch) -> None:
    folder = tmp_path / "readouts"
    folder.mkdir()
    for path in sorted((tests_corpus / "state-dept").glob("*.txt"))[:40]:
        shutil.copy(path, folder)
    embedder = MiniLMEmbedder()
    embedder.model = SlowModel()  # type: ignore[assignment]  # a cached_property, set before first use
    monkeypatch.setattr(cli, "embedder_to_ingest", lambda choice, directory: embedder)
    monkeypatch.setenv("READOUTS_PROGRESS_SECONDS", "0.02")
    monkeypatch.setattr("index.ingest.update.EMBED_SLICE", 40)
    code, _, err = run("ingest", "--index", str(tmp_path / "index"), str(folder))
    assert code == 0, err
    assert re.search(r"^Read 40 documents \([\d,]+ distinct passages\); [\d,]+ passages to embed$", err, re.M), err
    lines = [m for m in map(LINE.match, err.splitlines()) if m]
    assert len(lines) >= 3, err
    documents = [number(m.group(1)) for m in lines]
    passages = [number(m.group(3)) for m in lines]
    total = number(lines[-1].group(4))
    assert {number(m.group(2)) for m in lines} == {40}
    assert documents == sorted(documents) and documents[0] < 40 and documents[-1] == 40
    assert passages == sorted(passages) and passages[0] < total and passages[-1] == total
    assert all(number(m.group(1)) + number(m.group(6)) == 40 for m in lines)
    assert "s left" in lines[0].group(7) and lines[-1].group(7).startswith("done in")
    assert "\r" not in err  # no bar's carriage returns in a log


def test_ingest_reuses_no_vector_twice_and_counts_every_document(tmp_path: Path, tests_corpus: Path,
                                                                  monkeypatch) -> None:
    """Embedding a run of documents at a time embeds each distinct text once and counts every document
    once, shared texts and all."""
    from index.ingest import update

    monkeypatch.setattr(update, "EMBED_SLICE", 7)
    folder = tmp_path / "readouts"
    folder.mkdir()
    for path in sorted((tests_corpus / "state-dept").glob("*.txt"))[:12]:
        shutil.copy(path, folder)
    first = sorted(folder.iterdir())[0]  # a second readout holding all the first's paragraphs, and one more
    (folder / "copy-of-first.txt").write_text(first.read_text() + "\n\nA paragraph of its own.\n")
    corpus = update.load_corpus([folder], update.word_pieces)
    slices = update._slices(corpus.documents, set())
    assert sum(count for count, _ in slices) == len(corpus.documents) == 13
    keys = [key for _, texts in slices for key in texts]
    assert len(keys) == len(set(keys)) == len({update.text_key(p.embedding_text)
                                               for d in corpus.documents for p in d.passages})
    assert all(len(texts) >= 7 for _, texts in slices[:-1])


def test_lines_come_no_more_often_than_the_interval() -> None:
    stream = io.StringIO()
    lines = ProgressLines(100, "Embedding", "passage", interval=3600, stream=stream)
    for _ in range(100):
        lines.update()
    lines.close()
    [line] = stream.getvalue().splitlines()  # only the closing line: the interval never passed
    assert line.startswith("Embedding: 100/100 passages (100%)")


def test_a_bad_interval_setting_is_one_clear_error(monkeypatch) -> None:
    from index import settings
    from index.errors import SettingInvalid

    with pytest.raises(SettingInvalid, match="READOUTS_PROGRESS_SECONDS"):
        settings.progress_seconds({"READOUTS_PROGRESS_SECONDS": "nan"})
