import json
import os
from pathlib import Path

import faiss
import numpy as np
import pytest

from index.errors import IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound, IndexWriteFailed
from index.ingest.update import ingest
from index.retrieve.search import Retriever
from index.store import generations as store
from index.store import vectors


@pytest.fixture
def built(tmp_path: Path, seeds_dir: Path, fake_embedder) -> Path:
    directory = tmp_path / "index"
    ingest([seeds_dir], directory, fake_embedder)
    return directory


def live_generation(directory: Path) -> Path:
    return directory / (directory / store.CURRENT).read_text().strip()


def test_round_trip_keeps_passages_vectors_and_manifest(built: Path, fake_embedder) -> None:
    index = store.load(built)
    manifest = json.loads((live_generation(built) / store.MANIFEST).read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert (manifest["model"], manifest["dimension"]) == (fake_embedder.name, fake_embedder.dimension)
    assert manifest["document_count"] == 5 and manifest["passage_count"] == len(index.passages)
    assert all(len(record["content_hash"]) == 64 for record in manifest["documents"])
    expected = fake_embedder.embed([p.embedding_text for p in index.passages])
    assert np.allclose(index.all_vectors(), expected, atol=1e-6)
    hits = Retriever(index, fake_embedder).search(index.passages[7].embedding_text, 1, method="dense")
    assert hits[0].passage == index.passages[7] and hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_missing_index_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFound, match="readouts ingest"):
        store.load(tmp_path / "none")


@pytest.mark.parametrize("damage", ["truncate-passages", "garbage-manifest", "delete-faiss", "bad-current"])
def test_damaged_index_gets_a_one_line_error(built: Path, damage: str) -> None:
    generation = live_generation(built)
    if damage == "truncate-passages":
        data = (generation / store.PASSAGES).read_bytes()
        (generation / store.PASSAGES).write_bytes(data[: len(data) // 2])
    elif damage == "garbage-manifest":
        (generation / store.MANIFEST).write_text("{not json")
    elif damage == "delete-faiss":
        (generation / store.VECTORS).unlink()
    else:
        (built / store.CURRENT).write_text("gen-gone")
    with pytest.raises(IndexCorrupt) as error:
        store.load(built)
    assert "\n" not in str(error.value) and "readouts ingest --rebuild" in str(error.value)


def test_other_format_version_is_a_mismatch(built: Path) -> None:
    path = live_generation(built) / store.MANIFEST
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "format_version": 99}))
    with pytest.raises(IndexMismatch, match="format 99"):
        store.load(built)


def test_the_recorded_model_is_read_even_from_an_index_of_another_format(built: Path, fake_embedder,
                                                                          tmp_path: Path) -> None:
    assert store.recorded_model(built) == fake_embedder.name
    path = live_generation(built) / store.MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), "format_version": 99}))
    assert store.recorded_model(built) == fake_embedder.name  # what a rebuild of it keeps
    path.write_text("{not json")
    assert store.recorded_model(built) is None and store.recorded_model(tmp_path / "none") is None


def test_index_of_another_model_is_refused(built: Path, embedder) -> None:
    with pytest.raises(IndexMismatch, match="fake-bag-of-words"):
        Retriever(store.load(built), embedder)
    with pytest.raises(IndexMismatch, match="rebuild"):
        Retriever(store.load(built))  # the recorded model is unknown to this version


@pytest.mark.parametrize("failure", ["faiss", "passages", "swap", "interrupt"])
def test_failure_mid_write_leaves_the_old_index_whole(built: Path, corpus_copy: Path, fake_embedder, monkeypatch,
                                                      failure: str) -> None:
    before = store.load(built)
    (corpus_copy / "000_6c010af11ceaee2d.txt").write_text("A new readout\n\n" + "The ministers met and talked. " * 5)

    def explode(*args, **kwargs):
        raise KeyboardInterrupt if failure == "interrupt" else OSError("disk full")

    if failure in ("faiss", "interrupt"):
        monkeypatch.setattr(store.faiss, "write_index", explode)
    elif failure == "passages":
        monkeypatch.setattr(store.json, "dumps", explode)
    else:
        monkeypatch.setattr(store.os, "replace", explode)
    with pytest.raises((IndexWriteFailed, KeyboardInterrupt)):
        ingest([corpus_copy], built, fake_embedder)
    monkeypatch.undo()
    after = store.load(built)
    assert list(after.passages) == list(before.passages)
    assert np.array_equal(after.all_vectors(), before.all_vectors())
    assert [p.name for p in built.glob("gen-*")] == [live_generation(built).name]


def test_a_second_writer_is_refused(built: Path) -> None:
    with store.write_lock(built), pytest.raises(IndexBusy), store.write_lock(built):
        pass


def test_above_the_exact_limit_the_index_is_approximate_and_still_finds_passages(tmp_path: Path, seeds_dir: Path,
                                                                                  fake_embedder, monkeypatch) -> None:
    monkeypatch.setattr(vectors, "EXACT_LIMIT", 10)
    ingest([seeds_dir], tmp_path / "ivf", fake_embedder)
    index = store.load(tmp_path / "ivf")
    assert isinstance(index.vectors, faiss.IndexIVF)
    for row in range(0, len(index.passages), 5):
        query = fake_embedder.embed_query(index.passages[row].embedding_text)
        assert vectors.search(index.vectors, query, 1).tolist() == [row]
    retriever = Retriever(index, fake_embedder)
    hits = retriever.search("Fukushima water", 3)
    assert len(hits) == 3 and all(-1.0 <= hit.score <= 1.0 for hit in hits)
    assert retriever.context(index.passages[7])[1] == index.passages[7]


def test_latent_terms_are_saved_beside_the_vectors_and_checked(tmp_path: Path, seeds_dir: Path,
                                                               fake_latent_embedder) -> None:
    directory = tmp_path / "index"
    ingest([seeds_dir], directory, fake_latent_embedder)
    index = store.load(directory)
    expected = fake_latent_embedder.embed_latent([p.embedding_text for p in index.passages])
    assert index.latent is not None and np.allclose(index.latent.matrix.toarray(), expected.toarray(), atol=1e-6)
    latent_file = live_generation(directory) / store.LATENT
    latent_file.write_bytes(latent_file.read_bytes()[:-10])
    with pytest.raises(IndexCorrupt, match="latent.npz"):
        store.load(directory)


def test_an_embedder_without_latent_terms_writes_none(built: Path) -> None:
    assert store.load(built).latent is None and not (live_generation(built) / store.LATENT).exists()


def test_latent_terms_must_match_the_passages_in_number(tmp_path: Path, built: Path, fake_latent_embedder) -> None:
    index = store.load(built)
    passages = list(index.passages)
    with pytest.raises(ValueError, match="disagree"):
        store.save(tmp_path / "other", "model", index.manifest.documents, passages, index.all_vectors(),
                   latent=fake_latent_embedder.embed_latent([p.text for p in passages[:-1]]))


FULL_DISK = r'''
import contextlib, io, json, os, subprocess, sys
from pathlib import Path
import numpy as np
from index import cli
from index.store import generations as store

class Wide:
    """Wide vectors, so that FAISS's file is what fills the disk."""
    name, dimension, multilingual = "wide-test", 4096, False
    def embed(self, texts, *, progress=False, done=None):
        rng = np.random.default_rng(len(texts))
        vectors = rng.random((len(texts), self.dimension), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    def embed_latent(self, texts, *, progress=False):
        return None

mount, corpus = Path(sys.argv[1]), Path(sys.argv[2])
directory = mount / "index"
cli.embedder_to_ingest = lambda choice, directory: Wide()
sentence = "The ministers met in Geneva on March {} and agreed that their teams would talk again soon."
(corpus / "first.txt").write_text("Talks\n\n" + sentence.format(1) + "\n")
assert cli.main(["ingest", "--index", str(directory), str(corpus)]) == 0
before = store.load(directory)
old = (list(before.passages), before.all_vectors().tolist(), before.generation)
before.close()
used = sum(f.stat().st_size for f in mount.rglob("*") if f.is_file())
subprocess.run(["mount", "-o", f"remount,size={used // 1024 + 256}k", str(mount)], check=True)
for n in range(2, 200):
    (corpus / f"more{n}.txt").write_text(f"Talks {n}\n\n" + sentence.format(n) + f" Round {n} of them.\n")
stderr = io.StringIO()
with contextlib.redirect_stderr(stderr):
    code = cli.main(["ingest", "--index", str(directory), str(corpus)])
after = store.load(directory)
print(json.dumps({"code": code, "stderr": stderr.getvalue(),
                  "kept": (list(after.passages), after.all_vectors().tolist(), after.generation) == old,
                  "generations": sorted(p.name for p in directory.glob("gen-*")) == [old[2]]}))
'''


def test_a_full_disk_while_faiss_writes_the_index_is_one_line_and_the_old_index_stands(tmp_path: Path) -> None:
    """A real full disk (a tmpfs of its own, in a user namespace): the new generation's FAISS file is what
    does not fit, so it is faiss's own writer that meets ENOSPC."""
    import shutil
    import subprocess
    import sys

    from index import settings

    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no user namespaces here to mount a small filesystem in")
    mount, corpus = tmp_path / "disk", tmp_path / "corpus"
    mount.mkdir(), corpus.mkdir()
    script = tmp_path / "full_disk.py"
    script.write_text(FULL_DISK)
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size=16m tmpfs "{mount}" && exec "$0" "$@"',
         sys.executable, str(script), str(mount), str(corpus)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(settings.PROJECT_ROOT)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 1
    [line] = [line for line in result["stderr"].splitlines() if line.startswith("readouts:")]  # progress aside
    assert "No space left on device" in line and "free some disk space" in line and "unchanged" in line
    assert "Traceback" not in done.stderr and "RuntimeError" not in line
    assert result["kept"] and result["generations"]


def test_a_watch_refresh_that_meets_a_full_disk_fails_alone_and_the_next_one_succeeds(built: Path, fake_embedder,
                                                                                      monkeypatch) -> None:
    """The disk fills while faiss writes (its C++ writer fails through the callback): the refresh is one failed
    outcome, not an exception that ends `watch` or the bot's job; the next refresh, with space again, indexes the page."""
    import errno

    import httpx

    from index.ingest.sources.web import Fetcher
    from index.ingest.watch import Source, Watcher

    page = (b"<html><head><title>Talks in Geneva</title></head><body><article><p>The ministers met in Geneva and "
            b"agreed that their teams would talk again before the summit.</p></article></body></html>")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=page,
                                                                   headers={"content-type": "text/html"}))
    watcher = Watcher(built, fake_embedder, fetcher=lambda: Fetcher(transport=transport, backoff=0))
    source = Source("geneva", "https://example.org/geneva", "page", 3600.0)
    before = store.load(built)
    real_writer = faiss.PyCallbackIOWriter

    def full_disk_writer(write, *args):
        def refuse(chunk: bytes) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_writer(refuse, *args)

    monkeypatch.setattr(store.faiss, "PyCallbackIOWriter", full_disk_writer)
    failed = watcher.refresh(source)
    assert failed.error and "No space left on device" in failed.error and "free some disk space" in failed.error
    after = store.load(built)
    assert list(after.passages) == list(before.passages) and after.generation == before.generation
    monkeypatch.undo()
    retried = watcher.refresh(source)
    assert retried.error is None and retried.new == 1
    assert "https://example.org/geneva" in {record.path for record in store.load(built).manifest.documents}


def test_a_passage_line_without_a_speaker_loads_with_none_and_one_without_its_text_is_refused() -> None:
    from index.passage import Passage

    line = {"id": "a-1", "doc": "a.txt", "text": "They met.", "title": "T", "source": "S", "date": None, "url": None,
            "paragraph": 1}
    assert Passage.from_json(line).speaker is None
    spoken = Passage.from_json({**line, "speaker": "Secretary Blinken"})
    assert spoken.speaker == "Secretary Blinken" and Passage.from_json(spoken.to_json()) == spoken
    with pytest.raises(KeyError):
        Passage.from_json({key: value for key, value in line.items() if key != "text"})


def _as_format_6(directory: Path) -> None:
    """The live generation as format 6 wrote it: BM25 in bm25s's own files (bm25s.BM25.save)."""
    import shutil

    import bm25s

    from index.store.lexical import STOPWORDS, SURFACE_WORDS, _stemmer

    generation = live_generation(directory)
    manifest = json.loads((generation / store.MANIFEST).read_text())
    texts = [passage.lexical_text for passage in store.load(directory).passages]
    shutil.rmtree(generation / store.LEXICAL)
    model = bm25s.BM25()
    model.index(bm25s.tokenize(texts, stopwords=STOPWORDS, stemmer=_stemmer, show_progress=False), show_progress=False)
    model.save(str(generation / store.LEXICAL), show_progress=False)
    (generation / store.LEXICAL / SURFACE_WORDS).write_text("{}")
    manifest["format_version"] = 6
    manifest["file_sizes"] = {str(path.relative_to(generation)): path.stat().st_size for path in generation.rglob("*")
                              if path.is_file() and path.name not in (store.MANIFEST, store.READERS)}
    (generation / store.MANIFEST).write_text(json.dumps(manifest))


def test_a_format_6_index_answers_the_same_and_the_next_ingest_rewrites_it_without_embedding(
        built: Path, seeds_dir: Path, fake_embedder) -> None:
    questions = ["Fukushima water release", "What did Wang Yi say about Japan?", "sanctions Korean Peninsula"]
    with store.load(built) as index:
        before = [[(hit.passage.id, hit.score) for hit in Retriever(index, fake_embedder).search(q, 5, method="lexical")]
                  for q in questions]
    assert all(before)
    _as_format_6(built)
    with store.load(built) as old:
        assert old.manifest.format_version == 6 and old.lexical.impact is None
        assert [[(hit.passage.id, hit.score) for hit in Retriever(old, fake_embedder).search(q, 5, method="lexical")]
                for q in questions] == before
    fake_embedder.embedded.clear()
    report = ingest([seeds_dir], built, fake_embedder)
    assert report.embedded == 0 and fake_embedder.embedded == []
    with store.load(built) as new:
        assert new.manifest.format_version == store.FORMAT_VERSION and new.lexical.impact is not None
        assert [[(hit.passage.id, hit.score) for hit in Retriever(new, fake_embedder).search(q, 5, method="lexical")]
                for q in questions] == before
