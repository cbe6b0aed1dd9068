"""HTML pages read by content: the tests' fmprc pages (tests/corpus/fmprc; expected values read off the pages
by hand), all 500 shared ones when they are beside the clone, and small pages written here for what that
site lacks (meta dates, JSON-LD, og:site_name, canonical links)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import FMPRC, SHARED_FMPRC, shared

from index.ingest.corpus import load_corpus
from index.ingest.documents import Document
from index.ingest.sources import html_document, sniff
from index.ingest.sources.html import extract
from index.models.onnx_model import word_pieces

TRUTH = Path(__file__).parent / "data" / "fmprc_truth.jsonl"
PRESS = "Foreign Ministry Spokesperson {}'s Regular Press Conference on {}"
# file: (title, date, first paragraph (= or startswith "…"), last paragraph (= or endswith "…"))
PAGES = {
    "en/t1765751.html": (PRESS.format("Hua Chunying", "April 3, 2020"), "2020-04-03",
                         "CCTV: Samuel Brownback, the US State Department's Ambassador at large…",
                         "…You can still reach the spokesperson's office by fax, Wechat or email."),
    "en/t1594900.html": (PRESS.format("Geng Shuang", "September 13"), None,
                         "Q: We have noted that China has released information about Venezuelan President Maduro's "
                         "visit to China. What has been scheduled for President Maduro's visit and what is China's expectation?",
                         "…under the pretext of \"rights protection\" will be subject to punishment."),
    "en/t1687014.html": ("Foreign Ministry Spokesperson Hua Chunying's Remarks on US Remarks on Venezuela and "
                         "China-Venezuela Cooperation", None,
                         "Q: On August 5, US President Trump signed an executive order to freeze the Venezuelan "
                         "government's assets in the US…",
                         "…We advise the US to draw lessons from history and give up sowing discord immediately."),
    "en/t1608469.html": (PRESS.format("Lu Kang", "October 30, 2018"), "2018-10-30",
                         "As agreed by all relevant parties, Premier Li Keqiang of the State Council will hold the third "
                         "Round Table Dialogue…", "…You may need to ask herself for why is that."),
    "en/t1752564.html": (PRESS.format("Zhao Lijian", "March 5, 2020"), "2020-03-05",
                         "First, some figures from the NHC. Between 00:00 and 24:00, March 4, there are 2,189 cured and "
                         "discharged cases in China's mainland, bringing the tally to 52,045.",
                         "A: As I just said, diplomatic departments of the two sides are in close communication with "
                         "regard to the visit to ensure it will be a complete success with fruitful outcomes. We believe "
                         "the best arrangements will be made through diplomatic channels."),
    "en/t1743902.html": ("Foreign Ministry Spokesperson Geng Shuang's Daily Briefing Online on February 12, 2020",
                         "2020-02-12", "Invited by Chairman Wolfgang Ischinger of the Munich Security Conference (MSC)…",
                         "I'd like to reiterate that countries need to respect WHO's professional advice. Overreactions "
                         "will only make things worse."),
    "en/t1780716.html": (PRESS.format("Zhao Lijian", "May 19, 2020"), "2020-05-19",
                         "CCTV: President Xi Jinping delivered a speech via videolink at the opening ceremony of the 73rd "
                         "World Health Assembly yesterday. Could you tell us what messages were sent out to the "
                         "international community?", "…blaming China for what they themselves have done."),
    "en/t1773833.html": (PRESS.format("Geng Shuang", "April 27, 2020"), "2020-04-27",
                         "The COVID-19 pandemic is fast spreading in Africa…",
                         "…and hinder global efforts to combat the pandemic."),
    "en/t1600384.html": (PRESS.format("Geng Shuang", "September 28"), None,
                         "Q: State Councilor and Foreign Minister Wang Yi is expected to give a speech at the UN later today…",
                         "Have a nice holiday!"),
    "en/t1623846.html": (PRESS.format("Hua Chunying", "December 20, 2018"), "2018-12-20",
                         "Q: On December 19, the German cabinet approved an amendment…",
                         "…the highly sensitive nature of Tibet-related issues, stop using them to interfere in China's "
                         "internal affairs and refrain from putting the act into effect, otherwise the US itself has to "
                         "bear all the consequences that may cause."),
    "en/t1734624.html": (PRESS.format("Geng Shuang", "January 21, 2020"), "2020-01-21",
                         "Q: The WHO said they are holding an emergency meeting about the coronavirus outbreak. We want to "
                         "know if China's sending representatives, and if so, who?",
                         "…\"Wherever you go, we've got your back.\""),
    "en/t1728280.html": (PRESS.format("Geng Shuang", "December 27, 2019"), "2019-12-27",
                         "Q: Kyrgyz President Jeenbekov said at his annual press conference on December 25…",
                         "…We will update you if and when we have further information."),
    "zh/t1793459.html": ("外交部发言人就全国人大常委会审议通过香港国安法发表谈话", "2020-06-30",
                         "国务院港澳办和香港中联办已分别就十三届全国人大常委会第二十次会议通过《中华人民共和国香港特别行政区维护国家安全法》发表声明。",
                         "…任何妄想利用香港危害中国主权、安全、发展利益的图谋都绝不会得逞。"),
    "zh/t1462735.html": ("2017年5月17日外交部发言人华春莹主持例行记者会", "2017-05-17", "应毛里塔尼亚外交与合作部长比赫…",
                         "答：亚投行是一个开放包容的多边开发机构，按照《亚洲基础设施投资银行协定》接纳新成员。日方如果有意加入，可以直接向亚投行方面提出申请，表达意愿。"),
    "zh/t1554714.html": ("2018年4月26日外交部发言人华春莹主持例行记者会", "2018-04-26",
                         "问：今天早上，运送朝鲜重大交通事故中遇难的中国同胞遗体和伤员的列车抵达沈阳。你能否介绍有关情况？",
                         "…推动中印关系在新的起点上实现更快更好发展。"),
    "zh/t1656537.html": ("2019年4月22日外交部发言人耿爽主持例行记者会", "2019-04-22",
                         "问：据报道，美国伊利诺伊州北奈尔斯高中学生近期用中文给习近平主席写了一封信…",
                         "正如我刚才所说，中印双方的共同利益远远大于分歧，希望双方加强协调合作，维护两国关系健康发展的积极势头。在此方面，中方已做好准备，愿同印方一道作出努力。"),
    "zh/t1483556.html": ("外交部发言人耿爽就四川九寨沟地震有关问题答记者问", "2017-08-09",
                         "问：在8月8日四川九寨沟地震中，是否有外国公民伤亡？", "答：据初步了解，有几名外国公民在九寨沟地震中受轻伤…"),
    "zh/t1425931.html": ("2016年12月21日外交部发言人华春莹主持例行记者会", "2016-12-21",
                         "问：据报道，圣多美和普林西比政府当地时间20日发表声明，决定自即日起与台湾“断交”。中方对此有何评论？",
                         "…体现的是对一个中国原则的认同。"),
    "zh/t1588848.html": ("2018年8月28日外交部发言人华春莹主持例行记者会", "2018-08-28",
                         "问：我们注意到，昨天王毅国务委员兼外长会见来华访问的希腊外长科齐阿斯时…",
                         "…只有这样的沟通和磋商才有意义，也才能取得进展。"),
    "zh/t1587984.html": ("2018年8月24日外交部发言人陆慷主持例行记者会", "2018-08-24", "问：美国白宫23日就中国同萨尔瓦多建交事发表声明…",
                         "至于中美两国之间给对方公民发放签证的相关问题，美国驻华使馆应当非常清楚国际惯例。"),
    "zh/t1452526.html": ("2017年4月10日外交部发言人华春莹主持例行记者会", "2017-04-10", "应外交部长王毅邀请，纳米比亚共和国副总理…",
                         "当日的外交部例行记者会暂停，12日（星期三）恢复。外交部发言人办公室将照常接受记者电话和传真提问。"),
    "zh/t1465917.html": ("外交部发言人陆慷就七国集团峰会联合公报涉及东海、南海问题答记者问", "2017-05-28",
                         "问：近日在意大利举行的七国集团峰会联合公报提及东海、南海问题，请问你有何评价？", "我们希望七国集团和域外国家认清形势…"),
    "zh/t1473208.html": ("2017年6月26日外交部发言人耿爽主持例行记者会", "2017-06-26",
                         "应外交部长王毅邀请，菲律宾共和国外交部长卡亚塔诺将于6月28日至7月1日对中国进行正式访问。",
                         "至于你刚才提到的一些具体问题，中方的立场很明确，我就不重复了。"),
    "zh/t1553107.html": ("外交部发言人陆慷就朝鲜决定停止核导试验，全力发展经济发表谈话", "2018-04-21", "朝鲜劳动党七届三中全会作出决定…",
                         "…中方将继续为此发挥积极作用。"),
}
FURNITURE = ["Suggest to a friend", "推荐给朋友", "Copyright", "版权所有", "Related News", "Español", "Русский", "简体中文",
             "打印本页", "字体", "Please enter", "Home >", "首页", "京ICP备", "外交史上的今天", "Appendix", "来源："]
SOURCES = {"en": "Ministry of Foreign Affairs of the People's Republic of China", "zh": "中华人民共和国外交部"}


def matches(expected: str, actual: str) -> bool:
    """'…x' is a suffix, 'x…' a prefix, anything else the whole paragraph."""
    if expected.endswith("…"):
        return actual.startswith(expected[:-1])
    if expected.startswith("…"):
        return actual.endswith(expected[1:])
    return actual == expected


def read_pages(folder: Path, pages: int) -> dict[str, Document]:
    """Every page of an fmprc folder (en/, zh/) read as ingest reads it, by `en/t….html`."""
    corpus = load_corpus([folder / "en", folder / "zh"], word_pieces)
    assert corpus.skipped == [] and len(corpus.documents) == pages
    return {f"{d.path.parent.name}/{d.name}": d for d in corpus.documents}


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return read_pages(FMPRC, 56)


@pytest.fixture(scope="module")
def shared_documents() -> dict[str, Document]:
    """All 500 shared pages, when they are there."""
    return read_pages(shared(SHARED_FMPRC), 500)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_fmprc_page(documents, name: str) -> None:
    title, date, first, last = PAGES[name]
    document = documents[name]
    page = extract((FMPRC / name).read_bytes())
    assert (document.title, document.date, document.source) == (title, date, SOURCES[name[:2]])
    assert document.url == next(json.loads(line)["url"] for line in (FMPRC / f"sources-{name[:2]}.jsonl").open()
                                if json.loads(line)["file"] == name)
    paragraphs = [p.text for p in page.paragraphs]
    assert matches(first, paragraphs[0]), paragraphs[0]
    assert matches(last, paragraphs[-1]), paragraphs[-1]
    body = document.text.split("\n", 1)[1]
    for furniture in FURNITURE:
        assert furniture not in body, furniture
    for passage in document.passages:
        assert passage.text in document.text and passage.text == passage.text.strip()
        assert "\u3000" not in passage.text and "&nbsp;" not in passage.text and "&#" not in passage.text
        assert word_pieces(passage.embedding_text) <= 256


def test_words_split_across_spans_are_joined(documents) -> None:
    text = documents["en/t1765751.html"].text
    assert "the US State Department's Ambassador" in text and "t he US" not in text
    assert "the spokesperson's office" in text  # the apostrophe is a <span> of its own


def test_a_question_and_its_answer_are_one_passage(documents) -> None:
    first = documents["en/t1765751.html"].passages[0].text
    assert first.startswith("CCTV: Samuel Brownback") and "\nHua Chunying: Mr. Brownback is also an expert" in first
    conference = documents["en/t1559310.html"].passages
    assert conference[0].text.startswith("At the invitation of the government of the United States")  # an announcement
    assert conference[1].text.startswith("Q: It is reported that a high-level DPRK official")
    assert conference[1].text.endswith("I am not aware of that situation.") and "\nA: China and the DPRK" in conference[1].text
    chinese = documents["zh/t1418362.html"].passages[0].text
    assert chinese.startswith("问：据报道，菲律宾总统杜特尔特23日称") and "\n答：上个月" in chinese


def outlets_open_their_passages(documents: dict[str, Document], outlets: int, questions_at_least: int) -> None:
    asked = [p.text for d in documents.values() if d.path.parent.name == "zh" for p in d.passages
             if re.match(r"[^：\n]{1,20}记者：", p.text)]
    # each carries its answer, or as much of the answer's start as fits beside it; a few are too long for that
    assert len(asked) > outlets and sum("\n" in text for text in asked) >= 0.95 * len(asked)
    passages = [p.text for d in documents.values() for p in d.passages]
    questions = [text for text in passages if re.match(r"([^：:\n]{1,20}记者|问|Q)[：:]", text)]
    answers = [text for text in passages if re.match(r"(答|A)[:：]", text)]
    # an answer opens a passage only when its question leaves no room for its first sentence
    assert len(questions) > questions_at_least and len(answers) < 0.03 * len(questions)


def test_outlets_asking_in_chinese_open_their_passage(documents) -> None:
    """The counts are those of the tests' 56 pages (24 Chinese); the shares hold over all 500."""
    outlets_open_their_passages(documents, 15, 300)


@pytest.mark.slow
def test_outlets_asking_in_chinese_open_their_passage_on_every_shared_page(shared_documents) -> None:
    outlets_open_their_passages(shared_documents, 100, 3000)


def truth_set(documents: dict[str, Document], folder: Path, pages: int) -> None:
    """The pages another reader wrote down that `documents` holds: title, date, first and last
    paragraph, furniture."""
    rows = [row for line in TRUTH.open(encoding="utf-8") if (row := json.loads(line))["file"] in documents]
    assert len(rows) == pages
    scores = {"title": 0, "date": 0, "first": 0, "last": 0}
    leaks = []
    for row in rows:
        document = documents[row["file"]]
        paragraphs = [p.text for p in extract((folder / row["file"]).read_bytes()).paragraphs]
        scores["title"] += document.title == row["title"]
        scores["date"] += document.date == row["date"]
        scores["first"] += bool(paragraphs) and paragraphs[0] == row["first"]
        scores["last"] += bool(paragraphs) and paragraphs[-1] == row["last"]
        body = document.text.split("\n", 1)[1]
        leaks += [(row["file"], f) for f in row["furniture"] if f in body]
    shares = {key: value / len(rows) for key, value in scores.items()}
    print(f"truth set: {len(rows)} pages, " + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()) + f", {len(leaks)} leaks")
    assert shares["title"] >= 0.95 and shares["date"] >= 0.95
    assert shares["first"] >= 0.90 and shares["last"] >= 0.90
    assert leaks == []


def test_truth_set(documents) -> None:
    """Every third of the 62 truth pages is among the tests' own (tests/corpus/README.md)."""
    truth_set(documents, FMPRC, 21)


@pytest.mark.slow
def test_truth_set_on_every_shared_page(shared_documents) -> None:
    truth_set(shared_documents, SHARED_FMPRC, 62)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Wang Yi Meets Kamikawa | Example News</title>
<meta property="og:site_name" content="Example News"><link rel="canonical" href="https://news.example.org/a/1">
<meta property="article:published_time" content="2024-09-23T10:00:00+08:00">
<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "2024-09-20"}}</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<div class="lang"><a href="/zh">中文</a> <a href="/fr">Français</a></div>
<article><h1>Wang Yi Meets Kamikawa</h1>
<p>On September 23, Foreign Minister Wang Yi met with Japanese Foreign Minister Yoko Kamikawa in New York.</p>
<p>Wang said that the two countries should <span>pro</span><span>mote</span> a strategic relationship of
mutual benefit&nbsp;&amp; stability.</p><div style="display:none"><p>Hidden related story text is not read by anyone.</p></div>
<p>Kamikawa said Japan is willing to work with China for constructive and stable ties.</p></article>
<div class="share">Share this: Twitter Facebook</div><footer>Copyright 2024 Example News. All rights reserved.</footer>
</body></html>"""


def test_a_page_from_elsewhere_states_its_facts_in_meta_tags(tmp_path: Path) -> None:
    (tmp_path / "saved-page").write_text(PAGE.format())  # no extension: read by content
    (tmp_path / "notes.htm").write_text("<html><body><p>" + "Too short." + "</p></body></html>")
    corpus = load_corpus([tmp_path])
    [document] = corpus.documents
    assert (document.title, document.date, document.source, document.url) == (
        "Wang Yi Meets Kamikawa", "2024-09-23", "Example News", "https://news.example.org/a/1")
    assert [p.text for p in document.passages] == [
        "On September 23, Foreign Minister Wang Yi met with Japanese Foreign Minister Yoko Kamikawa in New York.",
        "Wang said that the two countries should promote a strategic relationship of mutual benefit & stability.",
        "Kamikawa said Japan is willing to work with China for constructive and stable ties.",
    ]
    assert dict(corpus.skipped)[str(tmp_path / "notes.htm")] == "no passage with content"


def test_metadata_jsonl_wins_for_pages_as_for_text(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE.format())
    (tmp_path / "metadata.jsonl").write_text(json.dumps({"file": "page.html", "url": "https://elsewhere.example/x",
                                                         "date": "2024-09-24"}) + "\n")
    [document] = load_corpus([tmp_path]).documents
    assert (document.url, document.date, document.title) == ("https://elsewhere.example/x", "2024-09-24",
                                                             "Wang Yi Meets Kamikawa")


def test_a_page_that_states_no_date_has_none() -> None:
    page = "<html><head><title>Statement</title></head><body><div><p>The ministry issued a statement on the talks, " \
           "which both sides described as candid and constructive.</p></div></body></html>"
    document = html_document(Path("x.html"), page.encode())
    assert document.date is None and document.title == "Statement"


def test_kind_is_told_by_content() -> None:
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"\xef\xbb\xbf<!DOCTYPE html><html>") == "html"
    assert sniff(b"  <html><head><title>x</title>") == "html"
    assert sniff(b"Wang Yi met <b>Kono</b> in Tokyo.") == "text"
    assert sniff(b"# Talks\n\n<div>inline html in markdown</div>") == "text"


def test_inspect_shows_what_ingest_would_index(capsys: pytest.CaptureFixture[str]) -> None:
    from index.cli import main

    assert main(["inspect", "--json", str(FMPRC / "zh" / "t1418362.html")]) == 0
    [line] = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert set(record) == {"file", "title", "date", "source", "url", "passages"}
    assert (record["title"], record["date"], record["source"]) == ("2016年11月24日外交部发言人耿爽主持例行记者会", "2016-11-24",
                                                                  "中华人民共和国外交部")
    assert record["passages"][0].startswith("问：据报道，菲律宾总统杜特尔特23日称")
    assert main(["inspect", str(FMPRC / "en" / "t1559310.html")]) == 0
    text = capsys.readouterr().out
    assert "  date    2018-05-14" in text and "  > Q: It is reported that a high-level DPRK official" in text


DEEP_SENTENCE = "The two ministers agreed that their teams would meet again before the summit in the autumn."


def deep_page(depth: int) -> bytes:
    return (f"<html><head><title>Talks</title></head><body>{'<div>' * depth}<p>{DEEP_SENTENCE}</p><p><b>Q:</b> "
            f"Will they meet?</p>{'</div>' * depth}</body></html>").encode()


@pytest.mark.parametrize("depth", [300, 1500])
def test_html_nested_past_256_levels_is_read(tmp_path: Path, depth: int) -> None:
    """libxml2 stops at 256 levels unless told huge_tree; 1,500 is past Python's recursion limit as well."""
    (tmp_path / "deep.html").write_bytes(deep_page(depth))
    corpus = load_corpus([tmp_path])
    assert corpus.skipped == []
    assert DEEP_SENTENCE in [p.text for p in corpus.documents[0].passages]


def test_html_nested_past_what_the_parser_reads_is_skipped_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "deeper.html").write_bytes(deep_page(3000))
    corpus = load_corpus([tmp_path])
    assert corpus.documents == []
    [(path, reason)] = corpus.skipped
    assert path.endswith("deeper.html") and reason.startswith("HTML nested deeper than 2,048 elements")


IMPOSTOR = """<!doctype html><html><head><title>Secretary's Remarks | U.S. Department of State</title>
<link rel="canonical" href="{canonical}"><meta property="og:url" content="{canonical}">
<meta property="og:site_name" content="{site}"></head><body><article><h1>Secretary's Remarks</h1>
<p>The Secretary met the foreign minister and discussed the situation in the region at length.</p>
<p><a href="https://www.state.gov/a">State Department press briefings and other remarks by officials</a></p>
</article></body></html>"""


def test_a_page_naming_another_site_is_cited_as_where_it_came_from() -> None:
    """Served from 127.0.0.1, a page calling itself the State Department's is neither given its URL nor its name."""
    served = "http://127.0.0.1:8000/remarks.html"
    data = IMPOSTOR.format(canonical="https://www.state.gov/remarks/", site="U.S. Department of State").encode()
    page = extract(data, served)
    assert (page.url, page.source) == (served, None)
    document = html_document(Path("remarks.html"), data, url=served)
    assert (document.url, document.source) == (served, "127.0.0.1")
    assert all((p.url, p.source) == (served, "127.0.0.1") for p in document.passages)


def test_a_page_naming_its_own_site_is_believed() -> None:
    data = IMPOSTOR.format(canonical="https://www.example.org/remarks/1", site="Example Post").encode()
    page = extract(data, "http://example.org/remarks?utm_source=feed")
    assert (page.url, page.source) == ("https://www.example.org/remarks/1", "Example Post")
    saved = extract(IMPOSTOR.format(canonical="https://www.state.gov/remarks/", site="U.S. Department of State").encode())
    assert (saved.url, saved.source) == ("https://www.state.gov/remarks/", "U.S. Department of State")  # a saved copy
    stripped = extract(IMPOSTOR.format(canonical="https://admin:hunter2@example.org/r", site="x").encode(),
                       "https://example.org/r")
    assert stripped.url == "https://example.org/r"


@pytest.mark.parametrize("canonical", ["javascript:alert(1)", " JavaScript:alert(document.cookie)", "file:///etc/passwd",
                                       "data:text/html,<script>alert(1)</script>", "//evil.example/x", "http://[::1"])
@pytest.mark.parametrize("served", [None, "https://example.org/page"])
def test_a_canonical_link_that_is_not_http_is_never_the_citation_link(tmp_path: Path, canonical: str,
                                                                       served: str | None) -> None:
    data = IMPOSTOR.format(canonical=canonical.replace("<", "&lt;"), site="Example Post").encode()
    assert extract(data, served).url == served
    (tmp_path / "page.html").write_bytes(data)
    [document] = load_corpus([tmp_path]).documents
    assert document.url is None and all(p.url is None for p in document.passages)
