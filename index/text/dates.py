"""Find the date a readout states for itself: never guessed, never today's date."""
from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

FULL_DATE_PATTERNS = [
    re.compile(r"\b(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\b"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<y>\d{{4}})\b", re.I),
]
YEAR = re.compile(r"\d{4}")  # what every full date pattern above holds
# A wire dateline, "BEIJING, Dec. 4 (Xinhua) --": the event's day, but without its year.
DATELINE = re.compile(
    rf"^[A-Z][A-Z .'-]+(?:,\s*[A-Z][A-Za-z .'-]+)?,\s+{_MONTH}\s+(?P<d>\d{{1,2}})\s*\((?P<agency>[^)]{{2,40}})\)",
    re.M | re.I,
)


def _month(match: re.Match[str]) -> int:
    groups = match.groupdict()
    return MONTHS[groups["mon"].lower()] if groups.get("mon") else int(groups["m"])


def full_dates(text: str) -> list[tuple[int, date]]:
    """Every valid day-month-year date in the text, with its offset, in reading order."""
    if not YEAR.search(text):  # every pattern holds a year: most lines of a readout have none
        return []
    found = []
    for pattern in FULL_DATE_PATTERNS:
        for match in pattern.finditer(text):
            try:
                found.append((match.start(), date(int(match["y"]), _month(match), int(match["d"]))))
            except ValueError:
                continue
    return sorted(found, key=lambda item: item[0])


def dateline_date(text: str, reference: date) -> date | None:
    """The dateline's day, in the year that puts it on or shortly before `reference`."""
    match = DATELINE.search(text)
    if not match:
        return None
    for year in (reference.year, reference.year - 1):
        try:
            candidate = date(year, _month(match), int(match["d"]))
        except ValueError:
            continue
        if 0 <= (reference - candidate).days <= 62:
            return candidate
    return None


def extract_date(text: str) -> str | None:
    """ISO date of the meeting or publication as the text states it, else None.

    A dateline gives the event day but no year; its year comes from a full date
    elsewhere in the text (the publication date), so nothing is guessed.
    """
    dates = full_dates(text)
    if not dates:
        return None
    first = dates[0][1]
    event = dateline_date(text, first)
    return (event or first).isoformat()


def dateline_agency(text: str) -> str | None:
    match = DATELINE.search(text)
    return match["agency"].strip() if match else None
