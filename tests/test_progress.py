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
from index.progress import DocumentsDone, ProgressLines

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

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def run_many(self, batches: list[list[str]], done: Callable[[int], object] | None = None) -> list[np.ndarray]:
        results = []
        for number, batch in enumerate(batches):
            time.sleep(0.01)
            self.batches.append(batch)
            results.append(self.run(batch))
            if done:
                done(number)
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


def test_a_document_is_done_when_its_last_new_text_is() -> None:
    stream = io.StringIO()
    lines = ProgressLines(4, "Embedding", "passage", interval=3600, stream=stream, documents=4)
    # text 0 in documents 0 and 1, text 1 in document 1, texts 2 and 3 in document 2; none new in document 3
    counter = DocumentsDone([[0, 1], [1], [2], [2]], 4, lines)
    assert lines.documents_done == 1
    counter.done([1])
    assert (lines.done, lines.documents_done) == (1, 1)
    counter.done([0, 2])
    assert (lines.done, lines.documents_done) == (3, 3)
    counter.done([3])
    assert (lines.done, lines.documents_done) == (4, 4)


def test_batches_run_in_the_order_of_their_first_text_and_keep_their_texts() -> None:
    """Readouts given in order are embedded in order, so documents are done early, and each batch holds
    the same texts as when sorted by length alone: vectors of int8 models, scaled over a batch, are kept."""
    embedder = MiniLMEmbedder()
    embedder.batch_size = 2
    model = SlowModel()
    embedder.model = model  # type: ignore[assignment]
    texts = [f"text {'x' * length}" for length in (9, 1, 7, 3, 8, 2, 6, 4, 5, 0)]
    reported: list[list[int]] = []
    embedder.embed(texts, done=lambda positions: reported.append(list(positions)))
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    pairs = [sorted(by_length[i : i + 2]) for i in range(0, len(texts), 2)]
    assert sorted(map(sorted, reported)) == sorted(pairs)  # the same batches as sorted by length
    assert [min(batch) for batch in reported] == sorted(min(batch) for batch in reported)
    assert model.batches == [[texts[i] for i in batch] for batch in reported]


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


@pytest.mark.slow
def test_ingest_redirected_to_a_log_from_a_terminal_writes_lines_to_the_log(tmp_path: Path, tests_corpus: Path) -> None:
    """`readouts ingest … > log` typed at a terminal: the bar stays on the terminal (stderr), and the
    log gets progress lines while the ingest runs, then the report."""
    import os
    import subprocess
    import sys

    log = tmp_path / "log"
    terminal, far_end = os.openpty()
    env = {**os.environ, "READOUTS_PROGRESS_SECONDS": "0.05", "READOUTS_EMBEDDER": "minilm-int8"}
    with log.open("w") as out:
        code = subprocess.run([sys.executable, "-m", "index.cli", "ingest", "--index", str(tmp_path / "index"),
                               str(tests_corpus / "state-dept")], stdout=out, stderr=far_end, stdin=subprocess.DEVNULL,
                              env=env, timeout=600).returncode
    os.close(far_end)
    bar = b""
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:
            break
        if not chunk:
            break
        bar += chunk
    os.close(terminal)
    assert code == 0
    lines = [m for m in map(LINE.match, log.read_text().splitlines()) if m]
    assert len(lines) >= 2 and number(lines[-1].group(1)) == number(lines[-1].group(2))
    assert "\r" not in log.read_text() and log.read_text().rstrip().splitlines()[-1] != lines[-1].group(0)
    assert b"\r" in bar and b"passage" in bar  # the bar, on the terminal
