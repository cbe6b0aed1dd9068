"""The feedback log (index/feedback.py) and `readouts feedback`."""
from __future__ import annotations

import errno
import json
import multiprocessing
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index import Feedback, FeedbackLog, ReadoutsError, voter_key
from index.feedback import FEEDBACK_FILE, summarise
from index.ingest.update import ingest
from index.store import generations as store

WRITERS = 4
RECORDS_EACH = 200


def press(vote: str = "up", answer: str = "a1", voter: str = "v1", question: str = "What did Japan say?",
          passages: tuple[str, ...] = ("p-1", "p-2"), passage: str | None = None, via: str = "button") -> Feedback:
    return Feedback("2024-09-23T10:00:00Z", question, passages, vote, answer, voter, via, passage)


def test_a_press_reads_back_as_recorded(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path / "index")
    first = press(question="Что сказал Китай? 中国说了什么", passages=("p-1",), via="reaction")
    second = press(vote="down", answer="a2", passage="p-2")
    log.record(first)
    log.record(second)
    assert list(log.read()) == [first, second] and log.skipped == 0
    lines = (tmp_path / "index" / FEEDBACK_FILE).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and "中国说了什么" in lines[0]  # UTF-8, not \u escapes


def test_no_log_reads_as_nothing(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path)
    assert list(log.read()) == [] and log.skipped == 0 and not (tmp_path / FEEDBACK_FILE).exists()


def test_a_vote_is_up_or_down() -> None:
    with pytest.raises(ValueError):
        press(vote="sideways")


def test_voter_key_is_short_opaque_and_salted() -> None:
    key = voter_key(123456789, "salt")
    assert len(key) == 12 and int(key, 16) >= 0 and "123456789" not in key
    assert key == voter_key(123456789, "salt")
    assert key != voter_key(123456789, "pepper") and key != voter_key(123456780, "salt")


def _write_many(directory: str, writer: int, start: Any = None) -> None:
    """One writer's presses; with `start` (a barrier), all writers begin together."""
    log = FeedbackLog(Path(directory))
    if start is not None:
        start.wait(60)
    for n in range(RECORDS_EACH):
        log.record(press(answer=f"{writer}-{n}", voter=f"w{writer}", question=f"writer {writer} " + "x" * 2000))


def test_concurrent_processes_never_interleave(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    writers = [context.Process(target=_write_many, args=(str(tmp_path), w, start)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(60)
        assert process.exitcode == 0
    lines = (tmp_path / FEEDBACK_FILE).read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == WRITERS * RECORDS_EACH
    entries = [json.loads(line) for line in lines[:-1]]  # each line whole JSON: nothing interleaved
    assert {entry["answer"] for entry in entries} == {f"{w}-{n}" for w in range(WRITERS) for n in range(RECORDS_EACH)}
    log = FeedbackLog(tmp_path)
    assert len(list(log.read())) == WRITERS * RECORDS_EACH and log.skipped == 0


def test_concurrent_threads_never_interleave(tmp_path: Path) -> None:
    threads = [threading.Thread(target=_write_many, args=(str(tmp_path), w)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = FeedbackLog(tmp_path)
    assert len({entry.answer for entry in log.read()}) == WRITERS * RECORDS_EACH and log.skipped == 0


def test_malformed_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path)
    log.record(press(answer="a1"))
    with open(tmp_path / FEEDBACK_FILE, "ab") as handle:
        handle.write(b"not json at all\n[1, 2, 3]\n\xff\xfe\n" + b'{"time": "2024", "vote": "maybe"}\n\n')
    log.record(press(answer="a2"))
    full = (tmp_path / FEEDBACK_FILE).read_bytes()
    (tmp_path / FEEDBACK_FILE).write_bytes(full + full.splitlines(keepends=True)[0][:40])  # a crash mid-line
    assert [entry.answer for entry in log.read()] == ["a1", "a2"] and log.skipped == 5


def test_a_line_cut_by_a_crash_does_not_swallow_the_next(tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path)
    (tmp_path / FEEDBACK_FILE).write_bytes(b'{"time": "2024-09-23T10:0')
    log.record(press(answer="after the crash"))
    assert [entry.answer for entry in log.read()] == ["after the crash"] and log.skipped == 1


def test_an_unwritable_log_is_a_one_line_readouts_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ReadoutsError) as raised:
        FeedbackLog(tmp_path).record(press())
    message = str(raised.value)
    assert len(message.splitlines()) == 1 and str(tmp_path) in message and "Permission denied" in message


def test_the_latest_vote_per_voter_and_answer_counts() -> None:
    summary = summarise([
        press("up", answer="a1", voter="v1"), press("down", answer="a1", voter="v1"),  # changed: one 👎
        press("up", answer="a1", voter="v2"),
        press("down", answer="a2", voter="v1", question="Who met whom?"),
        press("up", answer="a2", voter="v1", question="Who met whom?", passage="p-1"),  # its own key
    ])
    assert (summary.presses, summary.votes, summary.up, summary.down) == (5, 4, 2, 2)
    assert [(t.name, t.up, t.down) for t in summary.questions] == [("What did Japan say?", 1, 1), ("Who met whom?", 1, 1)]
    # p-1 is shown with every answer; p-2 with the three whole-answer votes only
    assert {t.name: (t.up, t.down) for t in summary.passages} == {"p-1": (2, 2), "p-2": (1, 2)}
    assert [t.name for t in summary.passages] == ["p-2", "p-1"]  # most 👎 first, then fewest 👍


def test_questions_are_listed_most_down_first() -> None:
    summary = summarise([press("down", answer="a1", question="bad"), press("down", answer="a1", voter="v2",
                                                                            question="bad"),
                         press("up", answer="a2", question="good"), press("down", answer="a3", question="meh")])
    assert [t.name for t in summary.questions] == ["bad", "meh", "good"]
    assert json.loads(json.dumps(summary.to_json()))["questions"][0] == {"name": "bad", "up": 0, "down": 2}


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["up", "down"]), st.integers(0, 3), st.sampled_from(["v1", "v2", "v3"]),
                          st.sampled_from([None, "p-1", "p-2"])), max_size=40))
def test_summary_counts_each_key_once(presses: list[tuple[str, int, str, str | None]]) -> None:
    entries = [press(vote, answer=f"a{answer}", voter=voter, passage=passage, question=f"q{answer % 2}")
               for vote, answer, voter, passage in presses]
    summary = summarise(entries)
    keys = {(e.answer, e.voter, e.passage) for e in entries}
    assert summary.votes == summary.up + summary.down == len(keys) and summary.presses == len(entries)
    for tally in summary.questions:
        assert tally.up + tally.down == len({key for key in keys if f"q{int(key[0][1:]) % 2}" == tally.name})
    assert sum(t.up + t.down for t in summary.questions) == len(keys)
    last = {(e.answer, e.voter, e.passage): e.vote for e in entries}
    assert summary.down == sum(vote == "down" for vote in last.values())


def test_cli_without_feedback_says_so(run, tmp_path: Path) -> None:
    code, out, err = run("feedback", "--index", str(tmp_path))
    assert code == 0 and err == "" and len(out.splitlines()) == 1 and "no feedback yet" in out


def test_cli_counts_votes_and_lists_the_worst(run, tmp_path: Path) -> None:
    log = FeedbackLog(tmp_path)
    for entry in [press("up", answer="a1"), press("down", answer="a1"), press("down", answer="a1", voter="v2"),
                  press("up", answer="a2", question="Fine question", passages=("p-9",)),
                  press("down", answer="a3", question="Evil \x1b]0;title\x07 question", passages=())]:
        log.record(entry)
    with open(tmp_path / FEEDBACK_FILE, "ab") as handle:
        handle.write(b"junk\n")
    code, out, _ = run("feedback", "--index", str(tmp_path), "--top", "1")
    assert code == 0
    assert "votes      4 (of 5 presses" in out and "👍 up      1 (25.0%)" in out and "👎 down    3 (75.0%)" in out
    questions = out.split("questions with most 👎:\n")[1].split("passages")[0]
    assert questions.count("\n") == 1 and "What did Japan say?" in questions  # --top 1
    assert "\x1b" not in out and "\\x1b" not in questions
    assert "skipped    1 malformed line" in out
    code, out, _ = run("feedback", "--index", str(tmp_path))
    assert "Evil \\x1b]0;title\\x07 question" in out and "\x1b" not in out and "Fine question" not in out


def test_cli_json_parses(run, tmp_path: Path) -> None:
    FeedbackLog(tmp_path).record(press("down", passage="p-2"))
    code, out, _ = run("feedback", "--index", str(tmp_path), "--json")
    data = json.loads(out)
    assert code == 0 and (data["votes"], data["up"], data["down"], data["skipped"]) == (1, 0, 1, 0)
    assert data["passages"] == [{"name": "p-2", "up": 0, "down": 1}]
    code, out, _ = run("feedback", "--index", str(tmp_path / "none"), "--json")
    assert code == 0 and json.loads(out)["votes"] == 0


def test_cli_names_passages_by_their_title(run, tmp_path: Path, seeds_dir: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    ingest([seeds_dir], directory, fake_embedder)
    with store.load(directory) as index:
        passage = index.passages[0]
    FeedbackLog(directory).record(press("down", passages=(passage.id,)))
    code, out, _ = run("feedback", "--index", str(directory))
    assert code == 0 and f"{passage.id}  {passage.title[:40]}" in out


def test_a_save_keeps_the_feedback_log(tmp_path: Path, seeds_dir: Path, fake_embedder) -> None:
    directory = tmp_path / "index"
    FeedbackLog(directory).record(press())
    ingest([seeds_dir], directory, fake_embedder)
    ingest([seeds_dir], directory, fake_embedder, rebuild=True)
    assert [entry.answer for entry in FeedbackLog(directory).read()] == ["a1"]
