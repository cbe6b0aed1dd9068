import json
import math
from collections import Counter
from pathlib import Path

import bm25s
import bm25s.stopwords
import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from index.ingest.corpus import load_corpus
from index.store import lexical
from index.store.lexical import (
    BM25S_STOPWORDS_EN_PLUS,
    STOPWORDS,
    Lexical,
    _stemmer,
    _words,
    asked,
    group_overlap,
    phrase_overlap,
    surface_words,
    weighted_overlap,
)

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


# Exact BM25 top-k against references on the tests' corpus (tests/corpus/state-dept).

QUESTIONS = [json.loads(line)["q"] for name in ("state_dept.jsonl", "fresh/state_fresh.jsonl")
             for line in (Path(__file__).parent / "questions" / name).read_text(encoding="utf-8").splitlines() if line.strip()]
ONE_WORD = ["Ukraine", "Blinken", "sanctions", "Secretary", "discussed", "Pakistan"]
RARE_NAMES = ["Kuleba", "Çavuşoğlu", "Baerbock", "Di Maio", "Lavrov", "Delattre", "Daesh"]
COMMON = ["the Secretary and the Foreign Minister discussed", "Secretary Blinken spoke with the Foreign Minister",
          "United States support", "the two sides discussed cooperation", "China China China Taiwan"]
EVERY_KIND = QUESTIONS + ONE_WORD + RARE_NAMES + COMMON


@pytest.fixture(scope="module")
def readouts(state_dept_dir: Path) -> list[str]:
    return [passage.lexical_text for document in load_corpus([state_dept_dir]).documents for passage in document.passages]


@pytest.fixture(scope="module")
def index(readouts: list[str]) -> Lexical:
    return Lexical.build(readouts)


@pytest.fixture(scope="module")
def reference(readouts: list[str]) -> bm25s.BM25:
    """bm25s's own index of the same texts, scored by its own `get_scores` (every passage, float32)."""
    model = bm25s.BM25()
    model.index(bm25s.tokenize(readouts, stopwords=STOPWORDS, stemmer=_stemmer, show_progress=False), show_progress=False)
    return model


def masks(size: int) -> dict[str, np.ndarray | None]:
    rng = np.random.default_rng(7)
    one_part = np.zeros(size, dtype=bool)
    one_part[size // 3: size // 3 + 40] = True
    return {"none": None, "half": rng.random(size) < 0.5, "sparse": rng.random(size) < 0.03, "one part": one_part}


def assert_exact_top_k(rows: np.ndarray, scores: np.ndarray, every: np.ndarray, allowed: np.ndarray | None, k: int) -> None:
    """`rows` are the k best of `every` (the reference's score of each passage) among the allowed ones, to
    float32 tolerance: nothing left out scores clearly more than the last one kept."""
    held = (every > 0) & (True if allowed is None else allowed)
    assert len(rows) == min(k, int(held.sum()))
    if not len(rows):
        return
    assert held[rows].all()
    assert scores == pytest.approx(every[rows], rel=1e-5)
    assert list(scores) == sorted(scores, reverse=True)
    left_out = np.setdiff1d(np.flatnonzero(held), rows)
    assert not (every[left_out] > scores[-1] * (1 + 1e-5)).any()


def test_the_stopwords_are_bm25s_own_list_and_the_verbs_of_reported_speech() -> None:
    assert tuple(bm25s.stopwords.STOPWORDS_EN_PLUS) == BM25S_STOPWORDS_EN_PLUS
    assert set(STOPWORDS) == set(bm25s.stopwords.STOPWORDS_EN_PLUS) | {"say", "said", "says", "tell", "told", "according"}


@pytest.mark.parametrize("k", [1, 5, 50])
def test_search_is_bm25s_own_top_k_for_every_kind_of_question_and_mask(index: Lexical, reference: bm25s.BM25,
                                                                       k: int) -> None:
    for allowed in masks(index.size).values():
        for question in EVERY_KIND:
            tokens = list(asked(question))
            known = [token for token in tokens if token in reference.vocab_dict]
            every = reference.get_scores(known) if known else np.zeros(index.size)
            rows, scores = index.search(question, k, allowed)
            assert_exact_top_k(rows, scores, every, allowed, k)


def test_scores_are_lucene_bm25_of_the_stemmed_words(index: Lexical, readouts: list[str]) -> None:
    """The BM25 of the textbook (Lucene's idf; k1 1.5, b 0.75: bm25s's defaults), counted here."""
    documents = [Counter(_words(text)) for text in readouts]
    lengths = np.array([sum(counts.values()) for counts in documents])
    for question in ["Kuleba", "Blinken Kuleba Ukraine", "the Secretary discussed sanctions on Russia"]:
        rows, scores = index.search(question, 5)
        for row, score in zip(rows, scores):
            expected = 0.0
            for term in asked(question):
                frequency = sum(term in counts for counts in documents)
                if not frequency:
                    continue
                idf = math.log(1 + (len(documents) - frequency + 0.5) / (frequency + 0.5))
                tf = documents[row][term]
                expected += idf * tf / (tf + 1.5 * (1 - 0.75 + 0.75 * lengths[row] / lengths.mean()))
            assert score == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("k", [1, 5, 50])
def test_reading_lists_by_score_finds_what_scoring_every_passage_finds(index: Lexical, k: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The threshold algorithm (forced here: on a corpus this small scoring everything costs less) gives
    the same rows, order and scores as adding up every posting, bit for bit, ties by row."""
    monkeypatch.setattr(lexical, "LOOKUP_COST", 0.0)
    for allowed in masks(index.size).values():
        for question in EVERY_KIND:
            tokens = [index.vocabulary[token] for token in asked(question) if token in index.vocabulary]
            rows, scores = index.search(question, k, allowed)
            if not tokens:
                assert len(rows) == 0
                continue
            every_rows, every_scores = index._every(tokens, k, allowed, None)
            assert rows.tolist() == every_rows.tolist() and scores.tolist() == every_scores.astype(np.float32).tolist()


@st.composite
def small_corpora(draw: st.DrawFn) -> tuple[list[str], list[str], np.ndarray, int]:
    """Passages of a few words from a tiny vocabulary (scores tie often), questions of those words (some
    repeated, some absent) and a mask."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]
    texts = draw(st.lists(st.lists(st.sampled_from(words), min_size=1, max_size=8).map(" ".join), min_size=1, max_size=60))
    question = draw(st.lists(st.sampled_from([*words, "hotel"]), min_size=1, max_size=5).map(" ".join))
    allowed = np.array(draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts))), dtype=bool)
    return texts, [question], allowed, draw(st.integers(1, 12))


@given(small_corpora(), st.booleans(), st.sampled_from([0.0, 1e9]))
@hypothesis_settings(max_examples=150, deadline=None)
def test_any_corpus_any_question_gives_the_exact_top_k_ties_by_row(case, masked: bool, lookup: float) -> None:
    """Against the plain definition: each passage's score summed over the question's terms in order (a
    repeated word counts again), in float64; the best k, ties by row; by either way of searching."""
    texts, (question,), allowed, k = case
    index = Lexical.build(texts)
    tokens = [index.vocabulary[token] for token in asked(question) if token in index.vocabulary]
    expected = []
    for row in range(len(texts)):
        score = 0.0
        for token in tokens:
            a, b = int(index.indptr[token]), int(index.indptr[token + 1])
            held = np.flatnonzero(index.indices[a:b] == row)
            score += float(index.data[a + held[0]]) if len(held) else 0.0
        if score > 0 and (not masked or allowed[row]):
            expected.append((-score, row))
    expected = sorted(expected)[:k]
    original = lexical.LOOKUP_COST
    lexical.LOOKUP_COST = lookup
    try:
        rows, scores = index.search(question, k, allowed if masked else None)
    finally:
        lexical.LOOKUP_COST = original
    assert rows.tolist() == [row for _, row in expected]
    assert scores.tolist() == [np.float32(-score) for score, _ in expected]


def test_a_saved_index_loads_memory_mapped_and_searches_the_same(index: Lexical, tmp_path: Path) -> None:
    index.save(tmp_path)
    loaded = Lexical.load(tmp_path, index.size)
    assert loaded.impact is not None and loaded.vocabulary == index.vocabulary and loaded.surface == index.surface
    assert isinstance(loaded.data.base, np.memmap)  # a view of the file, not a copy
    for question in EVERY_KIND[::7]:
        assert all((a == b).all() for a, b in zip(loaded.search(question, 10), index.search(question, 10)))
    assert loaded.term_weights("Kuleba in Kyiv") == index.term_weights("Kuleba in Kyiv")


def test_an_index_bm25s_saved_before_loads_and_searches_the_same(index: Lexical, readouts: list[str],
                                                                  reference: bm25s.BM25, tmp_path: Path) -> None:
    """Format 6 generations hold bm25s's own files: read through bm25s.BM25.load, every passage scored."""
    reference.save(str(tmp_path), show_progress=False)
    (tmp_path / "words.json").write_text(json.dumps(surface_words(readouts)), encoding="utf-8")
    old = Lexical.load(tmp_path, len(readouts))
    assert old.impact is None and old.surface == index.surface
    for allowed in masks(index.size).values():
        for question in EVERY_KIND[::5]:
            assert all((a == b).all() for a, b in zip(old.search(question, 10, allowed), index.search(question, 10, allowed)))


def test_a_variant_that_scores_absent_terms_is_refused(readouts: list[str], tmp_path: Path) -> None:
    model = bm25s.BM25(method="bm25+")
    model.index(bm25s.tokenize(readouts[:20], stopwords=STOPWORDS, show_progress=False), show_progress=False)
    model.save(str(tmp_path), show_progress=False)
    with pytest.raises(ValueError, match="bm25\\+"):
        Lexical.load(tmp_path, 20)


def test_together_asks_whether_one_passage_holds_every_word() -> None:
    index = Lexical.build(["Blinken met Kuleba in Brussels.", "Yang Jianping met the delegation.", "Kuleba thanked NATO."])
    assert index.together(["kuleba", "blinken"]) and index.together(["Kuleba", "NATO"])
    assert not index.together(["blinken", "nato"])  # each held, never in one passage
    assert not index.together(["xi", "jianping"])  # xi held by none
    assert index.together(["the", "kuleba"])  # a stopword asks nothing
    readouts = np.array([0, 1, 0])  # the first and third passages are one readout's
    assert index.together(["blinken", "nato"], readouts)  # held in one readout, in two of its passages
    assert not index.together(["jianping", "nato"], readouts)


def test_held_between_asks_whether_a_run_of_rows_holds_a_term() -> None:
    index = Lexical.build(["Blinken met Kuleba.", "Trade rose.", "Kuleba thanked NATO.", "Tourism recovered."])
    assert index.held_between("kuleba", 0, 1) and index.held_between("kuleba", 1, 3)
    assert not index.held_between("kuleba", 1, 2) and not index.held_between("kuleba", 3, 4)
    assert not index.held_between("kuleba", 2, 2)  # an empty run holds nothing
    assert not index.held_between("absent", 0, 4)


def test_a_heading_adds_only_the_words_no_text_holds() -> None:
    texts = ["Secretary Blinken met Foreign Minister Kuleba in Berlin to discuss the war and its refugees.",
             "Secretary Blinken thanked the congressional delegation for its support of Ukraine and Poland.",
             "Berlin hosted the foreign ministers of the Group of Seven to discuss Ukraine."]
    headings = [None, "Antony J. Blinken, Secretary of State · Rzeszow, Poland · Hotel Bristol", None]
    plain, headed = Lexical.build(texts), Lexical.build(texts, headings)
    assert headed.heading_only == {"antony", "state", "rzeszow", "hotel", "bristol"}  # not Blinken, Poland
    assert list(headed.search("rzeszow", 3)[0]) == [1] and not len(plain.search("rzeszow", 3)[0])
    for question in ["blinken", "berlin", "poland ukraine", "delegation support"]:  # words the texts hold
        before, after = (dict(zip(*map(list, index.search(question, 3)))) for index in (plain, headed))
        assert before.keys() == after.keys()  # the same passages (scores move with the longer heading's text)
    assert "rzeszow" in headed.surface and "rzeszow" not in plain.surface


def test_heading_words_survive_save_and_load(tmp_path: Path) -> None:
    from index.passage import Passage

    headed = Lexical.build(["Blinken met Kuleba."], ["Rzeszow, Poland"])
    headed.save(tmp_path)
    loaded = Lexical.load(tmp_path, 1)
    passage = Passage("a-1", "a.txt", "Blinken met Kuleba.", "Remarks", "State", None, None, 1, heading="Rzeszow, Poland")
    assert loaded.heading_only == {"rzeszow", "poland"}
    assert "Rzeszow" in loaded.text_of(passage) and list(loaded.search("rzeszow", 1)[0]) == [0]


def test_the_acronyms_spelled_out_survive_save_and_load(tmp_path: Path) -> None:
    built = Lexical.build(["Blinken addressed the UN General Assembly.", "Kuleba met the Secretary."])
    built.save(tmp_path)
    loaded = Lexical.load(tmp_path, 2)
    assert loaded.acronyms == built.acronyms and "UNGA" in loaded.acronyms


def test_holding_gives_the_rows_of_passages_with_the_word_up_to_a_limit() -> None:
    index = Lexical.build(["Kuleba spoke.", "Wang spoke.", "Kuleba and Wang met.", "Kuleba left."])
    assert index.holding("Kuleba", 10).tolist() == [0, 2, 3]
    assert index.holding("kuleba", 2).tolist() == [0, 2]
    assert index.holding("nobody", 10).tolist() == [] and index.holding("kuleba wang", 10).tolist() == []
