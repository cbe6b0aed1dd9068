"""`readouts chat`: the bot's answers in a terminal, with line editing, history and the bot's
commands (/sources, /about, /help; 'more' pages on)."""
from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path

from index import Answer, Answerer, Library, ReadoutsError, answer_text, one_line, safe

from . import render

HELP = ("Type a question and press Enter. 'more' shows further results; /sources lists the readouts "
        "(/sources 2 for the next page), /about tells what the index holds, Ctrl-D quits.")
SOURCES_PER_PAGE = 10
HISTORY = Path(os.environ.get("READOUTS_CHAT_HISTORY", "~/.readouts_history")).expanduser()


def line_editing(history: Path = HISTORY) -> Callable[[], None]:
    """Arrow keys, editing and a history kept between sessions (readline); returns what saves it."""
    try:
        import readline
    except ImportError:  # not on every platform; input() still works without it
        return lambda: None
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            readline.write_history_file(history)
        except OSError:
            pass
    return save


def sources_text(answerer: Answerer, page: int) -> str:
    """One page of the indexed readouts, newest first, as /sources shows them in the bot."""
    with answerer.library.snapshot() as snapshot:
        documents = sorted(snapshot.documents(), key=lambda d: d.date or "", reverse=True)
    pages = max(1, -(-len(documents) // SOURCES_PER_PAGE))
    page = min(max(page, 1), pages)
    lines = [f"Readouts indexed ({len(documents)}), page {page} of {pages}:"]
    for d in documents[(page - 1) * SOURCES_PER_PAGE : page * SOURCES_PER_PAGE]:
        lines.append(f"  • {one_line(d.title)}\n    {one_line(d.source)}, {d.date or 'date unknown'} ({d.passages} passages)")
    if page < pages:
        lines.append(f"(/sources {page + 1} for more)")
    return safe("\n".join(lines))


def about_text(answerer: Answerer) -> str:
    with answerer.library.snapshot() as snapshot:
        documents, passages, model = snapshot.documents(), snapshot.passage_count, snapshot.model
    dates = sorted(d.date for d in documents if d.date)
    span = f"{dates[0]} to {dates[-1]}" if dates else "no dated documents"
    return f"{len(documents)} readouts in {passages} passages, dated {span}; search model {model}."


class Chat:
    """The loop's state: the last answer and which page of it is shown. With `library` (the live index
    the answerer reads), a readout ingested meanwhile is answered from."""

    def __init__(self, answerer: Answerer, per_page: int, library: Library | None = None) -> None:
        self.answerer, self.per_page, self.library = answerer, per_page, library
        self.answer: Answer | None = None
        self.pages: list[range] = []
        self.page = 0

    def reply(self, line: str) -> str:
        """What to print for one line typed."""
        if self.library is not None:
            self.library.refresh_if_due()
        command, _, rest = line.strip().partition(" ")
        if command.lower() in ("/help", "help", "/start"):
            return HELP
        if command.lower() == "/sources":
            return sources_text(self.answerer, int(rest) if rest.strip().isdigit() else 1)
        if command.lower() == "/about":
            return about_text(self.answerer)
        if command.startswith("/"):
            return f"I don't know {safe(command)}. {HELP}"
        if line.strip().lower() == "more":
            if self.answer is None or self.page + 1 >= len(self.pages):
                return "No more results for that question."
            self.page += 1
            self.answer = self.answerer.emphasised(self.answer, self.pages[self.page])
        else:
            try:
                self.answer = self.answerer.answer(line)
            except ReadoutsError as error:
                return safe(str(error))
            self.pages, self.page = render.paginate(self.answer, self.per_page), 0
        text = answer_text(self.answer, self.pages[self.page] if self.pages else None)
        if self.page + 1 < len(self.pages):
            text += f"\n\n({len(self.answer.hits) - self.pages[self.page].stop} more: type 'more')"
        return text


def run(answerer: Answerer, per_page: int, library: Library | None = None) -> int:
    """Read questions until end of input; interactive terminals get a prompt and line editing. With
    `library`, new generations of the index are answered from."""
    if isinstance(sys.stdin, io.TextIOWrapper):  # a stray non-UTF-8 byte is a U+FFFD, not a crash
        sys.stdin.reconfigure(errors="replace")
    interactive = sys.stdin.isatty()
    save_history = line_editing() if interactive else (lambda: None)
    if interactive:
        print(f"Ask about the readouts. {HELP}", file=sys.stderr)
    chat = Chat(answerer, per_page, library)
    try:
        while True:
            try:
                line = input("question> " if interactive else "")
            except (EOFError, KeyboardInterrupt):
                print(file=sys.stderr)
                return 0
            if line.strip():
                print(chat.reply(line) + "\n")
    finally:
        save_history()
