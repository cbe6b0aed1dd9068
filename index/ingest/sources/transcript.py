"""Press-conference transcripts: each question, with the outlet that asked it, and its answer is one unit.

A question is a paragraph labelled as one ("Q:", "问：", "记者：", "Follow-up:", "Reuters:") or set in
bold after a speaker's label, as transcripts print questions; the labels that answer them ("A:",
"答：", "Zhao Lijian:") are then known, and any other labelled paragraph asking something is a question too.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from index.text.turns import ANSWER, LABEL, QUESTION

from .html import Paragraph


def label(text: str) -> str | None:
    """The speaker's label a paragraph opens with ("CCTV" of "CCTV: ..."), if it is short enough to be one."""
    match = LABEL.match(text)
    if not match:
        return None
    name = match.group(1).strip()
    return name if name and len(name.split()) <= 6 else None


def questions(paragraphs: Sequence[Paragraph]) -> list[bool]:
    """Which paragraphs open a question."""
    labels = [label(p.text) for p in paragraphs]
    marked = [
        name is not None and (bool(QUESTION.fullmatch(name)) or (not ANSWER.fullmatch(name) and p.emphasis >= 0.6))
        for p, name in zip(paragraphs, labels)
    ]
    respondents = {labels[i + 1] for i in range(len(paragraphs) - 1) if marked[i] and labels[i + 1]
                   and not marked[i + 1]}
    for i, (p, name) in enumerate(zip(paragraphs, labels)):
        if name and not marked[i] and name not in respondents and not ANSWER.fullmatch(name) \
                and re.search(r"[?？]", p.text):
            marked[i] = True
    return marked


def units(paragraphs: Sequence[Paragraph]) -> list[list[int]]:
    """Paragraph numbers grouped into passages: in a transcript, each question up to the next one;
    elsewhere (and before a transcript's first question) each paragraph alone."""
    marked = questions(paragraphs)
    if sum(marked) < 2:
        return [[i] for i in range(len(paragraphs))]
    groups: list[list[int]] = []
    open_question = False
    for i, is_question in enumerate(marked):
        if is_question or not open_question:
            groups.append([i])
            open_question = open_question or is_question
        else:
            groups[-1].append(i)
    return groups
