"""Generations kept while read, and the Library that follows an index's new generations."""
from __future__ import annotations

import fcntl
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from index.answer.policy import Answerer
from index.errors import IndexCorrupt
from index.ingest.update import ingest
from index.retrieve.live import Library, changed_documents
from index.retrieve.search import Retriever
from index.store import generations as store

NEW_READOUT = """Wang Yi Holds Talks with the Foreign Minister of Zembla on Tidal Observatories

On March 3, 2025, Foreign Minister Wang Yi held talks in Beijing with the Foreign Minister of Zembla.

Wang Yi said that China and Zembla agreed to build three tidal observatories on the Zembla coast and to share their sea-level records with all coastal states.
"""
NEWER_READOUT = """Wang Yi Meets the Foreign Minister of Borduria on Glacier Monitoring

Wang Yi said that China and Borduria will monitor mountain glaciers together and publish the measurements every spring.
"""


@pytest.fixture
def directory(tmp_path: Path, corpus_copy: Path, fake_embedder) -> Path:
    directory = tmp_path / "index"
    ingest([corpus_copy], directory, fake_embedder)
    return directory


def add(corpus: Path, name: str, text: str, directory: Path, embedder) -> Path:
    (corpus / name).write_text(text, encoding="utf-8")
    ingest([corpus], directory, embedder)
    return corpus / name


def generations(directory: Path) -> set[str]:
    return {entry.name for entry in directory.glob("gen-*")}


def unlocked(generation: Path) -> bool:
    with open(generation / store.READERS, "ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_a_generation_in_use_stays_readable_until_its_reader_closes(directory: Path, corpus_copy: Path,
                                                                    fake_embedder) -> None:
    reader = store.load(directory)
    a = reader.generation
    add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    b = store.live_generation(directory)
    add(corpus_copy, "borduria.txt", NEWER_READOUT, directory, fake_embedder)
    c = store.live_generation(directory)
    assert len({a, b, c}) == 3
    assert generations(directory) == {a, c}  # B had no reader: C's save removed it; A is in use
    for name, size in reader.manifest.file_sizes.items():
        assert (directory / a / name).stat().st_size == size
    hits = Retriever(reader, fake_embedder).search("Korean Peninsula nuclear issue", 3)
    assert hits and all("Zembla" not in hit.passage.text for hit in hits)
    assert (directory / a / store.PASSAGES).read_bytes()  # the files themselves, not only the mapping
    reader.close()
    (corpus_copy / "borduria.txt").unlink()
    ingest([corpus_copy], directory, fake_embedder)
    assert generations(directory) == {store.live_generation(directory)}


def test_a_generation_removed_before_it_is_locked_is_not_read(directory: Path, corpus_copy: Path,
                                                               fake_embedder) -> None:
    old = store.live_generation(directory)
    add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    assert not (directory / old).exists()
    live = store.live_generation(directory)
    (directory / store.CURRENT).write_text(old)  # as if CURRENT had been read just before a save removed it
    with pytest.raises(IndexCorrupt):
        store.load(directory)  # nothing to fall back on: a damaged index says so
    (directory / store.CURRENT).write_text(live)
    with store.load(directory) as index:
        assert index.generation == live and not unlocked(directory / live)
    assert unlocked(directory / live)


def test_the_library_answers_from_a_new_generation_and_says_what_is_new(directory: Path, corpus_copy: Path,
                                                                        fake_embedder) -> None:
    library = Library(directory, fake_embedder, check_every=3600)
    answerer = Answerer(library)
    first = library.generation
    assert library.refresh() is None
    path = add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    assert library.refresh_if_due() is None  # not due yet
    change = library.refresh()
    assert change is not None and (change.before, change.after) == (first, library.generation)
    assert change.documents == (str(path.resolve()),) and change.document_count == 6
    answer = answerer.answer("tidal observatories on the Zembla coast")
    assert answer.found and "tidal observatories" in answer.hits[0].passage.text
    assert unlocked(directory / first)  # nothing used the old generation: closed at once
    within = answerer.answer("China Japan relations Wang Yi", within=change.documents)
    assert all(hit.passage.doc == "zembla.txt" for hit in within.hits)
    assert not answerer.answer("Korean Peninsula nuclear issue", within=change.documents).found


def test_a_search_in_flight_keeps_the_old_generation_open(directory: Path, corpus_copy: Path, fake_embedder) -> None:
    library = Library(directory, fake_embedder)
    first = library.generation
    with library.snapshot() as snapshot:
        add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
        assert library.refresh() is not None
        assert snapshot.search("Korean Peninsula nuclear issue", 3)  # the old one still answers
        assert snapshot.generation == first and not unlocked(directory / first)
    assert unlocked(directory / first)
    with library.snapshot() as snapshot:
        assert snapshot.search("Zembla tidal observatories", 1)[0].passage.doc == "zembla.txt"


def test_a_generation_that_cannot_be_loaded_is_logged_once_and_the_old_one_kept(directory: Path, corpus_copy: Path,
                                                                                fake_embedder, caplog) -> None:
    library = Library(directory, fake_embedder, check_every=0)
    first = library.generation
    add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    (directory / store.live_generation(directory) / store.MANIFEST).write_text("{")
    assert library.refresh_if_due() is None and library.refresh_if_due() is None
    with library.snapshot() as snapshot:
        assert library.generation == first and snapshot.search("Korean Peninsula", 1)
    assert len([r for r in caplog.records if "cannot be used" in r.getMessage()]) == 1


def test_changed_documents_are_the_new_and_the_changed(directory: Path, corpus_copy: Path, fake_embedder) -> None:
    before = store.load(directory)
    changed = sorted(corpus_copy.glob("*.txt"))[0]
    changed.write_text(changed.read_text() + "\nA new closing paragraph about rail links and ports.\n")
    add(corpus_copy, "zembla.txt", NEW_READOUT, directory, fake_embedder)
    with store.load(directory) as after:
        assert set(changed_documents(before.manifest, after.manifest)) == {
            str(changed.resolve()), str((corpus_copy / "zembla.txt").resolve())}
    before.close()


def test_questions_asked_while_generations_come_and_go_never_fail(directory: Path, corpus_copy: Path,
                                                                  fake_embedder) -> None:
    import threading

    library = Library(directory, fake_embedder, check_every=0)
    answerer = Answerer(library)
    errors: list[BaseException] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                answer = answerer.answer("Korean Peninsula nuclear issue", emphasis=False)
                assert answer.found
                answerer.emphasised(answer, range(len(answer.hits)))  # a later page, maybe from a newer generation
            except BaseException as error:  # noqa: BLE001 - collected for the assertion below
                errors.append(error)
                return

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for thread in askers:
        thread.start()
    try:
        for number in range(4):
            add(corpus_copy, f"extra-{number}.txt", NEW_READOUT.replace("three", f"{number + 4}"), directory,
                fake_embedder)
            assert library.refresh() is not None
    finally:
        stop.set()
        for thread in askers:
            thread.join()
    assert not errors
    with library.snapshot() as snapshot:
        assert len(snapshot.documents()) == 9
    assert len(generations(directory)) <= 2  # the live one, and at most the one a question still held


ZEMBLA_ONLINE = "---\nurl: https://example.org/zembla\n---\n" + NEW_READOUT
STEPS = ("spelling", "parse", "find", "missing", "emphasise", "passage", "document")  # what an answer reads


def swapping(library: Library, monkeypatch, ingest_next: Callable[[], None]) -> list[tuple[str, str]]:
    """Before each read an answer makes of its snapshot (STEPS), a new generation is written and swapped
    in. Returns the log of reads: (step, the generation it read)."""
    reads: list[tuple[str, str]] = []

    def before(name: str) -> None:
        read = getattr(Retriever, name)

        def step(self: Retriever, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            reads.append((name, self.generation))
            ingest_next()
            assert library.refresh() is not None
            return read(self, *args, **kwargs)
        monkeypatch.setattr(Retriever, name, step)

    for name in STEPS:
        before(name)
    return reads


def test_an_answer_reads_one_generation_while_new_ones_are_swapped_in_between_its_steps(
        directory: Path, corpus_copy: Path, fake_embedder, monkeypatch) -> None:
    path = add(corpus_copy, "zembla.txt", ZEMBLA_ONLINE, directory, fake_embedder)
    library = Library(directory, fake_embedder)
    answerer = Answerer(library)
    passages_of = {library.generation: {passage.id for passage in store.load(directory).passages}}
    counts = itertools.count(4)

    def ingest_next() -> None:  # the Zembla readout changes each time: its passages get new ids
        add(corpus_copy, path.name, ZEMBLA_ONLINE.replace("three", str(next(counts))), directory, fake_embedder)
        with store.load(directory) as index:
            passages_of[index.generation] = {passage.id for passage in index.passages}

    reads = swapping(library, monkeypatch, ingest_next)
    for question in ("tidal observatories on the Zembla coast", "zembla tidal obsevatories", "Korean Peninsula"):
        before = len(reads)
        answer = answerer.answer(question)
        steps = reads[before:]
        assert {name for name, _ in steps} >= {"spelling", "parse", "find", "missing"}
        assert {generation for _, generation in steps} == {answer.generation}  # every step, one generation
        assert library.generation != answer.generation  # while len(steps) newer ones were swapped in
        shown = [hit.passage.id for hit in (*answer.hits, *answer.ranked, *answer.related)]
        assert shown and set(shown) <= passages_of[answer.generation]
    zembla = next(hit for hit in answerer.answer("tidal observatories on the Zembla coast").hits
                  if hit.passage.doc == "zembla.txt")
    assert zembla.link is not None and zembla.link.startswith("https://example.org/zembla#:~:text=")


def test_a_later_page_whose_readout_has_left_since_is_linked_by_its_own_words(directory: Path, corpus_copy: Path,
                                                                               fake_embedder) -> None:
    path = add(corpus_copy, "zembla.txt", ZEMBLA_ONLINE, directory, fake_embedder)
    library = Library(directory, fake_embedder)
    answerer = Answerer(library, first_page=0)  # nothing linked or marked until a page is shown
    answer = answerer.answer("tidal observatories on the Zembla coast")
    at = next(i for i, hit in enumerate(answer.hits) if hit.passage.doc == "zembla.txt")
    assert answer.hits[at].link is None and answer.hits[at].emphasis is None
    path.unlink()
    ingest([corpus_copy], directory, fake_embedder)
    assert library.refresh() is not None
    shown = answerer.emphasised(answer, range(len(answer.hits)))
    assert [hit.passage for hit in shown.hits] == [hit.passage for hit in answer.hits]
    assert shown.hits[at].link is not None and shown.hits[at].link.startswith("https://example.org/zembla#:~:text=")
