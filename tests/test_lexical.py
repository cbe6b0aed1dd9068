import bm25s
import pytest

from index.store.lexical import STOPWORDS, Lexical, _stemmer, _words, group_overlap, phrase_overlap, weighted_overlap

QUESTION = "What did Wang Yi hope about how Japan views China's development?"


def test_phrase_overlap_rewards_the_question_words_in_the_same_order() -> None:
    in_order = "China hopes that Japan can view China's development objectively and rationally."
    scattered = "Wang Yi held talks with Japan, exchanging views on development in China."
    overlap = phrase_overlap(QUESTION, [in_order, scattered, "Nothing relevant here."])
    assert overlap[0] == pytest.approx(4 / 6)  # hope-japan, japan-view, view-china, china-develop of six
    assert overlap[1] == pytest.approx(1 / 6)  # only wang-yi
    assert overlap[2] == 0.0
    assert phrase_overlap("Fukushima", [in_order]).tolist() == [0.0]  # one word: no pair to find


def test_phrase_words_are_the_bm25_terms() -> None:
    text = "The ministers' talks on the Korean Peninsula, 2017: sanctions and negotiations."
    tokens = bm25s.tokenize([text], stopwords=STOPWORDS, stemmer=_stemmer, return_ids=False, show_progress=False)
    assert list(_words(text)) == tokens[0]


def test_rare_terms_weigh_more_and_each_counts_once() -> None:
    lexical = Lexical.build(["Wang met Kono.", "Wang met Hayashi.", "Wang spoke on sanctions."])
    weights = lexical.term_weights("Has Wang met Kono about Fukushima?")
    assert set(weights) == {"wang", "met", "kono", "fukushima"}
    assert weights["wang"] < weights["met"] < weights["kono"] < weights["fukushima"]  # in 3, 2, 1, 0 passages
    assert lexical.term_weights("Has Wang met Kono about Fukushima?", known_only=True) == {
        term: weight for term, weight in weights.items() if term != "fukushima"}
    overlap = weighted_overlap(weights, ["Kono, Kono and Kono.", "Wang met Kono.", "Nothing here."])
    assert overlap == pytest.approx([weights["kono"], weights["wang"] + weights["met"] + weights["kono"], 0.0])


def test_group_overlap_counts_each_group_once_by_its_heaviest_term_held() -> None:
    groups = [{"develop": 2.0, "growth": 1.0}, {"regard": 3.0}, {}]
    texts = ["Growth and development, developing further.", "We regard it highly.", "Nothing here."]
    assert group_overlap(groups, texts).tolist() == pytest.approx([2 / 5, 3 / 5, 0.0])
    assert group_overlap([{}], texts).tolist() == [0, 0, 0]


def test_known_share_is_the_share_of_terms_some_passage_holds() -> None:
    lexical = Lexical.build(["Wang Yi called for peace.", "The sanctions were discussed."])
    assert lexical.known_share("peace") == 1.0
    assert lexical.known_share("Heping district of Shenyang") == 0.0
    assert lexical.known_share("to punish; sanctions") == pytest.approx(1 / 2)  # "punish" is in no passage
    assert lexical.known_share("of the") == 0.0  # stopwords only: nothing to hold
    assert Lexical.build([]).known_share("peace") == 0.0
