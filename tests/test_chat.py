"""`readouts chat`: the bot's answers and commands in a terminal."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.chat import Chat
from index import Answerer


@pytest.fixture
def chat(seeds_retriever) -> Chat:
    return Chat(Answerer(seeds_retriever, first_page=2), per_page=2)


def test_a_question_is_quoted_and_more_pages_on(chat: Chat) -> None:
    first = chat.reply("What did China say about the Fukushima water release?")
    assert "[1]" in first and "Fukushima" in first and "type 'more'" in first
    second = chat.reply("more")
    assert "[3]" in second and "[1]" not in second


def test_the_bots_commands_work_in_the_chat(chat: Chat) -> None:
    sources = chat.reply("/sources")
    assert sources.startswith("Readouts indexed (5), page 1 of 1:") and sources.count("•") == 5
    assert "5 readouts in" in chat.reply("/about")
    assert "/sources" in chat.reply("/help")
    assert chat.reply("/nonsense").startswith("I don't know /nonsense.")
    assert chat.reply("more") == "No more results for that question."


@pytest.mark.slow
def test_arrow_keys_recall_the_last_question(seeds_index: Path, tmp_path: Path) -> None:
    """On a terminal, input has line editing and history: the up arrow brings the last question back."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: readouts chat on the pseudo-terminal
        os.environ.update(READOUTS_INDEX=str(seeds_index), READOUTS_CHAT_HISTORY=str(tmp_path / "history"))
        os.execv(sys.executable, [sys.executable, "-m", "index.cli", "chat"])
    output = b""

    def read_until(marker: bytes, count: int, timeout: float = 90) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while output.count(marker) < count and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    break

    try:
        read_until(b"question> ", 1)
        os.write(fd, b"Beijing-Tokyo Forum\r")
        read_until(b"question> ", 2)
        os.write(fd, b"\x1b[A\r")  # up arrow, Enter
        read_until(b"question> ", 3)
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert output.count(b"interactive exchange platform") >= 2, output[-2000:]


@pytest.mark.slow
def test_piped_questions_are_answered_without_a_prompt(seeds_index: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "index.cli", "chat"], input="/about\nBeijing-Tokyo Forum\n",
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "READOUTS_INDEX": str(seeds_index)})
    assert result.returncode == 0 and "question>" not in result.stdout
    assert "5 readouts in" in result.stdout and "Beijing-Tokyo Forum" in result.stdout
