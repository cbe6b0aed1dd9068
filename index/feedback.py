"""Votes on answers (👍/👎), appended to a JSON lines log in the index directory and summarised.

Each press is one line of DIR/feedback.jsonl, written whole by one append under an exclusive flock,
so that writers in threads or processes never interleave. The log is never rewritten: a changed vote
is a later line, and `summarise` keeps the last vote per (answer, voter, passage).
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from .errors import FeedbackLogFailed

Vote = Literal["up", "down"]
VOTES: tuple[Vote, ...] = get_args(Vote)
FEEDBACK_FILE = "feedback.jsonl"
VOTER_KEY_LENGTH = 12


def voter_key(user_id: int, salt: str) -> str:
    """A short opaque name for a voter: the log tells one voter's presses apart without holding their user id."""
    digest = hashlib.sha256(f"{salt}\0{user_id}".encode())
    return digest.hexdigest()[:VOTER_KEY_LENGTH]


def utc_now() -> str:
    """The time now in UTC, as `Feedback.time` records it (ISO 8601, seconds)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Feedback:
    """One press: a vote on the answer `answer` to `question` (or, with `passage`, on one of its passages)."""

    time: str  # ISO 8601, UTC
    question: str
    passages: tuple[str, ...]  # ids of the passages shown with the answer, best first
    vote: Vote
    answer: str  # a short key of the answer, so that presses on one answer can be told apart
    voter: str  # voter_key(user id, salt), never the user id itself
    via: str = "button"  # "button", "reaction", ...
    passage: str | None = None  # the passage voted on, when the vote is not about the whole answer

    def __post_init__(self) -> None:
        if self.vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {self.vote!r}")

    @property
    def key(self) -> tuple[str, str, str | None]:
        """What a later press replaces: the same voter on the same answer (and passage)."""
        return self.answer, self.voter, self.passage

    def to_json(self) -> dict[str, Any]:
        return {"time": self.time, "question": self.question, "passages": list(self.passages), "vote": self.vote,
                "answer": self.answer, "voter": self.voter, "via": self.via, "passage": self.passage}

    @classmethod
    def from_json(cls, data: Any) -> Feedback:
        """The press a log line holds; ValueError when it is not one (wrong shape or types)."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        passages, passage = data.get("passages"), data.get("passage")
        if (not isinstance(passages, list) or not all(isinstance(p, str) for p in passages)
                or not (passage is None or isinstance(passage, str))):
            raise ValueError("passages missing or of the wrong type")
        vote = _text(data, "vote")
        if vote not in VOTES:
            raise ValueError(f"not a vote: {vote!r}")
        return cls(_text(data, "time"), _text(data, "question"), tuple(passages), vote, _text(data, "answer"),
                   _text(data, "voter"), _text(data, "via"), passage)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} missing or not a string")
    return value


class FeedbackLog:
    """The feedback log of an index directory: presses appended, read back, summarised."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / FEEDBACK_FILE
        self.skipped = 0  # malformed lines the last read() passed over

    def record(self, feedback: Feedback) -> None:
        """Append one press as one line (the log, and its directory, made if absent); FeedbackLogFailed
        when the OS refuses."""
        line = json.dumps(feedback.to_json(), ensure_ascii=False).encode("utf-8") + b"\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)  # read: _append checks the end
        except OSError as error:
            raise _failed("write", self.path, error) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _append(fd, line)
        except OSError as error:
            raise _failed("write", self.path, error) from error
        finally:
            os.close(fd)  # releases the flock

    def read(self) -> Iterator[Feedback]:
        """Every press in the order recorded; malformed lines (cut by a crash, junk) are skipped and
        counted in `skipped`. No log yet: nothing."""
        self.skipped = 0
        for raw in self._lines():
            try:
                yield Feedback.from_json(json.loads(raw.decode("utf-8")))
            except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
                self.skipped += 1

    def summary(self) -> Summary:
        """The summary of the whole log, with the count of malformed lines skipped."""
        summary = summarise(self.read())
        return replace(summary, skipped=self.skipped)

    def _lines(self) -> list[bytes]:
        """The log's non-blank lines, read under a shared flock so that no half-written line is seen."""
        try:
            with open(self.path, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)
                data = handle.read()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise _failed("read", self.path, error) from error
        return [line for line in data.split(b"\n") if line.strip()]


def _append(fd: int, line: bytes) -> None:
    """Write `line` at the end in one os.write; a line left without its newline by a crash is ended first,
    so that it does not swallow this one."""
    end = os.fstat(fd).st_size
    if end and os.pread(fd, 1, end - 1) != b"\n":
        line = b"\n" + line
    written = os.write(fd, line)
    if written != len(line):  # a short write: the disk filled up
        raise OSError(errno.ENOSPC, f"wrote {written} of {len(line)} bytes")


def _failed(action: str, path: Path, error: OSError) -> FeedbackLogFailed:
    return FeedbackLogFailed(f"cannot {action} the feedback log {path}: {error.strerror or error}")


@dataclass(frozen=True)
class Tally:
    """The votes on one question or one passage."""

    name: str
    up: int
    down: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "up": self.up, "down": self.down}


@dataclass(frozen=True)
class Summary:
    """What the votes say: each voter's last vote per answer (and passage) counts once. `questions` and
    `passages` are sorted by most 👎 first."""

    presses: int  # entries read, a changed vote counted each time
    votes: int  # distinct (answer, voter, passage) keys: up + down
    up: int
    down: int
    questions: tuple[Tally, ...]
    passages: tuple[Tally, ...]
    skipped: int = 0  # malformed log lines

    def to_json(self) -> dict[str, Any]:
        return {"presses": self.presses, "votes": self.votes, "up": self.up, "down": self.down,
                "skipped": self.skipped, "questions": [t.to_json() for t in self.questions],
                "passages": [t.to_json() for t in self.passages]}


def summarise(entries: Iterable[Feedback]) -> Summary:
    """The latest vote per (answer, voter, passage), in the order given, tallied in total, per question and
    per passage. A vote on one passage counts for it; a vote on the whole answer counts for each passage shown."""
    latest: dict[tuple[str, str, str | None], Feedback] = {}
    presses = 0
    for entry in entries:
        presses += 1
        latest.pop(entry.key, None)  # a changed vote moves to its new place in the order
        latest[entry.key] = entry
    votes = list(latest.values())
    by_question: dict[str, list[Vote]] = {}
    by_passage: dict[str, list[Vote]] = {}
    for vote in votes:
        by_question.setdefault(vote.question, []).append(vote.vote)
        for passage in (vote.passage,) if vote.passage is not None else dict.fromkeys(vote.passages):
            by_passage.setdefault(passage, []).append(vote.vote)
    up = sum(vote.vote == "up" for vote in votes)
    return Summary(presses, len(votes), up, len(votes) - up, _tallies(by_question), _tallies(by_passage))


def _tallies(groups: dict[str, list[Vote]]) -> tuple[Tally, ...]:
    """Most 👎 first, then fewest 👍, then by name, so that the order is the same on every run."""
    tallies = (Tally(name, votes.count("up"), votes.count("down")) for name, votes in groups.items())
    return tuple(sorted(tallies, key=lambda t: (-t.down, t.up, t.name)))
