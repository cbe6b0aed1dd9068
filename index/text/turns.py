"""Who speaks in each paragraph of a transcript, read at ingest: the label that opens a turn names its
speaker until the next label. Pure: text in, names out.

Labels, as the readouts print them:
- a name in capitals ("SECRETARY BLINKEN:", "FOREIGN MINISTER BAERBOCK: (Via interpreter)",
  "MODERATOR:", "MR PRICE:"), kept as the readout names them in title case ("Foreign Minister
  Baerbock (via interpreter)": the interpreter note is part of the turn);
- a question ("QUESTION:", "Q:", "问：", "Follow-up:") or the outlet that asks it ("Reuters:", "CCTV:",
  "路透社记者："), in bold or plain, and the answer to it ("A:", "答：", or the spokesperson's name).

A press conference names its spokesperson in its title ("Foreign Ministry Spokesperson Hua
Chunying's Regular Press Conference on ...", "外交部发言人华春莹主持例行记者会"): its answers, and the
announcements before the first question, are the spokesperson's. A question's turn is a question
("Question (Reuters)", "问（路透社记者）"), never the spokesperson's words; a passage that holds a
question and its answer names both ("Question (Reuters), answered by Foreign Ministry Spokesperson
Hua Chunying"). Narrative readouts have no labels, and no speaker.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

# A short label before a colon, as transcripts open a turn ("CCTV: ...", "问：..."); sources/transcript.py
# groups questions with their answers by the same labels.
LABEL = re.compile(r"^\s*([^:：。.?？!！\"“”()（）]{1,40}?)\s*[:：]")
QUESTION = re.compile(r"(q|question|follow-?up|journalist|reporter|问|提问|追问|记者|.*记者)", re.I)
ANSWER = re.compile(r"(a|answer|答)", re.I)

# A name in capitals, perhaps with a note in parentheses before or after the colon.
_LETTERS = r"(?:[^\W\d_]|[ .'’&-])"
_CAPS = re.compile(rf"^\s*([^\W\d_]{_LETTERS}{{0,60}}?)\s*(\([^()\n]{{1,40}}\))?\s*[:：]\s*(\([^()\n]{{1,40}}\))?")
_INTERPRETED = re.compile(r"\(\s*(?:via|through)\s+(?:an?\s+|the\s+)?(interpreter|interpretation|translation|translator)"
                          r"\s*\.?\s*\)", re.I)
_IN_ENGLISH = re.compile(r"\(\s*in english\s*\.?\s*\)", re.I)  # the interpreter's part of a turn ends
_NOTE = re.compile(f"{_INTERPRETED.pattern}|{_IN_ENGLISH.pattern}", re.I)
# Capitals before a colon that introduce a part of a text, not a voice.
_NOT_VOICES = {"NOTE", "EDITOR'S NOTE", "EDITOR’S NOTE", "NOTE TO EDITORS", "UPDATE", "UPDATED", "CORRECTION",
               "BACKGROUND", "ALSO READ", "READ MORE", "RELATED", "SEE ALSO", "BEGIN TEXT", "END TEXT", "SOURCE",
               "PHOTO", "VIDEO", "WATCH", "MEDIA NOTE", "FACT SHEET", "SUMMARY", "ATTACHMENT", "ANNEX", "WHEN",
               "WHERE", "WHAT", "WHO", "DATE", "TIME", "LOCATION", "TOPIC", "SUBJECT", "TITLE"}
_GENERIC_QUESTION = re.compile(r"(q|question|journalist|reporter|foreign journalist|journalist \w+|问|提问|记者|.*问|.*问及)",
                               re.I)
_FOLLOW_UP = re.compile(r"(follow-?up|追问)", re.I)
_CONNECTORS = {"and", "of", "the", "de", "du", "des", "la", "le", "for", "in", "on", "von", "van", "der", "al", "el"}
_PARTICLES = {"von", "van", "der", "den", "bin", "bint", "ibn"}  # lower case inside a name ("von der Leyen")
_OUTLET_SUFFIX = re.compile(r".*(社|台|报|網|网|新闻|电视|广播|杂志|月刊|日报|周刊|通讯)")
_SPOKESPERSON_EN = re.compile(r"\b((?:Foreign Ministry |MFA )?Spokes(?:person|man|woman))"
                              r"(?:\s+((?:[A-Z][\w-]*\s+){0,3}?[A-Z][\w-]*))?(?:'s|’s)\s+(?:Regular |Daily |Online )*"
                              r"(?:Press Conference|Remarks|Briefing|Comments?|Statement|Answers?)")
ANSWERED_BY = ", answered by "
BOLD = 0.6  # share of a paragraph in bold that marks it as set in bold (sources/transcript.py's questions)
_ANSWERED_BY_ZH = re.compile(r"^(问.*?)，(.+)答$")


# Patterns over wide ranges of Han characters are compiled when first used, at an ingest: their
# character classes took 7 ms of every English question's cold start.
@functools.cache
def _cjk() -> re.Pattern[str]:
    return re.compile(r"[\u3400-\u9fff]")


@functools.cache
def _spokesperson_zh() -> re.Pattern[str]:
    return re.compile(r"(外交部发言人)([\u4e00-\u9fff]{2,4}?)?(?=主持|答|就|在|表示|宣布|发表|介绍|回答|谈)")


@dataclass(frozen=True)
class Spokesperson:
    """Who answers at a press conference: as its title names them ("Foreign Ministry Spokesperson Hua
    Chunying") and their name alone, as a label may print it ("Hua Chunying")."""

    title: str
    name: str  # "" when the title names the office alone ("外交部发言人就...发表谈话")


@dataclass(frozen=True)
class _Label:
    raw: str  # as printed before the colon
    note: str | None  # "via interpreter"
    caps: bool


def spokesperson(title: str) -> Spokesperson | None:
    """The spokesperson a press conference's title names, if it names one."""
    if match := _spokesperson_zh().search(title):
        return Spokesperson(match.group(1) + (match.group(2) or ""), match.group(2) or "")
    if match := _SPOKESPERSON_EN.search(title):
        return Spokesperson(" ".join(filter(None, match.group(1, 2))), match.group(2) or "")
    return None


def title_case(name: str) -> str:
    """A name in capitals as a reader writes it: "FOREIGN MINISTER DI MAIO" → "Foreign Minister Di Maio",
    "PRESIDENT VON DER LEYEN" → "President von der Leyen", "RANKING MEMBER MCCAUL" → "... McCaul"."""
    words = name.split()
    out = []
    for number, word in enumerate(words):
        lower = word.lower()
        if 0 < number < len(words) - 1 and lower in _PARTICLES:
            out.append(lower)
        elif len(word) > 3 and lower.startswith("mc"):
            out.append("Mc" + word[2:].title())
        else:
            out.append(word.title())
    return " ".join(out)


def _label(text: str) -> _Label | None:
    """The label a paragraph opens with: a name in capitals (with its interpreter note), else a short label."""
    caps = _CAPS.match(text)
    if caps:
        name = " ".join(caps.group(1).split()).strip(" .-")
        notes = [note for note in (caps.group(2), caps.group(3)) if note]
        if (len(re.sub(r"\W", "", name)) >= 2 and name.upper() == name and any(c.isupper() for c in name)
                and len(name.split()) <= 7 and name not in _NOT_VOICES):
            note = next((f"via {m.group(1).lower()}" for n in notes if (m := _INTERPRETED.fullmatch(n))), None)
            return _Label(name, note, True)
    match = LABEL.match(text)
    if not match:
        return None
    name = match.group(1).strip()
    if not name or len(name.split()) > 6:
        return None
    interpreted = _INTERPRETED.match(text[match.end():].lstrip())
    return _Label(name, f"via {interpreted.group(1).lower()}" if interpreted else None, False)


def without_label(text: str) -> str:
    """The words of a paragraph without the label opening its turn ("FOREIGN MINISTER HAYASHI: (Via
    interpreter)", "QUESTION:", "问："): what to show beside a speaker already named, not twice."""
    caps = _CAPS.match(text)
    label = _label(text)
    if label is None:
        return text
    if label.caps and caps:
        end = caps.end()
    elif (match := LABEL.match(text)) and (QUESTION.fullmatch(label.raw) or ANSWER.fullmatch(label.raw)):
        end = match.end()
    else:
        return text
    rest = text[end:].lstrip()
    note = _NOTE.match(rest)
    return (rest[note.end():] if note else rest).lstrip() or text


def _name_like(raw: str) -> bool:
    """Whether a label names someone or an outlet ("Zhao Lijian", "The Globe and Mail", "CCTV4", "赵立坚",
    "澎湃新闻"), not a sentence that runs into a colon ("Our position is very clear:", "At 10:")."""
    if _cjk().search(raw):
        return bool(re.fullmatch(r"[\u3400-\u9fff·]{2,3}", raw)) or bool(_OUTLET_SUFFIX.fullmatch(raw))
    words = raw.split()
    return (bool(words) and words[0][:1].isupper() and words[-1].lower() not in _CONNECTORS
            and all(not word.isdigit() and (word[:1].isupper() or word[:1].isdigit() or word in _CONNECTORS)
                    for word in words))


@dataclass(frozen=True)
class _Voice:
    """A turn's speaker: a name, or a question (with the outlet that asks it, if named), and the
    interpreter note, which a paragraph may add ("(Via interpreter) ...") or end ("(In English) ...")."""

    name: str  # for a question: the outlet or "follow-up", or "" when the label names neither
    question: bool = False
    chinese: bool = False
    note: str | None = None

    def text(self) -> str:
        if not self.question:
            return f"{self.name} ({self.note})" if self.note else self.name
        details = [d for d in (self.name, self.note) if d]
        if self.chinese:
            return f"问（{'，'.join(details)}）" if details else "问"
        return f"Question ({', '.join(details)})" if details else "Question"


def _question(raw: str, note: str | None) -> _Voice:
    """A question's turn, named by the outlet that asks it when the label names one."""
    chinese = bool(_cjk().search(raw))
    if _FOLLOW_UP.fullmatch(raw):
        detail = "追问" if chinese else "follow-up"
    else:
        detail = "" if _GENERIC_QUESTION.fullmatch(raw) else raw
    return _Voice(detail, True, chinese, note)


def _answerer(raw: str, note: str | None, spokesperson: Spokesperson | None) -> _Voice:
    if spokesperson is not None:
        return _Voice(spokesperson.title, note=note)
    return _Voice("答" if _cjk().search(raw) else "Answer", note=note)


def speakers(paragraphs: Sequence[tuple[str, float]], title: str) -> list[str | None]:
    """The speaker of each paragraph (its text and the share of it set in bold) of a document titled
    `title`: carried forward from the label that opens a turn until the next; None before any label
    and in a document without labels. Where questions are set in bold, the first plain paragraph after
    one is its answer even unlabelled, as the ministry's pages print some."""
    person = spokesperson(title)
    labels = [_label(text) for text, _ in paragraphs]
    answers = [label is not None and (bool(ANSWER.fullmatch(label.raw))
                                      or (person is not None and bool(person.name) and label.raw == person.name))
               for label in labels]
    qa = person is not None or any(label is not None and ANSWER.fullmatch(label.raw) for label in labels)
    bold = any(emphasis >= BOLD for _, emphasis in paragraphs)
    current = _Voice(person.title) if person is not None else None
    answerer = current
    bold_question = False
    out: list[str | None] = []
    for number, ((text, emphasis), label) in enumerate(zip(paragraphs, labels)):
        turn = _turn(label, answers, number, text, emphasis, qa, bold, person, labels) if label else None
        if turn is not None:
            current = turn
            bold_question = turn.question and emphasis >= BOLD
            if not turn.question:
                answerer = turn
        elif current is not None and bold_question and emphasis < BOLD:
            current = answerer or _Voice("答" if current.chinese else "Answer")
            bold_question = False
        own = current
        if current is not None:
            own, current = _interpreting(text, current)
        out.append(own.text() if own is not None else None)
    return out


def _interpreting(text: str, voice: _Voice) -> tuple[_Voice, _Voice]:
    """The voice of a paragraph's own words and the one its turn goes on with. An interpreter note
    anywhere in a paragraph switches the turn to the interpreter's words from there on ("Welcome to
    Italy. (Via interpreter) I'm delighted…", "(In Japanese) (Via interpreter)"), "(In English)" back
    to the speaker's own; the paragraph itself is the interpreter's when the switch comes in its first half."""
    own = voice
    for note in _NOTE.finditer(text):
        interpreted = _INTERPRETED.fullmatch(note.group(0))
        voice = dataclasses.replace(voice, note=f"via {interpreted.group(1).lower()}" if interpreted else None)
        if note.start() <= len(text) / 2:
            own = voice
    return own, voice


def _turn(label: _Label, answers: list[bool], number: int, text: str, emphasis: float, qa: bool, bold: bool,
          person: Spokesperson | None, labels: Sequence[_Label | None]) -> _Voice | None:
    """Who a labelled paragraph gives the word to, or None when its label names no one. In a transcript
    that sets its questions in bold, an outlet's question is known by its bold; elsewhere by asking
    something or by the answer that follows it."""
    raw, note = label.raw, label.note
    if answers[number]:
        return _answerer(raw, note, person)
    if QUESTION.fullmatch(raw) or (not label.caps and _GENERIC_QUESTION.fullmatch(raw) and qa):
        return _question(raw, note)
    if not qa:
        return _Voice(title_case(raw), note=note) if label.caps else None
    if not (label.caps or _name_like(raw)):
        return None
    following = next((i for i in range(number + 1, len(labels)) if labels[i] is not None), None)
    if emphasis >= BOLD if bold else (re.search(r"[?？]", text) or (following is not None and answers[following])):
        return _question(raw, note)
    return _Voice(title_case(raw) if label.caps else raw, note=note)


def is_question(speaker: str) -> bool:
    """Whether a turn is a question (a passage opening with one, too)."""
    return speaker.startswith(("Question", "问"))


def passage_speaker(turns: Sequence[str | None]) -> str | None:
    """One passage's speaker from the speakers of the paragraphs it covers, in order: the one speaker, or
    each turn named ("Question (CCTV), answered by Foreign Ministry Spokesperson Hua Chunying"; other
    turns joined by "; ")."""
    voices: list[str] = []
    for turn in turns:
        if turn is not None and (not voices or voices[-1] != turn):
            voices.append(turn)
    parts: list[str] = []
    number = 0
    while number < len(voices):
        voice = voices[number]
        answer = voices[number + 1] if number + 1 < len(voices) else None
        if answer is not None and is_question(voice) and not is_question(answer):
            parts.append(f"{voice}，{answer}答" if voice.startswith("问") else f"{voice}{ANSWERED_BY}{answer}")
            number += 2
        else:
            parts.append(voice)
            number += 1
    return "; ".join(parts) or None


def voices(speaker: str) -> list[str]:
    """Who speaks in a passage of that speaker, questions left out: its answerers and other voices."""
    found = []
    for part in speaker.split("; "):
        if ANSWERED_BY in part:
            found.append(part.split(ANSWERED_BY, 1)[1])
        elif match := _ANSWERED_BY_ZH.match(part):
            found.append(match.group(2))
        elif not is_question(part):
            found.append(part)
    return found
