"""Shared fixtures: the seeds, the tests' own real corpus, the real packaged model, built indexes, a cheap fake
embedder; the larger shared corpora when they are beside the clone (skipped, never required, without them)."""
from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# A fresh cache per run, so the one-time ONNX export of the model is itself under test; removed at the
# end (with MPNet unpacked and exported it holds about 1 GB).
# The suite builds its indexes with MiniLM int8, six times cheaper than the default model; the
# default's own path is tested on its own (test_cli, test_embed).
os.environ.setdefault("READOUTS_EMBEDDER", "minilm-int8")
if "READOUTS_CACHE" not in os.environ:
    os.environ["READOUTS_CACHE"] = tempfile.mkdtemp(prefix="readouts-cache-")
    atexit.register(shutil.rmtree, os.environ["READOUTS_CACHE"], True)

from fakebotapi import FakeBotApi  # noqa: E402

from index import settings  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import Embedder, embedder_named  # noqa: E402
from index.progress import Done  # noqa: E402
from index.retrieve.search import Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

# The tests' own real documents (tests/corpus/README.md): what every test that needs real readouts reads.
CORPUS = Path(__file__).parent / "corpus"
STATE_DEPT = CORPUS / "state-dept"
FMPRC = CORPUS / "fmprc"
# The larger shared corpora, when they are beside the clone: read only by extra slow tests, skipped without them.
SHARED = Path(os.environ.get("READOUTS_SHARED") or settings.PROJECT_ROOT.parent / "shared")
SHARED_STATE_DEPT = SHARED / "corpus" / "state-dept"
SHARED_FMPRC = SHARED / "corpus" / "fmprc"
DEV_QUESTIONS = SHARED / "eval" / "dev_questions.jsonl"
QUESTIONS = Path(__file__).parent / "questions"
TEST_TOKEN = "123456:fake-test-token-never-real"


class FakeEmbedder:
    """Hashed bag of words: deterministic, instant, and it records every text it embeds."""

    name = "fake-bag-of-words"
    dimension = 64
    multilingual = False
    min_similarity = 0.5
    cross_lingual_min_similarity = None
    duplicate_similarity = 0.95
    same_text_similarity = 0.8
    dense_weight = 0.35
    blend_by_evidence = False

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        self.embedded.extend(texts)
        if done:
            done(range(len(texts)))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 2

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> None:
        return None


class FakeLatentEmbedder(FakeEmbedder):
    """The fake with latent terms (hashed character pairs, so any script has some) and dense vectors
    of Latin words only: what it finds across scripts, only the latent terms found."""

    name = "fake-with-latent-terms"
    multilingual = True
    cross_lingual_min_similarity = 0.0
    latent_dimension = 512

    def __init__(self) -> None:
        super().__init__()
        self.latent: list[str] = []

    def embed(self, texts: Sequence[str], *, progress: bool = False, done: Done | None = None) -> np.ndarray:
        return super().embed([re.sub(r"[^\x00-\x7f]", " ", text) for text in texts], done=done)

    def embed_latent(self, texts: Sequence[str], *, progress: bool = False) -> sparse.csr_matrix:
        self.latent.extend(texts)
        rows = np.zeros((len(texts), self.latent_dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for pair in zip(text, text[1:]):
                rows[row, int(hashlib.md5("".join(pair).encode()).hexdigest(), 16) % self.latent_dimension] += 1
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return sparse.csr_matrix(rows / np.where(norms == 0, 1, norms))


def shared(path: Path) -> Path:
    """`path` in the shared corpora, or the test skipped, saying so: they are never required."""
    if not path.exists():
        pytest.skip(f"{path} is not there (the shared corpora beside the clone, or READOUTS_SHARED)")
    return path


@pytest.fixture(scope="session")
def state_dept_dir() -> Path:
    """The tests' 197 State Department readouts, with their metadata.jsonl (tests/corpus/)."""
    return STATE_DEPT


@pytest.fixture(scope="session")
def shared_state_dept_dir() -> Path:
    """The whole 785-readout corpus in ../shared, when it is there."""
    return shared(SHARED_STATE_DEPT / "metadata.jsonl").parent


@pytest.fixture(scope="session")
def dev_questions_path() -> Path:
    """The shared dev questions over the seeds, when they are there."""
    return shared(DEV_QUESTIONS)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return settings.SEEDS


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The suite's embedder (a real packaged model, READOUTS_EMBEDDER), loaded once for the whole run."""
    return embedder_named(settings.default_embedder())


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def fake_latent_embedder() -> FakeLatentEmbedder:
    return FakeLatentEmbedder()


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, seeds_dir: Path) -> Path:
    """An index of the five seeds built with the real model (read-only: copy it to change it)."""
    directory = tmp_path_factory.mktemp("seeds-index")
    ingest([seeds_dir], directory, embedder)
    return directory


@pytest.fixture(scope="session")
def seeds_e5_index(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Path:
    """The seeds indexed with the multilingual model (vectors and latent terms; read-only)."""
    directory = tmp_path_factory.mktemp("seeds-e5-index")
    ingest([seeds_dir], directory, embedder_named("e5-small"))
    return directory


@pytest.fixture(scope="session")
def state_dept_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, state_dept_dir: Path) -> Path:
    """The tests' State Department readouts indexed with the real model (built once; read-only)."""
    directory = tmp_path_factory.mktemp("state-dept-index")
    ingest([state_dept_dir], directory, embedder)
    return directory


@pytest.fixture(scope="session")
def shared_state_dept_index(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder,
                            shared_state_dept_dir: Path) -> Path:
    """The whole shared corpus indexed with the real model (about two minutes here; built once)."""
    directory = tmp_path_factory.mktemp("shared-state-dept-index")
    ingest([shared_state_dept_dir], directory, embedder)
    return directory


@pytest.fixture(scope="session")
def seeds_retriever(seeds_index: Path, embedder: Embedder) -> Retriever:
    return Retriever(store.load(seeds_index), embedder)


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API server on 127.0.0.1, one per test."""
    api = FakeBotApi(TEST_TOKEN).start()
    yield api
    api.stop()


@pytest.fixture
def corpus_copy(tmp_path: Path, seeds_dir: Path) -> Path:
    """A writable copy of the seeds to add, change and delete files in."""
    target = tmp_path / "corpus"
    shutil.copytree(seeds_dir, target)
    return target


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`readouts ARGV...` in this process: its exit code, stdout and stderr."""
    from index import cli

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture(scope="session")
def tests_corpus() -> Path:
    """The tests' own real documents (CORPUS, tests/corpus/), for tests that pick files by name in it."""
    return CORPUS
