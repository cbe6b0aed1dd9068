"""The digest an alert refresh sends a chat (bot/alerts.py's digest_html): every alert with new
passages is named and quoted within one message, folded as answers are, however long its passages."""
from __future__ import annotations

from telegramhtml import parse_html, shown_chars

from bot import render
from bot.alerts import HITS_PER_ALERT, digest_html
from bot.context import Alert
from bot.texts import ENGLISH, JAPANESE
from index import Answer
from index.passage import Hit, Passage


def long_hit(alert: int, rank: int) -> Hit:
    sentence = f"Alert {alert} passage {rank}: the ministers agreed to move grain by sea and by rail this year. "
    text = sentence + "They discussed silos, insurance, shipping and the routes across the Black Sea in detail. " * 18
    passage = Passage(id=f"{alert:04x}{rank:08x}-1", doc=f"d{alert}-{rank}.txt", text=text,
                      title=f"Secretary Blinken’s Call with Foreign Minister Number {alert}", source="U.S. Department of State",
                      date="2022-07-22", url=f"https://www.state.gov/call-{alert}-{rank}/", paragraph=1)
    return Hit(passage, 0.6, rank, (0, len(sentence)))


def found(alerts: int, hits: int) -> list[tuple[Alert, Answer]]:
    return [(Alert(f"{n:08x}", f"question number {n}", None),
             Answer(f"question number {n}", tuple(long_hit(n, r) for r in range(1, hits + 1)))) for n in range(1, alerts + 1)]


def test_every_alert_is_named_and_quoted_in_one_message_however_long_its_passages() -> None:
    alerts = found(alerts=3, hits=6)
    assert len(alerts[0][1].hits[0].passage.text) > 1500  # three of these, unshortened, would not fit one message
    text, quoted = digest_html(ENGLISH, alerts)
    shown = parse_html(text)
    assert len(shown) <= render.TELEGRAM_LIMIT and len(text) <= render.TELEGRAM_LIMIT
    assert [len(hits) for hits in quoted] == [len(quoted[0])] * 3 and 1 <= len(quoted[0]) <= HITS_PER_ALERT
    for n, ((_, answer), hits) in enumerate(zip(alerts, quoted), start=1):
        block = shown[shown.index(f"question number {n}"):]
        assert all(f"Alert {n} passage {hit.rank}:" in block for hit in hits)
        assert f"…and {len(answer.hits) - len(hits)} more" in block.split("question number", 2)[1]
    assert shown.startswith(f"🔔 New readouts for your alerts ({sum(map(len, quoted))} passages)")
    assert text.count("<blockquote expandable>") == sum(map(len, quoted))
    assert shown_chars(text) < len(shown) / 2  # most of it folded


def test_a_digest_of_many_alerts_still_names_each_and_one_with_few_passages_says_no_more() -> None:
    alerts = found(alerts=10, hits=3)
    alerts[0] = (alerts[0][0], Answer("question number 1", alerts[0][1].hits[:1]))
    text, quoted = digest_html(JAPANESE, alerts)
    shown = parse_html(text)
    assert len(shown) <= render.TELEGRAM_LIMIT
    assert all(f"question number {n}" in shown for n in range(1, 11))
    assert all(hits for hits in quoted)  # each alert's first passage, its fold shortened
    first_block = shown[shown.index("question number 1\n"):shown.index("question number 2\n")]
    assert "ほか" not in first_block  # it found one passage and quotes it: nothing more to ask for
