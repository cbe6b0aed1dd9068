import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index.text import dates
from index.text.dates import extract_date, full_dates


@pytest.mark.parametrize(
    "text, expected",
    [
        ("On September 21, 2017 local time, the ministers met.", "2017-09-21"),
        ("Title\n\n2017-09-01 09:39\n\nOn September 1, 2017, ...", "2017-09-01"),
        ("Published: 15:19, September 24, 2024\nThe ministers met Monday.", "2024-09-24"),
        ("December 05, 2024\n\nBEIJING, Dec. 4 (Xinhua) -- Wang said.", "2024-12-04"),
        ("January 2, 2025\n\nTOKYO, Dec. 30 (Kyodo) -- The talks ended.", "2024-12-30"),
        ("The meeting took place on 3 March 2023 in Tokyo.", "2023-03-03"),
        ("2024年9月23日，王毅会见上川阳子。", "2024-09-23"),
        ("Sept. 23, 2024: the ministers met.", "2024-09-23"),
    ],
)
def test_stated_dates_become_iso(text: str, expected: str) -> None:
    assert extract_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The two sides met on Wednesday in Tokyo.",
        "2017 witnesses the 45th anniversary of normalization.",
        "BEIJING, Dec. 4 (Xinhua) -- a dateline without any year to anchor it.",
        "In September 2024 the ministers met.",
        "On February 30, 2023 nothing happened.",
    ],
)
def test_no_full_date_gives_none(text: str) -> None:
    assert extract_date(text) is None



@example("Met on 2023-03-05 and again on March 3, 2023 (3 March 2023); 2023年3月5日")
@given(st.text(alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩-/., 年月日stndrhJanuaryMrchDcbOoSeptMayThe\n"), max_size=40))
def test_full_dates_passes_over_only_texts_without_a_year(text: str) -> None:
    found = full_dates(text)
    saved = dates.YEAR
    dates.YEAR = re.compile("")  # every text searched by every pattern
    try:
        assert full_dates(text) == found
    finally:
        dates.YEAR = saved
