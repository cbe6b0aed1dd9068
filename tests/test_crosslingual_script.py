import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.text.script import LATIN_END, non_latin, script_of


def letter_by_letter(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ord(ch) > LATIN_END for ch in letters) > len(letters) / 2


@given(st.text(alphabet=st.sampled_from("abcXYZ éÇğ ’—“”²½ 外交部 カタ 한국 Москва ١٢ ¡ \n"), max_size=30))
def test_non_latin_counts_as_it_would_letter_by_letter(text: str) -> None:
    assert non_latin(text) == letter_by_letter(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("Secretary Blinken’s call with Foreign Minister Kuleba — “a productive call”", None),
    ("Çavuşoğlu", None),
    ("外交部发言人汪文斌主持例行记者会 on Monday", "Han"),
    ("Министр иностранных дел Лавров", "Cyrillic"),
    ("", None),
])
def test_script_of_names_the_script_most_letters_are_in(text: str, expected: str | None) -> None:
    assert script_of(text) == expected
