"""Read filters out of a question: dates said in words or as operators, sources, "latest".

Natural phrases ("in 2017", "since 2022", "last year") stay in the question's text, since they
help ranking too; operators (`after:2023-01-01`, `before:2024`, `source:Xinhua`) are removed.
A phrase may date what the question asks about rather than the readout ("what will Sweden chair
in 2023?"), so the caller may drop the phrases' dates (`word_dates=False`) where they exclude every
readout; an operator is always kept.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.errors import BadQuery
from index.passage import Passage
from index.text.dates import MONTHS

_MONTH_NAMES = "|".join(sorted((m for m in MONTHS if len(m) > 3 or m == "may"), key=len, reverse=True))
OPERATOR = re.compile(r"\b(after|before|since|until|source|from):(\"[^\"]+\"|'[^']+'|\S+)", re.I)
# Asking for recency, not "the latest tranche of aid" or "its newest member" (an adjective of the thing asked about).
LATEST = re.compile(r"\b((the )?(latest|newest)\s*(on|about|news|statements?|readouts?|updates?|[?.!]|$)|"
                    r"^(latest|newest)\b|most recent(ly)?|recently|lately|last time|"
                    r"last (spoke|speak|spoken|met|meet|talked|talk|called|call|visited|visit|discussed|raised|said|"
                    r"mentioned|addressed|commented|issued|released|published))", re.I)
# The words that ask for recency, left out of what is searched ("kuleba latest" is about Kuleba)
RECENCY = re.compile(r"\b(the latest|latest|most recent(ly)?|newest|recently|lately|last time|"
                     r"last(?= (spoke|speak|spoken|met|meet|talked|talk|called|call|visited|visit|discussed|raised|"
                     r"said|mentioned|addressed|commented|issued|released|published)\b))\b", re.I)
YEAR = r"(19[5-9]\d|20\d\d)"
MONTH_YEAR = re.compile(rf"\b(?:in |during |of )?({_MONTH_NAMES})\.?,? {YEAR}\b", re.I)
IN_YEAR = re.compile(rf"\b(in|during|throughout|of|for) {YEAR}\b", re.I)
SINCE = re.compile(rf"\b(since|from|starting|as of) (?:(?:{_MONTH_NAMES})\.? )?{YEAR}\b", re.I)
AFTER = re.compile(rf"\b(after|later than) (?:the )?(?:(?:{_MONTH_NAMES})\.? )?{YEAR}\b", re.I)
BEFORE = re.compile(rf"\b(before|prior to|earlier than|until|till|up to|through)\b(?: the)?(?: [\w-]+){{0,2}}? {YEAR}\b", re.I)
CJK_YEAR_MONTH = re.compile(rf"{YEAR}\s*年(?:\s*(\d{{1,2}})\s*月)?")  # 2017年9月, 2024年 (Chinese, Japanese)
# A readout is published on the day of the meeting or within days: "at the end of June 2022" reads
# as June 2022 and the days after it.
PUBLISHED_WITHIN = timedelta(days=7)
# A day named without its year: "October 7", "7 October", "the 7th of October" (not "October 7, 2023").
DAY_MONTH = re.compile(rf"\b(?:({_MONTH_NAMES})\.? (\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_NAMES}))"
                       rf"\b(?!\.?,? ?(?:\d|{YEAR}))", re.I)
RELATIVE = re.compile(r"\b(last|this|past) (year|month|week)\b(?! of\b)|\blast (\d+) (years|months|days)\b", re.I)


def asked_years(text: str) -> tuple[str, ...]:
    """The years a question names ("in 2023", "2017年")."""
    return tuple(dict.fromkeys(re.findall(rf"(?<!\d){YEAR}(?!\d)", text)))


def speaks_of(passage: Passage, years: tuple[str, ...]) -> bool:
    """Whether a passage is dated in one of the years or names one: a readout dated outside them can
    still answer a question about them ("Sweden will chair the Council in 2023")."""
    if passage.date and passage.date[:4] in years:
        return True
    return any(re.search(rf"(?<!\d){year}(?!\d)", f"{passage.title} {passage.text}") for year in years)


def speaks_of_months(passage: Passage, start: date, end: date) -> bool:
    """For a period shorter than a year (`start` inclusive, `end` exclusive) in which no readout is
    dated: whether a passage is dated in it, or names one of its months and speaks of its year (is
    dated in it or names it: speaks_of). A readout of June 2022 that names no September does not answer
    a question about September 2022; one of August 2022 on "the General Assembly in September" does."""
    if passage.date and start <= date.fromisoformat(passage.date) < end:
        return True
    text = f"{passage.title} {passage.text}"
    month = date(start.year, start.month, 1)
    while month < end:
        if re.search(rf"\b{month.strftime('%B')}\b", text) and speaks_of(passage, (str(month.year),)):
            return True
        month = _next_month(month)
    return False


@dataclass(frozen=True)
class Query:
    """A question read once (parse_query): the words searched (`text`, operators and recency words
    taken out) and its filters. Everything an answer does with the question reads this."""

    text: str
    start: date | None = None  # inclusive
    end: date | None = None  # exclusive
    sources: tuple[str, ...] = ()
    latest: bool = False
    worded: bool = False  # whether a date phrase narrowed start or end
    end_worded: bool = False  # whether the end comes from a date phrase
    operator_dates: tuple[date | None, date | None] = (None, None)  # start and end as the operators alone set them
    keywords: bool = False  # typed as search terms, not asked (is_keywords): each word is meant
    yearless: bool = False  # its one day was named without a year (Retriever.parse): described so

    @property
    def published_before(self) -> date | None:
        """The end of the readouts searched: a date said in words lets in the week after it, when
        readouts of its last days appear (PUBLISHED_WITHIN); an operator's end is exact."""
        return self.end + PUBLISHED_WITHIN if self.end and self.end_worded else self.end

    @property
    def has_filters(self) -> bool:
        return bool(self.start or self.end or self.sources)

    def without_word_dates(self) -> Query:
        """The query with its dates said in words dropped and its operators kept: what
        `parse_query(..., word_dates=False)` reads, without reading the question again."""
        start, end = self.operator_dates
        return dataclasses.replace(self, start=start, end=end, worded=False, end_worded=False)

    def without_dates(self) -> Query:
        """The query with every date dropped, in words or operators: what searches the readouts that
        give no date, which no date filter can place."""
        return dataclasses.replace(self, start=None, end=None, worded=False, end_worded=False,
                                   operator_dates=(None, None), yearless=False)

    @property
    def has_dates(self) -> bool:
        return bool(self.start or self.end)

    def describe(self) -> str:
        parts = []
        if self.start and self.end and self.end - self.start == timedelta(days=1):
            parts.append(f"dated {self.start.strftime('%B')} {self.start.day}" if self.yearless
                         else f"dated {self.start.isoformat()}")
        elif self.start and self.end:
            parts.append(f"dated {self.start.isoformat()} to {(self.end - timedelta(days=1)).isoformat()}")
        elif self.start:
            parts.append(f"dated {self.start.isoformat()} or later")
        elif self.end:
            parts.append(f"dated before {self.end.isoformat()}")
        if self.sources:
            parts.append("from " + " or ".join(self.sources))
        return ", ".join(parts)


def _period(value: str) -> tuple[date, date]:
    """'2023' / '2023-04' / '2023-04-02' → [first day, day after the last)."""
    if not re.fullmatch(r"\d{4}(-\d{1,2}(-\d{1,2})?)?", value):
        raise ValueError(value)
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1), date(parts[0] + 1, 1, 1)
    if len(parts) == 2:
        return date(parts[0], parts[1], 1), _next_month(date(parts[0], parts[1], 1))
    day = date(*parts)
    return day, day + timedelta(days=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _later(a: date | None, b: date | None) -> date | None:
    return max(x for x in (a, b) if x) if a or b else None


def _earlier(a: date | None, b: date | None) -> date | None:
    return min(x for x in (a, b) if x) if a or b else None


KEYWORD_WORDS = 6  # a question longer than this reads as a sentence, asked or not
# The words a sentence opens with: a question word, an auxiliary or a request ("tell me", "any news on").
OPENERS = frozenset(["summarize", "summarise", "describe", "explain", "list", "give", "tell", "show", "name", "compare",
                     "outline", "find", "recap", "brief", "quote", "please", "translate", "any", "would", "could",
                     "should", "can", "will", "may", "might", "must", "shall", "whose", "who", "whom", "what", "which",
                     "when", "where", "why", "how", "is", "are", "was", "were", "do", "does", "did", "has", "have",
                     "had"])
_FIRST_WORD = re.compile(r"^\W*(\w+)")


def is_keywords(question: str) -> bool:
    """Whether a question is typed as search terms ("kosovo serbia license plates"): a few words, no
    question mark, not opening as a sentence does. Every such word is meant, so a passage lacking
    some must be closer in meaning to answer (ranking.KEYWORD_LIFT)."""
    words = OPERATOR.sub(" ", question).split()
    first = _FIRST_WORD.match(question)
    opens = first is not None and (word := first.group(1).lower()) in OPENERS and word not in MONTHS  # "may 2022 …"
    return 0 < len(words) <= KEYWORD_WORDS and "?" not in question and "？" not in question and not opens


def parse_query(question: str, today: date, word_dates: bool = True) -> Query:
    start = end = None
    sources: list[str] = []
    for operator in OPERATOR.finditer(question):
        name, value = operator.group(1).lower(), operator.group(2).strip("\"'")
        if name == "source":
            sources.append(value)
            continue
        try:
            first, after_last = _period(value)
        except ValueError:
            raise BadQuery(f"{operator.group(0)} is not a date: write {name}:2023, {name}:2023-04 or "
                           f"{name}:2023-04-02") from None
        if name in ("after", "since", "from"):
            start = _later(start, first if name != "after" or len(value) == 10 else after_last)
        else:
            end = _earlier(end, after_last if name == "until" else first)
    text = " ".join(OPERATOR.sub(" ", question).split())
    found, latest = tuple(sources), bool(LATEST.search(text))
    if latest:
        text = " ".join(RECENCY.sub(" ", text).split()) or text
    by_operators = (start, end)
    keywords = is_keywords(question)
    if not word_dates:
        return Query(text=text, start=start, end=end, sources=found, latest=latest, operator_dates=by_operators,
                     keywords=keywords)

    match: re.Match[str] | None
    since, after, before = (pattern.search(text) for pattern in (SINCE, AFTER, BEFORE))
    if (match := MONTH_YEAR.search(text)) and not any(bound and _inside(match, bound) for bound in (since, after, before)):
        first = date(int(match.group(2)), MONTHS[match.group(1).lower()], 1)
        start, end = _later(start, first), _earlier(end, _next_month(first))
    elif match := IN_YEAR.search(text):
        first, after_last = _period(match.group(2))
        start, end = _later(start, first), _earlier(end, after_last)
    elif (match := CJK_YEAR_MONTH.search(text)) and (match.group(2) is None or 1 <= int(match.group(2)) <= 12):
        first, after_last = _period(match.group(1) + (f"-{match.group(2)}" if match.group(2) else ""))
        start, end = _later(start, first), _earlier(end, after_last)
    # A bound on a month keeps the month: "after the April 2022 clashes" may be answered on April 19.
    if since:
        start = _later(start, _bounded_period(since)[0])
    if after:
        first, after_last, month = _bounded_period(after)
        start = _later(start, first if month else after_last)
    if before:
        first, after_last, month = _bounded_period(before)
        inclusive = month or before.group(1).lower() in ("until", "till", "up to", "through")
        end = _earlier(end, after_last if inclusive else first)
    if match := RELATIVE.search(text):
        start, end = _relative(match, today, start, end)
    return Query(text=text, start=start, end=end, sources=found, latest=latest, worded=(start, end) != by_operators,
                 end_worded=end != by_operators[1], operator_dates=by_operators, keywords=keywords)


def day_without_year(text: str) -> tuple[int, int] | None:
    """The (month, day) of a day the text names without a year ("the October 7 attack"), if any."""
    match = DAY_MONTH.search(text)
    if not match:
        return None
    name, number = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    month, day = MONTHS[name.lower()], int(number)
    try:
        date(2000, month, day)  # a leap year: February 29 is a day
    except ValueError:
        return None
    return month, day


def _inside(inner: re.Match[str], outer: re.Match[str]) -> bool:
    return outer.start() <= inner.start() and inner.end() <= outer.end()


def _bounded_period(match: re.Match[str]) -> tuple[date, date, bool]:
    """The period a bound names ("before the April 2022 round": April 2022; "since 2021": 2021): the
    month when one stands just before the year, else the year; and whether it is a month."""
    year = match.group(match.lastindex or 1)
    month = re.search(rf"\b({_MONTH_NAMES})\.?,? {year}\b", match.group(0), re.I)
    if month:
        first = date(int(year), MONTHS[month.group(1).lower()], 1)
        return first, _next_month(first), True
    return (*_period(year), False)


def undated(question: str) -> str:
    """The question without its filters and the dates it says in words (a follow-up's own replace them)."""
    text = OPERATOR.sub(" ", question)
    for pattern in (MONTH_YEAR, IN_YEAR, CJK_YEAR_MONTH, SINCE, AFTER, BEFORE, RELATIVE, LATEST):
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def _relative(match: re.Match[str], today: date, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    which, unit, count, units = (match.group(i) for i in (1, 2, 3, 4))
    if count:
        days = int(count) * {"years": 365, "months": 31, "days": 1}[units.lower()]
        return _later(start, today - timedelta(days=days)), end
    which, unit = which.lower(), unit.lower()
    if unit == "year":
        if which == "last":
            return _later(start, date(today.year - 1, 1, 1)), _earlier(end, date(today.year, 1, 1))
        if which == "this":
            return _later(start, date(today.year, 1, 1)), end
        return _later(start, today - timedelta(days=365)), end
    if unit == "month":
        this_month = today.replace(day=1)
        if which == "last":
            previous = (this_month - timedelta(days=1)).replace(day=1)
            return _later(start, previous), _earlier(end, this_month)
        return _later(start, this_month if which == "this" else today - timedelta(days=31)), end
    return _later(start, today - timedelta(days=7 if which != "this" else today.weekday())), end
