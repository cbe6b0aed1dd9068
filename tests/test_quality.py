"""Retrieval quality on the project's question sets: regression guards at the figures reached.

The figures are in docs/quality.md and docs/quality-chat.md; raise a bar when retrieval improves,
never lower it to make a change pass. `state_dept` is the tests' own 197 readouts
(tests/corpus/state-dept: every document the state-dept sets' gold answers name, among the calls
of the same series), whose bars were measured over them; `shared_state_dept` is the whole
785-readout corpus beside the clone, with the bars measured over it, skipped when it is not there.
"""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from conftest import QUESTIONS

from index.answer.policy import Answerer
from index.evaluate import Scores, evaluate, half, load_questions
from index.ingest.update import ingest
from index.models.embed import embedder_named
from index.retrieve.crosslingual import glosses
from index.retrieve.search import METHODS, Retriever
from index.store import generations as store

pytestmark = pytest.mark.slow


def scores_by_method(retriever: Retriever, questions: Path) -> dict[str, Scores]:
    loaded = load_questions(questions)
    return {m: evaluate(loaded, Answerer(retriever), method=m) for m in METHODS}


def table(results: dict[str, Scores]) -> str:
    return "; ".join(f"{m}: hit@1 {s.hit_rate(1):.3f} hit@3 {s.hit_rate(3):.3f} hit@5 {s.hit_rate(5):.3f} "
                     f"MRR {s.mrr:.3f} answered {s.answered_rate:.3f}" for m, s in results.items())


@pytest.fixture(scope="module")
def seeds(seeds_index: Path, embedder) -> Retriever:
    return Retriever(store.load(seeds_index), embedder)


@pytest.fixture(scope="module")
def state_dept(state_dept_index: Path, embedder) -> Retriever:
    return Retriever(store.load(state_dept_index), embedder)


@pytest.fixture(scope="module")
def shared_state_dept(shared_state_dept_index: Path, embedder) -> Retriever:
    return Retriever(store.load(shared_state_dept_index), embedder)


@pytest.mark.parametrize("corpus, questions, bars", [
    ("seeds", QUESTIONS / "seeds.jsonl", {1: 0.95, 3: 0.97, 5: 1.0}),
    ("seeds", "dev", {1: 1.0, 3: 1.0, 5: 1.0}),  # the shared dev set, when it is there
    # over the tests' 197 readouts: 58 / 60 / 61 of 62 since relevance counts word evidence (docs/quality-chat.md)
    ("state_dept", QUESTIONS / "state_dept.jsonl", {1: 0.93, 3: 0.96, 5: 0.98}),
    ("shared_state_dept", QUESTIONS / "state_dept.jsonl", {1: 0.75, 3: 0.93, 5: 0.95}),  # over all 785
])
def test_hybrid_meets_the_bar_and_beats_each_ranking_alone(request, corpus: str, questions, bars) -> None:
    retriever = request.getfixturevalue(corpus)
    results = scores_by_method(retriever, request.getfixturevalue("dev_questions_path") if questions == "dev" else questions)
    hybrid, dense, lexical = results["hybrid"], results["dense"], results["lexical"]
    measured = table(results)
    for k, bar in bars.items():
        assert hybrid.hit_rate(k) >= bar, measured
    assert hybrid.answered_rate >= 0.95, measured
    assert hybrid.mrr > dense.mrr and hybrid.hit_rate(3) > dense.hit_rate(3), measured
    # never below BM25 alone by more than one question (issue 25's bar), and better ranked overall
    assert hybrid.hits_at[5] >= lexical.hits_at[5] - 1 and hybrid.mrr > lexical.mrr, measured


@pytest.mark.parametrize("corpus", ["seeds", "state_dept", "shared_state_dept"])
def test_off_topic_questions_are_abstained(request, corpus: str) -> None:
    results = scores_by_method(request.getfixturevalue(corpus), QUESTIONS / "off_topic.jsonl")
    assert results["hybrid"].off_topic == 30
    assert results["hybrid"].abstained_rate >= 0.9, {m: s.abstained_rate for m, s in results.items()}


@pytest.fixture(scope="module")
def seeds_e5(seeds_e5_index: Path) -> Retriever:
    return Retriever(store.load(seeds_e5_index))


CJK_SETS = ["cjk_seeds.jsonl", "cjk_heldout.jsonl", "cjk_heldout2.jsonl", "cjk_heldout3.jsonl",
            "cjk_heldout4.jsonl", "cjk_heldout5.jsonl", "cjk_heldout6.jsonl"]  # 30 + 12 + 26 + 20 + 12 + 30 + 16


def pooled(retriever: Retriever, files: list[str]) -> dict[str, Scores]:
    loaded = [question for name in files for question in load_questions(QUESTIONS / name)]
    return {m: evaluate(loaded, Answerer(retriever), method=m) for m in METHODS}


def test_the_multilingual_index_answers_chinese_and_japanese_questions(seeds_e5: Retriever) -> None:
    """All 146 Chinese and Japanese questions about the seeds. The issue's bar, 0.8 hit@1, is not reached
    over them: 0.801 since the names were left out of the glosses, on the sets that shaped it
    (docs/multilingual.md); these guard what is."""
    results = pooled(seeds_e5, CJK_SETS)
    measured = table(results)
    hybrid = results["hybrid"]
    assert hybrid.hit_rate(1) >= 0.8 and hybrid.hit_rate(3) >= 0.91 and hybrid.hit_rate(5) >= 0.94, measured
    assert hybrid.answered_rate >= 0.99, measured  # 0.932 before the questions' English cleared the bar too
    assert hybrid.mrr > results["dense"].mrr + 0.05, measured  # names and glosses lift, never drag


def test_each_chinese_and_japanese_set_keeps_its_figures(seeds_e5: Retriever) -> None:
    """The first 30 shaped names.py, the next 12 one fix to it; the next 26 were written before the latent
    terms, and helped choose the glosses' weight; 20 and 12 more were each measured once, after; 30 more
    before and after the questions' English; 16 in Japanese before a change that was dropped, and 16
    more before Japanese questions were read word by word by unidic; 20 more before names were left
    out of the glosses (docs/multilingual.md)."""
    bars = {"cjk_seeds.jsonl": (0.86, 0.93, 0.96), "cjk_heldout.jsonl": (0.91, 1.0, 1.0),
            "cjk_heldout2.jsonl": (0.76, 0.84, 0.88), "cjk_heldout3.jsonl": (0.55, 0.8, 0.9),
            "cjk_heldout4.jsonl": (0.83, 0.83, 0.91), "cjk_heldout5.jsonl": (0.9, 1.0, 1.0),
            "cjk_heldout6.jsonl": (0.75, 0.93, 0.93), "cjk_heldout7.jsonl": (0.87, 0.93, 0.93),
            "cjk_heldout8.jsonl": (0.7, 1.0, 1.0)}
    for name, (at1, at3, at5) in bars.items():
        results = scores_by_method(seeds_e5, QUESTIONS / name)
        hybrid = results["hybrid"]
        assert hybrid.hit_rate(1) >= at1 and hybrid.hit_rate(3) >= at3 and hybrid.hit_rate(5) >= at5, (name, table(results))


def test_latent_terms_lift_chinese_and_japanese_questions(seeds_e5: Retriever) -> None:
    """The same index searched without its latent terms ranks the 146 questions worse (latent.py)."""
    without = Retriever(dataclasses.replace(seeds_e5.index, latent=None), seeds_e5.embedder)
    assert seeds_e5.index.latent is not None
    with_terms, cosine_only = pooled(seeds_e5, CJK_SETS), pooled(without, CJK_SETS)
    for method in ("hybrid", "dense"):
        assert with_terms[method].mrr > cosine_only[method].mrr, (table(with_terms), table(cosine_only))
        assert with_terms[method].hit_rate(1) > cosine_only[method].hit_rate(1), (table(with_terms), table(cosine_only))


def test_dictionary_glosses_lift_chinese_and_japanese_questions(seeds_e5: Retriever, monkeypatch) -> None:
    """The same search with no glosses to look up ranks the 146 questions worse (glosses.py)."""
    with_glosses = pooled(seeds_e5, CJK_SETS)["hybrid"]
    monkeypatch.setattr(glosses, "groups", lambda question, written: [])
    without = pooled(seeds_e5, CJK_SETS)["hybrid"]
    assert with_glosses.hit_rate(1) > without.hit_rate(1) and with_glosses.mrr > without.mrr, (
        with_glosses.hit_rate(1), without.hit_rate(1))


def test_leaving_names_out_of_the_glosses_lifts_chinese_and_japanese_questions(seeds_e5: Retriever, monkeypatch) -> None:
    """The same search with the names the question writes (王毅, 上川) glossed as words too ranks the
    146 worse (glosses.groups)."""
    without_names = pooled(seeds_e5, CJK_SETS)["hybrid"]
    groups = glosses.groups
    monkeypatch.setattr(glosses, "groups", lambda question, written: groups(question))
    with_names = pooled(seeds_e5, CJK_SETS)["hybrid"]
    assert without_names.hit_rate(1) > with_names.hit_rate(1) and without_names.mrr > with_names.mrr, (
        without_names.hit_rate(1), with_names.hit_rate(1))


def test_the_questions_english_lifts_chinese_and_japanese_questions(seeds_e5: Retriever, monkeypatch) -> None:
    """The same search without the question's word-by-word English ranks the 146 questions worse
    (glosses.english)."""
    with_english = pooled(seeds_e5, CJK_SETS)
    monkeypatch.setattr(glosses, "english", lambda question, names, known_share, written: "")
    without = pooled(seeds_e5, CJK_SETS)
    for method in ("hybrid", "dense"):
        assert with_english[method].hit_rate(1) > without[method].hit_rate(1), (table(with_english), table(without))
        assert with_english[method].mrr > without[method].mrr, (table(with_english), table(without))


def test_the_chinese_and_japanese_off_topic_questions_are_abstained(seeds_e5: Retriever) -> None:
    off_topic = scores_by_method(seeds_e5, QUESTIONS / "cjk_off_topic.jsonl")["hybrid"]
    assert off_topic.abstained_rate >= 0.96, off_topic.abstained_rate  # 30 of 30 (docs/quality-chat.md)


def test_the_multilingual_index_keeps_english_quality(seeds_e5: Retriever) -> None:
    results = scores_by_method(seeds_e5, QUESTIONS / "seeds.jsonl")
    assert results["hybrid"].hit_rate(3) >= 0.976 - 0.02 and results["hybrid"].hit_rate(5) == 1.0, table(results)  # MiniLM: 0.976
    assert scores_by_method(seeds_e5, QUESTIONS / "off_topic.jsonl")["hybrid"].abstained_rate >= 0.9


def test_passages_cut_by_minilm_pieces_fit_e5(seeds_e5: Retriever) -> None:
    e5 = seeds_e5.embedder
    assert max(e5.count_tokens(p.embedding_text) for p in seeds_e5.index.passages) <= 512  # what e5 reads whole



def test_a_chinese_readout_beside_english_ones_is_found_from_chinese(tmp_path: Path, seeds_e5_index: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zh.txt").write_text(
        "王毅会见日本外相上川阳子\n\n2024年9月23日，外交部长王毅在纽约会见日本外相上川阳子。\n\n"
        "王毅表示，中方坚决反对日本福岛核污染水排海。日方既然已同意接受长期国际监测安排，就应该信守承诺。\n\n"
        "关于深圳事件，王毅表示，这是一起个案，中方将依法调查处理。\n", encoding="utf-8")
    shutil.copytree(seeds_e5_index, tmp_path / "index")  # the seeds stay as they are: only zh.txt is embedded
    report = ingest([corpus], tmp_path / "index", embedder_named("e5-small"))
    assert report.added == ["zh.txt"] and report.embedded == 3 and report.documents == 6
    hits = Retriever(store.load(tmp_path / "index")).search("王毅对福岛核污染水排海说了什么？", 3)
    assert hits[0].passage.doc == "zh.txt" and hits[0].passage.date == "2024-09-23"
    assert any("justified to oppose the discharge" in hit.passage.text for hit in hits[1:])


FRESH = QUESTIONS / "fresh"


@pytest.mark.parametrize("corpus, name", [("seeds", "seeds_fresh.jsonl"), ("state_dept", "state_fresh.jsonl"),
                                          ("shared_state_dept", "state_fresh.jsonl")])
def test_on_fresh_questions_hybrid_never_loses_to_its_parts(request, corpus: str, name: str) -> None:
    """Questions written by people who never saw the code, each half apart: at every k, hybrid is
    within one question of the better of dense and BM25 alone (docs/quality.md)."""
    retriever = request.getfixturevalue(corpus)
    questions = load_questions(FRESH / name)
    for part in ("tuning", "frozen"):
        chosen = [q for q in questions if half(q.id) == part]
        results = {m: evaluate(chosen, Answerer(retriever), method=m) for m in METHODS}
        for k in (1, 3, 5):
            best = max(results["dense"].hits_at[k], results["lexical"].hits_at[k])
            assert results["hybrid"].hits_at[k] >= best - 1, (part, k, table(results))


@pytest.mark.parametrize("corpus, answered_bar", [
    # Over the tests' 197 readouts, words that only the other readouts hold are reported missing,
    # rightly, so fewer are answered (docs/quality.md, Over the tests' own corpus); lower-case names
    # are reported too since issue 25 (docs/quality-chat.md).
    ("state_dept", 0.92),
    ("shared_state_dept", 0.95),
])
def test_unanswerable_questions_are_said_so_and_answerable_ones_stay_answered(request, seeds: Retriever, corpus: str,
                                                                              answered_bar: float) -> None:
    """The fresh unanswerable questions over both corpora are left unanswered (or what they name is
    reported missing); the fresh answerable ones are still answered, nothing reported missing."""
    state_dept = request.getfixturevalue(corpus)
    unanswerable = load_questions(FRESH / "unanswerable_fresh.jsonl")
    abstained = [evaluate(unanswerable, Answerer(r)).abstained_rate for r in (seeds, state_dept)]
    answered = [evaluate(load_questions(FRESH / name), Answerer(r))
                for r, name in ((seeds, "seeds_fresh.jsonl"), (state_dept, "state_fresh.jsonl"))]
    share = sum(s.answered for s in answered) / sum(s.questions for s in answered)
    assert min(abstained) >= 0.9 and share >= answered_bar, (abstained, share)
