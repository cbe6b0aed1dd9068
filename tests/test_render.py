import re
from dataclasses import replace

import pytest
from telegramhtml import parse_html

from bot import render
from index import Answer
from index.passage import Hit, Passage


def hit(text: str, rank: int = 1, url: str | None = None, date: str | None = "2024-09-24",
        emphasis: tuple[int, int] | None = None, title: str = "Wang meets Kamikawa") -> Hit:
    passage = Passage(id=f"p{rank}", doc="003.txt", text=text, title=title, source="Xinhua", date=date, url=url,
                      paragraph=rank)
    return Hit(passage, 0.5, rank, emphasis)


def unescape(html: str) -> str:
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_quote_shows_its_best_sentence_and_folds_the_paragraph_verbatim_with_the_sentence_in_bold() -> None:
    text = 'Wang said <b>"A & B"</b> matter. The second sentence.'
    html = render.hit_html(hit(text, emphasis=(0, text.index(" The"))))
    shown, folded = html.split("\n")[:2]
    assert shown == "<blockquote>Wang said &lt;b&gt;\"A &amp; B\"&lt;/b&gt; matter. …</blockquote>"
    assert folded.startswith("<blockquote expandable><b>Wang said &lt;b&gt;\"A &amp; B\"&lt;/b&gt; matter.</b> The second")
    assert unescape(re.sub(r"</?b>|</?blockquote( expandable)?>", "", folded)) == text
    parse_html(html)
    middle = render.hit_html(hit(text, emphasis=(text.index("The"), len(text))))
    assert middle.startswith("<blockquote>… The second sentence.</blockquote>\n<blockquote expandable>")


def test_a_short_passage_is_quoted_whole_and_a_long_unmarked_one_shows_its_opening() -> None:
    assert render.quote_html(hit("Short & sweet.")) == "<blockquote>Short &amp; sweet.</blockquote>"
    long_text = "The two sides agreed to deepen cooperation on trade and security. " * 20
    html = render.quote_html(hit(long_text))
    shown = html.split("\n")[0]
    assert shown.startswith("<blockquote>The two sides") and shown.endswith(" …</blockquote>")
    assert len(shown) < render.UNFOLDED_CHARS + 40 and long_text.strip() in html
    marked = render.quote_html(hit(long_text, emphasis=(0, len(long_text))))  # one giant "sentence": shown clipped
    assert len(marked.split("\n")[0]) < render.SHOWN_CHARS + 40
    parse_html(html) and parse_html(marked)


def test_citation_has_title_source_date_and_link() -> None:
    html = render.cite_html(hit("x", url="https://example.org/a?b=1&c=\"2\""))
    assert html == ('— <i>Wang meets Kamikawa</i>\nXinhua, 2024-09-24 · '
                    '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;">link</a>')
    assert "date unknown" in render.cite_html(hit("x", date=None))
    assert "&lt;script&gt;" in render.cite_html(hit("x", title="<script>"))


def test_pages_respect_the_telegram_limit_and_cover_every_hit() -> None:
    long_text = "The two sides agreed to deepen cooperation on trade & security. " * 25  # ~1,600 chars
    answer = Answer("question?", tuple(hit(long_text, rank=n) for n in range(1, 11)))
    pages = render.paginate(answer, per_page=5)
    assert [i for page in pages for i in page] == list(range(10))
    marked = Answer("question?", tuple(hit(long_text, rank=n, emphasis=(65 * (n % 3), 65 * (n % 3) + 64))
                                      for n in range(1, 11)))
    assert render.paginate(marked, per_page=5) == pages  # marking the sentences moves no hit to another page
    for number, page in enumerate(pages):
        html = render.page_html(marked, page, number, len(pages))
        assert len(html) <= render.TELEGRAM_LIMIT
        assert html.count("<blockquote>") == html.count("<blockquote expandable>") == len(page)
        assert html.count("</blockquote>") == 2 * len(page)
        parse_html(html)


TITLE = "Secretary Antony J. Blinken And German Foreign Minister Annalena Baerbock Before Their Meeting"
SENTENCE = ("We act: as the G7, we will play a central role in supporting the most affected countries across the globe, "
            "and we will do everything we can in different formats to export grain from Ukraine, by sea and by rail, "
            "while building silos to store it safely. ")


def spoken_hit(rank: int, sentence: str = SENTENCE, title: str = TITLE) -> Hit:
    text = sentence + "Together we try to open the sea routes. " * 8
    found = hit(text, rank=rank, emphasis=(0, len(sentence)), title=title)
    return replace(found, passage=replace(found.passage, speaker="Foreign Minister Baerbock (via interpreter)"))


def shown_quotes(html: str) -> list[str]:
    return re.findall(r"<blockquote>(.*?)</blockquote>", html, re.S)


def test_a_page_shows_about_a_phone_screen_before_anything_is_unfolded_its_quotes_sharing_the_room() -> None:
    from telegramhtml import shown_chars

    long_page = render.page_html(Answer("blinken ukraine grain", tuple(spoken_hit(n) for n in (1, 2, 3))), range(3))
    assert shown_chars(long_page) <= render.FIRST_SCREEN
    assert all(quote.startswith("We act: as the G7") and quote.endswith(" …") for quote in shown_quotes(long_page))
    assert long_page.count(SENTENCE.strip()) == 3  # each sentence whole in its fold
    # beside two short quotes, the long one is shown longer than where three long ones share the room
    short = [spoken_hit(n, "Grain must move. ") for n in (1, 2)]
    mixed = render.page_html(Answer("grain", (*short, spoken_hit(3))), range(3))
    assert len(shown_quotes(mixed)[2]) > len(shown_quotes(long_page)[2])
    assert shown_chars(mixed) <= render.FIRST_SCREEN
    # however long the citations, each quote keeps enough of its sentence to read
    crowded = render.page_html(Answer("q", tuple(spoken_hit(n, title=TITLE * 3) for n in (1, 2, 3))), range(3))
    assert all(len(quote) >= render.MIN_SHOWN_CHARS for quote in shown_quotes(crowded))
    parse_html(long_page), parse_html(mixed), parse_html(crowded)


def test_a_passage_longer_than_a_message_is_shortened_visibly() -> None:
    answer = Answer("q", (hit("word & " * 1200),))
    html = render.page_html(answer, range(0, 1))
    assert len(html) <= render.TELEGRAM_LIMIT and "[…]</blockquote>" in html
    parse_html(html)


def test_long_question_is_shortened_in_the_header() -> None:
    html = render.page_html(Answer("why " * 200, (hit("x y z."),)), range(0, 1))
    assert html.split("\n")[0].endswith("…") and len(html.split("\n")[0]) < 330


@pytest.mark.parametrize("emphasis", [None, (0, 9)])
def test_page_header_escapes_the_question(emphasis) -> None:
    html = render.page_html(Answer("<i>tags</i> & more", (hit("Some text. More.", emphasis=emphasis),)), range(1))
    assert html.startswith("<b>Q:</b> &lt;i&gt;tags&lt;/i&gt; &amp; more")


def test_what_no_readout_mentions_is_said_first_and_related_passages_are_labelled() -> None:
    answer = Answer("Who is <Ruritania>'s envoy?", (), missing=("Ruritania",), related=(hit("Near & far."),))
    html = render.nothing_found_html(answer)
    assert "<b>No readout mentions Ruritania.</b>" in html and render.NOTHING_FOUND not in html
    assert html.index("Related passages, not an answer") < html.index("Near &amp; far.")
    assert "&lt;Ruritania&gt;" in html and len(html) <= render.TELEGRAM_LIMIT
    assert render.nothing_found_html(Answer("q", ())).endswith(render.NOTHING_FOUND)


def test_nothing_quoted_but_passages_near_the_bar_are_labelled_related_after_saying_so() -> None:
    html = render.nothing_found_html(Answer("q", (), related=(hit("Almost & near."),)))
    assert html.index(render.NOTHING_FOUND) < html.index("Related passages, not an answer") < html.index("Almost &amp;")


def test_a_transcript_quote_names_its_speaker_escaped_and_context_marks_each_turn() -> None:

    spoken = hit("Given the growing threat stemming from Daesh in Africa, I would like to propose a task force.")
    spoken = replace(spoken, passage=replace(spoken.passage, speaker="Foreign Minister Di Maio <Italy>"))
    assert render.cite_html(spoken).startswith("— Foreign Minister Di Maio &lt;Italy&gt;, in: <i>Wang meets Kamikawa</i>")
    assert render.cite_html(hit("x")).startswith("— <i>")  # a narrative readout names no speaker
    after = replace(spoken.passage, id="p2", paragraph=2, text="SECRETARY BLINKEN: Thank you, Luigi.",
                    speaker="Secretary Blinken")
    html = render.context_html(spoken, [spoken.passage, after])
    assert html.index("<i>Foreign Minister Di Maio &lt;Italy&gt;:</i>\n▶ <blockquote>Given") \
        < html.index("<i>Secretary Blinken:</i>\n<blockquote>SECRETARY BLINKEN:")


# Keyword questions as people type them, over the tests' State Department readouts (tests/corpus/state-dept).
KEYWORD_QUESTIONS = (
    "blinken ukraine grain", "kuleba russia invasion", "iran nuclear talks", "taiwan strait", "covid vaccines",
    "climate change cop26", "afghanistan evacuation", "north korea missiles", "russia sanctions",
    "g7 foreign ministers", "gaza ceasefire", "xinjiang human rights", "nato enlargement", "haiti security",
    "venezuela elections", "sudan humanitarian", "quad indo-pacific", "ethiopia tigray", "burma coup", "daesh africa",
)
FOLD_PREVIEW = 120  # characters of a folded quote a phone shows before it is opened (about three lines); reported


def first_messages(state_dept_index, embedder) -> list[str]:
    """The first message the bot sends for each of KEYWORD_QUESTIONS, with the bot's default settings."""
    from bot.config import Settings
    from index import Answerer
    from index.retrieve.search import Retriever
    from index.store import generations as store

    settings = Settings(token="0:x")
    answerer = Answerer(Retriever(store.load(state_dept_index), embedder), max_results=settings.max_results,
                        min_score=settings.min_score, first_page=settings.results_per_page)
    messages = []
    for question in KEYWORD_QUESTIONS:
        answer = answerer.answer(question)
        if not answer.hits:
            messages.append(render.nothing_found_html(answer))
            continue
        pages = render.paginate(answer, settings.results_per_page)
        messages.append(render.page_html(answer, pages[0], 0, len(pages)))
    return messages


@pytest.mark.slow
def test_the_median_first_answer_shows_under_a_thousand_characters_before_anything_is_unfolded(
        state_dept_index, embedder) -> None:
    import statistics

    from telegramhtml import shown_chars

    messages = first_messages(state_dept_index, embedder)
    assert sum("<blockquote expandable>" in m for m in messages) >= 15  # answers, and folded
    shown = [shown_chars(m) for m in messages]
    whole = [len(parse_html(m)) for m in messages]
    print(f"first message, median characters: outside folds {statistics.median(shown)}, with each fold's first "
          f"lines {statistics.median(shown_chars(m, FOLD_PREVIEW) for m in messages)}, unfolded {statistics.median(whole)}")
    assert statistics.median(shown) < 1000 < statistics.median(whole)
    assert all(len(m) <= render.TELEGRAM_LIMIT for m in messages)


def test_a_first_paragraph_is_cited_with_the_place_above_it() -> None:
    first = Passage("r-1", "remarks.txt", "SECRETARY BLINKEN: Well, greetings, everyone.", "Remarks", "U.S. Department of State",
                    "2022-03-05", None, 1, speaker="Secretary Blinken", heading="Rzeszow, Poland · Hotel Bristol")
    later = Passage("r-2", "remarks.txt", "So I think the fact that our colleagues are here matters.", "Remarks",
                    "U.S. Department of State", "2022-03-05", None, 2, heading="STAFF: Thanks, guys.")
    assert "Rzeszow, Poland · Hotel Bristol" in render.cite_html(Hit(first, 0.5, 1))
    assert "STAFF" not in render.cite_html(Hit(later, 0.5, 1))  # a short turn above a later paragraph is not its place
