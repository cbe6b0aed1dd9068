import json
import os
from pathlib import Path

import pytest

from index.errors import InputNotFound
from index.ingest.corpus import load_corpus


def test_bad_files_are_reported_by_name_and_good_ones_kept(corpus_copy: Path) -> None:
    (corpus_copy / "empty.txt").write_text("   \n")
    (corpus_copy / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (corpus_copy / "latin1.txt").write_bytes("Caf\xe9 talks\n\nThe two ministers met at a caf\xe9 in Lyon and "
                                             "talked for an hour.".encode("latin-1"))  # read: unambiguous
    (corpus_copy / "cp1251.txt").write_bytes("Министры встретились.".encode("cp1251"))  # refused: ambiguous
    (corpus_copy / "copy.txt").write_text((corpus_copy / "000_6c010af11ceaee2d.txt").read_text())
    (corpus_copy / "dangling.txt").symlink_to(corpus_copy / "nowhere.txt")
    (corpus_copy / "notes.pdf").write_bytes(b"%PDF-1.4")
    (corpus_copy / "notes.docx").write_bytes(b"PK\x03\x04 a zip archive")
    corpus = load_corpus([corpus_copy])
    reasons = {Path(path).name: reason for path, reason in corpus.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file"
    assert reasons["cp1251.txt"].startswith("not UTF-8") and "declare its charset or save it as UTF-8" in reasons["cp1251.txt"]
    assert "latin1.txt" not in reasons
    assert reasons["copy.txt"].startswith("duplicate of") and "000_6c010af11ceaee2d.txt" in reasons["copy.txt"]
    assert reasons["dangling.txt"].startswith("unreadable")
    assert reasons["notes.pdf"].startswith("unreadable PDF")  # PDFs are read by content; this one is cut short
    assert reasons["notes.docx"] == "not a .txt, .md, HTML or PDF file"
    assert sorted(d.name for d in corpus.documents) == sorted(
        ["latin1.txt", *(p.name for p in Path(corpus_copy).glob("00*.txt"))])
    latin = next(d for d in corpus.documents if d.name == "latin1.txt")
    assert [p.text for p in latin.passages] == ["The two ministers met at a café in Lyon and talked for an hour."]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFound, match="nowhere"):
        load_corpus([tmp_path / "nowhere"])


def test_metadata_jsonl_wins_over_extracted_values(corpus_copy: Path) -> None:
    lines = [
        {"file": "003_17c4431262099e76.txt", "title": "Wang Yi meets Kamikawa", "date": "2024-09-23",
         "source": "China Daily", "url": "https://example.org/wang-kamikawa"},
        {"file": "002_97bc6a86a9d677fe.txt", "date": "2023-02-22"},
    ]
    (corpus_copy / "metadata.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n{not json\n")
    corpus = load_corpus([corpus_copy])
    documents = {d.name: d for d in corpus.documents}
    wang = documents["003_17c4431262099e76.txt"]
    assert (wang.title, wang.date, wang.source, wang.url) == (
        "Wang Yi meets Kamikawa", "2024-09-23", "China Daily", "https://example.org/wang-kamikawa")
    assert {(p.title, p.date, p.source, p.url) for p in wang.passages} == {
        ("Wang Yi meets Kamikawa", "2024-09-23", "China Daily", "https://example.org/wang-kamikawa")}
    security = documents["002_97bc6a86a9d677fe.txt"]
    assert security.date == "2023-02-22"
    assert security.title == "17th China-Japan security dialogue addresses issues of common concern"
    assert any("metadata.jsonl:3" in path for path, _ in corpus.skipped)


def test_nested_folders_are_read_recursively(corpus_copy: Path) -> None:
    nested = corpus_copy / "2024" / "december"
    nested.mkdir(parents=True)
    (corpus_copy / "004_928d3c2fc4727297.txt").rename(nested / "004.md")
    names = {d.name for d in load_corpus([corpus_copy]).documents}
    assert "004.md" in names and len(names) == 5


@pytest.mark.slow
@pytest.mark.parametrize("folder, files", [("state_dept_dir", 197), ("shared_state_dept_dir", 785)])
def test_state_dept_corpus_ingests_with_its_metadata(request: pytest.FixtureRequest, folder: str, files: int) -> None:
    """The tests' readouts, and the whole shared corpus when it is there."""
    state_dept_dir = request.getfixturevalue(folder)
    corpus = load_corpus([state_dept_dir])
    metadata = {json.loads(line)["file"]: json.loads(line) for line in (state_dept_dir / "metadata.jsonl").open()}
    assert len(corpus.documents) + len(corpus.skipped) == len(metadata) == files
    assert [reason for _, reason in corpus.skipped if not reason.startswith("duplicate")] == []
    for document in corpus.documents:
        expected = metadata[document.name]
        assert (document.title, document.date, document.source, document.url) == (
            expected["title"], expected["date"], expected["source"], expected["url"])
        for passage in document.passages:
            assert passage.text in document.text
            assert passage.text != "Office of the Spokesperson"
    texts = [p.text for d in corpus.documents for p in d.passages]
    assert not any(t.startswith("The below is attributable to Spokesperson") and len(t) < 80 for t in texts)


def test_only_regular_files_are_opened(corpus_copy: Path) -> None:
    import os
    os.mkfifo(corpus_copy / "pipe.txt")  # reading it would block forever
    (corpus_copy / "zero.txt").symlink_to("/dev/zero")  # reading it would never end
    corpus = load_corpus([corpus_copy])
    reasons = {Path(path).name: reason for path, reason in corpus.skipped}
    assert reasons["pipe.txt"] == "not a regular file (a named pipe)"
    assert reasons["zero.txt"] == "not a regular file (a character device)"
    assert len(corpus.documents) == 5


def test_a_huge_file_is_skipped_not_read_whole(corpus_copy: Path, monkeypatch) -> None:
    from index.ingest import corpus as corpus_module
    monkeypatch.setattr(corpus_module, "MAX_FILE_BYTES", 1000)
    corpus = load_corpus([corpus_copy])
    sizes = {p.name: p.stat().st_size for p in corpus_copy.iterdir()}
    reasons = {Path(path).name: reason for path, reason in corpus.skipped}
    assert {name for name, size in sizes.items() if size > 1000} == set(reasons)
    assert all(reason.startswith("larger than") for reason in reasons.values())


def test_bad_metadata_lines_are_reported_and_the_folder_still_ingested(corpus_copy: Path) -> None:
    lines = ['{"file": "000_6c010af11ceaee2d.txt", "date": "not-a-date"}',
             '{"file": "001_12e88075bd230fa7.txt", "date": "2023-13-45"}',
             '{"file": 42}',
             '{"file": "002_97bc6a86a9d677fe.txt", "title": 123}',
             '{"file": "003_17c4431262099e76.txt", "source": ["a", "b"]}',
             '{"file": "gone.txt", "title": "Missing"}',
             '{"file": "004_928d3c2fc4727297.txt", "date": "2024-05-01", "source": "MFA"}']
    (corpus_copy / "metadata.jsonl").write_text("\n".join(lines) + "\n")
    corpus = load_corpus([corpus_copy])
    problems = [f"{path} {reason}" for path, reason in corpus.skipped]
    assert len(problems) == 6, problems
    assert sum("not a date" in p for p in problems) == 2 and any("title must be text" in p for p in problems)
    assert any("gone.txt" in p and "not in the folder" in p for p in problems)
    by_name = {d.name: d for d in corpus.documents}
    assert len(by_name) == 5
    assert (by_name["004_928d3c2fc4727297.txt"].date, by_name["004_928d3c2fc4727297.txt"].source) == ("2024-05-01", "MFA")
    assert by_name["003_17c4431262099e76.txt"].source != "['a', 'b']"


def test_names_that_are_not_utf8_and_hidden_files_are_skipped_each_with_its_reason(corpus_copy: Path) -> None:
    readout = "Talks in {}\n\nThe ministers met in {} and agreed that their teams would meet again soon.\n"
    bad_file = corpus_copy / os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes in a name: not UTF-8
    bad_folder = corpus_copy / os.fsdecode(b"dossier-\xe9t\xe9")
    bad_folder.mkdir()
    (corpus_copy / ".git").mkdir()
    for number, file in enumerate([bad_file, bad_folder / "inside.txt", corpus_copy / ".hidden.txt",
                                   corpus_copy / ".git" / "notes.txt", corpus_copy / "kept.txt"]):
        file.write_text(readout.format(f"city {number}", f"city {number}"))
    corpus = load_corpus([corpus_copy])
    reasons = dict(corpus.skipped)
    assert reasons == {
        str(bad_file): "its name is not valid UTF-8: rename it to read it",
        str(bad_folder): "folder name is not valid UTF-8: rename it to read its files",
        str(corpus_copy / ".hidden.txt"): "hidden file (its name starts with a dot)",
        str(corpus_copy / ".git"): "hidden folder (its name starts with a dot), not read",
    }
    assert sorted(d.name for d in corpus.documents) == sorted(["kept.txt", *(p.name for p in corpus_copy.glob("00*.txt"))])
