from index.passage import Passage
from index.retrieve import spelling
from index.store.lexical import Lexical
from index.text.elisions import joined


def test_a_word_with_an_inner_apostrophe_is_also_written_joined() -> None:
    assert joined("Flights to Sana’a and Côte d’Ivoire, said O'Connor of al-Qa’ida") == [
        "Sanaa", "dIvoire", "OConnor", "Qaida"]


def test_contractions_and_possessives_are_not_joined() -> None:
    assert joined("China’s view: we don’t think they’re ready, I’m sure we’d say it’ll pass, we’ve seen") == []


def test_bm25_finds_a_passage_by_the_joined_spelling_readers_type() -> None:
    passages = [Passage("a-1", "a.txt", "Flights from Sana’a resumed this week.", "Yemen truce", "State", None, None, 1),
                Passage("b-1", "b.txt", "The ministers discussed flights to Aden.", "Yemen talks", "State", None, None, 1)]
    lexical = Lexical.build([passage.lexical_text for passage in passages])
    rows, _ = lexical.search("sanaa flights", 2)
    assert list(rows)[:1] == [0]
    assert "sanaa" in lexical.surface and spelling.correction("sanaa", lexical.surface) is None
    assert passages[1].lexical_text.endswith("Aden.")  # a passage with no such word is indexed as it was
