import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index.ingest.update import ingest
from index.store import generations as store


def test_second_run_embeds_nothing_and_writes_nothing(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    first = ingest([corpus_copy], directory, fake_embedder)
    assert first.embedded == first.passages > 0 and len(first.added) == 5
    generation = (directory / store.CURRENT).read_text()
    fake_embedder.embedded.clear()
    second = ingest([corpus_copy], directory, fake_embedder)
    assert fake_embedder.embedded == [] and second.embedded == 0
    assert len(second.unchanged) == 5 and not (second.added or second.updated or second.removed)
    assert (directory / store.CURRENT).read_text() == generation


def test_changed_document_is_replaced_and_deleted_one_removed(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    changed = corpus_copy / "004_928d3c2fc4727297.txt"
    new_paragraph = "Wang also said both countries should expand youth exchanges and tourism in the coming year."
    changed.write_text(changed.read_text() + "\n" + new_paragraph + "\n")
    (corpus_copy / "000_6c010af11ceaee2d.txt").unlink()
    fake_embedder.embedded.clear()

    report = ingest([corpus_copy], directory, fake_embedder)

    assert report.updated == ["004_928d3c2fc4727297.txt"] and report.removed == ["000_6c010af11ceaee2d.txt"]
    # Only the new paragraph (read with its title) is embedded: the unchanged ones of 004 kept their vectors.
    assert fake_embedder.embedded == [f"China's top diplomat calls for joint work to promote stable, lasting "
                                      f"China-Japan ties\n{new_paragraph}"]
    index = store.load(directory)
    assert "000_6c010af11ceaee2d.txt" not in {p.doc for p in index.passages}
    assert new_paragraph in {p.text for p in index.passages}
    assert index.manifest.passage_count == len(index.passages) == index.vectors.ntotal


def test_documents_from_other_paths_are_kept(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.txt").write_text("Extra readout\n\nThe foreign ministers of both countries met in Hanoi on May 3, 2023.\n")
    ingest([corpus_copy], directory, fake_embedder)
    report = ingest([other], directory, fake_embedder)
    assert report.added == ["extra.txt"] and report.removed == [] and report.documents == 6
    (other / "extra.txt").unlink()
    report = ingest([other], directory, fake_embedder)
    assert report.removed == ["extra.txt"] and report.documents == 5


def test_duplicate_of_an_indexed_document_from_elsewhere_is_skipped(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "copy.txt").write_text((corpus_copy / "003_17c4431262099e76.txt").read_text())
    report = ingest([mirror], directory, fake_embedder)
    assert report.added == [] and report.skipped[0][1].startswith("duplicate of")


def test_rebuild_starts_over_and_a_damaged_index_is_replaced(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    (directory / store.CURRENT).write_text("gen-missing")
    report = ingest([corpus_copy], directory, fake_embedder)
    assert len(report.added) == 5 and "could not be used" in report.notes[0]
    fake_embedder.embedded.clear()
    report = ingest([corpus_copy], directory, fake_embedder, rebuild=True)
    assert len(report.added) == 5 and len(fake_embedder.embedded) == report.passages


@pytest.mark.slow
@pytest.mark.parametrize("built, documents, passages", [
    ("state_dept_index", 196, 700),  # the tests' 197 files, one pair byte-identical (reported)
    ("shared_state_dept_index", 783, 3000),  # the shared 785 files, two pairs byte-identical
])
def test_state_dept_ingest_with_the_real_model(request: pytest.FixtureRequest, built: str, documents: int,
                                               passages: int, embedder) -> None:
    index = store.load(request.getfixturevalue(built))
    assert len(index.manifest.documents) == documents
    assert index.vectors.ntotal == len(index.passages) > passages
    assert all(embedder.count_tokens(p.embedding_text) <= 256 for p in index.passages)


def test_passages_are_cut_the_same_whatever_the_embedder(corpus_copy: Path, tmp_path: Path, fake_embedder,
                                                         seeds_index: Path) -> None:
    ingest([corpus_copy], tmp_path / "index", fake_embedder)  # counts words, not word pieces
    assert [p.text for p in store.load(tmp_path / "index").passages] == [p.text for p in store.load(seeds_index).passages]


def test_latent_terms_of_unchanged_passages_are_reused(corpus_copy: Path, tmp_path: Path, fake_latent_embedder) -> None:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_latent_embedder)
    before = store.load(directory)
    rows = {p.text: before.latent.matrix[row].toarray() for row, p in enumerate(before.passages)}
    changed = corpus_copy / "004_928d3c2fc4727297.txt"
    changed.write_text(changed.read_text() + "\nBoth sides agreed to hold the next round of talks in Osaka.\n")
    fake_latent_embedder.latent.clear()

    ingest([corpus_copy], directory, fake_latent_embedder)

    after = store.load(directory)
    assert len(fake_latent_embedder.latent) == 1 and fake_latent_embedder.latent[0].endswith("in Osaka.")
    assert after.latent is not None and len(after.latent) == len(after.passages) == len(before.passages) + 1
    for row, passage in enumerate(after.passages):
        if passage.text in rows:
            assert np.array_equal(after.latent.matrix[row].toarray(), rows[passage.text])


def test_nothing_ingestible_writes_no_index_and_says_why(tmp_path: Path, fake_embedder) -> None:
    from index.errors import NothingToIngest
    folder = tmp_path / "junk"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(b"%PDF-1.4")
    (folder / "b.txt").write_text("  \n")
    with pytest.raises(NothingToIngest, match="nothing to index.*b.txt: empty file"):
        ingest([folder], tmp_path / "index", fake_embedder)
    assert not store.has_index(tmp_path / "index")


def test_an_index_emptied_by_its_paths_is_a_clear_state(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    from index.errors import IndexEmpty
    from index.retrieve.search import Retriever
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    for file in corpus_copy.glob("*.txt"):
        file.unlink()
    (corpus_copy / "note.txt").write_text("hi\n")
    report = ingest([corpus_copy], directory, fake_embedder)
    assert len(report.removed) == 5 and report.documents == 0
    with pytest.raises(IndexEmpty, match="holds no readouts"):
        Retriever(store.load(directory), fake_embedder).search("Fukushima")


def test_rebuild_reports_what_other_paths_had_brought(corpus_copy: Path, tmp_path: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.txt").write_text("Extra readout\n\nThe foreign ministers of both countries met in Hanoi on May 3, 2023.\n")
    ingest([corpus_copy], directory, fake_embedder)
    ingest([other], directory, fake_embedder)
    report = ingest([corpus_copy], directory, fake_embedder, rebuild=True)
    assert report.removed == ["extra.txt"] and report.documents == 5


@pytest.mark.parametrize("errno, fix", [(28, "free some disk space"), (13, "make it writable"), (30, "writable folder")])
def test_an_os_failure_while_writing_is_one_line_and_the_old_index_stands(
        corpus_copy: Path, tmp_path: Path, fake_embedder, monkeypatch, errno: int, fix: str) -> None:
    import os

    from index.errors import IndexWriteFailed
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    before = store.load(directory).manifest
    (corpus_copy / "new.txt").write_text("New readout\n\nThe two ministers agreed to meet again in Jakarta next spring.\n")

    def refuse(*args, **kwargs):
        raise OSError(errno, os.strerror(errno))
    monkeypatch.setattr(store, "_write_passages", refuse)
    with pytest.raises(IndexWriteFailed, match=fix) as error:
        ingest([corpus_copy], directory, fake_embedder)
    assert "\n" not in str(error.value) and "unchanged" in str(error.value)
    assert store.load(directory).manifest == before
    assert sorted(p.name for p in directory.iterdir() if p.name.startswith("gen-")) == [
        (directory / store.CURRENT).read_text().strip()]



_NAMES = st.sampled_from(["a.txt", "b.md", "c.html", "d", "e.pdf", "f.shtml", "metadata.jsonl", "g.TXT", ".hidden.txt"])
_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=400).map(str.encode),
    st.sampled_from([b"%PDF-1.4 broken", b"<html><body><p>Only a page</p></body></html>", b"\xef\xbb\xbf",
                     b'{"file": "a.txt", "date": "2023-13-45"}\n{"file": 7}\n[1]\n',
                     b"Title line\n\nThe ministers met in Geneva on March 3, 2023 and agreed to talk again soon.\n"]),
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(_NAMES, _CONTENT, min_size=1, max_size=5))
def test_any_folder_ingests_or_says_why_and_loses_nothing(tmp_path_factory, corpus_copy: Path, fake_embedder,
                                                          files: dict[str, bytes]) -> None:
    """Generated files (any bytes, any name, bad metadata) thrown at an index that already holds the
    seeds: the ingest succeeds or fails with a ReadoutsError, and the seeds are all still there."""
    from index.errors import ReadoutsError
    root = tmp_path_factory.mktemp("ingest")
    directory, folder = root / "index", root / "new"
    folder.mkdir()
    ingest([corpus_copy], directory, fake_embedder)
    before = {record.path for record in store.load(directory).manifest.documents}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    try:
        report = ingest([folder], directory, fake_embedder)
    except ReadoutsError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert all(reason for _, reason in report.skipped)
    after = store.load(directory)
    assert before <= {record.path for record in after.manifest.documents}
    assert after.manifest.passage_count == len(after.passages) == after.vectors.ntotal


def test_readouts_in_a_script_the_embedder_does_not_read_are_named_at_ingest(corpus_copy: Path, tmp_path: Path,
                                                                            fake_embedder, fake_latent_embedder) -> None:
    """Russian and Arabic readouts given to an English-only embedder: indexed, and each named in a warning
    that says which embedder reads them; an English readout quoting a few Chinese words is not."""
    from index.ingest.update import format_report

    (corpus_copy / "moscow.txt").write_text("Переговоры в Москве\n\nМинистры иностранных дел обсудили вопросы "
                                            "двустороннего сотрудничества и договорились продолжить диалог.\n")
    (corpus_copy / "cairo.txt").write_text("محادثات في القاهرة\n\nناقش وزيرا الخارجية التعاون الثنائي واتفقا على "
                                           "مواصلة الحوار بين البلدين في الأشهر المقبلة.\n")
    (corpus_copy / "mixed.txt").write_text("Talks in Beijing\n\nThe ministers spoke of 和平共处 (peaceful coexistence) "
                                           "and agreed that their teams would meet again before the summit.\n")
    report = ingest([corpus_copy], tmp_path / "en", fake_embedder)
    assert len(report.warnings) == 2 and report.documents == 8
    warned = {warning.split(" is mostly in ")[0]: warning for warning in report.warnings}
    assert set(warned) == {str(corpus_copy / "moscow.txt"), str(corpus_copy / "cairo.txt")}
    assert "Cyrillic script, which fake-bag-of-words does not read" in warned[str(corpus_copy / "moscow.txt")]
    assert "Arabic script" in warned[str(corpus_copy / "cairo.txt")]
    assert all("--embedder e5-small" in warning for warning in report.warnings)
    text = format_report(report, tmp_path / "en")
    assert sum(line.startswith("  warning: ") for line in text.splitlines()) == 2
    assert ingest([corpus_copy], tmp_path / "en", fake_embedder).warnings == []  # said once, when indexed
    assert ingest([corpus_copy], tmp_path / "multi", fake_latent_embedder).warnings == []


def _as_written_before_speakers(directory: Path) -> None:
    """Rewrite the live generation as an index of before speakers: passages.jsonl without the field,
    its offsets and the manifest's sizes to match, the documents' fingerprints of the older pipeline."""
    import json

    import numpy as np

    generation = directory / (directory / store.CURRENT).read_text().strip()
    lines = []
    for line in (generation / store.PASSAGES).read_bytes().splitlines():
        record = json.loads(line)
        del record["speaker"]
        lines.append(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    (generation / store.PASSAGES).write_bytes(b"".join(lines))
    np.save(generation / store.OFFSETS, np.cumsum([0, *map(len, lines)]).astype(np.int64))
    manifest = json.loads((generation / store.MANIFEST).read_text())
    for name in (store.PASSAGES, store.OFFSETS):
        manifest["file_sizes"][name] = (generation / name).stat().st_size
    for record in manifest["documents"]:
        record["fingerprint"] = "of-pipeline-5"
    (generation / store.MANIFEST).write_text(json.dumps(manifest))


def test_an_index_from_before_speakers_loads_and_the_next_ingest_adds_them_without_embedding(
        tests_corpus: Path, tmp_path: Path, fake_embedder) -> None:
    from index.retrieve.search import Retriever

    directory = tmp_path / "index"
    ingest([tests_corpus / "state-dept"], directory, fake_embedder)
    _as_written_before_speakers(directory)
    with store.load(directory) as old:
        assert len(old.passages) > 20 and all(p.speaker is None for p in old.passages)
        assert Retriever(old, fake_embedder).search("Daesh in Africa")
    fake_embedder.embedded.clear()
    report = ingest([tests_corpus / "state-dept"], directory, fake_embedder)
    assert report.embedded == 0 and fake_embedder.embedded == [] and len(report.updated) == report.documents
    with store.load(directory) as new:
        spoken = {p.speaker for p in new.passages if p.text.startswith(("Given the growing threat", "We act. As the G7"))}
    assert spoken == {"Foreign Minister Di Maio (via interpreter)", "Foreign Minister Baerbock (via interpreter)"}


def _bm25_files(directory: Path) -> dict[str, bytes]:
    generation = directory / (directory / store.CURRENT).read_text().strip() / store.LEXICAL
    return {path.name: path.read_bytes() for path in sorted(generation.iterdir())}


def test_a_new_index_gets_the_bm25_built_while_the_model_embeds(corpus_copy: Path, tmp_path: Path, fake_embedder,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from index.store.lexical import Lexical

    first = sorted(corpus_copy.glob("*.txt"))[0]
    (corpus_copy / "copy-of-the-first.txt").write_bytes(first.read_bytes())  # a duplicate: left out of both
    built_by: list[str] = []
    build = Lexical.build.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Lexical], texts: list[str], headings: list[str | None] | None = None,
                  prose: list[str] | None = None) -> Lexical:
        built_by.append(threading.current_thread().name)
        return build(cls, texts, headings, prose)

    monkeypatch.setattr(Lexical, "build", classmethod(recording))
    ingest([corpus_copy], tmp_path / "index", fake_embedder)
    assert len(built_by) == 1 and built_by[0].startswith("bm25")  # not again, on the main thread, at the write

    monkeypatch.setattr(Lexical, "build", classmethod(build))
    index = store.load(tmp_path / "index")
    store.save(tmp_path / "serial", index.manifest.model, index.manifest.documents, list(index.passages),
               index.all_vectors())
    assert _bm25_files(tmp_path / "index") == _bm25_files(tmp_path / "serial")


def test_bm25_is_built_again_for_what_another_ingest_wrote_meanwhile(corpus_copy: Path, tmp_path: Path,
                                                                     fake_embedder) -> None:
    directory = tmp_path / "index"
    other = tmp_path / "other"
    other.mkdir()
    (other / "extra.txt").write_text("Extra readout\n\nThe foreign ministers of both countries met in Hanoi on May 3, "
                                     "2023, and spoke about fisheries.\n")
    embed = fake_embedder.embed

    def embed_while_another_ingest_writes(texts, *, progress=False, done=None):  # noqa: ANN001, ANN202
        fake_embedder.embed = embed
        ingest([other], directory, fake_embedder)
        return embed(texts, progress=progress, done=done)

    fake_embedder.embed = embed_while_another_ingest_writes
    report = ingest([corpus_copy], directory, fake_embedder)

    assert report.documents == 6
    index = store.load(directory)
    assert "extra.txt" in {p.doc for p in index.passages}
    store.save(tmp_path / "serial", index.manifest.model, index.manifest.documents, list(index.passages),
               index.all_vectors())
    assert _bm25_files(directory) == _bm25_files(tmp_path / "serial")
